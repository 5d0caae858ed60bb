// Draws the progress charts. Each chart is an element with data-chart="<id>"; its figure (data,
// layout and config, made by app/charts.py) lives in <script type="application/json" id="<id>">.
// A file of its own, not inline, so a Content-Security-Policy without 'unsafe-inline' allows it.
// Without JavaScript, or when a figure cannot be drawn, the table beside each chart still has the numbers.
(function () {
  "use strict";

  var DEFAULT_CONFIG = { displaylogo: false, responsive: true };
  // On a phone the legend and the slanted month labels take more of the height: give the plot more room.
  var NARROW = 576;
  var NARROW_HEIGHT = 460;

  function figureFor(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || source.type !== "application/json") {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function draw(el) {
    var fig = figureFor(el);
    if (!fig || !Array.isArray(fig.data)) {
      return;
    }
    var config = Object.assign({}, fig.config || {}, DEFAULT_CONFIG);
    var layout = fig.layout || {};
    if (el.clientWidth < NARROW && layout.height) {
      layout.height = Math.max(layout.height, NARROW_HEIGHT);
    }
    window.Plotly.newPlot(el, fig.data, layout, config).then(function () {
      el.classList.add("chart-drawn");
    });
  }

  function drawAll() {
    if (!window.Plotly) {
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
