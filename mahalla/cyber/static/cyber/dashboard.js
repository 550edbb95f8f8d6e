// The cyber dashboard's charts (Chart.js, served from the platform's static files). The data and the
// translated axis titles come from the page (json_script "cyber-charts"); a suppressed count is null.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("cyber-charts");
  if (!source || typeof Chart === "undefined") { return; }
  var charts = JSON.parse(source.textContent);
  if (!charts) { return; }
  var locale = document.documentElement.lang || "uz";
  var navy = "#1f3a5f", red = "#c62828", green = "#2e7d32", grey = "#9e9e9e";
  function axes(x, y, y1) {
    var scales = { x: { title: { display: true, text: x } },
                   y: { beginAtZero: true, position: "left", title: { display: true, text: y } } };
    if (y1) {
      scales.y1 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
                    title: { display: true, text: y1 } };
    }
    return scales;
  }
  var builders = {
    share: function (d) {
      return { type: "doughnut", data: { labels: d.labels, datasets: [{ data: d.values, backgroundColor: [red, grey] }] } };
    },
    methods: function (d) {
      return { type: "bar", data: { labels: d.labels, datasets: [
        { label: d.label_reports, data: d.reports, backgroundColor: navy, yAxisID: "y" },
        { label: d.label_loss, data: d.loss, backgroundColor: red, yAxisID: "y1" }] },
        options: { scales: axes(d.axis_x, d.axis_y, d.axis_y1) } };
    },
    campaigns: function (d) {
      var scales = axes(d.axis_x, d.axis_y);
      scales.x.stacked = true; scales.y.stacked = true;
      return { type: "bar", data: { labels: d.labels, datasets: [
        { label: d.label_before, data: d.before, backgroundColor: navy },
        { label: d.label_growth, data: d.growth, backgroundColor: red }] },
        options: { scales: scales } };
    },
    block: function (d) {
      return { type: "bar", data: { labels: d.labels, datasets: [
        { label: d.label_requests, data: d.requests, backgroundColor: green }] },
        options: { scales: axes(d.axis_x, d.axis_y) } };
    },
    districts: function (d) {
      return { type: "bar", data: { labels: d.labels, datasets: [
        { label: d.label_reports, data: d.reports, backgroundColor: navy, yAxisID: "y" },
        { label: d.label_loss, data: d.loss, backgroundColor: red, yAxisID: "y1" }] },
        options: { scales: axes(d.axis_x, d.axis_y, d.axis_y1) } };
    },
    monthly: function (d) {
      return { type: "line", data: { labels: d.labels, datasets: [
        { label: d.label_reports, data: d.reports, borderColor: navy }] },
        options: { scales: axes(d.axis_x, d.axis_y) } };
    }
  };
  document.querySelectorAll("canvas[data-cyber-chart]").forEach(function (canvas) {
    var kind = canvas.dataset.cyberChart;
    if (!builders[kind] || !charts[kind]) { return; }
    var config = builders[kind](charts[kind]);
    config.options = Object.assign({ animation: false, locale: locale }, config.options || {});
    canvas.chart = new Chart(canvas, config);
  });
});
