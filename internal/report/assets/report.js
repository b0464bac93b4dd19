// Draws the charts described in #chart-data with dygraphs. Each chart is
// {id, title, x, y, labels, rows, colors, marks: [{x, label}], levels: [{y, label}]}.
// When done, <body data-charts> holds the number drawn, or "error", so a
// headless browser test can tell a rendered page from a broken one.
(function () {
  "use strict";
  var body = document.body;
  var source = document.getElementById("chart-data");
  var specs = source ? JSON.parse(source.textContent) : [];
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  var palette = ["#0969da", "#cf222e", "#1a7f37", "#d4a72c", "#8250df", "#bc4c00", "#57606a", "#1b7c83"];

  // lines draws the chart's marks (dashed vertical lines at x) and levels
  // (dashed horizontal lines at y), each with its caption.
  function lines(spec) {
    var marks = spec.marks || [], levels = spec.levels || [];
    if (!marks.length && !levels.length) { return null; }
    return function (ctx, area, g) {
      ctx.save();
      ctx.setLineDash([5, 4]);
      ctx.strokeStyle = dark ? "#9198a1" : "#59636e";
      ctx.fillStyle = ctx.strokeStyle;
      ctx.font = "12px system-ui, sans-serif";
      function line(x0, y0, x1, y1) {
        ctx.beginPath();
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
        ctx.stroke();
      }
      marks.forEach(function (m) {
        var x = g.toDomXCoord(m.x);
        if (x < area.x || x > area.x + area.w) { return; }
        line(x, area.y, x, area.y + area.h);
        ctx.fillText(m.label, Math.min(x + 4, area.x + area.w - ctx.measureText(m.label).width - 2), area.y + 14);
      });
      levels.forEach(function (l) {
        var y = g.toDomYCoord(l.y);
        if (y < area.y || y > area.y + area.h) { return; }
        line(area.x, y, area.x + area.w, y);
        ctx.fillText(l.label, area.x + 4, y - 4);
      });
      ctx.restore();
    };
  }

  function draw(spec) {
    var el = document.getElementById(spec.id);
    if (!el) { throw new Error("no element for chart " + spec.id); }
    var legend = document.getElementById(spec.id + "-legend");
    var g = new Dygraph(el.querySelector(".plot"), spec.rows, {
      labels: spec.labels,
      xlabel: spec.x,
      ylabel: spec.y,
      drawPoints: true,
      pointSize: 1.5,
      strokeWidth: 1.6,
      colors: spec.colors || palette.slice(0, spec.labels.length - 1),
      labelsDiv: legend,
      labelsSeparateLines: false,
      legend: "always",
      axisLabelFontSize: 12,
      axisLineColor: dark ? "#3d444d" : "#d1d9e0",
      gridLineColor: dark ? "#262c36" : "#eaeef2",
      includeZero: true,
      connectSeparatedPoints: false,
      underlayCallback: lines(spec)
    });
    el.dataset.rendered = "true";
    return g;
  }

  var drawn = 0;
  try {
    specs.forEach(function (spec) { draw(spec); drawn++; });
    body.dataset.charts = String(drawn);
  } catch (e) {
    body.dataset.charts = "error";
    console.error("report charts:", e);
  }
})();
