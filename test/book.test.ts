/**
 * The static book in headless Chromium: built from the committed notebooks, served on 127.0.0.1,
 * every page opened, every chart drawn by vega-embed from the local vendor/ files (no other host
 * is ever contacted), no console error or warning, links resolving, every range slider moving its
 * param, screenshots saved to test-artifacts/book/. A synthetic chart with a slider and a click
 * selection proves interactivity even when no notebook has one.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { bookSources, buildBook } from "../scripts/build-book";
import { writeBook } from "../scripts/lib/book/build";
import type { BookSource } from "../scripts/lib/book/build";
import { chromiumMissing, collectPageProblems, launchChromium, serveStatic } from "../scripts/lib/browser";
import { VEGALITE_V6, VEGALITE_MIMES } from "../scripts/lib/ipynb";
import type { Notebook } from "../scripts/lib/ipynb";
import { listNotebooks } from "../scripts/lib/run-notebook";
import { PATHS } from "../scripts/lib/repo";

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type StaticServer = Awaited<ReturnType<typeof serveStatic>>;

const ARTIFACTS = path.join(PATHS.artifacts, "book");
const skip = chromiumMissing();

/** Expected noise: the favicon request (specs and bundles are both Vega-Lite 6: no version warning is allowed). */
const ignorable = (text: string) => /favicon\.ico/.test(text);

interface PageReport {
  problems: string[];
  charts: { id: string; state: string | null; marks: boolean }[];
}

/** Opens a page, waits for every chart, and returns what went wrong. Blocks any non-local request. */
async function openPage(browser: Browser, url: string): Promise<{ page: Page; report: PageReport }> {
  const page = await browser.context.newPage();
  const problems = collectPageProblems(page, ignorable);
  await page.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === "data:" || u.hostname === "127.0.0.1") return route.continue();
    problems.push(`request to another host blocked: ${u.href}`);
    return route.abort();
  });
  const res = await page.goto(url, { waitUntil: "load" });
  if (!res || !res.ok()) problems.push(`GET ${url}: ${res?.status()}`);
  const hasCharts = (await page.locator(".chart-view").count()) > 0;
  if (hasCharts) {
    await page.waitForFunction(() => (window as unknown as { bookCharts?: Promise<unknown> }).bookCharts !== undefined, null, { timeout: 20_000 });
    await page.evaluate(() => (window as unknown as { bookCharts: Promise<unknown> }).bookCharts);
  }
  const charts = await page.$$eval(".chart-view", (els) => els.map((el) => ({
    id: el.getAttribute("data-chart") ?? "",
    state: el.getAttribute("data-state"),
    marks: el.querySelector("svg.marks") !== null,
  })));
  return { page, report: { problems, charts } };
}

async function checkLinks(page: Page, server: StaticServer): Promise<string[]> {
  const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => (a as HTMLAnchorElement).href));
  const local = [...new Set(hrefs.filter((h) => h.startsWith(server.url)).map((h) => h.split("#")[0]))];
  const bad: string[] = [];
  for (const h of local) {
    const r = await page.request.get(h);
    if (!r.ok()) bad.push(`${h}: ${r.status()}`);
  }
  return bad;
}

/** Moves every range slider of the page's charts to its other end; "ok" per slider that took. */
function moveSliders(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const views = (window as unknown as { bookViews: Record<string, { signal(n: string): unknown; runAsync(): Promise<unknown> }> }).bookViews;
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLInputElement>(".chart-view .vega-bindings input[type=range]"))) {
      const id = el.closest(".chart-view")!.getAttribute("data-chart")!;
      const target = Number(el.value) === Number(el.max) ? el.min : el.max;
      el.value = target;
      el.dispatchEvent(new Event("input", { bubbles: true }));
      await views[id].runAsync();
      const got = views[id].signal(el.name);
      out.push(Number(got) === Number(target) ? "ok" : `${id} ${el.name}: ${String(got)} != ${target}`);
    }
    return out;
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function vegaliteOutputs(nb: Notebook): number {
  return nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => VEGALITE_MIMES.some((m) => o.data?.[m] !== undefined)).length;
}

/** Range-slider params declared anywhere in the notebook's Vega-Lite specs. */
function rangeBindings(nb: Notebook): number {
  const walk = (v: unknown): number => {
    if (Array.isArray(v)) return v.reduce((n: number, x) => n + walk(x), 0);
    if (v === null || typeof v !== "object") return 0;
    const o = v as Record<string, unknown>;
    const own = (o.bind as { input?: unknown } | undefined)?.input === "range" && typeof o.name === "string" ? 1 : 0;
    return own + Object.values(o).reduce((n: number, x) => n + walk(x), 0);
  };
  return nb.cells.flatMap((c) => c.outputs ?? []).reduce((n, o) => n + walk(o.data?.[VEGALITE_V6] ?? o.data?.["application/vnd.vegalite.v5+json"]), 0);
}

describe.skipIf(skip !== null)(`the book in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let browser: Browser;
  let server: StaticServer;
  let sources: BookSource[] = [];
  const pages = ["index", ...listNotebooks().map((f) => path.basename(f, ".ipynb"))];

  beforeAll(async () => {
    sources = bookSources();
    buildBook();
    server = await serveStatic(PATHS.book);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.each(pages)("%s.html renders every chart with no console error", async (name) => {
    const { page, report } = await openPage(browser, `${server.url}${name}.html`);
    try {
      const source = sources.find((s) => s.name === name);
      expect(report.charts.length).toBe(source ? vegaliteOutputs(source.notebook) : 0);
      for (const c of report.charts) expect(c, `chart ${c.id}`).toEqual({ id: c.id, state: "rendered", marks: true });
      if (name === "index") {
        const titles = await page.$$eval(".toc > li > a", (as) => as.map((a) => a.textContent));
        expect(titles).toHaveLength(pages.length - 1);
      } else {
        expect(await page.locator("article.notebook h1").count()).toBeGreaterThan(0);
      }
      expect(await checkLinks(page, server)).toEqual([]);
      // Interactivity: every range slider the specs declare moves its Vega param.
      expect(await moveSliders(page)).toEqual(Array.from({ length: source ? rangeBindings(source.notebook) : 0 }, () => "ok"));
      await screenshot(page, name);
      expect(report.problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});

describe.skipIf(chromiumMissing() !== null)("book charts stay interactive (synthetic chart)", () => {
  it("a slider param and a click selection change the drawn chart", async () => {
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: { values: [{ k: "a", v: 1 }, { k: "b", v: 3 }, { k: "c", v: 2 }] },
      params: [
        { name: "cut", value: 0, bind: { input: "range", min: 0, max: 3, step: 1 } },
        { name: "pick", select: { type: "point", fields: ["k"] } },
      ],
      mark: "bar",
      encoding: {
        x: { field: "k", type: "nominal" },
        y: { field: "v", type: "quantitative" },
        color: { condition: { test: "datum.v >= cut", value: "red" }, value: "grey" },
        opacity: { condition: { param: "pick", value: 1, empty: true }, value: 0.3 },
      },
    };
    const nb: Notebook = {
      nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: "tslab" } },
      cells: [
        { cell_type: "markdown", metadata: {}, source: "# Synthetic" },
        { cell_type: "code", metadata: {}, source: "show(x)", execution_count: 1,
          outputs: [{ output_type: "display_data", metadata: {}, data: { [VEGALITE_V6]: spec, "image/svg+xml": "<svg></svg>", "text/plain": "c" } }] },
      ],
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "softnet-book-"));
    writeBook([{ name: "synthetic", notebook: nb }], path.join(dir, "book"));
    const browser = await launchChromium();
    const srv = await serveStatic(path.join(dir, "book"));
    try {
      const { page, report } = await openPage(browser, `${srv.url}synthetic.html`);
      expect(report.charts).toEqual([{ id: "synthetic-chart-1", state: "rendered", marks: true }]);
      const fills = () => page.$$eval(".chart-view svg.marks path[aria-roledescription=bar], .chart-view svg.marks .mark-rect path",
        (ps) => ps.map((p) => `${p.getAttribute("fill")}/${p.getAttribute("opacity") ?? p.getAttribute("fill-opacity") ?? "1"}`));
      expect(await fills()).toEqual(["red/1", "red/1", "red/1"]);
      await page.locator(".chart-view input[type=range]").fill("3");
      await page.waitForFunction(() => document.querySelectorAll('.chart-view .mark-rect path[fill="grey"]').length === 2);
      await page.locator(".chart-view .mark-rect path").nth(1).click();
      await page.waitForFunction(() => Array.from(document.querySelectorAll(".chart-view .mark-rect path"))
        .filter((p) => p.getAttribute("opacity") === "0.3" || p.getAttribute("fill-opacity") === "0.3").length === 2);
      expect(report.problems).toEqual([]);
      await page.close();
    } finally {
      await browser.close();
      await srv.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
