/* The channel dossier's graph (cytoscape, served locally), its places map, and the dead-drop map (Leaflet). */
(function () {
  "use strict";
  var COLOURS = { shop: "#f0ad4e", circle: "#0d6efd", supplier: "#198754", other: "#adb5bd" };

  function openEntity(slot, url) {
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) { slot.innerHTML = html; });
  }

  function drawGraph(element) {
    var elements = JSON.parse(document.getElementById("graph-data").textContent);
    var cy = cytoscape({
      container: element,
      elements: elements,
      style: [
        { selector: "node", style: { "background-color": function (n) { return COLOURS[n.data("role")] || "#adb5bd"; },
          label: "data(label)", "font-size": 8, width: 14, height: 14 } },
        { selector: "node[?key_player]", style: { "border-width": 3, "border-color": "#dc3545" } },
        { selector: "edge", style: { width: 1, "line-color": "#ccc", "curve-style": "haystack" } },
        { selector: "edge[kind = 'payment']", style: { "line-color": "#198754" } },
        { selector: "edge[kind = 'co_travel']", style: { "line-color": "#6f42c1", width: 2 } }
      ],
      layout: { name: "cose", animate: false, randomize: false, numIter: 500 }
    });
    element.dataset.drawn = String(cy.nodes().length);
    window.linksGraph = cy;
    var slot = document.getElementById("entity-panel-slot");
    cy.on("tap", "node", function (event) {
      var url = element.dataset.entityUrl.replace("/0/", "/" + event.target.data("entity") + "/") + "?panel=1&purpose=dossier";
      openEntity(slot, url);
    });
  }

  function drawPoints(element, features) {
    var map = L.map(element, { attributionControl: false });
    var colours = { cluster: "#dc3545", dead_drop: "#fd7e14", school: "#0d6efd", college: "#6610f2", park: "#198754", camera: "#6c757d" };
    var layer = L.geoJSON(features, {
      pointToLayer: function (feature, latlng) {
        var p = feature.properties;
        return L.circleMarker(latlng, { radius: p.layer === "cluster" ? 8 + Math.sqrt(p.size) : 4,
          color: colours[p.layer] || "#333", className: "layer-" + p.layer });
      },
      onEachFeature: function (feature, shape) { shape.bindTooltip(String(feature.properties.label || "")); }
    }).addTo(map);
    if (layer.getLayers().length) { map.fitBounds(layer.getBounds().pad(0.1)); } else { map.setView([41.31, 69.28], 11); }
    element.dataset.drawn = String(layer.getLayers().length);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var graph = document.getElementById("network-graph");
    if (graph && window.cytoscape) { drawGraph(graph); }
    var dossierMap = document.getElementById("dossier-map");
    if (dossierMap && window.L) {
      var places = JSON.parse(document.getElementById("map-data").textContent);
      drawPoints(dossierMap, { type: "FeatureCollection", features: places.map(function (p) {
        return { type: "Feature", geometry: { type: "Point", coordinates: [p.lon, p.lat] }, properties: { layer: "dead_drop", label: p.caption } };
      }) });
    }
    var dropsMap = document.getElementById("drops-map");
    if (dropsMap && window.L) {
      fetch(dropsMap.dataset.url, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { drawPoints(dropsMap, data); });
    }
  });
})();
