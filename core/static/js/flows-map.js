// The dashboard's map of origin–destination flows over the territory's base map (basemap.js):
// the areas outlined with their names, a line per flow shown (width grows with the journeys,
// each line also says its figure). Suppressed flows never reach the page. The table under the
// map gives the same figures.
(function () {
  "use strict";
  var element = document.getElementById("flows-map");
  if (!element || typeof L === "undefined" || !window.ArchipelBasemap) return;
  fetch(element.dataset.url, {credentials: "same-origin"})
    .then(function (r) {
      // Only the figures themselves: a sign-in page or an error page (expired session, server
      // down) hides the map, whose table below says the same.
      var type = r.headers.get("Content-Type") || "";
      return r.ok && type.indexOf("json") !== -1 ? r.json() : null;
    })
    .catch(function () { return null; })
    .then(function (data) {
      if (!data) { element.hidden = true; return; }
      var B = window.ArchipelBasemap;
      var colour = B.colour();
      var areas = L.geoJSON(data.areas, {style: {color: "#4a4a4a", weight: 1.5, dashArray: "4 3", fillColor: "#ffffff", fillOpacity: 0.25},
                                         interactive: false});
      var lines = data.flows.features.filter(function (f) { return f.geometry; });
      var top = Math.max.apply(null, lines.map(function (f) { return f.properties.journeys || 0; }).concat([1]));
      var flows = L.geoJSON({type: "FeatureCollection", features: lines}, {
        interactive: false,
        style: function (f) { return {color: colour, weight: 2 + 10 * (f.properties.journeys || 0) / top, opacity: 0.85}; }
      });
      var bounds = areas.getBounds();
      if (!bounds.isValid()) bounds = flows.getBounds();
      if (!bounds.isValid()) { element.hidden = true; return; }
      var map = B.create(element, {scrollWheelZoom: false});
      map.fitBounds(bounds, {padding: [10, 10]});
      areas.addTo(map);
      flows.addTo(map);
      // A text centred on a point (names and figures are set as text, never as HTML).
      function label(latlng, className, text) {
        var marker = L.marker(latlng, {interactive: false, keyboard: false,
                                       icon: L.divIcon({className: "map-label", html: "<span></span>", iconSize: [0, 0]})});
        marker.addTo(map);
        var span = marker.getElement().firstChild;
        span.className = className;
        span.textContent = text;
      }
      data.areas.features.forEach(function (f) {
        label(L.geoJSON(f).getBounds().getCenter(), "area-label", f.properties.name);
      });
      lines.forEach(function (f) {
        var c = f.geometry.coordinates;
        label([(c[0][1] + c[1][1]) / 2, (c[0][0] + c[1][0]) / 2], "flow-label", String(f.properties.journeys));
      });
    });
})();
