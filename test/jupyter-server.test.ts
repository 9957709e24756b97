/**
 * The main job, end to end: the classic Notebook server started the way `npm start` starts it
 * (127.0.0.1, token, the repo's tslab kernelspec, custom.js), a copy of the tour notebook (Jupyter
 * autosaves what it runs) opened in headless
 * Chromium, all cells run by the live kernel, every chart drawn by the custom.js renderer, no cell
 * error; a screenshot goes to test-artifacts/jupyter/. The server is always stopped.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../scripts/lib/browser";
import { startNotebookServer, type NotebookServer } from "../scripts/lib/notebook-server";
import { PATHS } from "../scripts/lib/repo";

// browser globals, used only inside functions that Playwright runs in the page
declare const window: any;
declare const document: any;

let server: NotebookServer | undefined;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

describe("npm start: Jupyter in a real browser", () => {
  beforeAll(async () => {
    // Jupyter autosaves a notebook it runs: serve a copy, never the committed notebooks
    const live = path.join(PATHS.executed, "..", "live");
    fs.rmSync(live, { recursive: true, force: true });
    fs.mkdirSync(live, { recursive: true });
    fs.copyFileSync(path.join(PATHS.notebooks, "00-tour.ipynb"), path.join(live, "00-tour.ipynb"));
    fs.symlinkSync(path.relative(live, path.join(PATHS.notebooks, "..", "src")), path.join(live, "src"));
    server = await startNotebookServer({ port: 0, notebookDir: live });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("serves on 127.0.0.1 with a token and refuses requests without it", async () => {
    expect(server!.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const denied = await fetch(`${server!.baseUrl}api/kernelspecs`);
    expect(denied.status).toBe(403);
  });

  it("runs the tour notebook live and draws its charts with the custom.js renderer", async () => {
    const page = await browser!.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server!.baseUrl}notebooks/00-tour.ipynb?token=${server!.token}`);
    await page.waitForFunction(() => (window as any).Jupyter?.notebook?.kernel?.is_connected?.() && (window as any).softnetVegaReady === true, undefined, { timeout: 60_000 });
    await page.evaluate(() => {
      const nb = (window as any).Jupyter.notebook;
      nb.clear_all_output();
      nb.execute_all_cells();
    });
    // every code cell has run (execution count set) and the kernel is idle
    await page.waitForFunction(() => {
      const nb = (window as any).Jupyter.notebook;
      const code = nb.get_cells().filter((c: any) => c.cell_type === "code");
      return code.every((c: any) => typeof c.input_prompt_number === "number") && nb.kernel_busy === false && document.querySelector("#notification_kernel")?.textContent !== "Kernel busy";
    }, undefined, { timeout: 180_000, polling: 500 });
    await page.waitForFunction(() => document.querySelectorAll('[data-softnet-chart="rendered"]').length >= 2, undefined, { timeout: 60_000 });
    const charts = await page.locator('[data-softnet-chart="rendered"] svg').count();
    const failed = await page.locator('[data-softnet-chart="failed"]').count();
    const stderr = await page.locator(".output_stderr").allTextContents();
    fs.mkdirSync(path.join(PATHS.artifacts, "jupyter"), { recursive: true });
    await page.screenshot({ path: path.join(PATHS.artifacts, "jupyter", "00-tour-live.png"), fullPage: true });
    await page.close();
    expect(stderr, "cells wrote to stderr (errors)").toEqual([]);
    expect(failed).toBe(0);
    expect(charts).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
  }, 300_000);
});
