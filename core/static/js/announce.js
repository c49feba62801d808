// What changes without a page load is also said to screen readers, through the one polite
// live region of every page (#live-status, base.html): scripts call `announce(text)`;
// content that htmx swaps in announces itself with `data-announce="…"`.
(function () {
  "use strict";
  var region = document.getElementById("live-status");
  var timer = null;

  function announce(text) {
    if (!region || !text) return;
    // Emptied, then filled a moment later: the same words said twice are heard twice.
    region.textContent = "";
    clearTimeout(timer);
    timer = setTimeout(function () { region.textContent = text; }, 150);
  }
  window.announce = announce;

  document.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.target;
    if (!swapped || !swapped.querySelectorAll) return;
    var said = swapped.hasAttribute("data-announce") ? [swapped] : [];
    swapped.querySelectorAll("[data-announce]").forEach(function (el) { said.push(el); });
    said.forEach(function (el) { announce(el.dataset.announce); });
  });
})();
