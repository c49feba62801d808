// Picking a point on a map of the territory's roads (drawn from its road graph, no tile
// server), labelled by /places/at/ with the nearest named place or street. Loaded by
// places.js the first time a map is opened; answers with a `place:pick` event on the field.
(function () {
  "use strict";
  var outline = null; // the road drawing, fetched once per page
  var leaflet = null; // Leaflet, loaded the first time a map is opened

  function loadLeaflet(field) {
    if (window.L) return Promise.resolve(window.L);
    if (!leaflet) {
      leaflet = new Promise(function (resolve, reject) {
        var css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = field.dataset.leafletCss;
        document.head.appendChild(css);
        var script = document.createElement("script");
        script.src = field.dataset.leafletJs;
        script.onload = function () { resolve(window.L); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return leaflet;
  }

  function loadOutline(field) {
    if (!outline) {
      outline = fetch(field.dataset.outlineUrl, {credentials: "same-origin"}).then(function (r) {
        if (!r.ok) throw new Error("outline");
        return r.json();
      });
    }
    return outline;
  }

  function setUp(field) {
    var lon = field.querySelector(".place-lon");
    var lat = field.querySelector(".place-lat");
    var toggle = field.querySelector(".place-map-toggle");
    var panel = field.querySelector(".place-map-panel");
    var status = field.querySelector(".place-map-status");
    var map = null;
    var marker = null;

    function pick(latlng) {
      var query = "?lon=" + latlng.lng.toFixed(6) + "&lat=" + latlng.lat.toFixed(6);
      fetch(field.dataset.atUrl + query, {credentials: "same-origin"})
        .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
        .then(function (answer) {
          if (!answer.ok) {
            status.textContent = answer.body.error;
            return;
          }
          var place = answer.body;
          field.dispatchEvent(new CustomEvent("place:pick", {detail: place}));
          if (marker) marker.setLatLng(latlng); else marker = window.L.circleMarker(latlng, {radius: 8, weight: 3, interactive: false}).addTo(map);
          status.textContent = place.label;
        });
    }

    function open() {
      Promise.all([loadLeaflet(field), loadOutline(field)]).then(function (loaded) {
        var L = loaded[0];
        if (map) return;
        map = L.map(field.querySelector(".pick-map"), {attributionControl: true});
        map.attributionControl.setPrefix(false);
        // Leaflet draws layers only once the map has a view: set it first.
        var roads = L.geoJSON(loaded[1], {
          style: {color: "#4a4a4a", weight: 2, opacity: 0.8},
          interactive: false,
          attribution: "© OpenStreetMap",
        });
        var bounds = roads.getBounds();
        if (lon.value && lat.value) {
          var here = L.latLng(parseFloat(lat.value), parseFloat(lon.value));
          map.setView(here, 15);
          marker = L.circleMarker(here, {radius: 8, weight: 3, interactive: false}).addTo(map);
        } else if (bounds.isValid()) {
          map.fitBounds(bounds);
        } else {
          map.setView([46.6, 2.4], 6);
        }
        roads.addTo(map);
        map.on("click", function (event) { pick(event.latlng); });
      }).catch(function () {
        status.textContent = toggle.dataset.failed;
      });
    }

    field.querySelector(".place-map-centre").addEventListener("click", function () {
      if (map) pick(map.getCenter());
    });
    return function toggleMap() {
      var opening = panel.hidden;
      panel.hidden = !opening;
      toggle.setAttribute("aria-expanded", opening ? "true" : "false");
      if (opening) open();
    };
  }

  var toggles = new WeakMap();
  window.ArchipelMapPicker = {
    toggle: function (field) {
      if (!toggles.has(field)) toggles.set(field, setUp(field));
      toggles.get(field)();
    },
  };
})();
