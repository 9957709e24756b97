/**
 * `npm run bench:book`: how live the living book feels. Builds the book, opens it in headless
 * Chromium (Debian's, as the tests do) and times, from the knob change to the redrawn chart:
 * the tour's per-CPU timeline over a 20 ms simulated run, the tour's CPU-time chart (20 ms flat-out
 * stream), three sweep charts, the largest notebook 03's run matrix (24 runs of 100 ms), and the
 * charts beside real data of notebooks 05 and 09 (05's model timeline, its 16-run calibrated bars,
 * 09's six QEMU kernels), and notebook 08's verdict pass (every claim's experiments, at the
 * notebooks' run lengths and at twice them; fewer changes, each takes seconds). Each
 * case alternates two knob values (neither the notebook's own, which would just bring the committed
 * frame back); the first `--warmup` changes
 * are not counted. Prints the median, the 90th percentile and the fastest of the total time, and the
 * model's own share (goal: under 100 ms for a single 20 ms-simulated run). A benchmark, not a test.
 * Usage: npm run bench:book [-- --repeat 10 --warmup 2 --json --only 08]  (--only: the cases whose page or label contains the text)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildBook } from "../scripts/build-book";
import { launchChromium, serveStatic } from "../scripts/lib/browser";

interface Case {
  label: string;
  page: string;
  figure: string;
  /** Knobs set once before timing. */
  setup: Record<string, string>;
  /** The two settings alternated while timing. */
  alternate: [Record<string, string>, Record<string, string>];
  /** At most this many timed changes (a case whose change takes seconds). */
  maxRepeat?: number;
}

const CASES: Case[] = [
  { label: "tour timeline, 20 ms simulated (1 run)", page: "00-tour", figure: "00-tour/four-datagrams", setup: { duration_ms: "20" }, alternate: [{ rps_cpus: "2" }, { rps_cpus: "0" }] },
  { label: "tour CPU time, 20 ms flat out (1 run)", page: "00-tour", figure: "00-tour/cpu-time", setup: {}, alternate: [{ rps_cpus: "2" }, { rps_cpus: "3" }] },
  { label: "sweep: one kick per batch (3 runs x 40 ms)", page: "01-backlog-napi", figure: "01-backlog-napi/one-kick-per-batch", setup: {}, alternate: [{ rate_pps: "400000" }, { rate_pps: "200000" }] },
  { label: "sweep: packets per RPS IPI (6 runs x 50 ms)", page: "03-rps-ipi-vs-threads", figure: "03-rps-ipi-vs-threads/packets-per-ipi", setup: {}, alternate: [{ backlog_napi: "threads" }, { backlog_napi: "threads-always" }] },
  { label: "sweep: 03's run matrix (24 runs x 100 ms)", page: "03-rps-ipi-vs-threads", figure: "03-rps-ipi-vs-threads/matrix", setup: {}, alternate: [{ payload_bytes: "1400" }, { payload_bytes: "512" }] },
  { label: "05's model beside the capture (1 traced run, 2 ms)", page: "05-reproduce-on-your-machine", figure: "05-reproduce-on-your-machine/model-beside-capture", setup: {}, alternate: [{ rps_cpus: "2" }, { rps_cpus: "3" }] },
  { label: "05's calibrated bars (16 runs x 50 ms)", page: "05-reproduce-on-your-machine", figure: "05-reproduce-on-your-machine/real-model-calibrated", setup: {}, alternate: [{ profile: "kvm-epyc-2cpu-lean" }, { profile: "reference-published" }] },
  { label: "09's IPIs per packet, QEMU kernels (6 runs x 20 ms)", page: "09-real-kernels", figure: "09-real-kernels/ipis-per-packet", setup: {}, alternate: [{ rps_cpus: "3" }, { rps_cpus: "1" }] },
  { label: "08's verdict pass, 16 claims at scale 1", page: "08-verdicts", figure: "08-verdicts/verdict-counts", setup: {}, alternate: [{ seed: "2" }, { seed: "3" }], maxRepeat: 4 },
  { label: "08's verdict pass, 16 claims at scale 2", page: "08-verdicts", figure: "08-verdicts/verdict-counts", setup: { scale: "2" }, alternate: [{ seed: "2" }, { seed: "3" }], maxRepeat: 4 },
];

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const repeat = arg("repeat", 10);
const warmup = arg("warmup", 2);
const json = process.argv.includes("--json");
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] ?? "" : "";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "softnet-bench-book-"));
const browser = await launchChromium();
const server = await serveStatic(out);
const rows: Record<string, string | number>[] = [];
try {
  await buildBook(out);
  for (const c of CASES.filter((x) => x.page.includes(only) || x.label.includes(only))) {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}${c.page}.html`, { waitUntil: "load" });
    await page.waitForFunction(() => (window as unknown as { bookLiveReady?: boolean }).bookLiveReady === true && (window as unknown as { bookCharts?: unknown }).bookCharts !== undefined);
    await page.evaluate(() => (window as unknown as { bookCharts: Promise<unknown> }).bookCharts);
    // A string, not a closure: tsx's name-keeping helper (__name) does not exist in the page.
    const n = Math.min(repeat, c.maxRepeat ?? repeat) + warmup;
    const timings = (await page.evaluate(`(async () => {
      const id = ${JSON.stringify(c.figure)}, setup = ${JSON.stringify(c.setup)}, alternate = ${JSON.stringify(c.alternate)}, n = ${n};
      const form = document.querySelector('form.knobs[data-live="' + id + '"]');
      async function set(knobs) {
        for (const [k, v] of Object.entries(knobs)) form.querySelector('[data-key="' + k + '"]').value = v;
        form.querySelector("[data-key]").dispatchEvent(new Event("change", { bubbles: true }));
        await window.bookLive[id].pending;
        if (window.bookLive[id].state !== "redrawn") throw new Error(id + ": " + window.bookLive[id].state);
        return window.bookLive[id].timing;
      }
      if (Object.keys(setup).length > 0) await set(setup);
      const t = [];
      for (let i = 0; i < n; i++) t.push(await set(alternate[i % 2]));
      return t;
    })()`)) as { total_ms: number; model_ms: number }[];
    await page.close();
    const counted = timings.slice(warmup);
    const total = counted.map((t) => t.total_ms);
    const model = counted.map((t) => t.model_ms);
    rows.push({
      chart: c.label,
      changes: counted.length,
      median_ms: Math.round(quantile(total, 0.5)),
      p90_ms: Math.round(quantile(total, 0.9)),
      fastest_ms: Math.round(Math.min(...total)),
      model_median_ms: Math.round(quantile(model, 0.5)),
    });
  }
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(out, { recursive: true, force: true });
}

if (json) {
  console.log(JSON.stringify({ cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "", rows }, null, 2));
} else {
  console.log(`knob change -> redrawn chart in headless Chromium (${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? "?"}); ${repeat} changes each (08's verdict pass: fewer, see "changes") after ${warmup} warm-up changes`);
  const headers = ["chart", "changes", "median_ms", "p90_ms", "fastest_ms", "model_median_ms"];
  const width = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)));
  console.log(headers.map((h, i) => h.padEnd(width[i]!)).join("  "));
  for (const r of rows) console.log(headers.map((h, i) => (i === 0 ? String(r[h]).padEnd(width[i]!) : String(r[h]).padStart(width[i]!))).join("  "));
}
