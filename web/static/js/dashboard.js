// The dashboard's two charts (Chart.js from node_modules, no CDN); the tables carry every figure.
(function () {
  "use strict";
  var source = document.getElementById("kpi-data");
  if (!source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  new window.Chart(document.getElementById("chart-timeliness"), {
    type: "bar",
    data: { labels: data.flows, datasets: [{ label: data.timelinessLabel + " %", data: data.timeliness, backgroundColor: "#2e7d4f" }] },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, max: 100 } } }
  });
  new window.Chart(document.getElementById("chart-breaches"), {
    type: "bar",
    data: { labels: data.days, datasets: [{ label: data.breachesLabel, data: data.breaches, backgroundColor: "#c62828" }] },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  document.body.setAttribute("data-charts", "ready");
})();
