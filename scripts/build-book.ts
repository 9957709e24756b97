/**
 * `npm run book`: builds build/book/ from the committed notebooks (they carry fresh outputs: the
 * notebook tests check that): an index and one page per notebook with highlighted code, printed
 * output, and every Vega-Lite chart drawn interactively by vega-embed from vega files copied into
 * build/book/vendor/ (no CDN). Without JavaScript a chart shows its SVG. Rendering lives in
 * scripts/lib/book/ (render.ts: a notebook's article; page.ts: layout and index; build.ts: files).
 */
import path from "node:path";
import { readNotebook } from "./lib/ipynb";
import { writeBook } from "./lib/book/build";
import type { BookSource } from "./lib/book/build";
import { PATHS } from "./lib/repo";
import { listNotebooks } from "./lib/run-notebook";

/** The book's inputs: every notebook under notebooks/, in name order. */
export function bookSources(): BookSource[] {
  return listNotebooks().map((f) => ({ name: path.basename(f, ".ipynb"), notebook: readNotebook(f) }));
}

/** Builds the book; `pages` are absolute paths, index.html first. */
export async function buildBook(outDir = PATHS.book): Promise<{ pages: string[]; charts: number; live: string[]; modelBytes: number; exercises: string[] }> {
  const book = await writeBook(bookSources(), outDir);
  return { pages: book.pages.map((p) => path.join(outDir, p)), charts: book.charts, live: book.live, modelBytes: book.modelBytes, exercises: book.exercises };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const t0 = Date.now();
  const { pages, charts, live, modelBytes, exercises } = await buildBook();
  console.log(`book: ${pages.length} pages, ${charts} charts (${live.length} live, model bundle ${Math.round(modelBytes / 1024)} kB), ${exercises.length} exercises in ${((Date.now() - t0) / 1000).toFixed(1)} s: open ${path.relative(process.cwd(), pages[0]!)} (works from disk, no server needed)`);
}
