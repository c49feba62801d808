// Type-ahead place entry: suggestions come from the territory's own place index (/places/),
// never from an external geocoder. Choosing a suggestion fills the hidden coordinates.
(function () {
  "use strict";
  document.querySelectorAll(".place-field").forEach(function (field) {
    var input = field.querySelector(".place-input");
    var list = field.querySelector("datalist");
    var lon = field.querySelector(".place-lon");
    var lat = field.querySelector(".place-lat");
    var found = {};
    var timer = null;
    function choose() {
      var place = found[input.value];
      lon.value = place ? place.lon : "";
      lat.value = place ? place.lat : "";
    }
    input.addEventListener("input", function () {
      choose();
      clearTimeout(timer);
      if (input.value.length < 2 || found[input.value]) return;
      timer = setTimeout(function () {
        fetch(field.dataset.placesUrl + "?q=" + encodeURIComponent(input.value), {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (places) {
            list.textContent = "";
            places.forEach(function (p) {
              found[p.label] = p;
              var option = document.createElement("option");
              option.value = p.label;
              list.appendChild(option);
            });
            choose();
          });
      }, 150);
    });
    input.addEventListener("change", choose);
  });
})();
