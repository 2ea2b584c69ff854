// Draws the report charts with the vendored Chart.js from the JSON each chart's section carries.
(function () {
  "use strict";
  const ACCENT = "#2f6fed";

  function series(canvas) {
    return JSON.parse(document.getElementById(canvas.dataset.series).textContent);
  }

  const draw = {
    line(canvas, data) {
      return new Chart(canvas, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [
            { label: "This period", data: data.current, borderColor: ACCENT, backgroundColor: ACCENT },
            { label: "Period before", data: data.previous, borderColor: "#9aa1ad", borderDash: [4, 4], pointRadius: 0 },
          ],
        },
        options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
    },
    bar(canvas, data) {
      return new Chart(canvas, {
        type: "bar",
        data: { labels: data.labels, datasets: [{ label: "Conversations", data: data.values, backgroundColor: ACCENT }] },
        options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
    },
    agents(canvas, data) {
      return new Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: "Conversations", data: data.conversations, backgroundColor: ACCENT },
            { label: "Solved", data: data.solved, backgroundColor: "#22a559" },
          ],
        },
        options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
    },
    // A labelled series: {chart: "line" | "bar", labels, datasets: [{label, data, axis?}]}; counts ("axis": "count")
    // go on a second scale on the right so they do not flatten minutes or percentages.
    series(canvas, data) {
      const colours = [ACCENT, "#22a559", "#e08a1e"];
      const counted = data.datasets.some((d) => d.axis === "count");
      return new Chart(canvas, {
        type: data.chart,
        data: {
          labels: data.labels,
          datasets: data.datasets.map((d, i) => ({
            label: d.label, data: d.data, yAxisID: d.axis === "count" ? "count" : "y", spanGaps: true,
            borderColor: colours[i], backgroundColor: colours[i], type: d.axis === "count" ? "line" : data.chart,
          })),
        },
        options: {
          animation: false,
          scales: {
            y: { beginAtZero: true },
            count: { display: counted, position: "right", beginAtZero: true, ticks: { precision: 0 }, grid: { drawOnChartArea: false } },
          },
        },
      });
    },
    heatmap(canvas, cells) {
      const most = Math.max(1, ...cells.map((c) => c.count));
      const days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
      return new Chart(canvas, {
        type: "matrix",
        data: {
          datasets: [{
            label: "Conversations",
            data: cells.map((c) => ({ x: c.hour, y: c.weekday, v: c.count })),
            backgroundColor: (ctx) => {
              const v = ctx.raw ? ctx.raw.v : 0;
              return v ? `rgba(47, 111, 237, ${0.12 + 0.88 * (v / most)})` : "#f3f4f6";
            },
            width: ({ chart }) => (chart.chartArea || {}).width / 24 - 1,
            height: ({ chart }) => (chart.chartArea || {}).height / 7 - 1,
          }],
        },
        options: {
          animation: false,
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { title: () => "", label: (ctx) => `${ctx.raw.y} ${ctx.raw.x}:00 – ${ctx.raw.v}` } },
          },
          scales: {
            x: {
              type: "linear", min: -0.5, max: 23.5, offset: false, grid: { display: false },
              // Hours on the hour, every third one; the cells are centred on them.
              afterBuildTicks: (axis) => { axis.ticks = [0, 3, 6, 9, 12, 15, 18, 21].map((value) => ({ value })); },
              ticks: { callback: (value) => `${value}:00` },
            },
            y: { type: "category", labels: days, offset: true, grid: { display: false } },
          },
        },
      });
    },
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      draw[canvas.dataset.chart](canvas, series(canvas));
    });
  });
})();
