// Draws the charts described in #chart-data with dygraphs. Each chart is
// {id, title, x, y, labels, rows, colors, marks: [{x, label}], levels: [{y, label}]}.
// When done, <body data-charts> holds the number drawn, or "error", so a
// headless browser test can tell a rendered page from a broken one; each
// chart's element holds in data-captions the boxes its captions were drawn
// in, and in data-area its plotting area, so the test can tell that no
// caption overlaps another or leaves the area. Then it links each word the
// glossary (#glossary) explains to its entry.
(function () {
  "use strict";
  var body = document.body;
  var source = document.getElementById("chart-data");
  var specs = source ? JSON.parse(source.textContent) : [];
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  var palette = ["#0969da", "#cf222e", "#1a7f37", "#d4a72c", "#8250df", "#bc4c00", "#57606a", "#1b7c83"];
  var font = 12, lineGap = 4, pad = 3;

  // fewestForRate is how many requests the busiest bin of a rate chart
  // must hold for its per-second rates to mean something: below it, one
  // request in a 0.1 s bin would read as a spike of 10/s, so the chart
  // shows counts per bin instead.
  var fewestForRate = 5;

  function overlaps(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }

  function inside(box, area) {
    return box.x >= area.x && box.y >= area.y && box.x + box.w <= area.x + area.w && box.y + box.h <= area.y + area.h;
  }

  // place returns the first of the candidate boxes that stays inside the
  // area and clear of the boxes already placed, or null.
  function place(candidates, area, placed) {
    for (var i = 0; i < candidates.length; i++) {
      var c = candidates[i];
      if (inside(c, area) && !placed.some(function (p) { return overlaps(c, p); })) { return c; }
    }
    return null;
  }

  // captionBoxes lists where a caption w wide may go: for a mark at x,
  // right then left of its line, one row lower each time; for a level at
  // y, above then below its line, at the left then at the right.
  function markBoxes(x, w, area) {
    var boxes = [], h = font + 2 * pad;
    for (var row = 0; row * (h + lineGap) + h <= area.h; row++) {
      var y = area.y + 2 + row * (h + lineGap);
      boxes.push({ x: x + 3, y: y, w: w, h: h }, { x: x - 3 - w, y: y, w: w, h: h });
    }
    return boxes;
  }

  function levelBoxes(y, w, area) {
    var h = font + 2 * pad, left = area.x + 4, right = area.x + area.w - 4 - w;
    return [
      { x: left, y: y - h - 1, w: w, h: h }, { x: left, y: y + 1, w: w, h: h },
      { x: right, y: y - h - 1, w: w, h: h }, { x: right, y: y + 1, w: w, h: h }
    ];
  }

  // lines draws the chart's marks (dashed vertical lines at x) and levels
  // (dashed horizontal lines at y), each with its caption where it fits,
  // and records the captions' boxes on el.
  function lines(spec, el) {
    var marks = spec.marks || [], levels = spec.levels || [];
    if (!marks.length && !levels.length) { return null; }
    return function (ctx, area, g) {
      var placed = [];
      ctx.save();
      ctx.setLineDash([5, 4]);
      ctx.strokeStyle = dark ? "#9198a1" : "#59636e";
      ctx.font = font + "px system-ui, sans-serif";
      ctx.textBaseline = "top";
      function line(x0, y0, x1, y1) {
        ctx.beginPath();
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
        ctx.stroke();
      }
      function caption(text, candidates) {
        var box = place(candidates, area, placed);
        if (!box) { return; }
        placed.push(box);
        ctx.fillStyle = dark ? "rgba(13,17,23,.85)" : "rgba(255,255,255,.85)";
        ctx.fillRect(box.x, box.y, box.w, box.h);
        ctx.fillStyle = ctx.strokeStyle;
        ctx.fillText(text, box.x + pad, box.y + pad);
        box.text = text;
      }
      var pending = [];
      marks.forEach(function (m) {
        var x = g.toDomXCoord(m.x);
        if (x < area.x || x > area.x + area.w) { return; }
        line(x, area.y, x, area.y + area.h);
        pending.push(function () { caption(m.label, markBoxes(x, ctx.measureText(m.label).width + 2 * pad, area)); });
      });
      levels.forEach(function (l) {
        var y = g.toDomYCoord(l.y);
        if (y < area.y || y > area.y + area.h) { return; }
        line(area.x, y, area.x + area.w, y);
        pending.push(function () { caption(l.label, levelBoxes(y, ctx.measureText(l.label).width + 2 * pad, area)); });
      });
      ctx.setLineDash([]);
      pending.forEach(function (draw) { draw(); });
      ctx.restore();
      el.dataset.captions = JSON.stringify(placed);
      el.dataset.area = JSON.stringify({ x: area.x, y: area.y, w: area.w, h: area.h });
      el.dataset.missing = String(pending.length - placed.length);
    };
  }

  // asCounts turns a rate chart drawn from a handful of requests into
  // counts per bin: the bins are equally wide, so a rate times the width
  // is the count. A limit line in requests per bin would read as a count
  // to reach, so the limit moves into the note under the chart.
  function asCounts(spec, el) {
    var rows = spec.rows;
    if (spec.y !== "per second" || rows.length < 2) { return; }
    var width = rows[1][0] - rows[0][0];
    var busiest = 0;
    rows.forEach(function (r) { busiest = Math.max(busiest, Math.round((r[1] || 0) * width)); });
    if (!(width > 0) || busiest >= fewestForRate) { return; }
    // An empty bin is left out, so each request stands as a point.
    spec.rows = rows.map(function (r) {
      return r.map(function (v, i) { return i === 0 || !v ? (i === 0 ? v : null) : Math.round(v * width); });
    });
    spec.counts = busiest;
    var bin = +width.toFixed(3) + " s";
    spec.y = "requests per " + bin;
    var title = el.querySelector("h4");
    if (title) { title.textContent = spec.title.replace(/, per second$/, "") + ", counted per " + bin; }
    var note = document.createElement("p");
    note.className = "note";
    note.textContent = "At most " + busiest + " request" + (busiest === 1 ? "" : "s") + " in any " + bin +
      ": too few for a rate per second, so the chart counts them." +
      (spec.levels || []).map(function (l) { return " The " + l.label + "."; }).join("");
    el.appendChild(note);
    spec.levels = [];
    el.dataset.counts = "true";
  }

  // valueRange leaves room above the highest point and every level, so
  // a limit line is never drawn on the chart's top edge.
  function valueRange(spec) {
    var top = 0;
    spec.rows.forEach(function (r) {
      for (var i = 1; i < r.length; i++) { if (r[i] !== null) { top = Math.max(top, r[i]); } }
    });
    (spec.levels || []).forEach(function (l) { top = Math.max(top, l.y); });
    return top > 0 ? [0, top * 1.2] : null;
  }

  // xRange widens the x axis to every mark, so that a mark at the very
  // end of a run, such as where a measure stopped, is drawn.
  function xRange(spec) {
    var rows = spec.rows, marks = spec.marks || [];
    if (!rows.length || !marks.length) { return null; }
    var lo = rows[0][0], hi = rows[rows.length - 1][0];
    marks.forEach(function (m) { lo = Math.min(lo, m.x); hi = Math.max(hi, m.x); });
    return hi > lo ? [lo, hi + (hi - lo) * 0.02] : null;
  }

  // countOptions draws counts as points on whole numbers.
  function countOptions(spec) {
    if (!spec.counts) { return {}; }
    return {
      strokeWidth: 0, pointSize: 3.5, valueRange: [0, spec.counts + 0.5],
      axes: { y: { pixelsPerLabel: 24, axisLabelFormatter: function (v) { return v % 1 === 0 ? String(v) : ""; } } }
    };
  }

  function draw(spec) {
    var el = document.getElementById(spec.id);
    if (!el) { throw new Error("no element for chart " + spec.id); }
    asCounts(spec, el);
    var legend = document.getElementById(spec.id + "-legend");
    var g = new Dygraph(el.querySelector(".plot"), spec.rows, Object.assign({
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
      valueRange: valueRange(spec),
      dateWindow: xRange(spec),
      connectSeparatedPoints: false,
      underlayCallback: lines(spec, el)
    }, countOptions(spec)));
    el.dataset.rendered = "true";
    return g;
  }

  // linkTerms wraps each word the glossary explains, wherever it appears
  // in the page's text, in a link to its entry. An entry's data-match is
  // the pattern of its word; data-within, when set, limits it to the
  // elements that selector matches (a word too common to link elsewhere).
  function linkTerms() {
    var glossary = document.getElementById("glossary");
    if (!glossary) { return; }
    var terms = [];
    glossary.querySelectorAll("dt[data-match]").forEach(function (dt) {
      var dd = dt.nextElementSibling;
      terms.push({
        id: dt.id, within: dt.dataset.within,
        re: new RegExp("\\b(?:" + dt.dataset.match + ")\\b", "i"),
        title: dd ? dd.textContent.replace(/\s+/g, " ").trim() : ""
      });
    });
    var skip = "A, CODE, PRE, SCRIPT, STYLE, SUMMARY, TITLE, .plot, .legend, #glossary";
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) { return n.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT; }
    });
    var nodes = [];
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    nodes.forEach(function (node) { linkIn(node, terms); });
  }

  // linkIn links the first term found in a text node, then goes on with
  // the text after it.
  function linkIn(node, terms) {
    var first = null;
    terms.forEach(function (t) {
      if (t.within && !node.parentElement.closest(t.within)) { return; }
      var m = t.re.exec(node.nodeValue);
      if (m && (!first || m.index < first.m.index)) { first = { t: t, m: m }; }
    });
    if (!first) { return; }
    var word = node.splitText(first.m.index);
    var rest = word.splitText(first.m[0].length);
    var a = document.createElement("a");
    a.className = "term";
    a.href = "#" + first.t.id;
    a.title = first.t.title;
    a.textContent = word.nodeValue;
    word.parentNode.replaceChild(a, word);
    linkIn(rest, terms);
  }

  var drawn = 0;
  try {
    specs.forEach(function (spec) { draw(spec); drawn++; });
    body.dataset.charts = String(drawn);
  } catch (e) {
    body.dataset.charts = "error";
    console.error("report charts:", e);
  }
  try {
    linkTerms();
    body.dataset.terms = String(document.querySelectorAll("a.term").length);
  } catch (e) {
    body.dataset.terms = "error";
    console.error("report glossary:", e);
  }
})();
