/**
 * The static book's stylesheet and chart loader, as strings written next to the pages. The loader
 * replaces each chart's inline SVG (what a reader without JavaScript sees) with the interactive
 * Vega-Lite chart drawn by vega-embed from the locally copied bundles; no network is used.
 */
export const BOOK_CSS = `
:root { --fg: #1d2330; --muted: #5b6475; --line: #e3e6ec; --accent: #0b6bcb; --code-bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); font: 16px/1.6 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; background: #fff; }
header.top { border-bottom: 1px solid var(--line); padding: 10px 24px; display: flex; gap: 16px; align-items: baseline; }
header.top a { color: var(--accent); text-decoration: none; font-weight: 600; }
main { max-width: 1040px; margin: 0 auto; padding: 12px 24px 48px; }
h1 { font-size: 1.9em; line-height: 1.25; margin: 0.8em 0 0.4em; }
h2 { font-size: 1.35em; margin-top: 1.6em; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
a { color: var(--accent); }
code { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 0.9em; background: var(--code-bg); padding: 1px 4px; border-radius: 3px; }
pre { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 13px; line-height: 1.45; overflow-x: auto; padding: 10px 12px; border-radius: 6px; margin: 6px 0; }
pre.code { background: var(--code-bg); border-left: 3px solid var(--accent); }
pre.code code { background: none; padding: 0; }
pre.out { background: #fff; border: 1px solid var(--line); color: #2b3240; }
pre.err { background: #fff4f4; border: 1px solid #f0c4c4; color: #8a1c1c; }
.cell { margin: 14px 0; }
.label { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
.chart { margin: 10px 0; overflow-x: auto; }
.chart svg { max-width: 100%; height: auto; }
nav.pager { display: flex; justify-content: space-between; border-top: 1px solid var(--line); margin-top: 40px; padding-top: 14px; }
ol.toc li { margin: 8px 0; }
ol.toc .goal { color: var(--muted); font-size: 0.92em; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 20px; }
`;

export const BOOK_JS = `
(function () {
  "use strict";
  var charts = document.querySelectorAll("[data-spec]");
  var pending = charts.length;
  if (pending === 0) document.body.setAttribute("data-charts", "done");
  charts.forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent);
    vegaEmbed(el, spec, { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } })
      .then(function () { el.setAttribute("data-rendered", "yes"); })
      .catch(function (err) { el.setAttribute("data-rendered", "failed"); console.error("chart failed: " + (err && err.message ? err.message : err)); })
      .then(function () { pending -= 1; if (pending === 0) document.body.setAttribute("data-charts", "done"); });
  });
})();
`;
