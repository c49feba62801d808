// Place entry without any external geocoder: suggestions from the territory's own place index
// (GET /places/?q=, a JSON list of {label, name, kind_label, commune, lon, lat}) in GOV.UK's
// accessible-autocomplete (vendor/accessible-autocomplete, loaded here once per page), which
// replaces the server's plain text input (same id, name, value and attributes: without
// JavaScript that input is submitted as typed). Choosing a suggestion puts its label in the text
// and its coordinates in the hidden inputs; typing again clears them. Every text, the
// announcements to screen readers included, comes from the widget's data-t-* attributes
// (translated by the server). Each change of the coordinates is announced by a bubbling
// `place:chosen` event (detail: the place, or null when cleared).
// Contract with the map picker (map-picker.js, loaded the first time a map is opened): it
// dispatches `place:pick` on the `.place-field` with {label, lon, lat} as detail; this file
// puts the label in the text field and the coordinates in the hidden inputs.
(function () {
  "use strict";
  var DEBOUNCE_MS = 150;
  var MAX_SUGGESTIONS = 8;
  // Attributes the library sets on its own input; any other one of the server's input (e.g.
  // aria-invalid) is copied over, and the server's aria-describedby (errors) is kept.
  var MANAGED = ["id", "name", "type", "class", "value", "role", "autocomplete", "required",
    "placeholder", "aria-expanded", "aria-activedescendant", "aria-controls",
    "aria-autocomplete", "aria-describedby", "aria-owns"];
  var scripts = {}; // src -> Promise, each script loaded once per page

  function load(src, global) {
    if (!scripts[src]) {
      scripts[src] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window[global]); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return scripts[src];
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  // fill("{n} suggestions", {n: 3}) -> "3 suggestions"
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? values[key] : whole;
    });
  }

  function isPlace(p) {
    return p !== null && typeof p === "object" && typeof p.label === "string" && p.label !== "" &&
      isFinite(parseFloat(p.lon)) && isFinite(parseFloat(p.lat));
  }

  function ids(value) {
    return (value || "").split(/\s+/).filter(Boolean);
  }

  // The library rewrites aria-describedby (its usage hint) as it goes: the errors stay first.
  function keepDescriptions(element, errors) {
    if (!errors.length) return;
    function merge() {
      var own = ids(element.getAttribute("aria-describedby"));
      var wanted = errors.concat(own.filter(function (id) { return errors.indexOf(id) < 0; }));
      if (wanted.join(" ") !== own.join(" ")) element.setAttribute("aria-describedby", wanted.join(" "));
    }
    new MutationObserver(merge).observe(element, {attributes: true, attributeFilter: ["aria-describedby"]});
    merge();
  }

  function suggestion(found) {
    return function (p) {
      if (typeof p === "string") p = found[p] || {label: p};
      var name = p.name || p.label;
      var details = [p.kind_label, p.commune !== name ? p.commune : ""].filter(Boolean).map(escapeHtml);
      var html = '<span class="place-option-name">' + escapeHtml(name) + "</span>";
      if (details.length) {
        // Seen as "Station de ski · Encamp", heard as "Grau Roig, Station de ski, Encamp".
        var dot = '<span aria-hidden="true">\u00a0· </span><span class="visually-hidden">, </span>';
        html += '<span class="place-option-detail"><span class="visually-hidden">, </span>' +
          details.join(dot) + "</span>";
      }
      return html;
    };
  }

  function setUp(field) {
    var t = field.dataset;
    var input = field.querySelector(".place-input"); // the server's, then the library's
    var lon = field.querySelector(".place-lon");
    var lat = field.querySelector(".place-lat");
    var toggle = field.querySelector(".place-map-toggle");
    var found = {}; // label -> place, for every suggestion or map pick seen on this page
    var quiet = false; // a search is under way or failed: no "no result" shown nor announced
    var deferred = null; // a search for a text set while the input had no focus
    var timer = null;
    var request = null;
    var enhanced = false;

    function locate(place) {
      var before = lon.value + "," + lat.value;
      lon.value = place ? place.lon : "";
      lat.value = place ? place.lat : "";
      // Other scripts (the publish form's route preview) hear of a place chosen or cleared.
      if (lon.value + "," + lat.value !== before) {
        field.dispatchEvent(new CustomEvent("place:chosen", {bubbles: true, detail: place || null}));
      }
    }

    // Puts a text in the input as if typed (the library follows its input's events).
    function setText(text) {
      input.value = text;
      input.dispatchEvent(new Event("input", {bubbles: true}));
    }

    function answer(query, places, failed, populate) {
      if (input.value !== query) return; // stale: the text has changed since
      quiet = failed; // a failure shows nothing, as a search under way
      populate(places);
      requestAnimationFrame(reveal);
    }

    // Scrolls the page just enough for the menu to be seen (on a phone, above the keyboard),
    // never past the top of the input.
    function reveal() {
      var menu = field.querySelector(".autocomplete__menu--visible");
      if (!menu || document.activeElement !== input) return;
      var view = window.visualViewport;
      var bottom = view ? view.offsetTop + view.height : window.innerHeight;
      var by = Math.min(menu.getBoundingClientRect().bottom + 8 - bottom, input.getBoundingClientRect().top - 8);
      if (by > 0) window.scrollBy(0, by);
    }

    function source(query, populate) {
      clearTimeout(timer);
      if (request) request.abort();
      quiet = true;
      deferred = null;
      if (document.activeElement !== input) {
        // A text set here (the server's value, a map pick): no menu now; a search when the
        // input gets the focus, if the text names no place yet.
        deferred = {query: query, populate: populate};
        populate([]);
        return;
      }
      timer = setTimeout(function () {
        var mine = request = new AbortController();
        fetch(t.placesUrl + "?q=" + encodeURIComponent(query), {
          credentials: "same-origin", signal: mine.signal, headers: {Accept: "application/json"},
        })
          .then(function (r) {
            if (!r.ok) throw new Error("places " + r.status);
            return r.json();
          })
          .then(function (places) {
            places = (Array.isArray(places) ? places : []).filter(isPlace).slice(0, MAX_SUGGESTIONS);
            places.forEach(function (p) { found[p.label] = p; });
            answer(query, places, false, populate);
          })
          .catch(function () {
            if (!mine.signal.aborted) answer(query, [], true, populate); // nothing shown, typing goes on
          });
      }, DEBOUNCE_MS);
    }

    function enhance(autocomplete) {
      var server = input;
      var box = field.querySelector(".place-combobox");
      var value = server.value;
      var focused = document.activeElement === server;
      var fresh = document.createElement("span");
      fresh.className = "place-combobox";
      autocomplete({
        element: fresh,
        id: server.id,
        name: server.name,
        defaultValue: "", // the value is typed in below: the library offers no default option
        required: server.required,
        placeholder: server.placeholder || "",
        minLength: parseInt(t.minLength, 10) || 2,
        displayMenu: "overlay",
        autoselect: false,
        confirmOnBlur: true,
        showNoOptionsFound: true,
        inputClasses: "place-input",
        source: source,
        templates: {
          inputValue: function (p) { return typeof p === "string" ? p : (p ? p.label : ""); },
          suggestion: suggestion(found),
        },
        onConfirm: function (p) {
          if (typeof p === "string") p = found[p];
          if (p) locate(p);
        },
        tNoResults: function () { return quiet ? "" : t.tNoResults + "\n" + t.tNoResultsHint; },
        tStatusNoResults: function () { return quiet ? "" : t.tStatusNoResults; },
        tStatusQueryTooShort: function (n) { return fill(t.tStatusTooShort, {n: n}); },
        tStatusSelectedOption: function (option, count, index) {
          return fill(t.tStatusSelected, {option: option, position: index + 1, count: count});
        },
        tStatusResults: function (count, selected) {
          var text = fill(count === 1 ? t.tStatusResult : t.tStatusResults, {n: count});
          return selected ? text + " " + selected : text;
        },
        tAssistiveHint: function () { return t.tAssistiveHint; },
      });
      input = fresh.querySelector("input[role=combobox]");
      Array.prototype.forEach.call(server.attributes, function (attr) {
        if (MANAGED.indexOf(attr.name) < 0) input.setAttribute(attr.name, attr.value);
      });
      keepDescriptions(input, ids(server.getAttribute("aria-describedby")));
      // The map toggle follows the input, as in the server's markup; the library's keyboard
      // handling (on its wrapper) is for its input and options only.
      if (toggle) {
        fresh.firstElementChild.appendChild(toggle);
        toggle.addEventListener("keydown", function (event) { event.stopPropagation(); });
      }
      box.replaceWith(fresh);
      // The server's value (after a failed submit), located if it came with its coordinates.
      if (value && lon.value && lat.value) found[value] = {label: value, lon: lon.value, lat: lat.value};
      if (value) setText(value);
      if (focused) input.focus();
      enhanced = true;
    }

    // Typing again clears the coordinates, unless the text is a suggestion's label.
    field.addEventListener("input", function (event) {
      if (event.target === input) locate(found[input.value]);
    });
    field.addEventListener("focusin", function (event) {
      var asked = deferred;
      if (event.target !== input || !asked || asked.query !== input.value || lon.value) return;
      source(asked.query, asked.populate); // a text that names no place yet: its suggestions
    });
    field.addEventListener("place:pick", function (event) {
      var place = event.detail;
      found[place.label] = place;
      if (enhanced) setText(place.label); else input.value = place.label;
      locate(place);
    });

    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        load(t.pickerJs, "ArchipelMapPicker").then(function (mapPicker) { mapPicker.toggle(field); }).catch(function () {
          field.querySelector(".place-map-status").textContent = toggle.dataset.failed;
        });
      });
    }

    load(t.autocompleteJs, "accessibleAutocomplete").then(function (autocomplete) {
      if (typeof autocomplete === "function") enhance(autocomplete);
    }, function () { /* not loaded: the plain input stays */ });
  }

  document.querySelectorAll(".place-field").forEach(setUp);
})();
