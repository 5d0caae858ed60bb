// Draws the progress charts. Each chart is an element with data-chart="<id>"; its figure (data,
// layout and config, made by app/charts.py) lives in <script type="application/json" id="<id>">.
// A file of its own, not inline, so a Content-Security-Policy without 'unsafe-inline' allows it.
// Without JavaScript, or when a figure cannot be drawn, the table beside each chart still has the numbers.
//
// A chart is drawn only when it comes near the screen, and plotly.js (1.2 MB, most of a second of a
// tablet's processor) is fetched and run only then: a family page opens with its summary at once
// (issue 19). This script's tag names plotly's files in data-plotly and data-plotly-css.
(function () {
  "use strict";

  var DEFAULT_CONFIG = { displaylogo: false, responsive: true };
  // On a phone the legend and the slanted month labels take more of the height: give the plot more room.
  var NARROW = 576;
  var NARROW_HEIGHT = 460;
  // Start a little before the chart is on screen, so it is there when the reader gets to it.
  var AHEAD = "400px 0px";

  var script = document.currentScript;
  var plotlySrc = script && script.getAttribute("data-plotly");
  var plotlyCss = script && script.getAttribute("data-plotly-css");
  var waiting = []; // charts on screen before plotly.js has arrived
  var loading = false;

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
    if (el.hasAttribute("data-chart-started")) {
      return;
    }
    el.setAttribute("data-chart-started", "");
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

  function drawWaiting() {
    var charts = waiting;
    waiting = [];
    charts.forEach(draw);
  }

  // plotly.js's own style rules as a file (a strict CSP blocks the <style> it would insert); the id
  // and class tell it so. Then plotly.js itself, once.
  function loadPlotly() {
    if (window.Plotly) {
      drawWaiting();
      return;
    }
    if (loading || !plotlySrc) {
      return;
    }
    loading = true;
    if (plotlyCss && !document.getElementById("plotly.js-style-global")) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.id = "plotly.js-style-global";
      link.className = "no-inline-styles";
      link.href = plotlyCss;
      document.head.appendChild(link);
    }
    var tag = document.createElement("script");
    tag.src = plotlySrc;
    tag.addEventListener("load", drawWaiting);
    document.head.appendChild(tag);
  }

  function wanted(el) {
    waiting.push(el);
    loadPlotly();
  }

  function start() {
    var charts = document.querySelectorAll("[data-chart]");
    if (!charts.length) {
      return;
    }
    if (!("IntersectionObserver" in window)) {
      charts.forEach(wanted);
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            wanted(entry.target);
          }
        });
      },
      { rootMargin: AHEAD }
    );
    charts.forEach(function (el) {
      observer.observe(el);
    });
    // Printing shows every chart that can be drawn by then (plotly.js already here).
    window.addEventListener("beforeprint", function () {
      if (window.Plotly) {
        charts.forEach(draw);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
