// The dashboard's map of origin–destination flows: the areas and a line per flow shown (width
// grows with the journeys; each line also says its figure), from the territory's own data —
// no tile server. The table under the map gives the same figures.
(function () {
  "use strict";
  var element = document.getElementById("flows-map");
  if (!element || typeof L === "undefined") return;
  fetch(element.dataset.url, {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data) return;
      var map = L.map(element, {attributionControl: false, zoomControl: false, keyboard: false,
                                dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
                                boxZoom: false, touchZoom: false});
      var areas = L.geoJSON(data.areas, {style: {color: "#555", weight: 1, fillColor: "#ddd", fillOpacity: 0.5},
                                         interactive: false});
      var lines = data.flows.features.filter(function (f) { return f.geometry; });
      var top = Math.max.apply(null, lines.map(function (f) { return f.properties.journeys || 0; }).concat([1]));
      var colour = getComputedStyle(document.documentElement).getPropertyValue("--primary").trim() || "#1f5f8b";
      var flows = L.geoJSON({type: "FeatureCollection", features: lines}, {
        interactive: false,
        style: function (f) { return {color: colour, weight: 2 + 10 * (f.properties.journeys || 0) / top, opacity: 0.8}; }
      });
      var bounds = areas.getBounds();
      if (!bounds.isValid()) bounds = flows.getBounds();
      if (!bounds.isValid()) { element.hidden = true; return; }
      map.fitBounds(bounds, {padding: [10, 10]});
      areas.addTo(map);
      flows.addTo(map);
      lines.forEach(function (f) {
        var c = f.geometry.coordinates;
        var middle = [(c[0][1] + c[1][1]) / 2, (c[0][0] + c[1][0]) / 2];
        L.marker(middle, {interactive: false, keyboard: false, icon: L.divIcon({className: "flow-label", html: String(f.properties.journeys)})}).addTo(map);
      });
    });
})();
