// Place entry without any external geocoder: type-ahead suggestions from the territory's own
// place index (/places/). Choosing one fills the hidden coordinates.
// Each change of the coordinates is announced by a `place:chosen` event (bubbling; detail:
// the place, or null when cleared).
// Contract with the map picker (map-picker.js, loaded the first time a map is opened): it
// dispatches `place:pick` on the `.place-field` with {label, lon, lat} as detail; this file
// puts the label in the text field and the coordinates in the hidden inputs.
(function () {
  "use strict";
  var picker = null; // map-picker.js, loaded once per page

  function loadPicker(field) {
    if (!picker) {
      picker = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = field.dataset.pickerJs;
        script.onload = function () { resolve(window.ArchipelMapPicker); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return picker;
  }

  document.querySelectorAll(".place-field").forEach(function (field) {
    var input = field.querySelector(".place-input");
    var list = field.querySelector("datalist");
    var lon = field.querySelector(".place-lon");
    var lat = field.querySelector(".place-lat");
    var found = {};
    var timer = null;
    function choose() {
      var place = found[input.value];
      var before = lon.value + "," + lat.value;
      lon.value = place ? place.lon : "";
      lat.value = place ? place.lat : "";
      // Other scripts (the publish form's route preview) hear of a place chosen or cleared.
      if (lon.value + "," + lat.value !== before) {
        field.dispatchEvent(new CustomEvent("place:chosen", {bubbles: true, detail: place || null}));
      }
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
    field.addEventListener("place:pick", function (event) {
      found[event.detail.label] = event.detail;
      input.value = event.detail.label;
      choose();
    });

    var toggle = field.querySelector(".place-map-toggle");
    if (!toggle) return;
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      loadPicker(field).then(function (mapPicker) { mapPicker.toggle(field); }).catch(function () {
        field.querySelector(".place-map-status").textContent = toggle.dataset.failed;
      });
    });
  });
})();
