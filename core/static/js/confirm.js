// Confirming a ride: the device's current position may be added as the pickup or drop-off
// point (asked only when the person presses the button; nothing is sent otherwise).
(function () {
  "use strict";
  if (!navigator.geolocation) return;
  document.querySelectorAll(".confirm-form").forEach(function (form) {
    var status = form.querySelector(".geo-status");
    form.querySelector(".geo-buttons").hidden = false;
    form.querySelectorAll("[data-geo]").forEach(function (button) {
      button.addEventListener("click", function () {
        var end = button.dataset.geo;
        navigator.geolocation.getCurrentPosition(function (position) {
          form.querySelector('[name="' + end + '_lon"]').value = position.coords.longitude.toFixed(6);
          form.querySelector('[name="' + end + '_lat"]').value = position.coords.latitude.toFixed(6);
          status.textContent = status.dataset.recorded;
        }, function () {
          status.textContent = status.dataset.refused;
        }, {enableHighAccuracy: true, timeout: 15000});
      });
    });
  });
})();
