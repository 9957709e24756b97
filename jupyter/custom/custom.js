// softnet-lab: draws Vega-Lite outputs in the classic Notebook (6.x) with vega-embed, offline and
// whether the notebook is trusted or not. `npm start` (scripts/lib/jupyter-env.ts) copies this file
// to .jupyter-state/config/custom/custom.js and the vega, vega-lite and vega-embed browser bundles
// from node_modules to custom/vendor/ beside it; Jupyter serves that folder at <base_url>custom/.
//
// Why: Notebook 6 has no renderer for application/vnd.vegalite.*; without this, a chart shows as its
// SVG (trusted notebooks only) or as its text/plain line. The renderer is registered "safe": a
// Vega-Lite spec is data, drawn by vega's own parser, not HTML or script from the notebook.
(function () {
  "use strict";
  // The kit emits v6 (the bundled vega-lite's version); v5 stays registered for older outputs.
  var MIMES = ["application/vnd.vegalite.v6+json", "application/vnd.vegalite.v5+json"];
  // custom.js is loaded on every page (file tree, editor...); charts only matter in notebooks.
  if (!document.body || !document.body.classList.contains("notebook_app")) return;

  var vendor = (document.body.getAttribute("data-base-url") || "/") + "custom/vendor/";
  // The bundles are UMD: under requirejs they take the AMD branch and require each other by name.
  requirejs.config({
    paths: {
      "vega": vendor + "vega.min",
      "vega-lite": vendor + "vega-lite.min",
      "vega-embed": vendor + "vega-embed.min",
    },
  });

  function hasChart(output) {
    return !!output.data && MIMES.some(function (m) { return output.data[m] !== undefined; });
  }

  function renderer(vegaEmbed, mime) {
    // Called by OutputArea.append_mime_type with `this` = the OutputArea.
    return function (spec, md, element) {
      var area = this.create_output_subarea(md, "output_vegalite softnet-vegalite", mime);
      var target = document.createElement("div");
      area[0].appendChild(target);
      element.append(area);
      // vega-embed may annotate the spec it gets; keep the notebook's stored output untouched.
      var copy = JSON.parse(JSON.stringify(spec));
      vegaEmbed(target, copy, {
        renderer: "svg",
        actions: { export: true, source: false, compiled: false, editor: false },
      }).then(function () {
        target.setAttribute("data-softnet-chart", "rendered");
      }).catch(function (err) {
        target.setAttribute("data-softnet-chart", "failed");
        var pre = document.createElement("pre");
        pre.className = "softnet-vegalite-error";
        pre.textContent = "Vega-Lite chart failed to render: " + (err && err.message ? err.message : err);
        area[0].appendChild(pre);
        console.error("softnet-lab custom.js: vega-embed failed", err);
      });
      return area;
    };
  }

  // Outputs drawn before the renderer was registered fell back to text/plain (or SVG when trusted):
  // draw them again, keeping the output area's trust so HTML outputs stay sanitised.
  function redrawEarlierCharts(Jupyter) {
    if (!Jupyter.notebook) return 0;
    var redrawn = 0;
    Jupyter.notebook.get_cells().forEach(function (cell) {
      var area = cell.output_area;
      if (!area || !area.outputs.some(hasChart)) return;
      if (area.element.find(".softnet-vegalite").length > 0) return;
      var outputs = area.toJSON();
      var trusted = area.trusted;
      area.clear_output(false, true);
      area.trusted = trusted;
      area.fromJSON(outputs, {});
      redrawn += 1;
    });
    return redrawn;
  }

  require(["base/js/namespace", "base/js/events", "notebook/js/outputarea", "vega-embed"],
    function (Jupyter, events, outputarea, vegaEmbed) {
      var OutputArea = outputarea.OutputArea;
      // Registered in reverse so v6 ends up first in display_order, ahead of SVG and text.
      MIMES.slice().reverse().forEach(function (mime) {
        OutputArea.prototype.register_mime_type(mime, renderer(vegaEmbed, mime), { safe: true, index: 0 });
      });
      window.softnetVegaReady = true;
      redrawEarlierCharts(Jupyter);
      // A notebook that finishes loading later is drawn with the renderer already in place; this
      // covers the rare order where loading completes between registration and this line.
      events.on("notebook_loaded.Notebook", function () { redrawEarlierCharts(Jupyter); });
    },
    function (err) {
      console.error("softnet-lab custom.js: could not load vega bundles from " + vendor +
        " (run npm start, which copies them from node_modules)", err);
    });
})();
