// Picking a point on the territory's base map (basemap.js): a click, a tap, or the arrow keys
// moving the map under the crosshair then Enter (or the "centre" button), asks /places/at/ for
// the nearest street or named place within 250 m and its commune, shown with a button to use
// it. Loaded by places.js the first time a map is opened; answers with a `place:pick` event on
// the field.
(function () {
  "use strict";
  var loading = null; // Leaflet, protomaps-leaflet and basemap.js, loaded once per page
  var settings = null; // /map/base.json, fetched once per page

  function script(src) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = src;
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function loadLibraries(field) {
    if (!loading) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = field.dataset.leafletCss;
      document.head.appendChild(css);
      var root = field.dataset.leafletJs.replace(/vendor\/leaflet\/leaflet\.js$/, "");
      loading = (window.L ? Promise.resolve() : script(field.dataset.leafletJs))
        .then(function () { return window.protomapsL ? null : script(root + "vendor/protomaps-leaflet/protomaps-leaflet.js"); })
        .then(function () { return window.ArchipelBasemap ? null : script(root + "js/basemap.js"); });
    }
    return loading;
  }

  function loadSettings(field) {
    if (!settings) {
      settings = fetch(field.dataset.baseMapUrl, {credentials: "same-origin"}).then(function (r) {
        if (!r.ok) throw new Error("base map");
        return r.json();
      });
    }
    return settings;
  }

  function setUp(field) {
    var lon = field.querySelector(".place-lon");
    var lat = field.querySelector(".place-lat");
    var toggle = field.querySelector(".place-map-toggle");
    var panel = field.querySelector(".place-map-panel");
    var status = field.querySelector(".place-map-status");
    var use = field.querySelector(".place-map-use");
    var element = field.querySelector(".pick-map");
    var map = null;
    var marker = null;
    var pending = null;

    function show(latlng) {
      var B = window.ArchipelBasemap;
      if (marker) marker.setLatLng(latlng);
      else marker = B.marker(latlng, "point", "").addTo(map);
    }

    function pick(latlng) {
      var query = "?lon=" + latlng.lng.toFixed(6) + "&lat=" + latlng.lat.toFixed(6);
      show(latlng);
      pending = null;
      use.hidden = true;
      fetch(field.dataset.atUrl + query, {credentials: "same-origin"})
        .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
        .then(function (answer) {
          if (!answer.ok) {
            status.textContent = answer.body.error;
            return;
          }
          pending = answer.body;
          status.textContent = pending.label;
          use.hidden = false;
        })
        .catch(function () { status.textContent = toggle.dataset.failed; });
    }

    function open() {
      Promise.all([loadLibraries(field), loadSettings(field)]).then(function (loaded) {
        if (map) return;
        var B = window.ArchipelBasemap;
        map = B.create(element, {keyboardPanDelta: 60}, loaded[1]);
        var bounds = B.tilesBounds(loaded[1].tiles_bounds);
        if (lon.value && lat.value) {
          var here = window.L.latLng(parseFloat(lat.value), parseFloat(lon.value));
          map.setView(here, 15);
          show(here);
        } else if (bounds) {
          map.fitBounds(bounds);
        } else {
          map.setView([46.6, 2.4], 6);
        }
        map.on("click", function (event) { pick(event.latlng); });
        // Keyboard: the arrow keys move the map under the crosshair (Leaflet), Enter picks it.
        element.addEventListener("keydown", function (event) {
          if (event.key === "Enter") {
            event.preventDefault();
            pick(map.getCenter());
          }
        });
      }).catch(function () {
        status.textContent = toggle.dataset.failed;
      });
    }

    field.querySelector(".place-map-centre").addEventListener("click", function () {
      if (map) pick(map.getCenter());
    });
    use.addEventListener("click", function () {
      if (!pending) return;
      field.dispatchEvent(new CustomEvent("place:pick", {detail: pending}));
      status.textContent = use.dataset.done + " " + pending.label;
      use.hidden = true;
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
