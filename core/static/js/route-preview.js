// The publish form's route preview: once both places are chosen, the route the driver would
// take (/map/route.json) on the territory's base map, with its distance and duration in text
// (announced to screen readers once per route).
(function () {
  "use strict";
  var preview = document.getElementById("route-preview");
  if (!preview || typeof L === "undefined" || !window.ArchipelBasemap) return;
  var form = preview.closest("form");
  var element = preview.querySelector(".route-map");
  var summary = preview.querySelector(".route-preview-summary");
  var B = window.ArchipelBasemap;
  var map = null;
  var layers = [];
  var asked = 0;

  function coordinates(name) {
    var lon = form.querySelector('input[name="' + name + '_1"]').value;
    var lat = form.querySelector('input[name="' + name + '_2"]').value;
    return lon && lat ? lon + "," + lat : null;
  }

  function draw(data) {
    preview.hidden = false;
    if (!map) map = B.create(element, {scrollWheelZoom: false});
    layers.forEach(function (layer) { layer.remove(); });
    layers = [
      L.polyline(data.route, {color: "#ffffff", weight: 8, opacity: 0.9, interactive: false}),
      L.polyline(data.route, {color: B.colour(), weight: 5, interactive: false}),
      B.marker(data.from, "start", preview.dataset.start, "A"),
      B.marker(data.to, "end", preview.dataset.end, "B")
    ];
    layers.forEach(function (layer) { layer.addTo(map); });
    map.invalidateSize();
    map.fitBounds(layers[1].getBounds(), {padding: [28, 28]});
    var km = (data.distance_m / 1000).toLocaleString(document.documentElement.lang || "fr", {maximumFractionDigits: 1});
    var minutes = Math.max(1, Math.round(data.duration_s / 60));
    say(preview.dataset.summary.replace("{km}", km).replace("{min}", minutes));
  }

  // Shown, and said once through the page's live region (js/announce.js): the preview
  // appears at the same moment, where a live region of its own would be missed.
  function say(text) {
    if (text === summary.textContent) return;
    summary.textContent = text;
    if (window.announce) window.announce(text);
  }

  function update() {
    var from = coordinates("origin");
    var to = coordinates("destination");
    if (!from || !to) { preview.hidden = true; return; }
    var ask = ++asked;
    fetch(preview.dataset.url + "?from=" + from + "&to=" + to, {credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (answer) {
        if (ask !== asked) return; // a later choice was made meanwhile
        if (answer.ok) { draw(answer.body); return; }
        preview.hidden = false;
        say(answer.body.error);
      })
      .catch(function () { if (ask === asked) preview.hidden = true; });
  }

  form.addEventListener("place:chosen", update);
  update(); // a form shown again after an error keeps its places
})();
