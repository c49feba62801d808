// The territory's base map: vector tiles built from its own OpenStreetMap extract (OpenMapTiles
// schema, tilemaker), served by its own site, drawn on canvas by protomaps-leaflet with the
// browser's own fonts (no glyph files, no WebGL, no tile server, nothing from a third party).
// The element carries data-tiles (the URL template), data-tiles-bounds and data-attribution
// ({% base_map %}); a map without them is drawn on the background colour alone.
// Also here: the markers every map shares (departure, arrival, pickup, drop-off, home…).
(function () {
  "use strict";
  var P = window.protomapsL;

  var colours = {
    // OpenMapTiles has no land polygon: the land (and the sea, drawn from no shapefile) is the
    // background; lakes and rivers come from the extract's own water polygons.
    earth: "#f4f1ea",
    water: "#a9cbe8",
    waterLine: "#8fb8de",
    wood: "#cfe3c4",
    grass: "#e0ecd0",
    farmland: "#eef0d8",
    rock: "#e6e1da",
    ice: "#f4f8fb",
    residential: "#ece7df",
    commercial: "#f1e3e3",
    industrial: "#ebe3ef",
    park: "#d5e8c6",
    building: "#d9d0c5",
    buildingEdge: "#c4b9ab",
    casing: "#b9b0a4",
    motorway: "#f2a365",
    trunk: "#f7c077",
    primary: "#fbd98c",
    secondary: "#fcf0b4",
    minor: "#ffffff",
    path: "#a39584",
    rail: "#9b9b9b",
    boundary: "#9e7fa8",
    label: "#3b3a36",
    labelRoad: "#4a4640",
    labelWater: "#2d6796",
    halo: "rgba(255,255,255,0.9)"
  };

  function cls(f) { return (f && f.props["class"]) || ""; }
  function is() { var kinds = arguments; return function (z, f) { return Array.prototype.indexOf.call(kinds, cls(f)) >= 0; }; }
  function widthOf(byClass) {
    return function (z, f) {
      var base = byClass[cls(f)] || byClass._ || 1;
      return Math.max(0.5, base * Math.pow(1.45, z - 13));
    };
  }
  var ROAD_WIDTH = {motorway: 5, trunk: 4.5, primary: 4, secondary: 3.5, tertiary: 3, minor: 2.4, service: 1.6, track: 1, _: 2};
  var ROAD_COLOUR = {motorway: colours.motorway, trunk: colours.trunk, primary: colours.primary,
                     secondary: colours.secondary, tertiary: colours.secondary};

  function paintRules() {
    var landcoverFill = {wood: colours.wood, forest: colours.wood, grass: colours.grass, farmland: colours.farmland,
                         rock: colours.rock, ice: colours.ice, sand: colours.rock, wetland: colours.grass};
    var landuseFill = {residential: colours.residential, suburb: colours.residential, neighbourhood: colours.residential,
                       commercial: colours.commercial, retail: colours.commercial, industrial: colours.industrial,
                       railway: colours.industrial, cemetery: colours.park, school: colours.commercial,
                       hospital: colours.commercial, stadium: colours.park, pitch: colours.park};
    return [
      {dataLayer: "landcover", symbolizer: new P.PolygonSymbolizer({fill: function (z, f) { return landcoverFill[cls(f)] || colours.grass; }})},
      {dataLayer: "landuse", symbolizer: new P.PolygonSymbolizer({fill: function (z, f) { return landuseFill[cls(f)] || colours.residential; }})},
      {dataLayer: "park", symbolizer: new P.PolygonSymbolizer({fill: colours.park})},
      {dataLayer: "water", symbolizer: new P.PolygonSymbolizer({fill: colours.water})},
      {dataLayer: "waterway", symbolizer: new P.LineSymbolizer({color: colours.waterLine, width: function (z, f) { return cls(f) === "river" ? 2 : 1; }})},
      {dataLayer: "boundary", symbolizer: new P.LineSymbolizer({color: colours.boundary, width: 1.2, dash: [4, 3], opacity: 0.7}),
       filter: function (z, f) { return (f.props.admin_level || 99) <= 8; }},
      {dataLayer: "building", minzoom: 14, symbolizer: new P.PolygonSymbolizer({fill: colours.building, stroke: colours.buildingEdge, width: 0.5})},
      {dataLayer: "transportation", symbolizer: new P.LineSymbolizer({color: colours.path, width: 1, dash: [2, 2]}),
       filter: is("path", "track")},
      {dataLayer: "transportation", symbolizer: new P.LineSymbolizer({color: colours.rail, width: 1.5, dash: [5, 3]}),
       filter: is("rail", "transit")},
      // Casings under the fills: roads read as roads on any land colour.
      {dataLayer: "transportation", symbolizer: new P.LineSymbolizer({color: colours.casing, width: function (z, f) { return widthOf(ROAD_WIDTH)(z, f) + 1.5; }}),
       filter: is("motorway", "trunk", "primary", "secondary", "tertiary", "minor", "service")},
      {dataLayer: "transportation", symbolizer: new P.LineSymbolizer({color: function (z, f) { return ROAD_COLOUR[cls(f)] || colours.minor; }, width: widthOf(ROAD_WIDTH)}),
       filter: is("motorway", "trunk", "primary", "secondary", "tertiary", "minor", "service")}
    ];
  }

  function labelRules(lang) {
    var names = lang === "fr" ? ["name:fr", "name"] : ["name:" + lang, "name"];
    var halo = {stroke: colours.halo, width: 3};
    function text(font, fill, extra) {
      var options = {labelProps: names, font: font, fill: fill, stroke: halo.stroke, width: halo.width};
      for (var key in extra || {}) options[key] = extra[key];
      return options;
    }
    return [
      {dataLayer: "place", symbolizer: new P.CenteredTextSymbolizer(text("600 16px sans-serif", colours.label)), filter: is("city", "town")},
      {dataLayer: "place", symbolizer: new P.CenteredTextSymbolizer(text("600 14px sans-serif", colours.label)), filter: is("village")},
      {dataLayer: "place", minzoom: 12, symbolizer: new P.CenteredTextSymbolizer(text("500 12px sans-serif", colours.label)),
       filter: is("hamlet", "suburb", "neighbourhood", "quarter", "locality", "isolated_dwelling")},
      {dataLayer: "mountain_peak", minzoom: 12, symbolizer: new P.CenteredTextSymbolizer(text("italic 11px sans-serif", "#6b5a45"))},
      {dataLayer: "water_name", symbolizer: new P.CenteredTextSymbolizer(text("italic 12px sans-serif", colours.labelWater))},
      {dataLayer: "transportation_name", minzoom: 13, symbolizer: new P.LineLabelSymbolizer(text("500 12px sans-serif", colours.labelRoad))},
      {dataLayer: "poi", minzoom: 15, symbolizer: new P.CenteredTextSymbolizer(text("11px sans-serif", "#5b544a"))}
    ];
  }

  // Leaflet shows attributions as HTML: the text (a territory's own, for an external service)
  // is escaped, and linked to OpenStreetMap's copyright page.
  function attributionHtml(text) {
    var escaped = String(text || "© OpenStreetMap contributors").replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
    return '<a href="https://www.openstreetmap.org/copyright">' + escaped + "</a>";
  }

  function css(name, fallback) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
  }

  // A Leaflet map on `element` with the base map under it. `options` go to L.map; `config`, when
  // given, is /map/base.json's answer, otherwise the element's data attributes are read.
  function create(element, options, config) {
    var L = window.L;
    var data = config ? {tiles: config.tiles, tilesBounds: config.tiles_bounds, attribution: config.attribution,
                         zoomIn: config.zoom_in, zoomOut: config.zoom_out} : element.dataset;
    var map = L.map(element, Object.assign({attributionControl: true, zoomSnap: 0.5}, options || {}));
    map.attributionControl.setPrefix(false);
    if (map.zoomControl && data.zoomIn) {
      map.zoomControl.remove();
      L.control.zoom({zoomInTitle: data.zoomIn, zoomOutTitle: data.zoomOut}).addTo(map);
    }
    element.style.background = colours.earth;
    if (data.tiles && P) {
      var lang = (document.documentElement.lang || "fr").slice(0, 2);
      P.leafletLayer({
        url: data.tiles,
        maxDataZoom: 14,
        paintRules: paintRules(),
        labelRules: labelRules(lang),
        backgroundColor: colours.earth,
        attribution: attributionHtml(data.attribution)
      }).addTo(map);
    } else {
      map.attributionControl.addAttribution(attributionHtml(data.attribution));
    }
    return map;
  }

  // A marker people tell apart without colour alone: a letter or symbol in a shape.
  function marker(latlng, kind, title, symbol) {
    var L = window.L;
    var symbols = {start: "A", end: "B", pickup: "1", dropoff: "2", point: "+"};
    var above = {start: 1000, end: 1000, pickup: 900, dropoff: 900}; // the trip over the rest
    return L.marker(latlng, {
      zIndexOffset: above[kind] || 0,
      interactive: false,
      keyboard: false,
      title: title || "",
      alt: title || "",
      icon: L.divIcon({className: "map-pin map-pin-" + kind, html: "<span aria-hidden=\"true\">" + (symbol || symbols[kind] || "•") + "</span>",
                       iconSize: [26, 26], iconAnchor: [13, 13]})
    });
  }

  // The bounds of the territory's tiles as a Leaflet LatLngBounds, or null.
  function tilesBounds(value) {
    var v = (value || "").split(",").map(parseFloat);
    if (v.length !== 4 || v.some(isNaN)) return null;
    return window.L.latLngBounds([v[1], v[0]], [v[3], v[2]]);
  }

  window.ArchipelBasemap = {create: create, marker: marker, tilesBounds: tilesBounds, colour: function () { return css("--primary", "#1f5f8b"); }};
})();
