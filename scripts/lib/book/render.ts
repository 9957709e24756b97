/**
 * Turns one executed notebook into the HTML of a book page's article: markdown cells rendered,
 * code highlighted, and outputs shown the way Jupyter would pick them, with every Vega-Lite output
 * left as a chart container for vega-embed (its SVG kept as the no-script fallback).
 */
import { Marked } from "marked";
import type { Tokens } from "marked";
import hljs from "highlight.js/lib/core";
import typescript from "highlight.js/lib/languages/typescript";
import javascript from "highlight.js/lib/languages/javascript";
import bash from "highlight.js/lib/languages/bash";
import json from "highlight.js/lib/languages/json";
import { joinText, VEGALITE_MIMES } from "../ipynb";
import type { Cell, MultilineString, Notebook, Output } from "../ipynb";

hljs.registerLanguage("typescript", typescript);
hljs.registerLanguage("javascript", javascript);
hljs.registerLanguage("bash", bash);
hljs.registerLanguage("json", json);
const ALIASES: Record<string, string> = { ts: "typescript", js: "javascript", sh: "bash", shell: "bash", console: "bash" };

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A line an exercise cell prints before the reader answered (src/notebook/exercises.ts). */
export const DEAD_OUTPUT = /^… .*: no answer yet\./;

export function stripAnsi(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

export function highlight(code: string, lang: string): string {
  const name = ALIASES[lang] ?? lang;
  if (name && hljs.getLanguage(name)) return hljs.highlight(code, { language: name }).value;
  return escapeHtml(code);
}

/** Heading ids as GitHub makes them: lower case, punctuation dropped, spaces to dashes. */
export function slugify(text: string): string {
  return text.toLowerCase().replace(/<[^>]*>/g, "").replace(/[^\p{L}\p{N}\s_-]/gu, "").trim().replace(/\s+/g, "-");
}

/** A markdown renderer for one page: highlighted fences, heading anchors, .ipynb links -> .html. */
function createMarkdown(): { md: Marked } {
  const used = new Map<string, number>();
  const md = new Marked({
    gfm: true,
    walkTokens(token) {
      // Links between notebooks keep working in the book: 01-x.ipynb#part -> 01-x.html#part.
      if (token.type === "link" && !/^[a-z]+:/i.test(token.href)) {
        token.href = token.href.replace(/\.ipynb(?=$|#)/, ".html");
      }
    },
    renderer: {
      code({ text, lang }: Tokens.Code): string {
        const l = (lang ?? "").trim().split(/\s+/)[0];
        return `<pre class="code-block"><code class="hljs">${highlight(text, l)}</code></pre>\n`;
      },
      heading({ tokens, depth }: Tokens.Heading): string {
        const inner = this.parser.parseInline(tokens);
        const base = slugify(inner) || "section";
        const n = used.get(base) ?? 0;
        used.set(base, n + 1);
        const id = n === 0 ? base : `${base}-${n}`;
        return `<h${depth} id="${id}"><a class="anchor" href="#${id}" aria-hidden="true">#</a>${inner}</h${depth}>\n`;
      },
    },
  });
  return { md };
}

export function renderMarkdown(text: string): string {
  return createMarkdown().md.parse(text, { async: false });
}

/** A chart found in a notebook: the container's number on the page and its Vega-Lite spec. */
export interface ChartRef {
  id: string;
  spec: unknown;
}

export interface RenderedNotebook {
  html: string;
  charts: ChartRef[];
}

function dataUri(mime: string, base64: string): string {
  return `data:${mime};base64,${base64.replace(/\s+/g, "")}`;
}

/** JSON inside <script type="application/json">: "<" escaped so no "</script>" can end it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function text(value: unknown): string {
  return typeof value === "string" || Array.isArray(value) ? joinText(value as MultilineString) : JSON.stringify(value, null, 1);
}

/** Extra HTML after a code cell (the living book's exercise forms, scripts/lib/book/live.ts). */
export type AfterCode = (source: string) => string;

export function renderNotebook(nb: Notebook, pageId: string, afterCode?: AfterCode): RenderedNotebook {
  const { md } = createMarkdown();
  const charts: ChartRef[] = [];
  const parts: string[] = [];
  let codeIndex = 0;

  const renderBundle = (o: Output): string => {
    const data = o.data ?? {};
    const vl = VEGALITE_MIMES.find((m) => data[m] !== undefined);
    if (vl) {
      const id = `${pageId}-chart-${charts.length + 1}`;
      charts.push({ id, spec: data[vl] });
      const fallback = data["image/svg+xml"] !== undefined
        ? `<noscript><img alt="${escapeHtml(text(data["text/plain"] ?? "chart"))}" src="${dataUri("image/svg+xml", Buffer.from(text(data["image/svg+xml"])).toString("base64"))}"></noscript>`
        : "";
      return `<figure class="chart" id="${id}"><div class="chart-view" data-chart="${id}" data-state="pending"></div>` +
        `<script type="application/json" class="chart-spec" data-chart="${id}">${scriptJson(data[vl])}</script>${fallback}</figure>`;
    }
    if (data["text/html"] !== undefined) return `<div class="output html">${text(data["text/html"])}</div>`;
    if (data["image/svg+xml"] !== undefined) {
      // As an <img>: the SVG's ids and styles cannot clash with the page or another SVG.
      return `<div class="output image"><img alt="" src="${dataUri("image/svg+xml", Buffer.from(text(data["image/svg+xml"])).toString("base64"))}"></div>`;
    }
    for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
      if (typeof data[mime] === "string") return `<div class="output image"><img alt="" src="${dataUri(mime, data[mime] as string)}"></div>`;
    }
    if (data["text/markdown"] !== undefined) return `<div class="output markdown">${md.parse(text(data["text/markdown"]), { async: false })}</div>`;
    if (data["text/plain"] !== undefined) return `<pre class="output text">${escapeHtml(stripAnsi(text(data["text/plain"])))}</pre>`;
    return "";
  };

  const renderOutput = (o: Output): string => {
    switch (o.output_type) {
      case "stream": {
        // An unanswered exercise's "no answer yet" line is a prompt for Jupyter, not a result: the book leaves it out.
        const t = stripAnsi(joinText(o.text)).split("\n").filter((l) => !DEAD_OUTPUT.test(l)).join("\n");
        if (t.trim() === "") return "";
        return `<pre class="output ${o.name === "stderr" ? "stderr" : "stdout"}">${escapeHtml(t)}</pre>`;
      }
      case "display_data":
      case "execute_result":
        return renderBundle(o);
      case "error":
        return `<pre class="output error">${escapeHtml(stripAnsi([`${o.ename}: ${o.evalue}`, ...(o.traceback ?? [])].join("\n")))}</pre>`;
      default:
        return "";
    }
  };

  const attachmentsResolved = (cell: Cell, source: string): string => {
    const att = cell.attachments as Record<string, Record<string, string>> | undefined;
    if (!att) return source;
    return source.replace(/attachment:([^\s)"']+)/g, (whole, name: string) => {
      const bundle = att[name];
      const mime = bundle && Object.keys(bundle)[0];
      return mime ? dataUri(mime, bundle[mime]) : whole;
    });
  };

  for (const cell of nb.cells) {
    const source = joinText(cell.source);
    if (cell.cell_type === "markdown") {
      parts.push(`<section class="cell markdown">${md.parse(attachmentsResolved(cell, source), { async: false })}</section>`);
    } else if (cell.cell_type === "code") {
      codeIndex += 1;
      const outputs = (cell.outputs ?? []).map(renderOutput).filter((s) => s !== "").join("\n");
      const input = source.trim() === "" ? "" :
        `<div class="input"><span class="prompt" aria-hidden="true">[${codeIndex}]</span><pre class="code-block"><code class="hljs language-typescript">${highlight(source, "typescript")}</code></pre></div>`;
      parts.push(`<section class="cell code">${input}${outputs ? `<div class="outputs">${outputs}</div>` : ""}${afterCode?.(source) ?? ""}</section>`);
    }
    // raw cells are for other converters (LaTeX etc.), not the web page.
  }
  return { html: parts.join("\n"), charts };
}

/** The first paragraph of prose (not a heading), as inline HTML, for the index page. */
export function notebookBlurb(nb: Notebook): string {
  const { md } = createMarkdown();
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const paragraphs = joinText(cell.source).split(/\n\s*\n/).map((p) => p.trim());
    const first = paragraphs.find((p) => p !== "" && !p.startsWith("#"));
    if (first) return md.parseInline(first.replace(/\s*\n\s*/g, " "), { async: false });
  }
  return "";
}
