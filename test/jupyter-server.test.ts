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
import { readNotebook, VEGALITE_MIMES } from "../scripts/lib/ipynb";
import { PATHS } from "../scripts/lib/repo";

// browser globals, used only inside functions that Playwright runs in the page
declare const window: any;
declare const document: any;

let server: NotebookServer | undefined;
let kernelIds: string[] = [];

/** Processes whose command line names one of the given kernels' connection files. */
function kernelProcesses(ids: string[]): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let cmd = "";
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      continue; // exited meanwhile
    }
    if (ids.some((id) => cmd.includes(`kernel-${id}.json`))) found.push(`${pid}: ${cmd}`);
  }
  return found;
}
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

describe("npm start: Jupyter in a real browser", () => {
  beforeAll(async () => {
    // Jupyter autosaves a notebook it runs: serve a copy, never the committed notebooks
    const live = path.join(PATHS.executed, "..", "live");
    fs.rmSync(live, { recursive: true, force: true });
    fs.mkdirSync(live, { recursive: true });
    fs.copyFileSync(path.join(PATHS.notebooks, "00-tour.ipynb"), path.join(live, "00-tour.ipynb"));
    fs.symlinkSync(path.relative(live, path.join(PATHS.notebooks, "..", "src")), path.join(live, "src"));
    // the notebooks import the prebuilt library through notebooks/lib (build/lib; the kernel builds it)
    fs.symlinkSync(path.relative(live, path.join(PATHS.notebooks, "..", "build", "lib")), path.join(live, "lib"));
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
    // The printed URL (with ?token=) logs a browser in and lists the notebook.
    expect(server!.url).toBe(`${server!.baseUrl}?token=${server!.token}`);
    const page = await browser!.context.newPage();
    await page.goto(server!.url);
    await page.waitForSelector('#notebook_list a[href$="/00-tour.ipynb"]', { timeout: 30_000 });
    await page.close();
  }, 60_000);

  it("runs the tour notebook live and draws its charts with the custom.js renderer", async () => {
    const page = await browser!.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server!.baseUrl}notebooks/00-tour.ipynb?token=${server!.token}`);
    await page.waitForFunction(() => (window as any).Jupyter?.notebook?.kernel?.is_connected?.() && (window as any).softnetVegaReady === true, undefined, { timeout: 60_000 });
    // Before running anything: the committed outputs of this untrusted notebook (SVG would be
    // blocked) are drawn as Vega-Lite charts by custom.js, including those drawn before it loaded.
    const committedCharts = readNotebook(path.join(PATHS.notebooks, "00-tour.ipynb")).cells.flatMap((c) => c.outputs ?? [])
      .filter((o) => VEGALITE_MIMES.some((m) => o.data?.[m] !== undefined)).length;
    expect(committedCharts).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as any).Jupyter.notebook.trusted)).toBe(false);
    await page.waitForFunction((n) => document.querySelectorAll('[data-softnet-chart="rendered"] svg.marks').length === n, committedCharts, { timeout: 60_000 });
    kernelIds = [await page.evaluate(() => (window as any).Jupyter.notebook.kernel.id as string)];
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
    // The Notebook scrolls inside #site, not the document: let it grow so the shot shows every cell.
    await page.addStyleTag({ content: "#site { height: auto !important; overflow: visible !important; }" });
    await page.screenshot({ path: path.join(PATHS.artifacts, "jupyter", "00-tour-live.png"), fullPage: true });
    await page.close();
    expect(stderr, "cells wrote to stderr (errors)").toEqual([]);
    expect(failed).toBe(0);
    expect(charts).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
  }, 300_000);

  it("stops cleanly (as on Ctrl-C) and leaves no kernel running", async () => {
    expect(kernelIds).toHaveLength(1);
    expect(kernelProcesses(kernelIds)).toHaveLength(1);
    await server!.stop();
    await server!.exited;
    expect(kernelProcesses(kernelIds)).toEqual([]);
  }, 60_000);
});
