/**
 * The book's HTML pages around the rendered notebooks: the shared layout (contents sidebar,
 * prev/next links, colophon) and the index page listing every notebook.
 */
import { escapeHtml } from "./render";

export interface PageEntry {
  /** File stem, e.g. "00-tour" (page = 00-tour.html). */
  name: string;
  title: string;
  /** Inline HTML of the notebook's first paragraph. */
  blurb: string;
}

export interface Colophon {
  versions: Record<string, string>;
}

function layout(opts: { title: string; body: string; nav: string; colophon: Colophon; hasCharts: boolean; scripts?: string }): string {
  const v = opts.colophon.versions;
  const chartScripts = opts.hasCharts
    ? `<script src="vendor/vega.min.js"></script>\n<script src="vendor/vega-lite.min.js"></script>\n<script src="vendor/vega-embed.min.js"></script>\n<script src="assets/book.js"></script>`
    : "";
  // live pages add the model and their page logic after the chart scripts (scripts/lib/book/live.ts)
  const scripts = opts.scripts === undefined ? chartScripts : opts.hasCharts ? `${chartScripts}\n${opts.scripts}` : opts.scripts;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/highlight.css">
<link rel="stylesheet" href="assets/book.css">
${scripts}
</head>
<body>
<div class="layout">
${opts.nav}
<main>
${opts.body}
<footer class="colophon">Built from notebooks executed in Jupyter with the tslab TypeScript kernel.
Charts: vega ${escapeHtml(v["vega"] ?? "?")}, vega-lite ${escapeHtml(v["vega-lite"] ?? "?")}, vega-embed ${escapeHtml(v["vega-embed"] ?? "?")}, served from this folder.</footer>
</main>
</div>
</body>
</html>
`;
}

function sidebar(entries: PageEntry[], current: string | null): string {
  const items = entries.map((e) => {
    const cls = e.name === current ? ` class="current" aria-current="page"` : "";
    return `<li><a href="${e.name}.html"${cls}>${escapeHtml(e.title)}</a></li>`;
  });
  const play = current === "playground" ? ` class="current" aria-current="page"` : "";
  return `<nav class="sidebar" aria-label="Contents"><a class="book-title" href="index.html">softnet-lab</a><ol>${items.join("")}</ol>` +
    `<p class="sidebar-extra"><a href="playground.html"${play}>Playground: any configuration</a></p></nav>`;
}

function prevNext(entries: PageEntry[], index: number): string {
  const prev = index > 0 ? entries[index - 1] : null;
  const next = index < entries.length - 1 ? entries[index + 1] : null;
  const link = (e: PageEntry | null, rel: "prev" | "next") =>
    e ? `<a class="${rel}" rel="${rel}" href="${e.name}.html"><span>${rel === "prev" ? "← Previous" : "Next →"}</span>${escapeHtml(e.title)}</a>`
      : `<span class="${rel} none"></span>`;
  return `<nav class="prev-next" aria-label="Previous and next">${link(prev, "prev")}<a class="up" href="index.html">Contents</a>${link(next, "next")}</nav>`;
}

/**
 * The page's own table of contents: its h2 and h3 headings (ids as render.ts gives them), nested,
 * placed after the page title. Empty when the page has fewer than two sections.
 */
export function pageToc(article: string): string {
  const heads = [...article.matchAll(/<h([23]) id="([^"]+)"><a class="anchor"[^>]*>#<\/a>([\s\S]*?)<\/h\1>/g)]
    .map((m) => ({ level: Number(m[1]), id: m[2]!, html: m[3]!.replace(/<a\b[^>]*>|<\/a>/g, "") }));
  if (heads.length < 2) return "";
  const items = heads.map((h) => `<li class="toc-h${h.level}"><a href="#${h.id}">${h.html}</a></li>`).join("");
  return `<nav class="page-toc" aria-label="On this page"><p>On this page</p><ol>${items}</ol></nav>`;
}

/** The article with its table of contents after the first h1 (or at the top). */
function withToc(article: string): string {
  const toc = pageToc(article);
  if (toc === "") return article;
  const h1 = /<\/h1>\n?/.exec(article);
  if (!h1) return toc + article;
  const at = h1.index + h1[0].length;
  return article.slice(0, at) + toc + article.slice(at);
}

export function notebookPage(entries: PageEntry[], index: number, article: string, hasCharts: boolean, colophon: Colophon, scripts?: string): string {
  const e = entries[index];
  const nav = prevNext(entries, index);
  const body = `${nav}\n<article class="notebook">\n${withToc(article)}\n</article>\n${nav}`;
  return layout({ title: `${e.title} · softnet-lab`, body, nav: sidebar(entries, e.name), colophon, hasCharts, scripts });
}

/** The playground: any configuration run in the browser (scripts/lib/book/live.ts writes the article). */
export function playgroundPage(entries: PageEntry[], article: string, colophon: Colophon, scripts: string): string {
  return layout({ title: "Playground · softnet-lab", body: `<article class="playground">\n${article}\n</article>`, nav: sidebar(entries, "playground"), colophon, hasCharts: false, scripts });
}

export function indexPage(entries: PageEntry[], colophon: Colophon): string {
  const items = entries.map((e) =>
    `<li><a href="${e.name}.html">${escapeHtml(e.title)}</a>${e.blurb ? `<p>${e.blurb}</p>` : ""}</li>`).join("\n");
  const body = `<article class="index">
<h1>softnet-lab</h1>
<p class="lede">How the Linux receive path behaves around <em>net: Allow to use SMP threads for backlog NAPI</em>
(Linux 6.10): TypeScript notebooks that run a deterministic simulation of the kernel's receive path,
executed and printed here with their interactive charts. The charts that come from a simulation carry
knobs: change a value and the model re-runs in your browser. The <a href="playground.html">playground</a>
runs any configuration. To run and change the notebooks themselves, clone the repository and run
<code>npm start</code>.</p>
<ol class="toc">
${items}
</ol>
</article>`;
  return layout({ title: "softnet-lab · the book", body, nav: sidebar(entries, null), colophon, hasCharts: false });
}
