/**
 * Builds the static book: one page per executed notebook plus an index, with the vega bundles,
 * a highlight.js theme and the book's own CSS/JS copied in, so the folder works offline, from a
 * static server or straight from disk. Written to a temporary folder first, then swapped in.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { notebookTitle } from "../ipynb";
import type { Notebook } from "../ipynb";
import { PATHS } from "../repo";
import { copyVegaBundles, vegaVersions } from "../vendor";
import { writeModelAssets } from "./bundle";
import { checkedIds, decorateLiveCharts, exerciseForm, LIVE_SCRIPTS, PLAYGROUND_SCRIPTS, playgroundArticle, playgroundData, sealedExercises } from "./live";
import { indexPage, notebookPage, playgroundPage } from "./page";
import type { PageEntry } from "./page";
import { notebookBlurb, renderNotebook } from "./render";

const ASSETS = path.join(path.dirname(fileURLToPath(import.meta.url)), "assets");

export interface BookSource {
  name: string;
  notebook: Notebook;
}

export interface BookSummary {
  outDir: string;
  pages: string[];
  charts: number;
  /** Ids of the live figures placed (src/live/figures.ts), in page order. */
  live: string[];
  /** Bytes of assets/model-source.js. */
  modelBytes: number;
  /** Ids of the exercises given an answer form, in page order. */
  exercises: string[];
}

/** Writes the book to `outDir` (the model bundled by esbuild, hence async). */
export async function writeBook(sources: BookSource[], outDir: string = PATHS.book): Promise<BookSummary> {
  if (sources.length === 0) throw new Error("writeBook: no notebooks to build from");
  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, "assets"), { recursive: true });
  try {
    copyVegaBundles(path.join(tmp, "vendor"));
    fs.copyFileSync(path.join(ASSETS, "book.css"), path.join(tmp, "assets", "book.css"));
    for (const f of ["book.js", "live.js", "playground.js"]) fs.copyFileSync(path.join(ASSETS, f), path.join(tmp, "assets", f));
    const model = await writeModelAssets(path.join(tmp, "assets"));
    fs.copyFileSync(path.join(PATHS.nodeModules, "highlight.js", "styles", "github.css"), path.join(tmp, "assets", "highlight.css"));

    const colophon = { versions: vegaVersions() };
    const entries: PageEntry[] = sources.map((s) => ({
      name: s.name,
      title: notebookTitle(s.notebook, s.name),
      blurb: notebookBlurb(s.notebook),
    }));
    let charts = 0;
    const live: string[] = [];
    const exercises: string[] = [];
    const sealed = await sealedExercises();
    const pages = ["index.html"];
    fs.writeFileSync(path.join(tmp, "index.html"), indexPage(entries, colophon));
    sources.forEach((s, i) => {
      const forms: string[] = [];
      const rendered = renderNotebook(s.notebook, s.name, (source) => checkedIds(source).filter((id) => sealed.has(id)).map((id) => {
        forms.push(id);
        return exerciseForm(sealed.get(id)!);
      }).join(""));
      exercises.push(...forms);
      charts += rendered.charts.length;
      const file = `${s.name}.html`;
      const decorated = decorateLiveCharts(rendered.html, s.name, rendered.charts);
      live.push(...decorated.live);
      const scripts = decorated.live.length > 0 || forms.length > 0 ? LIVE_SCRIPTS : undefined;
      fs.writeFileSync(path.join(tmp, file), notebookPage(entries, i, decorated.html, rendered.charts.length > 0, colophon, scripts));
      pages.push(file);
    });
    fs.writeFileSync(path.join(tmp, "playground.html"), playgroundPage(entries, playgroundArticle() + playgroundData(), colophon, PLAYGROUND_SCRIPTS));
    pages.push("playground.html");
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(outDir), { recursive: true });
    fs.renameSync(tmp, outDir);
    return { outDir, pages, charts, live, modelBytes: model.bytes, exercises };
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
