/**
 * `npm run book`: builds build/book/ from the committed notebooks (which carry fresh outputs: the
 * notebook tests check that): an index page and one HTML page per notebook, markdown rendered,
 * code with its printed output, and every Vega-Lite chart drawn interactively by vega-embed from
 * vega files copied into build/book/vendor/ (no CDN). Without JavaScript a chart shows its SVG.
 */
import fs from "node:fs";
import path from "node:path";
import { marked } from "marked";
import { joinText, notebookTitle, readNotebook, VEGALITE_V5, type Notebook, type Output } from "./lib/ipynb";
import { BOOK_CSS, BOOK_JS } from "./lib/book/assets";
import { PATHS } from "./lib/repo";
import { copyVegaBundles, vegaVersions } from "./lib/vendor";
import { listNotebooks } from "./lib/run-notebook";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** JSON that may sit inside <script>: no "</script>" can appear. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c");

/** Links between notebooks point at their pages. */
function linkPages(html: string): string {
  return html.replace(/href="([^"#]+)\.ipynb(#[^"]*)?"/g, (_m, base: string, hash?: string) => `href="${base}.html${hash ?? ""}"`);
}

function renderOutput(o: Output, ids: { next: number }): string {
  if (o.output_type === "stream") {
    const cls = o.name === "stderr" ? "err" : "out";
    return `<pre class="${cls}">${esc(joinText(o.text))}</pre>`;
  }
  if (o.output_type === "error") return `<pre class="err">${esc(`${o.ename}: ${o.evalue}`)}</pre>`;
  const data = o.data ?? {};
  if (data[VEGALITE_V5] !== undefined) {
    const id = `chart-${ids.next++}`;
    const svg = data["image/svg+xml"] !== undefined ? joinText(data["image/svg+xml"] as string) : `<pre class="out">${esc(joinText(data["text/plain"] as string))}</pre>`;
    return `<div class="chart" data-spec="${id}" role="img" aria-label="${esc(joinText(data["text/plain"] as string))}">${svg}</div>\n<script type="application/json" id="${id}">${scriptJson(data[VEGALITE_V5])}</script>`;
  }
  if (data["image/svg+xml"] !== undefined) return `<div class="chart">${joinText(data["image/svg+xml"] as string)}</div>`;
  if (data["image/png"] !== undefined) return `<img alt="" src="data:image/png;base64,${joinText(data["image/png"] as string).trim()}">`;
  if (data["text/html"] !== undefined) return joinText(data["text/html"] as string);
  if (data["text/plain"] !== undefined) return `<pre class="out">${esc(joinText(data["text/plain"] as string))}</pre>`;
  return "";
}

function page(title: string, body: string, nav: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · softnet-lab</title><link rel="icon" href="data:,"><link rel="stylesheet" href="style.css">
<script src="vendor/vega.min.js"></script><script src="vendor/vega-lite.min.js"></script><script src="vendor/vega-embed.min.js"></script>
</head><body>
<header class="top"><a href="index.html">softnet-lab</a><span>${esc(title)}</span></header>
<main>
${body}
${nav}
</main>
<footer>Built from the notebooks of softnet-lab; every number comes from the kit's model or a dataset with its source.</footer>
<script src="book.js"></script>
</body></html>
`;
}

function renderNotebook(nb: Notebook): string {
  const ids = { next: 0 };
  const parts: string[] = [];
  for (const cell of nb.cells) {
    const src = joinText(cell.source);
    if (cell.cell_type === "markdown") parts.push(`<section class="cell md">${linkPages(marked.parse(src, { async: false }) as string)}</section>`);
    else if (cell.cell_type === "code") {
      const outs = (cell.outputs ?? []).map((o) => renderOutput(o, ids)).join("\n");
      parts.push(`<section class="cell code"><pre class="code"><code>${esc(src)}</code></pre>${outs}</section>`);
    }
  }
  return parts.join("\n");
}

export function buildBook(outDir = PATHS.book): { pages: string[] } {
  const files = listNotebooks();
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  copyVegaBundles(path.join(outDir, "vendor"));
  fs.writeFileSync(path.join(outDir, "style.css"), BOOK_CSS);
  fs.writeFileSync(path.join(outDir, "book.js"), BOOK_JS);
  const entries = files.map((f) => {
    const nb = readNotebook(f);
    const base = path.basename(f, ".ipynb");
    return { file: f, base, nb, title: notebookTitle(nb, base) };
  });
  const pages: string[] = [];
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    const next = entries[i + 1];
    const nav = `<nav class="pager"><span>${prev ? `<a href="${prev.base}.html">← ${esc(prev.title)}</a>` : ""}</span><span>${next ? `<a href="${next.base}.html">${esc(next.title)} →</a>` : ""}</span></nav>`;
    const out = path.join(outDir, `${e.base}.html`);
    fs.writeFileSync(out, page(e.title, renderNotebook(e.nb), nav));
    pages.push(out);
  });
  const v = vegaVersions();
  const toc = entries.map((e) => `<li><a href="${e.base}.html">${esc(e.title)}</a></li>`).join("\n");
  const index = `<h1>softnet-lab: the Linux receive path around "net: Allow to use SMP threads for backlog NAPI"</h1>
<p>The executed notebooks of the course, readable without Jupyter. Charts are interactive (scroll to zoom, drag to pan, hover for details); run the notebooks yourself with <code>npm start</code>.</p>
<ol class="toc">${toc}</ol>
<p class="label">charts drawn with vega ${esc(v["vega"] ?? "")}, vega-lite ${esc(v["vega-lite"] ?? "")}, vega-embed ${esc(v["vega-embed"] ?? "")}, bundled locally</p>`;
  const indexFile = path.join(outDir, "index.html");
  fs.writeFileSync(indexFile, page("The book", index, ""));
  pages.unshift(indexFile);
  return { pages };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { pages } = buildBook();
  console.log(`book: ${pages.length} pages in ${path.relative(process.cwd(), PATHS.book)}/ (open ${path.relative(process.cwd(), pages[0]!)})`);
}
