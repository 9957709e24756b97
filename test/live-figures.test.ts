/**
 * The live figures (src/live/figures.ts) against the committed notebooks: every chart of the book is
 * either live or listed in NOT_LIVE with a reason; each live figure matches exactly one chart and,
 * with no knob turned, rebuilds that chart exactly (so the committed output is a true first frame);
 * its knobs are configuration keys; a bad knob is refused with the CLI's own message; a turned knob
 * changes the chart's data; the figures built from an experiment module run that module's own
 * configs; 04's BH-lock figure finds its window in the new trace, or says there is none; 02's RFC
 * chart moves its model bars only, the published ones staying the dataset's; 05's calibrated bars
 * run the dataset's mirrored streams with the notebook's committed fit, draw the dataset's other
 * payload, refuse one it did not measure; 05's model timeline starts at the capture's rate and
 * re-finds its window; 09's model bars run each kernel's own configuration under the knobs; 08's
 * verdict charts re-run the verdict pass of claim-verdicts.ts at the knobs' scale, seed and claim,
 * as Node's evaluateClaims does, refuse a bad value in the CLI's words and title what they count.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KEYS } from "../src/config/schema";
import { makeConfig, resolveConfig } from "../src/config/parse";
import { ConfigError } from "../src/config/errors";
import { simulate } from "../src/sim/simulate";
import { timelineSpec } from "../src/charts/timeline";
import { LIVE_FIGURES, NOT_LIVE, NO_BH_LOCK_WINDOW_TITLE, figureConfigs, findLiveFigure, runFigure, specTitle } from "../src/live/figures";
import { NB05_CALIBRATED_PROFILE } from "../src/live/beside-real";
import { measuredDataset } from "../src/live/measured";
import { kernelBars } from "../src/live/kernels";
import { mirrorDataset } from "../src/calibrate/compare";
import { loadProfile } from "../src/calibrate/profiles";
import type { SimConfig } from "../src/config/schema";
import { deviceCase, streamCase } from "../src/experiments/kernel-cases";
import { loadRealKernels, streamSpread } from "../src/experiments/real-kernels";
import { firstDatagramWindow, medianSpacing } from "../src/experiments/trace-beside";
import { loadTraceDataset } from "../src/trace/index";
import { HANDOFF_WORKLOADS, MODES, handoffOverrides } from "../src/experiments/handoff-runs";
import { RPS_VARIANTS, rpsConditions, rpsConfig } from "../src/experiments/rps-matrix";
import { DESIGNS, LOSE_SETUPS, WIN_SETUPS, badPinning, hotplugDesigns } from "../src/experiments/c8";
import { BH_LOCK_SCENARIO, bhLockWindow } from "../src/experiments/rt";
import { PUBLISHED_CSV } from "../src/live/published";
import { loadPublishedFigures } from "../src/measure/dataset";
import { VEGALITE_MIMES, readNotebook } from "../scripts/lib/ipynb";
import { listNotebooks } from "../scripts/lib/run-notebook";
import { CLAIMS, claimSpec, claimsCounted, durationAt, type ClaimVerdict } from "../src/experiments/claim-verdicts";
import { claimVerdicts, evaluateClaims } from "../src/experiments/verdicts";
import { ALL_CLAIMS, verdictPass } from "../src/live/verdicts";

/** JSON with sorted keys: committed notebooks store specs with sorted keys. */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]));
  return v;
}

const charts = listNotebooks().flatMap((f) => readNotebook(f).cells.flatMap((c) => c.outputs ?? [])
  .map((o) => VEGALITE_MIMES.map((m) => o.data?.[m]).find((s) => s !== undefined))
  .filter((s) => s !== undefined)
  .map((spec) => ({ notebook: path.basename(f, ".ipynb"), spec, title: specTitle(spec) })));

describe("live figures against the committed notebooks", () => {
  it("every chart of the book is a live figure or listed in NOT_LIVE with a reason", () => {
    const unaccounted = charts.filter((c) => !LIVE_FIGURES.some((f) => f.title.test(c.title)) && !NOT_LIVE.some((n) => n.title.test(c.title)));
    expect(unaccounted.map((c) => `${c.notebook}: ${c.title}`)).toEqual([]);
    const both = charts.filter((c) => LIVE_FIGURES.some((f) => f.title.test(c.title)) && NOT_LIVE.some((n) => n.title.test(c.title)));
    expect(both.map((c) => c.title)).toEqual([]);
  });

  it("the README's count of live charts is the book's", () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, "..", "README.md"), "utf8");
    const m = /(\d+) of the book's (\d+)\s+\([\s\S]*?the other (\d+) have no simulated series/.exec(readme);
    expect(m, "the README's sentence on knobs").not.toBeNull();
    const live = charts.filter((c) => LIVE_FIGURES.some((f) => f.title.test(c.title))).length;
    expect(m!.slice(1, 4).map(Number)).toEqual([live, charts.length, charts.length - live]);
  });

  it.each(LIVE_FIGURES.map((f) => [f.id, f] as const))("%s rebuilds its committed chart exactly with no knob turned", (_id, fig) => {
    const matches = charts.filter((c) => fig.title.test(c.title));
    expect(matches.map((c) => c.title)).toHaveLength(1);
    const { spec } = runFigure(fig, {}, matches[0]!.title);
    expect(JSON.stringify(canon(spec))).toBe(JSON.stringify(canon(matches[0]!.spec)));
  });

  it("every knob is a configuration key and every base setting resolves", () => {
    for (const f of LIVE_FIGURES) {
      for (const k of f.knobs) expect(Object.keys(KEYS), f.id).toContain(k);
      expect(() => f.runs(f.base).map((s) => resolveConfig(s)), f.id).not.toThrow();
    }
  });

  it("every knob starts at the value the figure's runs really use (no run overrides a knob; a declared reference series keeps the default)", () => {
    for (const f of LIVE_FIGURES) {
      for (const k of f.knobs) {
        const start = f.base[k] ?? String(KEYS[k].default);
        const configs = f.runs(f.base).map((s) => resolveConfig(s));
        const reference = f.reference?.key === k ? String(KEYS[k].default) : undefined;
        for (const c of configs) expect([start, reference].filter((v) => v !== undefined), `${f.id} ${k}`).toContain(String(c[k]));
        expect(configs.some((c) => String(c[k]) === start), `${f.id} ${k}: no run uses the knob`).toBe(true);
        // and turning it reaches every run
        const turned = k === "duration_ms" ? "3" : k === "hog_cpus" ? "" : undefined;
        if (turned !== undefined && turned !== start) {
          for (const c of f.runs({ ...f.base, [k]: turned }).map((s) => resolveConfig(s))) expect(String(c[k]), `${f.id} ${k} turned`).toBe(turned);
        }
      }
    }
  });

  it("a bad knob value is refused with the CLI's message, before any run", () => {
    const fig = LIVE_FIGURES.find((f) => f.id === "00-tour/four-datagrams")!;
    let cli: unknown;
    try {
      resolveConfig({ rps_cpus: "zz" });
    } catch (e) {
      cli = e;
    }
    expect(cli).toBeInstanceOf(ConfigError);
    expect(() => runFigure(fig, { rps_cpus: "zz" }, "t")).toThrow((cli as Error).message);
    expect(() => runFigure(fig, { seed: "1" }, "t")).toThrow(/not one of its knobs/);
  });

  it("every knob of every figure refuses a bad value with the CLI's message for that key, before any run", () => {
    for (const f of LIVE_FIGURES) {
      for (const k of f.knobs) {
        let cli = "";
        try {
          resolveConfig({ [k]: "zz-bad" });
        } catch (e) {
          cli = (e as Error).message;
        }
        expect(cli, `${f.id} ${k}`).toMatch(new RegExp(`^${k}\\b`));
        expect(() => figureConfigs(f, { [k]: "zz-bad" }), `${f.id} ${k}`).toThrow(cli);
      }
    }
  });

  it("turning a knob changes the chart's data (RPS to CPU 1 moves NET_RX to CPU 1)", () => {
    const fig = LIVE_FIGURES.find((f) => f.id === "00-tour/four-datagrams")!;
    const base = runFigure(fig, {}, "t");
    const rps = runFigure(fig, { rps_cpus: "2" }, "t");
    expect(rps.digests).not.toEqual(base.digests);
    const delivered = (s: unknown) => ((s as { datasets: { events: { kind: string; cpu: number }[] } }).datasets.events)
      .filter((e) => e.kind === "deliver").map((e) => e.cpu);
    expect(new Set(delivered(base.spec))).toEqual(new Set([0]));
    expect(new Set(delivered(rps.spec))).toEqual(new Set([1]));
  });
});

describe("the figures of the experiment modules run the modules' own runs", () => {
  const configsOf = (id: string) => figureConfigs(findLiveFigure(id)!, {});

  it("02's hand-off bars and delay sweep: handoff-runs.ts's settings (published profile, 100 ms, RPS off, seed 1)", () => {
    const runs = HANDOFF_WORKLOADS.flatMap((w) => MODES.map((m) => makeConfig({ ...handoffOverrides(w, m), duration_ms: 100, rps_cpus: "0", seed: 1 })));
    expect(configsOf("02-loopback-handoff/relative-throughput")).toEqual(runs);
    expect(configsOf("02-loopback-handoff/switches-per-packet")).toEqual(runs);
    const delays = HANDOFF_WORKLOADS.flatMap((w) => [makeConfig({ ...handoffOverrides(w), duration_ms: 100, seed: 1 }),
      ...[0, 2_000, 10_000, 50_000].map((d) => makeConfig({ ...handoffOverrides(w, "threads-always", d), duration_ms: 100, seed: 1 }))]);
    expect(configsOf("02-loopback-handoff/handoff-delay")).toEqual(delays);
  });

  it("03's run matrix: the 24 configs of rps-matrix.ts, in its order", () => {
    expect(configsOf("03-rps-ipi-vs-threads/matrix")).toEqual(rpsConditions().flatMap((c) => RPS_VARIANTS.map((v) => rpsConfig(c, v, { duration_ms: 100 }))));
  });

  it("10's comparisons: c8.ts's setups under each design (50 ms, seed 1), its pinning plan, RT placement and hotplug flood", () => {
    const design = (setups: Record<string, object>) => Object.values(setups).flatMap((o) => DESIGNS.map((mode) => makeConfig({ ...o, duration_ms: 50, seed: 1, backlog_napi: mode })));
    expect(configsOf("10-unpinned-backlog-threads/wins-throughput")).toEqual(design(WIN_SETUPS));
    expect(configsOf("10-unpinned-backlog-threads/pingpong-rtt")).toEqual(design(LOSE_SETUPS));
    expect(configsOf("10-unpinned-backlog-threads/hog-cpu-time")).toEqual(design({ hog: WIN_SETUPS["hog on the RPS target"]! }));
    expect(configsOf("10-unpinned-backlog-threads/bad-pinning")).toEqual(badPinning({ duration_ms: 1 }).map((p) => makeConfig({ scenario: "loopback-4cpu-4flows", duration_ms: 50, seed: 1, backlog_napi: p.mode, backlog_thread_cpus: p.mask })));
    expect(configsOf("10-unpinned-backlog-threads/rt-placement")).toEqual((["threads", "backlog-threaded-intent"] as const).map((mode) =>
      makeConfig({ ...WIN_SETUPS["hog on the RPS target"]!, preempt: "rt", rt_task_cpu: 2, duration_ms: 50, seed: 1, backlog_napi: mode })));
    expect(configsOf("10-unpinned-backlog-threads/hotplug-backlog")).toEqual(hotplugDesigns().map((h) => h.result.config));
  });
});

describe("04's BH-lock timeline finds its window again", () => {
  const fig = findLiveFigure("04-preempt-rt/bh-lock")!;
  const window = (spec: unknown) => {
    const s = spec as { title: unknown; datasets: Record<string, unknown> };
    return { title: specTitle(s), spec: JSON.stringify(canon(s)) };
  };

  it("a turned knob: the window around the first boost of the new trace (rt.ts bhLockWindow), not the notebook's", () => {
    const knobs = { nic_batch: "4" };
    const run = simulate(resolveConfig({ ...fig.base, ...knobs }));
    const found = bhLockWindow(run).window;
    expect(found).not.toBeNull();
    expect(found).not.toEqual(bhLockWindow(simulate(makeConfig(BH_LOCK_SCENARIO))).window);
    const live = runFigure(fig, knobs, "the notebook's title");
    expect(window(live.spec)).toEqual(window(timelineSpec(run, { title: "the notebook's title", ...found! })));
  });

  it("a configuration without a boost (no PREEMPT_RT; or v6.10's threads, whose IRQ thread never waits for backlog_napi/1) says so in the title", () => {
    for (const knobs of [{ preempt: "full" }, { backlog_napi: "threads" }] as Record<string, string>[]) {
      const live = runFigure(fig, knobs, "the notebook's title");
      expect(specTitle(live.spec), JSON.stringify(knobs)).toBe(NO_BH_LOCK_WINDOW_TITLE);
      expect(bhLockWindow(simulate(resolveConfig({ ...fig.base, ...knobs }))).window).toBeNull();
    }
  });
});

describe("charts beside published or measured figures (02's RFC chart, 04b's flood ratios, 03's measured VM, 05's and 09's real bars)", () => {
  const fig = findLiveFigure("02-loopback-handoff/rfc-vs-published")!;
  const bars = (spec: unknown) => (spec as { data: { values: { label: string; series: string; value: number }[] } }).data.values;
  const published = loadPublishedFigures(path.join(import.meta.dirname, "..", PUBLISHED_CSV)).rows;

  it("a knob moves the model's bars only; the published bars are the dataset's, and the figure says they stay fixed", () => {
    const base = bars(runFigure(fig, {}, "t").spec);
    const turned = bars(runFigure(fig, { payload_bytes: "1400" }, "t").spec);
    const pub = (rows: typeof base) => rows.filter((r) => r.series === "published (kernel test robot)");
    const model = (rows: typeof base) => rows.filter((r) => r.series === "model");
    expect(pub(turned)).toEqual(pub(base));
    expect(pub(base).map((r) => r.value)).toEqual(["stress-ng UDP throughput change with the RFC", "netperf UDP_RR transaction rate change with the RFC", "context switch change with the RFC"]
      .map((m) => published.find((r) => r.metric === m)!.value));
    expect(model(turned).map((r) => r.value)).not.toEqual(model(base).map((r) => r.value));
    expect(fig.fixed).toContain(PUBLISHED_CSV);
  });

  it.each(LIVE_FIGURES.filter((f) => f.fixed !== undefined).map((f) => [f.id, f] as const))("%s: its published or measured bars do not move with its try-this change, its model bars do", (_id, f) => {
    const base = bars(runFigure(f, {}, "t").spec);
    const turned = bars(runFigure(f, f.tryThis, "t").spec);
    const isPub = (r: { series: string }) => r.series.startsWith("published") || r.series.startsWith("measured") || r.series.startsWith("real");
    expect(base.filter(isPub).length).toBeGreaterThan(0);
    expect(turned.filter(isPub)).toEqual(base.filter(isPub));
    expect(turned.filter((r) => !isPub(r))).not.toEqual(base.filter((r) => !isPub(r)));
  });
});

describe("05's charts beside the real VM", () => {
  const bars = (spec: unknown) => (spec as { data: { values: { label: string; series: string; value: number; min?: number; max?: number }[] } }).data.values;
  const fig = findLiveFigure("05-reproduce-on-your-machine/real-model-calibrated")!;
  const ds = measuredDataset();

  it("its runs are the dataset's streams mirrored by compare.ts: the default table, then the profile (the notebook's own fit, committed)", () => {
    const streams = { ...ds, summary: ds.summary.filter((r) => r.mode === "stream" && Number(r.payload_bytes) === 64) };
    const strip = (c: SimConfig) => ({ ...c, profile: "" });
    expect(figureConfigs(fig, {}).map(strip)).toEqual([
      ...mirrorDataset(streams, { duration_ms: 50 }),
      ...mirrorDataset(streams, { duration_ms: 50, costs: loadProfile(NB05_CALIBRATED_PROFILE).costs }),
    ].map((m) => m.config));
    expect(figureConfigs(fig, {}).slice(8).every((c) => c.profile === NB05_CALIBRATED_PROFILE)).toBe(true);
  });

  it("payload_bytes draws the dataset's other stream payload (its real rows, the title says which); a payload it did not measure is refused", () => {
    const big = runFigure(fig, { payload_bytes: "1024" }, "64 B stream: the real VM, the model, the calibrated model");
    expect(specTitle(big.spec)).toBe("1024 B stream: the real VM, the model, the calibrated model");
    const real = bars(big.spec).filter((r) => r.series.startsWith("real"));
    const rows = ds.summary.filter((r) => r.mode === "stream" && r.payload_bytes === 1024 && r.rps !== "both");
    for (const r of rows) {
      const label = String(r.config_id).replace("stream-1024b-", "").replace("-recv_", ", receiver ").replace("rps_", "RPS ");
      expect(real.find((b) => b.label === label)!.value, label).toBe((r.received_pps_median as number) / 1000);
    }
    let cli = "";
    try {
      figureConfigs(fig, { payload_bytes: "100" });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      cli = (e as Error).message;
    }
    expect(cli).toBe('payload_bytes: "100" is not one this chart can draw: expected one of 64, 1024');
    // a value the CLI refuses gets the CLI's message first
    expect(() => figureConfigs(fig, { payload_bytes: "-1" })).toThrow(/^payload_bytes: "-1" is not allowed/);
  });

  it("the profile knob moves the calibrated bars only; the default-costs bars keep the default table", () => {
    const base = bars(runFigure(fig, {}, "t").spec);
    const none = bars(runFigure(fig, { profile: "" }, "t").spec);
    const series = (rows: typeof base, s: string) => rows.filter((r) => r.series === s).map((r) => r.value);
    expect(series(none, "model, default costs")).toEqual(series(base, "model, default costs"));
    // no profile: the calibrated bars are the default table's, bar for bar
    expect(series(none, "model, no profile (the default table again)")).toEqual(series(base, "model, default costs"));
  });

  it("the model timeline starts at the capture's rate (its median spacing) and finds its window again in each run", () => {
    const tl = findLiveFigure("05-reproduce-on-your-machine/model-beside-capture")!;
    const gap = medianSpacing(loadTraceDataset("lo-udp-other-cpu-paced").records);
    expect(tl.base.rate_pps).toBe(String(Math.round(1e9 / gap)));
    const knobs = { rps_cpus: "2", profile: "kvm-epyc-2cpu-lean" };
    const run = simulate(resolveConfig({ ...tl.base, ...knobs }));
    const w = firstDatagramWindow(run.trace!.records)!;
    const live = runFigure(tl, knobs, `Model: the same workload (${tl.base.rate_pps} datagrams/s), default costs, the first datagram`);
    expect(JSON.stringify(canon(live.spec))).toBe(JSON.stringify(canon(timelineSpec(run, { title: `Model: the same workload (${tl.base.rate_pps} datagrams/s), profile kvm-epyc-2cpu-lean, the first datagram`, ...w }))));
    expect(w.to_ns - w.from_ns).toBe(180_000);
    expect(w.from_ns).toBe(Math.max(0, run.trace!.records.find((r) => r.event === "net:netif_rx")!.ts - 10_000));
  });
});

describe("09's charts beside real kernels in QEMU", () => {
  it("each model bar is its kernel's own configuration with the knobs on the rest of the case; the kernel's keys are not knobs", () => {
    for (const id of ["09-real-kernels/ipis-per-packet", "09-real-kernels/datagrams-lost"]) {
      const fig = findLiveFigure(id)!;
      expect(figureConfigs(fig, { idle: "halt" })).toEqual(kernelBars().stream.map((k) => makeConfig({ ...streamCase(k.model, "poll"), idle: "halt" })));
      for (const k of ["backlog_napi", "preempt", "ksoftirqd_policy", "hz"]) expect(fig.knobs as string[]).not.toContain(k);
    }
    const dev = findLiveFigure("09-real-kernels/device-flood-loss")!;
    expect(figureConfigs(dev, {})).toEqual(kernelBars().device.map((k) => makeConfig(deviceCase(k.model, "poll", 1))));
  });

  it("the real bars are the datasets' medians and ranges, per kernel in the notebook's order", () => {
    const ds = loadRealKernels();
    const spec = runFigure(findLiveFigure("09-real-kernels/ipis-per-packet")!, { hog_cpus: "1" }, "t").spec as { data: { values: { label: string; series: string; value: number; min: number; max: number }[] } };
    const real = spec.data.values.filter((v) => v.series === "real kernel (QEMU TCG)");
    expect(real.map((v) => v.label)).toEqual(ds.map((d) => d.guest.kernel_name));
    expect(real.map((v) => [v.value, v.min, v.max])).toEqual(ds.map((d) => {
      const s = streamSpread(d, "ipis_per_packet");
      return [s.median, s.min, s.max];
    }));
  });
});

describe("08's verdict charts: the verdict pass with a run-length scale, a seed and a claim", () => {
  const CSV = path.join(import.meta.dirname, "..", PUBLISHED_CSV);
  const counts = findLiveFigure("08-verdicts/verdict-counts")!;
  const perClaim = findLiveFigure("08-verdicts/verdict-per-claim")!;
  const bars = (spec: unknown) => (spec as { data: { values: { label: string; series: string; value: number }[] } }).data.values;
  const cliMessage = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error("not refused");
  };
  /** Node's own pass: evaluateClaims with the claims' run lengths at `scale` (robustness.ts's grid) and `seed`. */
  const node = (scale: number, seed: number, claims = CLAIMS.map((c) => c.claim)) =>
    evaluateClaims(CSV, { seed, claims, durations: Object.fromEntries(claims.map((c) => [c, durationAt(claimSpec(c), scale)])) });
  const countsOf = (vs: ClaimVerdict[]) => ["reproduced", "reproduced under conditions", "not reproduced", "not testable in the model"].map((k) => vs.filter((v) => v.verdict === k).length);

  it("the notebook's values are claimVerdicts' pass: scale 1, seed 1, every claim", () => {
    expect(verdictPass(counts.base)).toEqual(claimVerdicts(CSV));
    expect(counts.base).toEqual({ seed: "1", scale: "1", claim: ALL_CLAIMS });
    expect(counts.params!.map((p) => [p.key, p.values, p.start])).toEqual([["scale", ["0.4", "1", "2"], "1"], ["claim", ["all", ...CLAIMS.map((c) => c.claim)], "all"]]);
  });

  it("a turned scale and seed give Node's pass at the same run lengths and seed, claim for claim (the digests fingerprint each claim's outcome)", () => {
    const knobs = { scale: "0.4", seed: "3" };
    const want = node(0.4, 3);
    expect(verdictPass({ ...counts.base, ...knobs })).toEqual(want);
    const run = runFigure(counts, knobs, "t");
    expect(bars(run.spec).map((b) => b.value)).toEqual(countsOf(want));
    expect(specTitle(run.spec)).toBe(`${claimsCounted(want)} in the model`);
    expect(run.digests.map((d) => d.split(":")[0])).toEqual(want.map((v) => v.claim));
    const per = runFigure(perClaim, knobs, "t");
    expect(bars(per.spec).map((b) => [b.label, b.series])).toEqual(want.map((v) => [v.claim, v.verdict]));
    expect(per.digests).toEqual(run.digests);
    // a different outcome has different fingerprints
    expect(runFigure(counts, { seed: "3" }, "t").digests).not.toEqual(runFigure(counts, {}, "t").digests);
  });

  it("the try-this change (seed 3) flips C8, as the robustness table says, and the chart's data moves", () => {
    expect(perClaim.tryThis).toEqual({ seed: "3" });
    const before = bars(runFigure(perClaim, {}, "t").spec);
    const after = bars(runFigure(perClaim, perClaim.tryThis, "t").spec);
    expect(after.find((b) => b.label === "C8")!.series).not.toBe(before.find((b) => b.label === "C8")!.series);
    expect(bars(runFigure(counts, counts.tryThis, "t").spec)).not.toEqual(bars(runFigure(counts, {}, "t").spec));
  });

  it("the claim knob runs one claim, and the title says which", () => {
    const one = runFigure(counts, { claim: "C12", scale: "2" }, "t");
    expect(specTitle(one.spec)).toBe("Claim C12 of dad6b9770263 in the model");
    expect(bars(one.spec).map((b) => b.value)).toEqual(countsOf(node(2, 1, ["C12"])));
    expect(one.digests).toHaveLength(1);
    expect(specTitle(runFigure(counts, { claim: "R1" }, "t").spec)).toBe("The rival patch's claim (R1) in the model");
    expect(bars(runFigure(perClaim, { claim: "R1" }, "t").spec).map((b) => b.label)).toEqual(["R1"]);
  });

  it("bad input is refused before any work: the seed in the CLI's words, scale and claim naming their values", () => {
    const cli = cliMessage(() => resolveConfig({ seed: "-1" }));
    expect(cli).toMatch(/^seed: "-1" is not allowed/);
    expect(cliMessage(() => runFigure(counts, { seed: "-1" }, "t"))).toBe(cli);
    expect(cliMessage(() => runFigure(counts, { scale: "3" }, "t"))).toBe('scale: "3" is not allowed: expected one of 0.4, 1, 2 (run length as a multiple of each claim\'s notebook run length (the robustness grid\'s))');
    expect(cliMessage(() => runFigure(perClaim, { claim: "C99" }, "t"))).toMatch(/^claim: "C99" is not allowed: expected one of all, C1, C2, .*, C15, R1 \(the claims to evaluate\)$/);
    expect(() => runFigure(counts, { duration_ms: "5" }, "t")).toThrow(/not one of its knobs \(seed, scale, claim\)/);
  });

  it("progress counts the claims of the pass", () => {
    const seen: Array<[number, number]> = [];
    runFigure(counts, { claim: "C3" }, "t", (d, t) => seen.push([d, t]));
    expect(seen).toEqual([[1, 1]]);
    const all: number[] = [];
    verdictPass({ scale: "0.4" }, (d) => all.push(d));
    expect(all).toEqual(CLAIMS.map((_, i) => i + 1));
  });
});
