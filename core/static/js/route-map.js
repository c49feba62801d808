// A ride's route on the territory's base map (basemap.js): the route in the territory's colour,
// departure (A) and arrival (B), and for a passenger the pickup (1) and drop-off (2) with the
// walk to them when the place searched is off the road. The page lists the same places in text.
(function () {
  "use strict";
  var element = document.getElementById("route-map");
  var source = document.getElementById("route-map-data");
  if (!element || !source || typeof L === "undefined" || !window.ArchipelBasemap) return;
  var data = JSON.parse(source.textContent);
  if (!data.route.length) return;
  var B = window.ArchipelBasemap;
  var map = B.create(element, {scrollWheelZoom: false});
  var colour = B.colour();
  // A light casing under the route keeps it readable on every road colour.
  L.polyline(data.route, {color: "#ffffff", weight: 8, opacity: 0.9, interactive: false}).addTo(map);
  var line = L.polyline(data.route, {color: colour, weight: 5, interactive: false}).addTo(map);
  var bounds = line.getBounds();
  data.points.forEach(function (p) {
    if (p.walk) {
      L.polyline([p.walk, [p.lat, p.lon]], {color: "#333333", weight: 3, dashArray: "2 6", lineCap: "round", interactive: false}).addTo(map);
      bounds.extend(p.walk);
    }
    B.marker([p.lat, p.lon], p.kind, p.label).addTo(map);
    bounds.extend([p.lat, p.lon]);
  });
  function fit() { map.fitBounds(bounds, {padding: [28, 28]}); }
  fit();
  map.on("resize", fit); // a phone turned, a window resized: the whole ride stays in view
})();
