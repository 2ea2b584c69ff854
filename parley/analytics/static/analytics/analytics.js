// Draws the report charts with the vendored Chart.js from the JSON each chart's section carries.
(function () {
  "use strict";
  const ACCENT = "#2f6fed";
  // The charts' own words, in the agent's language (the page's #chart-words).
  let words = null;

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
            { label: words.this_period, data: data.current, borderColor: ACCENT, backgroundColor: ACCENT },
            { label: words.period_before, data: data.previous, borderColor: "#9aa1ad", borderDash: [4, 4], pointRadius: 0 },
          ],
        },
        options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
    },
    bar(canvas, data) {
      return new Chart(canvas, {
        type: "bar",
        data: { labels: data.labels, datasets: [{ label: words.conversations, data: data.values, backgroundColor: ACCENT }] },
        options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
    },
    agents(canvas, data) {
      return new Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: words.conversations, data: data.conversations, backgroundColor: ACCENT },
            { label: words.solved, data: data.solved, backgroundColor: "#22a559" },
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
      // The cells name their weekday by its code (Mon … Sun); the axis and the tooltip show the agent's word for it.
      const days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
      const dayName = (code) => words.days[days.indexOf(code)];
      return new Chart(canvas, {
        type: "matrix",
        data: {
          datasets: [{
            label: words.conversations,
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
            tooltip: { callbacks: { title: () => "", label: (ctx) => `${dayName(ctx.raw.y)} ${ctx.raw.x}:00 – ${ctx.raw.v}` } },
          },
          scales: {
            x: {
              type: "linear", min: -0.5, max: 23.5, offset: false, grid: { display: false },
              // Hours on the hour, every third one; the cells are centred on them.
              afterBuildTicks: (axis) => { axis.ticks = [0, 3, 6, 9, 12, 15, 18, 21].map((value) => ({ value })); },
              ticks: { callback: (value) => `${value}:00` },
            },
            y: {
              type: "category", labels: days, offset: true, grid: { display: false },
              ticks: { callback: (value, index) => words.days[index] },
            },
          },
        },
      });
    },
  };

  document.addEventListener("DOMContentLoaded", () => {
    const given = document.getElementById("chart-words");
    if (!given) return;
    words = JSON.parse(given.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      draw[canvas.dataset.chart](canvas, series(canvas));
    });
  });
})();
