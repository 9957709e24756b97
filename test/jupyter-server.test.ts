/**
 * The main job end to end: the classic Notebook server started exactly as `npm start` starts it
 * (same function, a free port, a known token), the first notebook opened in headless Chromium,
 * its committed chart drawn by custom.js although the notebook is untrusted, then Run All in the
 * live tslab kernel: every cell runs, no error, the chart is drawn again. Screenshot saved to
 * test-artifacts/jupyter/. The server is always stopped and must leave no kernel behind.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { chromiumMissing, collectPageProblems, launchChromium } from "../scripts/lib/browser";
import type { Browser } from "../scripts/lib/browser";
import { readNotebook, VEGALITE_MIMES } from "../scripts/lib/ipynb";
import { listNotebooks, notebookName } from "../scripts/lib/notebook-run";
import { startNotebookServer } from "../scripts/lib/notebook-server";
import type { NotebookServer } from "../scripts/lib/notebook-server";
import { PATHS } from "../scripts/lib/repo";

const skip = chromiumMissing() ?? (fs.existsSync("/usr/bin/jupyter-notebook") ? null : "jupyter-notebook missing: run bash scripts/ensure-deps.sh --jupyter");
const ARTIFACTS = path.join(PATHS.artifacts, "jupyter");
const TOKEN = "softnet-lab-test-token";
/** Debian's Notebook enables the ipywidgets nbextension without shipping it: harmless 404s. */
const ignorable = (text: string) => /^warning:/.test(text) || /nbextensions\/widgets\//.test(text) || /favicon\.ico/.test(text);

/** Processes whose command line names one of the given kernel connection files. */
function kernelProcesses(kernelIds: string[]): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let cmd = "";
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      continue;
    }
    if (kernelIds.some((id) => cmd.includes(`kernel-${id}.json`))) found.push(`${pid}: ${cmd}`);
  }
  return found;
}

async function fullScreenshot(page: Page, file: string): Promise<void> {
  // The Notebook scrolls inside #site, not the document: let it grow so fullPage shows every cell.
  await page.addStyleTag({ content: "#site { height: auto !important; overflow: visible !important; }" });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}

const renderedCharts = (page: Page) =>
  page.locator('.output_area .softnet-vegalite [data-softnet-chart="rendered"] svg.marks').count();

describe.skipIf(skip !== null)(`npm start's Jupyter server in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  it("opens the first notebook, draws its charts untrusted, and Run All succeeds in the tslab kernel", async () => {
    const file = listNotebooks()[0];
    expect(file, "a notebook under notebooks/").toBeDefined();
    const name = notebookName(file);
    const committedBytes = fs.readFileSync(file, "utf8");
    const expectedCharts = readNotebook(file).cells.flatMap((c) => c.outputs ?? [])
      .filter((o) => VEGALITE_MIMES.some((m) => o.data?.[m] !== undefined)).length;
    const codeCells = readNotebook(file).cells.filter((c) => c.cell_type === "code").length;

    let server: NotebookServer | undefined;
    let browser: Browser | undefined;
    let kernelIds: string[] = [];
    try {
      server = await startNotebookServer({ port: 0, token: TOKEN });
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
      browser = await launchChromium({ width: 1200, height: 900 });
      const page = await browser.context.newPage();
      const problems = collectPageProblems(page, ignorable);

      // The printed URL logs in and lists the notebook.
      await page.goto(server.url);
      await page.waitForSelector(`#notebook_list a[href$="/${name}.ipynb"]`, { timeout: 20_000 });

      await page.goto(`${server.baseUrl}notebooks/${encodeURIComponent(name)}.ipynb`);
      await page.waitForFunction(() => {
        const J = (window as any).Jupyter;
        return J?.notebook?._fully_loaded === true && (window as any).softnetVegaReady === true;
      }, null, { timeout: 30_000 });
      // Never write to the repo's notebook from this test.
      await page.evaluate(() => (window as any).Jupyter.notebook.set_autosave_interval(0));

      // Committed outputs: an untrusted notebook, yet custom.js draws its Vega-Lite charts.
      expect(await page.evaluate(() => (window as any).Jupyter.notebook.trusted)).toBe(false);
      await page.waitForFunction((n) => document.querySelectorAll(
        '.output_area .softnet-vegalite [data-softnet-chart="rendered"] svg.marks').length === n, expectedCharts, { timeout: 20_000 });

      // Run All in the live kernel, from cleared outputs so every output below is fresh.
      await page.waitForFunction(() => (window as any).Jupyter.notebook.kernel?.is_connected?.() === true, null, { timeout: 30_000 });
      kernelIds = [await page.evaluate(() => (window as any).Jupyter.notebook.kernel.id as string)];
      await page.evaluate(() => {
        const nb = (window as any).Jupyter.notebook;
        nb.clear_all_output();
        nb.execute_all_cells();
      });
      await page.waitForFunction((n) => {
        const nb = (window as any).Jupyter.notebook;
        const cells = nb.get_cells().filter((c: any) => c.cell_type === "code");
        return cells.length === n && cells.every((c: any) => typeof c.input_prompt_number === "number") &&
          document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
      }, codeCells, { timeout: 120_000 });
      await page.waitForFunction((n) => document.querySelectorAll(
        '.output_area .softnet-vegalite [data-softnet-chart]').length >= n, expectedCharts, { timeout: 20_000 });

      const errors = await page.$$eval(".output_stderr, .output_error, .softnet-vegalite-error", (els) => els.map((e) => e.textContent));
      expect(errors).toEqual([]);
      expect(await renderedCharts(page)).toBe(expectedCharts);
      const prompts = await page.evaluate(() => (window as any).Jupyter.notebook.get_cells()
        .filter((c: any) => c.cell_type === "code").map((c: any) => c.input_prompt_number));
      expect(prompts).toEqual(Array.from({ length: codeCells }, (_, i) => i + 1));

      await fullScreenshot(page, path.join(ARTIFACTS, `${name}.png`));
      expect(problems).toEqual([]);
    } catch (err) {
      if (server) process.stderr.write(`--- Jupyter log ---\n${server.log()}\n`);
      throw err;
    } finally {
      await browser?.close();
      await server?.stop();
    }
    expect(await server!.exited).not.toBeUndefined();
    expect(kernelProcesses(kernelIds)).toEqual([]);
    expect(fs.readFileSync(file, "utf8")).toBe(committedBytes);
  }, 240_000);
});
