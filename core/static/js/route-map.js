// Maps of places on the territory's base map (basemap.js), one per `.route-map[data-map]`
// element, from the JSON script it names (core/templates/map_block.html): a route in the
// territory's colour if any, and markers told apart by shape and symbol (departure A, arrival
// B, pickup 1, drop-off 2, a volunteer's rank…), with the walk to the route when a place
// searched is off the road. The page lists the same places in text.
(function () {
  "use strict";
  if (typeof L === "undefined" || !window.ArchipelBasemap) return;
  var B = window.ArchipelBasemap;
  document.querySelectorAll(".route-map[data-map]").forEach(function (element) {
    var source = document.getElementById(element.dataset.map);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var map = B.create(element, {scrollWheelZoom: false});
    var bounds = L.latLngBounds([]);
    if (data.route && data.route.length) {
      // A light casing under the route keeps it readable on every road colour.
      L.polyline(data.route, {color: "#ffffff", weight: 8, opacity: 0.9, interactive: false}).addTo(map);
      bounds.extend(L.polyline(data.route, {color: B.colour(), weight: 5, interactive: false}).addTo(map).getBounds());
    }
    data.points.forEach(function (p) {
      if (p.walk) {
        L.polyline([p.walk, [p.lat, p.lon]], {color: "#333333", weight: 3, dashArray: "2 6", lineCap: "round", interactive: false}).addTo(map);
        bounds.extend(p.walk);
      }
      B.marker([p.lat, p.lon], p.kind, p.label, p.symbol).addTo(map);
      bounds.extend([p.lat, p.lon]);
    });
    if (!bounds.isValid()) { element.hidden = true; return; }
    function fit() { map.fitBounds(bounds, {padding: [28, 28], maxZoom: 16, animate: false}); }
    fit();
    map.on("resize", fit); // a phone turned, a window resized: every place stays in view
  });
})();
