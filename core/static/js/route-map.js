// Draws a ride's route with Leaflet (installed from npm). No tile server is called: the route
// itself is the drawing; a territory may configure tiles for production later.
(function () {
  "use strict";
  var element = document.getElementById("route-map");
  if (!element || typeof L === "undefined") return;
  var points = JSON.parse(element.dataset.route || "[]");
  if (!points.length) return;
  // A picture of the route (the page states its ends and figures in text): no controls to
  // reach by keyboard inside an element announced as an image.
  var map = L.map(element, {attributionControl: false, zoomControl: false, keyboard: false,
                            dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
                            boxZoom: false, touchZoom: false});
  var line = L.polyline(points, {color: getComputedStyle(document.documentElement).getPropertyValue("--primary").trim() || "#1f5f8b", weight: 5, interactive: false});
  line.addTo(map);
  L.circleMarker(points[0], {radius: 7, interactive: false}).addTo(map);
  L.circleMarker(points[points.length - 1], {radius: 7, fillOpacity: 1, interactive: false}).addTo(map);
  map.fitBounds(line.getBounds(), {padding: [20, 20]});
})();
