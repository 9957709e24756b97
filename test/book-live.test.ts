/**
 * The living book in headless Chromium (every request to another host blocked, no console error or
 * warning): each live chart's "try this" change re-runs the model in a Web Worker, redraws in place,
 * and the new chart equals a Node run of the same configuration; a bad knob is refused with the
 * CLI's message; a sweep shows progress and is cancelled by moving a knob again; the playground
 * restores a configuration from its URL and its run equals Node's; notebook 03's 24-run matrix shows
 * progress, is cancelled and redrawn as Node draws it (screenshot of the chart); 04's BH-lock timeline
 * re-finds its window or says there is none; 05's model timeline re-finds its window at the capture's
 * rate, its calibrated bars offer the dataset's payloads only, and 09's QEMU charts refuse a bad knob
 * with the CLI's message; 08's verdict pass counts its claims while it runs, is cancelled by the next
 * change, gives Node's verdicts at the knobs' scale and seed, titles one claim by name and refuses a
 * bad seed with the CLI's message; browser and Node give the same
 * result digest for several configurations; file:// works; without Web Workers the page says so and
 * still works. Screenshots go to test-artifacts/book/.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { buildBook } from "../scripts/build-book";
import { chromiumMissing, collectPageProblems, launchChromium, serveStatic } from "../scripts/lib/browser";
import { PATHS } from "../scripts/lib/repo";
import { resolveConfig } from "../src/config/parse";
import { ConfigError } from "../src/config/errors";
import { simulate } from "../src/sim/simulate";
import { LIVE_FIGURES, NO_BH_LOCK_WINDOW_TITLE, runFigure, type LiveFigure } from "../src/live/figures";
import { playgroundRun } from "../src/browser/playground";
import { EXERCISES } from "../src/notebook/exercise-bank";
import { exerciseVerdict } from "../src/notebook/exercises";

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type StaticServer = Awaited<ReturnType<typeof serveStatic>>;

const ARTIFACTS = path.join(PATHS.artifacts, "book");
/** Its own build folder: test/book.test.ts builds build/book/ at the same time in another worker. */
const OUT = path.join(path.dirname(PATHS.book), "book-live-test");
const skip = chromiumMissing();
const ignorable = (text: string) => /favicon\.ico/.test(text);

interface LiveState { state: string; spec: unknown; knobs: Record<string, string>; digests: string[] | null; message: string; timing: unknown }

function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]));
  return v;
}

/** Opens a page with every non-local request blocked; waits for the committed charts and the live script. */
async function open(browser: Browser, url: string, init?: () => void): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.context.newPage();
  const problems = collectPageProblems(page, ignorable);
  if (init) await page.addInitScript(init);
  await page.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === "data:" || u.protocol === "blob:" || u.protocol === "file:" || u.hostname === "127.0.0.1") return route.continue();
    problems.push(`request to another host blocked: ${u.href}`);
    return route.abort();
  });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => (window as unknown as { bookLiveReady?: boolean }).bookLiveReady === true, null, { timeout: 20_000 });
  if ((await page.locator(".chart-spec").count()) > 0) {
    await page.waitForFunction(() => (window as unknown as { bookCharts?: unknown }).bookCharts !== undefined);
    await page.evaluate(() => (window as unknown as { bookCharts: Promise<unknown> }).bookCharts);
  }
  return { page, problems };
}

function liveState(page: Page, id: string): Promise<LiveState> {
  return page.evaluate((i) => {
    const s = (window as unknown as { bookLive: Record<string, LiveState> }).bookLive[i]!;
    return { state: s.state, spec: s.spec, knobs: s.knobs, digests: s.digests, message: s.message, timing: s.timing };
  }, id);
}

/** Sets knob values in a figure's form and fires one change; waits until the figure settles. */
async function turn(page: Page, id: string, knobs: Record<string, string>): Promise<LiveState> {
  await page.evaluate(({ i, k }) => {
    const form = document.querySelector(`form.knobs[data-live="${i}"]`)!;
    for (const [key, v] of Object.entries(k)) (form.querySelector(`[data-key="${key}"]`) as HTMLInputElement).value = v;
    form.querySelector("[data-key]")!.dispatchEvent(new Event("change", { bubbles: true }));
  }, { i: id, k: knobs });
  await page.waitForFunction((i) => {
    const s = (window as unknown as { bookLive: Record<string, LiveState> }).bookLive[i]!;
    return s.state !== "running";
  }, id, { timeout: 60_000 });
  return liveState(page, id);
}

const title = (spec: unknown) => ((spec as { title: { text: string } }).title.text);
const pagesWithLive = [...new Set(LIVE_FIGURES.map((f) => f.notebook))];

describe.skipIf(skip !== null)(`the living book in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let browser: Browser;
  let server: StaticServer;
  let built: Awaited<ReturnType<typeof buildBook>>;

  beforeAll(async () => {
    built = await buildBook(OUT);
    server = await serveStatic(OUT);
    browser = await launchChromium();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(OUT, { recursive: true, force: true });
  });

  it.each(pagesWithLive)("%s: every live chart's change redraws it with the data of a Node run of the same config", async (name) => {
    const { page, problems } = await open(browser, `${server.url}${name}.html`);
    try {
      const figs: LiveFigure[] = LIVE_FIGURES.filter((f) => f.notebook === name);
      expect(await page.$$eval("form.knobs[data-live]", (fs) => fs.map((f) => f.getAttribute("data-live")))).toEqual(figs.map((f) => f.id));
      expect(await page.evaluate(() => (window as unknown as { bookModel: { mode: string } }).bookModel.mode)).toBe("worker");
      for (const fig of figs) {
        const before = await liveState(page, fig.id);
        expect(before.state).toBe("committed");
        // series no knob moves (published figures) are named under the chart
        expect(await page.locator(`form[data-live="${fig.id}"] .knobs-fixed`).allTextContents()).toEqual(fig.fixed ? [fig.fixed] : []);
        const knobs = { ...before.knobs, ...fig.tryThis };
        const after = await turn(page, fig.id, fig.tryThis);
        expect(after.state, `${fig.id}: ${after.message}`).toBe("redrawn");
        expect(after.knobs).toEqual(knobs);
        const node = runFigure(fig, knobs, title(before.spec));
        expect(after.digests).toEqual(node.digests);
        expect(JSON.stringify(canon(after.spec))).toBe(JSON.stringify(canon(node.spec)));
        expect(JSON.stringify(canon(after.spec))).not.toBe(JSON.stringify(canon(before.spec)));
        expect(await page.locator(`figure[data-live="${fig.id}"] .chart-view svg.marks`).count()).toBe(1);
        // the drawn view holds the new data (redraws that only swap datasets must not leave the old ones);
        // a dataset no layer reads is not in the compiled view (null here)
        const sets = (node.spec as { datasets?: Record<string, unknown[]> }).datasets ?? {};
        const chartId = (await page.locator(`form[data-live="${fig.id}"]`).getAttribute("data-chart"))!;
        const drawn = await page.evaluate(({ chart, names }) => {
          const view = (window as unknown as { bookViews: Record<string, { data(n: string): unknown[] }> }).bookViews[chart]!;
          return names.map((n) => {
            try {
              return view.data(n).length;
            } catch {
              return null;
            }
          });
        }, { chart: chartId, names: Object.keys(sets) });
        if (Object.keys(sets).length > 0) expect(drawn.some((n) => n !== null)).toBe(true);
        expect(drawn).toEqual(Object.values(sets).map((v, i) => (drawn[i] === null ? null : v.length)));
        expect(await page.locator(`form[data-live="${fig.id}"] .live-status`).textContent()).toMatch(new RegExp(`Re-run in a Web Worker with .*: \\d+ ${fig.unit ?? "run"}s?, model \\d+ ms, chart redrawn \\d+ ms after the change\\.`));
        // a chart beside published figures: its redrawn frame, with the note on what stays fixed
        if (fig.fixed) await page.locator(`figure[data-live="${fig.id}"]`).screenshot({ path: path.join(ARTIFACTS, `${fig.id.replace("/", "--")}-live.png`) });
      }
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-live.png`), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);

  it("a bad knob value is refused with the CLI's message and the chart stays; the notebook's values come back", async () => {
    const { page, problems } = await open(browser, `${server.url}00-tour.html`);
    try {
      const id = "00-tour/four-datagrams";
      const committed = (await liveState(page, id)).spec;
      let cli = "";
      try {
        resolveConfig({ rps_cpus: "4" });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        cli = (e as Error).message;
      }
      const refused = await turn(page, id, { rps_cpus: "4" });
      expect(refused.state).toBe("refused");
      expect(refused.message).toBe(cli);
      expect(await page.locator(`form[data-live="${id}"] .live-status`).textContent()).toBe(`softnet-lab simulate: ${cli}`);
      expect(await page.locator(`form[data-live="${id}"] [data-key=rps_cpus]`).getAttribute("aria-invalid")).toBe("true");
      expect(refused.spec).toEqual(committed);
      // integers are bounded by the schema: the number field carries min/max, and out of range is refused too
      expect(await page.locator(`form[data-live="${id}"] [data-key=rate_pps]`).getAttribute("max")).toBe("100000000");
      const big = await turn(page, id, { rps_cpus: "0", rate_pps: "100000001" });
      expect(big.state).toBe("refused");
      expect(big.message).toMatch(/^rate_pps: /);
      // enums offer only the schema's values
      expect(await page.$$eval(`form[data-live="${id}"] [data-key=backlog_napi] option`, (os) => os.map((o) => (o as HTMLOptionElement).value)))
        .toEqual(["softirq", "threads-always", "threads", "backlog-threaded", "backlog-threaded-intent"]);
      await page.locator(`form[data-live="${id}"] [data-key=rate_pps]`).fill("100000");
      await page.locator(`form[data-live="${id}"] .knobs-reset`).click();
      await page.waitForFunction((i) => (window as unknown as { bookLive: Record<string, LiveState> }).bookLive[i]!.state === "committed", id);
      expect((await liveState(page, id)).spec).toEqual(committed);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("a sweep shows progress and moving a knob again cancels it; the last change wins", async () => {
    const { page, problems } = await open(browser, `${server.url}07-overload-budgets.html`);
    try {
      const id = "07-overload-budgets/livelock";
      const status = page.locator(`form[data-live="${id}"] .live-status`);
      await page.evaluate((i) => {
        const form = document.querySelector(`form.knobs[data-live="${i}"]`)!;
        (form.querySelector(`[data-key="nic_batch"]`) as HTMLInputElement).value = "4";
        form.querySelector("[data-key]")!.dispatchEvent(new Event("change", { bubbles: true }));
      }, id);
      await page.waitForFunction((i) => /Running the model: \d+ of 28 runs done/.test(document.querySelector(`form.knobs[data-live="${i}"] .live-status`)!.textContent ?? ""), id, { timeout: 30_000 });
      const cancelledRuns = () => page.evaluate(() => (window as unknown as { bookModel: { cancelledRuns: number } }).bookModel.cancelledRuns);
      expect(await cancelledRuns()).toBe(0);
      const after = await turn(page, id, { nic_batch: "16" });
      expect(await cancelledRuns()).toBe(1);
      expect(after.state).toBe("redrawn");
      expect(after.knobs.nic_batch).toBe("16");
      const fig = LIVE_FIGURES.find((f) => f.id === id)!;
      expect(after.digests).toEqual(runFigure(fig, after.knobs, "t").digests);
      expect(await status.textContent()).toMatch(/nic_batch=16: 28 runs/);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it("03's run matrix is a sweep of 24 runs: progress while it runs, cancelled by the next change, then Node's chart", async () => {
    const { page, problems } = await open(browser, `${server.url}03-rps-ipi-vs-threads.html`);
    try {
      const id = "03-rps-ipi-vs-threads/matrix";
      const cancelledRuns = () => page.evaluate(() => (window as unknown as { bookModel: { cancelledRuns: number } }).bookModel.cancelledRuns);
      expect(await page.locator(`form[data-live="${id}"]`).getAttribute("data-runs")).toBe("24");
      // 24 runs of the notebook's 100 ms: long enough to be caught running
      await page.evaluate((i) => {
        const form = document.querySelector(`form.knobs[data-live="${i}"]`)!;
        (form.querySelector(`[data-key="payload_bytes"]`) as HTMLInputElement).value = "1400";
        form.querySelector("[data-key]")!.dispatchEvent(new Event("change", { bubbles: true }));
      }, id);
      await page.waitForFunction((i) => /Running the model: \d+ of 24 runs done/.test(document.querySelector(`form.knobs[data-live="${i}"] .live-status`)!.textContent ?? ""), id, { timeout: 30_000 });
      expect(await cancelledRuns()).toBe(0);
      const after = await turn(page, id, { duration_ms: "20" });
      expect(await cancelledRuns()).toBe(1);
      expect(after.state).toBe("redrawn");
      expect(after.knobs).toMatchObject({ payload_bytes: "1400", duration_ms: "20" });
      const fig = LIVE_FIGURES.find((f) => f.id === id)!;
      const node = runFigure(fig, after.knobs, title(after.spec));
      expect(after.digests).toEqual(node.digests);
      expect(JSON.stringify(canon(after.spec))).toBe(JSON.stringify(canon(node.spec)));
      expect(await page.locator(`form[data-live="${id}"] .live-status`).textContent()).toMatch(/payload_bytes=1400, duration_ms=20: 24 runs/);
      await page.locator(`figure[data-live="${id}"]`).screenshot({ path: path.join(ARTIFACTS, "03-rps-matrix-live.png") });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it("08's verdict pass: progress by claim, cancelled by the next change, then Node's verdicts at that scale and seed; one claim titled by name; a bad seed refused", async () => {
    const { page, problems } = await open(browser, `${server.url}08-verdicts.html`);
    try {
      const id = "08-verdicts/verdict-counts";
      const fig = LIVE_FIGURES.find((f) => f.id === id)!;
      const form = page.locator(`form[data-live="${id}"]`);
      const cancelledRuns = () => page.evaluate(() => (window as unknown as { bookModel: { cancelledRuns: number } }).bookModel.cancelledRuns);
      expect(await form.getAttribute("data-runs")).toBe("16");
      expect(await form.getAttribute("data-unit")).toBe("claim");
      expect(await form.locator(".knobs-cost").textContent()).toBe(fig.cost);
      // the seed is the schema's key (its bounds); scale and claim offer only their lists
      expect(await form.locator("[data-key=seed]").getAttribute("max")).toBe(String(2 ** 31 - 1));
      expect(await page.$$eval(`form[data-live="${id}"] [data-key=scale] option`, (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(["0.4", "1", "2"]);
      expect(await page.$$eval(`form[data-live="${id}"] [data-key=claim] option`, (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(fig.params![1]!.values);
      const committed = await liveState(page, id);
      await page.evaluate((i) => {
        const f = document.querySelector(`form.knobs[data-live="${i}"]`)!;
        (f.querySelector(`[data-key="scale"]`) as HTMLSelectElement).value = "2";
        f.querySelector("[data-key]")!.dispatchEvent(new Event("change", { bubbles: true }));
      }, id);
      await page.waitForFunction((i) => /Running the model: \d+ of 16 claims done/.test(document.querySelector(`form.knobs[data-live="${i}"] .live-status`)!.textContent ?? ""), id, { timeout: 30_000 });
      expect(await cancelledRuns()).toBe(0);
      const after = await turn(page, id, { seed: "2" });
      expect(await cancelledRuns()).toBe(1);
      expect(after.state, after.message).toBe("redrawn");
      expect(after.knobs).toEqual({ seed: "2", scale: "2", claim: "all" });
      const node = runFigure(fig, after.knobs, title(committed.spec));
      expect(after.digests).toEqual(node.digests);
      expect(JSON.stringify(canon(after.spec))).toBe(JSON.stringify(canon(node.spec)));
      expect(await form.locator(".live-status").textContent()).toMatch(/with seed=2, scale=2: 16 claims, model \d+ ms/);
      await page.locator(`figure[data-live="${id}"]`).screenshot({ path: path.join(ARTIFACTS, "08-verdict-pass-live.png") });
      // one claim: the title names it
      const one = await turn(page, id, { seed: "1", scale: "1", claim: "C12" });
      expect(title(one.spec)).toBe("Claim C12 of dad6b9770263 in the model");
      expect(one.digests).toEqual(runFigure(fig, one.knobs, "t").digests);
      expect(await page.locator(`figure[data-live="${id}"] .rerun-caption`).textContent()).toBe("Re-run with claim=C12: the title says what this run shows.");
      // a bad seed: the CLI's message, the seed marked
      let cli = "";
      try {
        resolveConfig({ seed: "-1" });
      } catch (e) {
        cli = (e as Error).message;
      }
      const refused = await turn(page, id, { seed: "-1" });
      expect(refused.state).toBe("refused");
      expect(refused.message).toBe(cli);
      expect(await form.locator("[data-key=seed]").getAttribute("aria-invalid")).toBe("true");
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);

  it("04's BH-lock timeline finds its window again, and says so in the title when a configuration has none", async () => {
    const { page, problems } = await open(browser, `${server.url}04-preempt-rt.html`);
    try {
      const id = "04-preempt-rt/bh-lock";
      const fig = LIVE_FIGURES.find((f) => f.id === id)!;
      const caption = page.locator(`figure[data-live="${id}"] .rerun-caption`);
      const none = await turn(page, id, { preempt: "full" });
      expect(none.state).toBe("redrawn");
      expect(title(none.spec)).toBe(NO_BH_LOCK_WINDOW_TITLE);
      expect(none.digests).toEqual(runFigure(fig, none.knobs, "t").digests);
      expect(await page.locator(`figure[data-live="${id}"] .chart-view svg`).first().textContent()).toContain(NO_BH_LOCK_WINDOW_TITLE);
      expect(await caption.textContent()).toBe("Re-run with preempt=full: the title says what this run shows.");
      const again = await turn(page, id, { preempt: "rt", nic_batch: "4" });
      expect(title(again.spec)).toMatch(/^PREEMPT_RT's BH lock/);
      expect(JSON.stringify(canon(again.spec))).toBe(JSON.stringify(canon(runFigure(fig, again.knobs, title(again.spec)).spec)));
      expect(await caption.textContent()).toBe("Re-run with nic_batch=4: the title is the notebook's run; the chart is this one.");
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("05's and 09's charts beside real data: the model timeline re-finds its window at the capture's rate, the calibrated bars offer the dataset's payloads only, a bad knob on a QEMU chart gets the CLI's message", async () => {
    const { page, problems } = await open(browser, `${server.url}05-reproduce-on-your-machine.html`);
    try {
      const id = "05-reproduce-on-your-machine/model-beside-capture";
      const fig = LIVE_FIGURES.find((f) => f.id === id)!;
      // the rate knob starts at the capture's rate, which the build computed from datasets/traces
      expect(await page.locator(`form[data-live="${id}"] [data-key=rate_pps]`).inputValue()).toBe(fig.base.rate_pps);
      const after = await turn(page, id, { rps_cpus: "2", profile: "kvm-epyc-2cpu-lean" });
      expect(after.state, after.message).toBe("redrawn");
      const node = runFigure(fig, after.knobs, `Model: the same workload (${fig.base.rate_pps} datagrams/s), default costs, the first datagram`);
      expect(after.digests).toEqual(node.digests);
      expect(JSON.stringify(canon(after.spec))).toBe(JSON.stringify(canon(node.spec)));
      expect(title(after.spec)).toBe(`Model: the same workload (${fig.base.rate_pps} datagrams/s), profile kvm-epyc-2cpu-lean, the first datagram`);
      await page.locator(`figure[data-live="${id}"]`).screenshot({ path: path.join(ARTIFACTS, "05-model-beside-capture-live.png") });
      const bars = "05-reproduce-on-your-machine/real-model-calibrated";
      expect(await page.$$eval(`form[data-live="${bars}"] [data-key=payload_bytes] option`, (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(["64", "1024"]);
      expect(await page.$$eval(`form[data-live="${bars}"] [data-key=profile] option`, (os) => os.map((o) => (o as HTMLOptionElement).value))).toContain("kvm-epyc-2cpu-lean-quick");
      expect(await page.locator(`form[data-live="${bars}"] [data-key=profile]`).inputValue()).toBe("kvm-epyc-2cpu-lean-quick");
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
    const q = await open(browser, `${server.url}09-real-kernels.html`);
    try {
      const id = "09-real-kernels/ipis-per-packet";
      let cli = "";
      try {
        resolveConfig({ rps_cpus: "4" });
      } catch (e) {
        cli = (e as Error).message;
      }
      const refused = await turn(q.page, id, { rps_cpus: "4" });
      expect(refused.state).toBe("refused");
      expect(refused.message).toBe(cli);
      expect(await q.page.locator(`form[data-live="${id}"] .live-status`).textContent()).toBe(`softnet-lab simulate: ${cli}`);
      expect(q.problems).toEqual([]);
    } finally {
      await q.page.close();
    }
  }, 60_000);

  it("the playground restores a configuration from its URL, and its run is Node's", async () => {
    const hash = "scenario=loopback-stream-rps&backlog_napi=threads&preempt=full&duration_ms=5";
    const { page, problems } = await open(browser, `${server.url}playground.html#${hash}`);
    try {
      await page.waitForFunction(() => ["done", "refused", "failed"].includes((window as unknown as { playground: { state: string } }).playground.state), null, { timeout: 30_000 });
      expect(await page.locator("[data-key=scenario]").inputValue()).toBe("loopback-stream-rps");
      expect(await page.locator("[data-key=backlog_napi]").inputValue()).toBe("threads");
      expect(await page.locator("[data-key=preempt]").inputValue()).toBe("full");
      expect(await page.locator("[data-key=duration_ms]").inputValue()).toBe("5");
      expect(await page.locator("[data-key=rate_pps]").inputValue()).toBe("");
      const settings: Array<[string, string]> = [["backlog_napi", "threads"], ["preempt", "full"], ["duration_ms", "5"]];
      const node = playgroundRun(settings, "loopback-stream-rps");
      const run = await page.evaluate(() => {
        const p = (window as unknown as { playground: { run: { cli: string; result: { digest: string; per_cpu: unknown[] }; config: unknown } } }).playground.run;
        return { cli: p.cli, digest: p.result.digest, per_cpu: p.result.per_cpu, config: p.config };
      });
      expect(run.cli).toBe("npx softnet-lab simulate --scenario loopback-stream-rps --set backlog_napi=threads --set preempt=full --set duration_ms=5");
      expect(await page.locator("code.cli").textContent()).toBe(run.cli);
      expect(run.config).toEqual(node.config);
      expect(run.per_cpu).toEqual(node.result.per_cpu);
      // the traced run behind the timeline has the digest of the same settings untraced (what the CLI runs)
      expect(run.digest).toBe(simulate(resolveConfig(settings, { scenario: "loopback-stream-rps" })).digest);
      expect(await page.locator(".counters table.per-cpu tbody tr").count()).toBe(2);
      expect(await page.locator("#playground-chart-1 svg.marks").count()).toBe(1);
      await page.screenshot({ path: path.join(ARTIFACTS, "playground.png"), fullPage: true });

      // a change goes into the address, so the link reproduces it
      await page.locator("[data-key=rps_cpus]").fill("3");
      await page.locator("[data-key=rps_cpus]").dispatchEvent("change");
      await page.waitForFunction(() => (window as unknown as { playground: { state: string } }).playground.state !== "running");
      expect(new URL(page.url()).hash).toBe("#scenario=loopback-stream-rps&backlog_napi=threads&preempt=full&rps_cpus=3&duration_ms=5");
      // a bad value: the CLI's message, naming the key
      await page.locator("[data-key=hotplug]").fill("cpu9:off@1ms");
      await page.locator("[data-key=hotplug]").dispatchEvent("change");
      await page.waitForFunction(() => (window as unknown as { playground: { state: string } }).playground.state !== "running");
      let cli = "";
      try {
        resolveConfig([["backlog_napi", "threads"], ["preempt", "full"], ["rps_cpus", "3"], ["hotplug", "cpu9:off@1ms"], ["duration_ms", "5"]], { scenario: "loopback-stream-rps" });
      } catch (e) {
        cli = (e as Error).message;
      }
      expect(cli).not.toBe("");
      expect(await page.locator("article .live-status").textContent()).toBe(`softnet-lab simulate: ${cli}`);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("browser and Node give the same result digest for several configurations", async () => {
    const cases: { scenario?: string; settings: Array<[string, string]> }[] = [
      { scenario: "loopback-stream", settings: [["duration_ms", "5"]] },
      { scenario: "loopback-pingpong-rps", settings: [["backlog_napi", "threads"], ["preempt", "rt"], ["duration_ms", "5"]] },
      { scenario: "nic-rx-overload", settings: [["duration_ms", "5"]] },
      { settings: [["workload", "udp-stream"], ["cpus", "4"], ["flows", "3"], ["rps_cpus", "e"], ["hotplug", "cpu2:off@1ms;cpu3:off@2ms"], ["backlog_napi", "threads-always"], ["duration_ms", "4"]] },
      { settings: [["arrivals", "poisson"], ["rate_pps", "300000"], ["rps_cpus", "3"], ["seed", "7"], ["idle", "haltpoll"], ["duration_ms", "5"]] },
      { settings: [["profile", "reference-published"], ["backlog_napi", "backlog-threaded"], ["rps_cpus", "2"], ["hog_cpus", "1"], ["duration_ms", "5"]] },
    ];
    const { page, problems } = await open(browser, `${server.url}playground.html`);
    try {
      const browserDigests = await page.evaluate(async (cs) => {
        const model = (window as unknown as { bookModel: { request(o: string, r: unknown): Promise<{ op: string; digest?: string; message?: string }> } }).bookModel;
        const out: string[] = [];
        for (const c of cs) {
          const r = await model.request("digest-test", { op: "digest", settings: c.settings, scenario: c.scenario });
          out.push(r.op === "digest" ? r.digest! : `${r.op}: ${r.message}`);
        }
        return out;
      }, cases);
      expect(browserDigests).toEqual(cases.map((c) => simulate(resolveConfig(c.settings, { scenario: c.scenario })).digest));
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("every checked exercise of the registry has an answer form; a wrong answer is refused and a right one accepted, with check()'s lines", async () => {
    expect([...built.exercises].sort()).toEqual(EXERCISES.map((e) => e.id).sort());
    const html = fs.readFileSync(path.join(OUT, "01-backlog-napi.html"), "utf8");
    const { page, problems } = await open(browser, `${server.url}01-backlog-napi.html`);
    try {
      for (const ex of EXERCISES.filter((e) => e.notebook === "01-backlog-napi")) {
        const expected = ex.expected();
        const typed = typeof expected === "string" ? expected : JSON.stringify(expected);
        const wrong = ex.answer.kind === "choice" ? ex.answer.options.find((o) => o !== expected)! : typeof expected === "number" ? String(expected + 7) : "definitely-wrong";
        const form = page.locator(`form.exercise[data-exercise="${ex.id}"]`);
        for (const [text, correct] of [[wrong, false], [typed, true]] as const) {
          await form.locator("input[name=answer]").fill(text);
          await form.locator("button[type=submit]").click();
          await page.waitForFunction(({ id, t }) => {
            const s = (window as unknown as { bookExercises: Record<string, { state: string }> }).bookExercises[id]!;
            return s.state !== "checking" && (document.querySelector(`form.exercise[data-exercise="${id}"] input`) as HTMLInputElement).value === t;
          }, { id: ex.id, t: text });
          const v = await page.evaluate((id) => (window as unknown as { bookExercises: Record<string, { line: string; correct: boolean }> }).bookExercises[id]!, ex.id);
          expect(v.correct, `${ex.id} ${text}`).toBe(correct);
          if (correct) expect(v.line).toBe(exerciseVerdict(ex, expected));
          else expect(v.line).toContain(`is not it. Hint: ${ex.hint}`);
          expect(await form.locator(".verdict").textContent()).toBe(v.line);
        }
        // the expected answer is not in the page source (checked for answers of 3+ characters that the prose does not contain anyway)
        if (typed.length >= 3 && ex.answer.kind !== "choice" && !html.replace(/<form class="exercise"[\s\S]*?<\/form>/g, "").includes(typed)) expect(html).not.toContain(typed);
      }
      await page.screenshot({ path: path.join(ARTIFACTS, "01-backlog-napi-exercises.png"), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("works opened from file:// (the worker starts from a Blob)", async () => {
    const { page, problems } = await open(browser, `file://${path.join(OUT, "03-rps-ipi-vs-threads.html")}`);
    try {
      expect(await page.evaluate(() => (window as unknown as { bookModel: { mode: string } }).bookModel.mode)).toBe("worker");
      const fig = LIVE_FIGURES.find((f) => f.id === "03-rps-ipi-vs-threads/timeline-threads")!;
      const before = await liveState(page, fig.id);
      const after = await turn(page, fig.id, fig.tryThis);
      expect(after.state).toBe("redrawn");
      expect(after.digests).toEqual(runFigure(fig, { ...before.knobs, ...fig.tryThis }, "t").digests);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("without Web Workers the model runs on the main thread and the page says so", async () => {
    const { page, problems } = await open(browser, `${server.url}00-tour.html`, () => {
      delete (window as unknown as { Worker?: unknown }).Worker;
    });
    try {
      expect(await page.evaluate(() => (window as unknown as { bookModel: { mode: string } }).bookModel.mode)).toBe("main-thread");
      expect(await page.locator(".live-notice").textContent()).toMatch(/Web Workers are not available here .*the model runs on the page's main thread/);
      const fig = LIVE_FIGURES.find((f) => f.id === "00-tour/four-datagrams")!;
      const after = await turn(page, fig.id, fig.tryThis);
      expect(after.state).toBe("redrawn");
      expect(await page.locator(`form[data-live="${fig.id}"] .live-status`).textContent()).toMatch(/Re-run on the page's main thread/);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
