// The summary of a form's errors (core/templates/form_errors.html) takes the focus when the
// page opens, so that a screen reader reads it first; each of its links moves the focus to its
// field and shows the field's label too (GOV.UK's error summary).
(function () {
  "use strict";
  function start() {
    var summary = document.querySelector(".error-summary");
    if (!summary || summary.dataset.ready) return;
    summary.dataset.ready = "1";
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) return;
      event.preventDefault();
      var label = document.querySelector("label[for='" + input.id + "']");
      (label || input).scrollIntoView({ block: "center" });
      input.focus({ preventScroll: true });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
