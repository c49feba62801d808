// Publish form: show only the fieldset of the chosen frequency (both stay visible without JS).
(function () {
  "use strict";
  const form = document.getElementById("offer-form");
  if (!form) return;
  const radios = form.querySelectorAll('input[name="frequency"]');
  function update() {
    const chosen = form.querySelector('input[name="frequency"]:checked');
    const value = chosen ? chosen.value : "once";
    form.querySelectorAll("fieldset[data-frequency]").forEach(function (set) {
      set.hidden = set.dataset.frequency !== value;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
