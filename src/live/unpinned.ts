/**
 * The live figures of notebook 10 (claim C8: v6.10's pinned backlog threads against OpenWrt's
 * unpinned napi/backlog-<n>): each is the run plan of src/experiments/c8.ts as text, so the book
 * re-runs exactly the notebook's runs with the reader's knobs layered on top. Browser-safe.
 */
import type { ConfigOverrides } from "../config/parse";
import type { BacklogNapiMode, ScalarKey } from "../config/schema";
import type { SimResult } from "../observe/types";
import { DESIGNS, DESIGN_LABELS, HOTPLUG_DESIGN_SETUP, LOSE_SETUPS, WIN_SETUPS, hotplugDesignRun, type HotplugDesignRun } from "../experiments/c8";
import { barsSpec } from "../charts/bars";
import { busySpec } from "../charts/busy";
import { linesSpec } from "../charts/lines";
import { timelineSpec } from "../charts/timeline";
import { asText, one, timeline, type LiveFigure, type TextSettings } from "./kit";

const NB = "10-unpinned-backlog-threads";
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One run per (setup, design): the setup's settings win over the knobs (they are the comparison), then the design. */
interface DesignPlanRun { setup: string; mode: BacklogNapiMode; settings: TextSettings }

function designPlan(setups: Record<string, ConfigOverrides>, s: TextSettings): DesignPlanRun[] {
  const out: DesignPlanRun[] = [];
  for (const [setup, o] of Object.entries(setups)) for (const mode of DESIGNS) out.push({ setup, mode, settings: { ...s, ...asText(o), backlog_napi: mode } });
  return out;
}

/** The knobs the design comparisons share: none of them is set by a setup. */
const DESIGN_KNOBS: ScalarKey[] = ["payload_bytes", "preempt", "idle", "netdev_budget", "dev_rx_weight", "duration_ms"];
/** c8.ts's runs: 50 ms, seed 1. */
const DESIGN_BASE: TextSettings = { duration_ms: "50", seed: "1" };

const HOG_SETUP = "hog on the RPS target";

/** c8.ts rtPlacement as text: the hog setup on PREEMPT_RT with the latency task on CPU 2. */
const RT_PLACEMENT: ConfigOverrides = { ...WIN_SETUPS[HOG_SETUP]!, preempt: "rt", rt_task_cpu: 2 };
const RT_MODES = ["threads", "backlog-threaded-intent"] as const;

/** c8.ts badPinning's runs: [design, backlog_thread_cpus]. */
const PINNING: Array<[BacklogNapiMode, string]> = [["threads", ""], ["backlog-threaded-intent", ""], ["backlog-threaded-intent", "0"], ["backlog-threaded-intent", "1"]];

/** A traced run of a LOSE_SETUPS ping-pong under a design (c8.ts tracedRun), drawn as the per-CPU timeline. */
function pingPongTimeline(id: string, title: RegExp, setup: string, mode: BacklogNapiMode, toNs: number, knobs: ScalarKey[], tryThis: TextSettings): LiveFigure {
  return timeline(`${NB}/${id}`, NB, title,
    { ...asText(LOSE_SETUPS[setup]!), backlog_napi: mode, duration_ms: String(Math.max(1, Math.ceil(toNs / 1e6))), trace: "true", trace_ns: String(toNs) },
    knobs, tryThis);
}

export const UNPINNED_FIGURES: readonly LiveFigure[] = [
  ...(["backlog-threaded", "backlog-threaded-intent"] as const).map((mode) => pingPongTimeline(`pingpong-rps-${mode}`,
    new RegExp(`^Ping-pong with RPS to CPU 1, ${esc(DESIGN_LABELS[mode]!)}$`), "ping-pong, RPS to CPU 1", mode, 90_000,
    ["payload_bytes", "preempt", "idle", "backlog_thread_cpus"], { backlog_thread_cpus: "0" })),
  {
    id: `${NB}/wins-throughput`, notebook: NB, title: /^Delivered throughput: backlog work piled on one CPU, another idle$/,
    knobs: DESIGN_KNOBS, base: DESIGN_BASE, tryThis: { payload_bytes: "1400" },
    runs: (s) => designPlan(WIN_SETUPS, s).map((r) => r.settings),
    chart: (rs, t, s) => barsSpec(designPlan(WIN_SETUPS, s).map((p, i) => ({ label: p.setup, series: DESIGN_LABELS[p.mode]!, value: rs[i]!.throughput_pps.received / 1000 })),
      { title: t, yTitle: "received (kpps)", xTitle: "" }),
  },
  {
    id: `${NB}/hog-cpu-time`, notebook: NB, title: /^Where the CPU time went: hog on the RPS target \(CPU 1\), CPU 2 idle$/,
    knobs: DESIGN_KNOBS, base: DESIGN_BASE, tryThis: { preempt: "rt" },
    runs: (s) => designPlan({ [HOG_SETUP]: WIN_SETUPS[HOG_SETUP]! }, s).map((r) => r.settings),
    chart: (rs, t) => busySpec(rs.map((result, i) => ({ label: DESIGN_LABELS[DESIGNS[i]!]!, result })), { title: t }),
  },
  ...(["threads", "backlog-threaded-intent"] as const).map((mode): LiveFigure => ({
    id: `${NB}/hog-on-target-${mode}`, notebook: NB,
    title: new RegExp(`^Hog on the RPS target, 3\\.5 to 6 ms: ${esc(DESIGN_LABELS[mode]!)}$`),
    knobs: mode === "threads" ? ["hog_cpus", "rps_cpus", "payload_bytes", "preempt"] : ["hog_cpus", "rps_cpus", "payload_bytes", "preempt", "backlog_thread_cpus"],
    // c8.ts WIN_SETUPS["hog on the RPS target"] traced by tracedRun to 6 ms
    base: { ...asText(WIN_SETUPS[HOG_SETUP]!), backlog_napi: mode, duration_ms: "6", trace: "true", trace_ns: "6000000" },
    tryThis: { hog_cpus: "" },
    runs: one,
    chart: (r, t) => timelineSpec(r[0]!, { from_ns: 3_500_000, to_ns: 6_000_000, title: t }),
  })),
  {
    id: `${NB}/pingpong-rtt`, notebook: NB, title: /^Round-trip latency \(p50\) of a loopback ping-pong$/,
    knobs: DESIGN_KNOBS, base: DESIGN_BASE, tryThis: { preempt: "rt" },
    runs: (s) => designPlan(LOSE_SETUPS, s).map((r) => r.settings),
    // a design that delivers nothing (the patch as carried, with RPS) has no round trip: no bar
    chart: (rs, t, s) => barsSpec(designPlan(LOSE_SETUPS, s).flatMap((p, i) => {
      const lat = rs[i]!.latency_ns;
      return lat === null ? [] : [{ label: p.setup, series: DESIGN_LABELS[p.mode]!, value: lat.p50 / 1000 }];
    }), { title: t, yTitle: "round trip (µs)", xTitle: "" }),
  },
  pingPongTimeline("pingpong-rps-off-timeline", /^Ping-pong, RPS off, unpinned threads: each backlog polled from the other CPU$/,
    "ping-pong, RPS off", "backlog-threaded-intent", 130_000, ["backlog_napi", "payload_bytes", "preempt", "idle", "backlog_thread_cpus"], { backlog_napi: "threads" }),
  {
    id: `${NB}/bad-pinning`, notebook: NB, title: /^A taskset of every napi\/backlog-<n> to one CPU$/,
    knobs: DESIGN_KNOBS, base: DESIGN_BASE, tryThis: { payload_bytes: "1400" },
    runs: (s) => PINNING.map(([mode, mask]) => ({ ...s, ...asText({ scenario: "loopback-4cpu-4flows" }), backlog_napi: mode, backlog_thread_cpus: mask })),
    chart: (rs, t) => barsSpec(PINNING.map(([mode, mask], i) => ({
      label: mode === "threads" ? "pinned (v6.10)" : mask === "" ? "unpinned, free" : `unpinned, all on CPU ${mask}`,
      series: "4 flows, 4 CPUs", value: rs[i]!.throughput_pps.received / 1000,
    })), { title: t, yTitle: "received (kpps)", xTitle: "" }),
  },
  {
    id: `${NB}/hotplug-backlog`, notebook: NB, title: /^Packets in CPU 1's backlog \(CPU 1 offline from 2 to 3 ms\)$/,
    knobs: ["hotplug", "rate_pps", "nic_batch", "netdev_max_backlog", "netdev_budget"],
    base: { ...asText(HOTPLUG_DESIGN_SETUP), profile: "", seed: "1" },
    tryThis: { rate_pps: "500000" },
    runs: (s) => DESIGNS.map((mode) => ({ ...s, backlog_napi: mode })),
    sample: (c) => {
      const r = hotplugDesignRun(c);
      return { result: r.result, samples: r };
    },
    // every second 50 µs sample, as the notebook draws it
    chart: (_results, t, _settings, rs) => linesSpec((rs as HotplugDesignRun[]).flatMap((h) => h.samples.filter((_s, i) => i % 2 === 1).map((x) => ({ label: x.t_us, series: h.label, value: x.backlog1 }))),
      { title: t, yTitle: "packets queued", xTitle: "time (µs)" }),
  },
  {
    id: `${NB}/rt-placement`, notebook: NB, title: /^PREEMPT_RT: the latency task on the CPU the unpinned thread moves to$/,
    knobs: ["payload_bytes", "rt_task_prio", "rt_task_period_us", "netdev_budget", "duration_ms"],
    base: DESIGN_BASE, tryThis: { rt_task_period_us: "50" },
    runs: (s) => RT_MODES.map((mode) => ({ ...s, ...asText(RT_PLACEMENT), backlog_napi: mode })),
    chart: (rs, t) => barsSpec(rs.map((r: SimResult, i) => ({
      label: DESIGN_LABELS[RT_MODES[i]!]! + (r.warnings.some((x) => x.includes("hypothetical")) ? " (hypothetical)" : ""),
      series: "max wakeup latency on CPU 2", value: r.wakeup_latency_ns!.max / 1000,
    })), { title: t, yTitle: "max wakeup latency (µs)", xTitle: "" }),
  },
];
