// The header's menu is a <details> (it opens and closes without JavaScript). With it: Escape
// closes the menu and puts the focus back on its button, and a click outside closes it.
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  if (!menu) return;
  var summary = menu.querySelector("summary");
  // Browsers expose a <summary>'s state already; said explicitly too, for older readers.
  function state() { summary.setAttribute("aria-expanded", menu.open ? "true" : "false"); }
  state();
  menu.addEventListener("toggle", state);
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      summary.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
})();
