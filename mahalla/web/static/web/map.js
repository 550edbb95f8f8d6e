/* Draws the mahallas of a territory as GeoJSON on a blank background (no tiles: nothing from outside). */
(function () {
  "use strict";
  function drawMap(element) {
    var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
    var legendLabels = JSON.parse(element.dataset.legend);
    fetch(element.dataset.url, { credentials: "same-origin" })
      .then(function (response) {
        // A refused or failed request draws an empty map instead of failing on an error page's HTML.
        if (!response.ok) { return { type: "FeatureCollection", features: [] }; }
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function (feature) {
            return { color: "#ffffff", weight: 1, fillColor: feature.properties.colour, fillOpacity: 0.85,
                     className: "mahalla-shape mahalla-" + feature.properties.code + " class-" + feature.properties["class"] };
          },
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { radius: 4 });
          },
          onEachFeature: function (feature, shape) {
            var p = feature.properties;
            var tip = document.createElement("div");
            var title = document.createElement("strong");
            title.textContent = p.name + " (" + p.code + ")";
            tip.appendChild(title);
            [p.class_label, legendLabels.offences + ": " + p.offences, p.hotspot, p.forecast].filter(Boolean).forEach(function (text) {
              tip.appendChild(document.createElement("br"));
              tip.appendChild(document.createTextNode(text));
            });
            shape.bindTooltip(tip, { sticky: true });
            shape.on("click", function () { window.location.href = p.url; });
          }
        }).addTo(map);
        if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
        else { map.setView([41.3, 64.5], 5); }
        element.dataset.features = String(data.features.length);
        element.classList.add("map-ready");
      });
    if (element.dataset.cellsUrl) { addForecastLayer(map, element, legendLabels); }
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "legend");
      [["red", "#c62828"], ["yellow", "#f9a825"], ["green", "#2e7d32"]].forEach(function (item) {
        var line = document.createElement("div");
        var swatch = document.createElement("i");
        swatch.style.background = item[1];
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(legendLabels[item[0]]));
        box.appendChild(line);
      });
      return box;
    };
    legend.addTo(map);
  }
  /* The next-week forecast's flagged grid cells: a layer the user switches on (loaded on first use). */
  function addForecastLayer(map, element, legendLabels) {
    var cells = L.geoJSON(null, {
      style: function () {
        return { color: "#4a148c", weight: 1, fillColor: "#7b1fa2", fillOpacity: 0.55, className: "forecast-cell" };
      },
      onEachFeature: function (feature, shape) { shape.bindTooltip(feature.properties.label, { sticky: true }); }
    });
    var loaded = false;
    cells.on("add", function () {
      if (loaded) { return; }
      loaded = true;
      fetch(element.dataset.cellsUrl, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { features: [] }; })
        .then(function (data) {
          cells.addData(data);
          element.dataset.forecastCells = String(data.features.length);
        });
    });
    var overlays = {};
    overlays[legendLabels.cells || "Forecast"] = cells;
    L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map]").forEach(drawMap);
    document.querySelectorAll("[data-chart]").forEach(function (canvas) {
      var data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
      new Chart(canvas, {
        type: "line",
        data: { labels: data.labels, datasets: [
          { label: data.label_offences, data: data.last_28_days, borderColor: "#1f3a5f", yAxisID: "y" },
          { label: data.label_red, data: data.red, borderColor: "#c62828", yAxisID: "y1" }
        ] },
        // Labelled axes (the labels come translated from the page); numbers in the page's language.
        options: { animation: false, locale: document.documentElement.lang || "uz",
                   scales: { x: { title: { display: true, text: data.axis_x } },
                             y: { position: "left", beginAtZero: true, title: { display: true, text: data.axis_y } },
                             y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                                   title: { display: true, text: data.axis_y1 } } } }
      });
    });
  });
})();
