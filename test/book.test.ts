/**
 * The static book in a real browser: builds build/book/ from the notebooks, serves it on 127.0.0.1,
 * opens every page in headless Chromium, waits until every chart has been drawn by vega-embed,
 * fails on console errors and page errors, and saves a full-page screenshot of each page to
 * test-artifacts/book/.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBook } from "../scripts/build-book";
import { launchChromium, serveStatic } from "../scripts/lib/browser";
import { PATHS } from "../scripts/lib/repo";

let pages: string[] = [];
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
const shots = path.join(PATHS.artifacts, "book");

describe("the static book in Chromium", () => {
  beforeAll(async () => {
    pages = buildBook().pages;
    server = await serveStatic(PATHS.book);
    browser = await launchChromium();
    fs.mkdirSync(shots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("has an index and one page per notebook", () => {
    const notebooks = fs.readdirSync(PATHS.notebooks).filter((f) => f.endsWith(".ipynb"));
    expect(pages.length).toBe(notebooks.length + 1);
    const index = fs.readFileSync(path.join(PATHS.book, "index.html"), "utf8");
    for (const nb of notebooks) expect(index).toContain(`href="${nb.replace(/\.ipynb$/, ".html")}"`);
    expect(index).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"']*\.js/); // no CDN
  });

  it("every page renders every chart with no console error", async () => {
    for (const file of pages) {
      const name = path.basename(file);
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
      page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
      await page.goto(server.url + name);
      await page.waitForSelector('body[data-charts="done"]', { timeout: 60_000 });
      const total = await page.locator("[data-spec]").count();
      const drawn = await page.locator('[data-spec][data-rendered="yes"]').count();
      const svgs = await page.locator('[data-spec][data-rendered="yes"] svg').count();
      await page.screenshot({ path: path.join(shots, name.replace(/\.html$/, ".png")), fullPage: true });
      await page.close();
      expect(errors, `${name}: console errors`).toEqual([]);
      expect(drawn, `${name}: charts drawn`).toBe(total);
      expect(svgs, `${name}: charts have an svg`).toBeGreaterThanOrEqual(total);
      if (name !== "index.html") expect(total, `${name}: has charts`).toBeGreaterThan(0);
    }
  }, 300_000);
});
