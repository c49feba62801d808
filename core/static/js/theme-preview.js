// Live preview of a territory's theme: updates the preview's CSS custom properties and reports
// the WCAG contrast of each colour pair as the administrator edits the form. The server checks
// the same pairs again on save.
(function () {
  "use strict";
  var form = document.getElementById("appearance-form");
  var preview = document.getElementById("theme-preview");
  var report = document.getElementById("contrast-report");
  var labels = document.getElementById("contrast-labels");
  if (!form || !preview || !report || !labels) return;

  var lang = document.documentElement.lang || "fr";
  function field(name) { return form.elements["theme-" + name]; }
  function channel(v) { v = v / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
  function luminance(hex) {
    var n = parseInt(hex.slice(1), 16);
    return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
  }
  function ratio(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function update() {
    var c = {
      primary: field("primary_colour").value, onPrimary: field("on_primary_colour").value,
      secondary: field("secondary_colour").value, onSecondary: field("on_secondary_colour").value
    };
    preview.style.setProperty("--primary", c.primary);
    preview.style.setProperty("--on-primary", c.onPrimary);
    preview.style.setProperty("--secondary", c.secondary);
    preview.style.setProperty("--on-secondary", c.onSecondary);
    document.getElementById("preview-name").textContent = field("display_name").value;
    var pairs = [
      [labels.dataset.primary, c.onPrimary, c.primary],
      [labels.dataset.secondary, c.onSecondary, c.secondary],
      [labels.dataset.links, c.primary, "#ffffff"]
    ];
    report.textContent = "";
    pairs.forEach(function (p) {
      var r = ratio(p[1], p[2]);
      var li = document.createElement("li");
      li.className = r >= 4.5 ? "ok" : "fail";
      // « Texte sur la couleur principale : 4,54:1 (suffisant) » in French.
      li.textContent = labels.dataset.line.replace("{label}", p[0])
        .replace("{ratio}", r.toLocaleString(lang, {minimumFractionDigits: 2, maximumFractionDigits: 2}))
        .replace("{verdict}", r >= 4.5 ? labels.dataset.ok : labels.dataset.fail);
      report.appendChild(li);
    });
  }
  form.addEventListener("input", update);
  update();
})();
