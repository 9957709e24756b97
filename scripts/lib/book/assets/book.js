// softnet-lab book: draws every Vega-Lite chart on the page with vega-embed (loaded from vendor/),
// interactively (tooltips, sliders and selections of the spec's params). window.bookCharts resolves
// when every chart has rendered or failed; window.bookViews maps chart ids to vega Views (tests).
(function () {
  "use strict";
  window.bookViews = {};
  function drawAll() {
    var views = document.querySelectorAll(".chart-view");
    var jobs = Array.prototype.map.call(views, function (el) {
      var id = el.getAttribute("data-chart");
      var specEl = document.querySelector('script.chart-spec[data-chart="' + id + '"]');
      var spec;
      try {
        spec = JSON.parse(specEl.textContent);
      } catch (err) {
        return Promise.resolve(fail(el, id, err));
      }
      return vegaEmbed(el, spec, {
        renderer: "svg",
        actions: { export: true, source: false, compiled: false, editor: false },
      }).then(function (result) {
        window.bookViews[id] = result.view;
        el.setAttribute("data-state", "rendered");
      }, function (err) {
        fail(el, id, err);
      });
    });
    window.bookCharts = Promise.all(jobs);
  }
  function fail(el, id, err) {
    el.setAttribute("data-state", "failed");
    var msg = document.createElement("pre");
    msg.className = "chart-error";
    msg.textContent = "This chart failed to render: " + (err && err.message ? err.message : err);
    el.appendChild(msg);
    console.error("chart " + id + " failed", err);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
