/**
 * Live figures: the simulated charts of the notebooks, each described as data the book can re-run
 * in the reader's browser: the notebook cell's settings, the configuration keys a reader may turn
 * (the knobs), the runs behind the chart and the builder that draws it. The book matches each entry
 * to the committed chart by its title; the committed output stays the first frame. Notebook 10's
 * figures are in ./unpinned.ts, the model beside real measurements of 05 and 09 in ./beside-real.ts,
 * notebook 08's verdict pass in ./verdicts.ts.
 * Browser-safe (no Node import but ./published.ts, ./measured.ts, ./capture.ts and ./kernels.ts,
 * which the book's bundle swaps for embedded rows): the book's Web Worker and the Node tests run the same code.
 */
import { resolveConfig } from "../config/parse";
import { badValue } from "../config/errors";
import { findScenario } from "../config/scenarios";
import { KEYS, type BacklogNapiMode, type ScalarKey, type SimConfig, type WorkloadName } from "../config/schema";
import type { SimResult } from "../observe/types";
import { simulate } from "../sim/simulate";
import { BH_LOCK_SCENARIO, POLICY_RUNS, RT_KERNELS, bhLockWindow, floodRatios, policyOverrides, policyRow, whereNetRxRuns } from "../experiments/rt";
import { HANDOFF_WORKLOADS, MODES, MODE_LABELS, handoffOverrides, handoffRate, handoffRow, rfcRegressionRows } from "../experiments/handoff-runs";
import { REAL_VS_MODEL_CASES, RPS_VARIANTS, RPS_VARIANT_LABELS, realVsModelBars, realVsModelOverrides, realVsModelRow, rpsConditions, rpsOverrides, shortConditionLabel, type RpsCondition, type RpsVariant } from "../experiments/rps-matrix";
import { hotplugSamples, type HotplugRun } from "../experiments/hotplug";
import { barsSpec } from "../charts/bars";
import { cdfSpec } from "../charts/cdf";
import { busySpec } from "../charts/busy";
import { linesSpec } from "../charts/lines";
import type { VlSpec } from "../charts/spec";
import { timelineSpec } from "../charts/timeline";
import { asText, one, sweepOf, timeline, TIMELINE_KNOBS, type LiveFigure, type TextSettings } from "./kit";
import { MEASURED_DATASET, measuredSummary } from "./measured";
import { PUBLISHED_CSV, publishedRows } from "./published";
import { UNPINNED_FIGURES } from "./unpinned";
import { BESIDE_REAL_FIGURES } from "./beside-real";
import { VERDICT_FIGURES } from "./verdicts";

export type { LiveFigure, TextSettings } from "./kit";

function count(r: SimResult, event: string): number {
  return r.trace!.records.filter((x) => x.event === event).length;
}

const NIC_1CPU_TO_1 = { workload: "nic-rx", nic_cpu: "0", receiver_cpu: "1" } as const;
const KICK_BATCHES = [1, 4, 16] as const;
const BACKLOG_LIMITS = [10, 100, 1000, 5000] as const;
const IPI_RATES = [20_000, 50_000, 100_000, 200_000, 400_000, 0] as const;
const OVERLOAD_RATES = [100_000, 300_000, 500_000, 700_000, 1_000_000, 1_500_000, 2_000_000] as const;
/** The variants of notebook 07's livelock sweep (src/experiments/overload.ts OVERLOAD_VARIANTS, as text). */
const OVERLOAD_VARIANTS: { label: string; settings: TextSettings }[] = [
  { label: "v6.8: NET_RX at irq exit (receiver on the flooded CPU)", settings: { receiver_cpu: "0" } },
  { label: "v6.8, 2016 ksoftirqd policy", settings: { receiver_cpu: "0", ksoftirqd_policy: "2016" } },
  { label: "PREEMPT_RT: threaded interrupt", settings: { receiver_cpu: "0", preempt: "rt" } },
  { label: "RPS to CPU 1 + backlog thread (v6.10 threads)", settings: { receiver_cpu: "0", rps_cpus: "2", backlog_napi: "threads" } },
];

/** src/experiments/rt.ts rtScenario as text: an RPS flow to CPU 1, where a hog and a SCHED_FIFO task run. */
const RT_SCENARIO: TextSettings = {
  profile: "reference-published", workload: "udp-stream", rate_pps: "200000", receiver_cpu: "0", rps_cpus: "2", hog_cpus: "1",
  rt_task_cpu: "1", rt_task_period_us: "200", duration_ms: "100",
};
/** One run per kernel of RT_KERNELS; the kernel's settings win over the knobs (they are the comparison). */
const perRtKernel = (extra: TextSettings) => (s: TextSettings): TextSettings[] =>
  RT_KERNELS.map((k) => ({ ...s, ...extra, preempt: k.preempt, backlog_napi: k.backlog_napi }));
const RT_FLOOD: TextSettings = { workload: "nic-rx", nic_cpu: "1", rate_pps: "1000000", nic_batch: "32", rps_cpus: "0" };

/** Notebook 02's hand-off runs (src/experiments/handoff-runs.ts): stream and ping-pong under each mode, the mode and workload winning over the knobs. */
const HANDOFF_PLAN: Array<[WorkloadName, BacklogNapiMode]> = HANDOFF_WORKLOADS.flatMap((w) => MODES.map((m): [WorkloadName, BacklogNapiMode] => [w, m]));
const handoffPlanRuns = (s: TextSettings): TextSettings[] => HANDOFF_PLAN.map(([w, m]) => ({ ...s, ...asText(handoffOverrides(w, m)) }));
const HANDOFF_KNOBS: ScalarKey[] = ["rps_cpus", "payload_bytes", "preempt", "idle", "duration_ms"];
const HANDOFF_BASE: TextSettings = { duration_ms: "100", rps_cpus: "0", seed: "1" };
/** Notebook 02's C10 sweep (delaySweep): per workload, v6.8's in-call run, then the RFC mode handing over after each delay. */
const WAKE_DELAYS = [0, 2_000, 10_000, 50_000] as const;
const delayPlanRuns = (s: TextSettings): TextSettings[] => HANDOFF_WORKLOADS.flatMap((w) => [
  { ...s, ...asText(handoffOverrides(w)) },
  ...WAKE_DELAYS.map((d) => ({ ...s, ...asText(handoffOverrides(w, "threads-always", d)) })),
]);
const IN_CALL = "1 = v6.8, in-call processing";

/** Notebook 03's run matrix (src/experiments/rps-matrix.ts): 8 conditions x 3 variants, the condition winning over the knobs. */
const MATRIX_PLAN: Array<[RpsCondition, RpsVariant]> = rpsConditions().flatMap((c) => RPS_VARIANTS.map((v): [RpsCondition, RpsVariant] => [c, v]));

/** What the BH-lock figure draws when a reader's configuration shows no boost: the first 40 µs, and a title that says so. */
export const NO_BH_LOCK_WINDOW_TITLE = "No BH-lock boost in this run: backlog_napi/1 never ran at an IRQ thread's priority (the first 40 µs shown)";

export const LIVE_FIGURES: readonly LiveFigure[] = [
  timeline("00-tour/four-datagrams", "00-tour", /^Four UDP datagrams over lo/,
    { workload: "udp-stream", rate_pps: "100000", duration_ms: "1", trace: "true", trace_ns: "42000" }, TIMELINE_KNOBS, { rps_cpus: "2" }),
  {
    id: "00-tour/cpu-time", notebook: "00-tour", title: /^Where the CPU time goes/,
    knobs: ["rate_pps", "rps_cpus", "backlog_napi", "preempt", "payload_bytes", "duration_ms"],
    base: { workload: "udp-stream", duration_ms: "20" },
    tryThis: { rps_cpus: "2" },
    runs: one,
    chart: (r, t) => busySpec(r[0]!, { title: t }),
  },
  timeline("01-backlog-napi/non-napi-driver", "01-backlog-napi", /^A non-NAPI driver/,
    { ...NIC_1CPU_TO_1, rate_pps: "100000", nic_batch: "4", duration_ms: "1", trace: "true", trace_ns: "90000" },
    ["rate_pps", "nic_batch", "rps_cpus", "backlog_napi", "preempt", "nic_irq"], { preempt: "rt" }),
  {
    id: "01-backlog-napi/one-kick-per-batch", notebook: "01-backlog-napi", title: /^One kick per batch/,
    knobs: ["rate_pps", "rps_cpus", "backlog_napi", "preempt"],
    base: { ...NIC_1CPU_TO_1, rate_pps: "20000", duration_ms: "40", trace: "true" },
    tryThis: { rate_pps: "400000" },
    runs: sweepOf("nic_batch", KICK_BATCHES),
    chart: (rs, t) => barsSpec(rs.map((r, i) => ({ label: `${KICK_BATCHES[i]} per irq`, series: "NET_RX raises per packet", value: count(r, "irq:softirq_raise") / count(r, "net:netif_rx") })),
      { title: t, yTitle: "raises per packet", xTitle: "packets per device interrupt" }),
  },
  timeline("01-backlog-napi/loopback-in-sendto", "01-backlog-napi", /^UDP over lo, RPS off: NET_RX runs inside/,
    { workload: "udp-stream", rate_pps: "200000", duration_ms: "1", trace: "true", trace_ns: "25000" }, TIMELINE_KNOBS, { backlog_napi: "threads", rps_cpus: "2" }),
  {
    id: "01-backlog-napi/fate-by-backlog", notebook: "01-backlog-napi", title: /^Fate of the packets under overload/,
    knobs: ["rate_pps", "nic_batch", "netdev_budget", "dev_rx_weight", "backlog_napi", "rcvbuf_bytes"],
    base: { ...NIC_1CPU_TO_1, rps_cpus: "2", rate_pps: "1500000", nic_batch: "16", duration_ms: "50" },
    tryThis: { rate_pps: "500000" },
    runs: sweepOf("netdev_max_backlog", BACKLOG_LIMITS),
    chart: (rs, t) => barsSpec(rs.flatMap((r, i) => {
      const p = r.packets;
      const label = String(BACKLOG_LIMITS[i]);
      return [
        { label, series: "dropped: backlog full", value: p.dropped.backlog / p.sent },
        { label, series: "dropped: socket buffer full", value: p.dropped.rcvbuf / p.sent },
        { label, series: "read by the receiver", value: p.delivered / p.sent },
        { label, series: "still queued at the end", value: p.in_flight / p.sent },
      ];
    }), { title: t, yTitle: "share of packets", xTitle: "netdev_max_backlog" }),
  },
  ...(["softirq", "threads-always", "threads"] as const).map((mode) => timeline(`02-loopback-handoff/timeline-${mode}`, "02-loopback-handoff",
    new RegExp(`^backlog_napi=${mode}:`),
    { profile: "reference-published", workload: "udp-stream", rate_pps: "100000", backlog_napi: mode, duration_ms: "1", trace: "true", trace_ns: "42000" },
    ["rate_pps", "rps_cpus", "preempt", "payload_bytes", "idle", "backlog_wake_delay_ns"], { rps_cpus: "2" })),
  {
    id: "02-loopback-handoff/relative-throughput", notebook: "02-loopback-handoff", title: /^Throughput relative to v6\.8 \(1 = in-call processing\)$/,
    knobs: HANDOFF_KNOBS, base: HANDOFF_BASE, tryThis: { rps_cpus: "2" },
    runs: handoffPlanRuns,
    chart: (rs, t) => barsSpec(HANDOFF_PLAN.map(([w, m], i) => ({
      label: w, series: MODE_LABELS[m], value: handoffRate(rs[i]!) / handoffRate(rs[HANDOFF_PLAN.findIndex(([w2, m2]) => w2 === w && m2 === "softirq")]!),
    })), { title: t, yTitle: "relative rate", xTitle: "workload", referenceLines: [{ value: 1, label: IN_CALL }] }),
  },
  {
    id: "02-loopback-handoff/switches-per-packet", notebook: "02-loopback-handoff", title: /^Context switches per packet$/,
    knobs: HANDOFF_KNOBS, base: HANDOFF_BASE, tryThis: { rps_cpus: "2" },
    runs: handoffPlanRuns,
    chart: (rs, t) => barsSpec(HANDOFF_PLAN.map(([w, m], i) => ({ label: w, series: MODE_LABELS[m], value: rs[i]!.per_packet.context_switches })),
      { title: t, yTitle: "switches per packet", xTitle: "workload" }),
  },
  {
    id: "02-loopback-handoff/rfc-vs-published", notebook: "02-loopback-handoff", title: /^The RFC's change vs v6\.8: published and model$/,
    knobs: HANDOFF_KNOBS, base: HANDOFF_BASE, tryThis: { payload_bytes: "1400" },
    fixed: `The "published (kernel test robot)" bars stay as they are: they are the robot's 2023 figures (${PUBLISHED_CSV}); the knobs re-run the model's bars only.`,
    runs: handoffPlanRuns,
    chart: (rs, t) => barsSpec(rfcRegressionRows(HANDOFF_PLAN.map(([w, m], i) => handoffRow(w, m, rs[i]!)), publishedRows(), PUBLISHED_CSV).flatMap((g) => [
      { label: g.metric.split(" (")[0]!, series: "published (kernel test robot)", value: g.published_percent },
      { label: g.metric.split(" (")[0]!, series: "model", value: g.model_percent },
    ]), { title: t, yTitle: "change, percent", xTitle: "" }),
  },
  {
    id: "02-loopback-handoff/handoff-delay", notebook: "02-loopback-handoff", title: /^Hand-off after a delay, relative to in-call processing \(RFC mode\)$/,
    knobs: HANDOFF_KNOBS, base: { duration_ms: "100", seed: "1" }, tryThis: { rps_cpus: "2" },
    runs: delayPlanRuns,
    chart: (rs, t) => linesSpec(HANDOFF_WORKLOADS.flatMap((w, k) => {
      const block = rs.slice(k * (WAKE_DELAYS.length + 1), (k + 1) * (WAKE_DELAYS.length + 1));
      const inCall = handoffRate(block[0]!);
      return WAKE_DELAYS.map((d, j) => ({ label: d / 1000, series: w, value: handoffRate(block[j + 1]!) / inCall }));
    }), { title: t, yTitle: "rate / v6.8 rate", xTitle: "hand-off delay (µs)", referenceLines: [{ value: 1, label: IN_CALL }] }),
  },
  ...(["softirq", "threads"] as const).map((mode) => timeline(`03-rps-ipi-vs-threads/timeline-${mode}`, "03-rps-ipi-vs-threads",
    new RegExp(`^RPS to CPU 1, backlog_napi=${mode}$`),
    { workload: "udp-stream", rps_cpus: "2", rate_pps: "100000", backlog_napi: mode, duration_ms: "1", trace: "true", trace_ns: "32000" },
    ["rate_pps", "rps_cpus", "preempt", "payload_bytes", "idle", "cpus"], { idle: "poll" })),
  {
    id: "03-rps-ipi-vs-threads/packets-per-ipi", notebook: "03-rps-ipi-vs-threads", title: /^Packets per RPS IPI against offered load/,
    knobs: ["backlog_napi", "preempt", "payload_bytes", "idle", "rps_cpus"],
    base: { workload: "udp-stream", rps_cpus: "2", duration_ms: "50" },
    tryThis: { backlog_napi: "threads" },
    runs: sweepOf("rate_pps", IPI_RATES),
    // the rows of src/experiments/rps.ts ipiBatching: RPS IPIs received vs packets processed
    chart: (rs, t) => linesSpec(rs.map((r, i) => {
      const rpsIpis = r.per_cpu.reduce((a, c) => a + c.softnet.received_rps, 0);
      const processed = r.per_cpu.reduce((a, c) => a + c.softnet.processed, 0);
      const offered = IPI_RATES[i] === 0 ? r.throughput_pps.sent : IPI_RATES[i]!;
      return { label: Math.round(offered / 1000), series: "packets per RPS IPI", value: rpsIpis > 0 ? processed / rpsIpis : 0 };
    }), { title: t, yTitle: "packets per IPI", xTitle: "offered load (kpps)" }),
  },
  {
    // cpus is not a knob: the CPU count is one of the matrix's conditions (2 and 4)
    id: "03-rps-ipi-vs-threads/matrix", notebook: "03-rps-ipi-vs-threads", title: /^Loopback throughput by condition: RPS off, IPI kick, thread kick$/,
    knobs: ["payload_bytes", "rate_pps", "netdev_budget", "netdev_max_backlog", "preempt", "idle", "duration_ms"],
    base: { duration_ms: "100", seed: "1" },
    tryThis: { duration_ms: "20", payload_bytes: "1400" },
    runs: (s) => MATRIX_PLAN.map(([c, v]) => ({ ...s, ...asText(rpsOverrides(c, v)) })),
    chart: (rs, t) => barsSpec(MATRIX_PLAN.map(([c, v], i) => ({ label: shortConditionLabel(c), series: RPS_VARIANT_LABELS[v], value: rs[i]!.throughput_pps.received / 1000 })),
      { title: t, yTitle: "received (kpps)", xTitle: "" }),
  },
  {
    // section 4: the measured VM's 64 B stream beside the model; the reader can give the model the
    // profile fitted to that machine (or the reference table) and watch its bars move, the measured ones stay
    id: "03-rps-ipi-vs-threads/measured-vs-model", notebook: "03-rps-ipi-vs-threads", title: /^UDP stream over lo, 64 B: the measured VM beside the model$/,
    knobs: ["profile", "cost_spread", "idle", "duration_ms", "seed"],
    base: { duration_ms: "100" },
    tryThis: { profile: "kvm-epyc-2cpu-lean" },
    fixed: `The "measured (lean tool)" bars stay as they are: they are the medians and ranges of five runs on this kit's machine kind (${MEASURED_DATASET}); the knobs re-run the model's bars only.`,
    runs: (s) => REAL_VS_MODEL_CASES.map(([receiver, rps]) => ({ ...asText(realVsModelOverrides(receiver, rps)), ...s })),
    chart: (rs, t) => {
      const summary = measuredSummary();
      return barsSpec(realVsModelBars(REAL_VS_MODEL_CASES.map(([receiver, rps], i) => realVsModelRow(summary, receiver, rps, rs[i]!))), { title: t, yTitle: "received (kpps)", xTitle: "" });
    },
  },
  timeline("04-preempt-rt/threaded-irq", "04-preempt-rt", /^PREEMPT_RT: the device's handler/,
    { profile: "reference-published", ...NIC_1CPU_TO_1, rate_pps: "100000", nic_batch: "4", preempt: "rt", duration_ms: "1", trace: "true", trace_ns: "90000" },
    ["rate_pps", "nic_batch", "preempt", "backlog_napi", "rps_cpus", "nic_irq"], { backlog_napi: "threads" }),
  {
    id: "04-preempt-rt/where-net-rx", notebook: "04-preempt-rt", title: /^Where CPU 1 spent its receive work/,
    knobs: ["rate_pps", "hog_cpus", "rt_task_period_us", "netdev_budget", "payload_bytes", "duration_ms"],
    base: RT_SCENARIO,
    tryThis: { hog_cpus: "" },
    runs: perRtKernel({}),
    chart: (rs, t) => barsSpec(whereNetRxRuns(rs.map((result, i) => ({ kernel: RT_KERNELS[i]!, result })))
      .map((w) => ({ label: w.kernel, series: w.context, value: w.busy_ms })), { title: t, yTitle: "ms of CPU 1", xTitle: "" }),
  },
  {
    id: "04-preempt-rt/bh-lock", notebook: "04-preempt-rt", title: /^PREEMPT_RT's BH lock: backlog_napi\/1 runs boosted while irq\/1-nic0 waits for it$/,
    knobs: ["rate_pps", "nic_batch", "preempt", "backlog_napi", "netdev_budget", "dev_rx_weight"],
    base: asText(BH_LOCK_SCENARIO),
    tryThis: { nic_batch: "4" },
    runs: one,
    // the window is found again in the new trace (rt.ts bhLockWindow); without a boost the chart says so
    chart: (r, t) => {
      const w = bhLockWindow(r[0]!).window;
      return w ? timelineSpec(r[0]!, { title: t, ...w }) : timelineSpec(r[0]!, { title: NO_BH_LOCK_WINDOW_TITLE, from_ns: 0, to_ns: 40_000 });
    },
  },
  {
    id: "04b-ksoftirqd-policy/flood-ratios", notebook: "04b-ksoftirqd-policy", title: /^Receiver beside a flood: published and model ratios$/,
    // the policy and the receiver's CPU are the comparison (they win); the flood's rate and batch are the scenario's, turnable
    knobs: ["rate_pps", "nic_batch", "netdev_budget", "netdev_max_backlog", "hz", "duration_ms"],
    base: { rate_pps: findScenario("ksoftirqd-6.5")!.settings.rate_pps!, nic_batch: findScenario("ksoftirqd-6.5")!.settings.nic_batch!, duration_ms: "100", seed: "1" },
    tryThis: { rate_pps: "500000" },
    fixed: `The "published" bars stay as they are: they are ratios of the 2016 and 2023 figures in ${PUBLISHED_CSV}; the knobs re-run the model's bars only.`,
    runs: (s) => POLICY_RUNS.map(([policy, rx]) => ({ ...asText(policyOverrides(policy, rx)), ...s, receiver_cpu: String(rx) })),
    chart: (rs, t) => barsSpec(floodRatios(POLICY_RUNS.map(([policy, rx], i) => policyRow(policy, rx, rs[i]!)), publishedRows()),
      { title: t, yTitle: "throughput ratio (log)", xTitle: "", logY: true }),
  },
  {
    id: "04b-ksoftirqd-policy/fifo-latency", notebook: "04b-ksoftirqd-policy", title: /^SCHED_FIFO wakeup latency beside a non-NAPI flood$/,
    knobs: ["nic_batch", "nic_irq", "rt_task_prio", "rt_task_period_us", "duration_ms"],
    base: { ...RT_SCENARIO, ...RT_FLOOD },
    tryThis: { nic_batch: "4" },
    runs: perRtKernel({}),
    chart: (rs, t) => cdfSpec(rs.map((r, i) => ({ series: RT_KERNELS[i]!.label, samples: r.wakeup_latency_ns!.samples })), { title: t, logX: true }),
  },
  ...BESIDE_REAL_FIGURES.filter((f) => f.notebook === "05-reproduce-on-your-machine"),
  {
    id: "06-smpboot-hotplug/backlog-while-offline", notebook: "06-smpboot-hotplug", title: /^Packets queued on CPU 1's backlog \(CPU 1 offline/,
    knobs: ["hotplug", "rate_pps", "nic_batch", "netdev_max_backlog", "netdev_budget", "duration_ms"],
    // src/experiments/hotplug.ts hotplugRun, as text: a 2 Mpps flood on CPU 0 steered to CPU 1, which goes offline
    base: { workload: "nic-rx", nic_cpu: "0", receiver_cpu: "0", rps_cpus: "2", rate_pps: "2000000", nic_batch: "64", hotplug: "cpu1:off@2ms,on@3ms", duration_ms: "5", trace: "false", trace_ns: "0" },
    tryThis: { hotplug: "cpu1:off@1ms,on@4ms" },
    runs: (s) => (["softirq", "threads"] as const).map((mode) => ({ ...s, backlog_napi: mode })),
    sample: (c) => {
      const r = hotplugSamples(c);
      return { result: r.result, samples: r };
    },
    chart: (_results, t, _settings, rs) => linesSpec((rs as HotplugRun[]).flatMap((r) => r.samples.map((s) => ({ label: s.t_us, series: `backlog_napi=${r.mode}`, value: s.backlog1_queued }))),
      { title: t, yTitle: "packets queued", xTitle: "time (µs)" }),
  },
  {
    id: "07-overload-budgets/livelock", notebook: "07-overload-budgets", title: /^Delivered vs offered: receive livelock/,
    knobs: ["nic_batch", "netdev_budget", "netdev_max_backlog", "dev_rx_weight", "hz", "duration_ms"],
    base: { workload: "nic-rx", nic_cpu: "0", nic_batch: "1", duration_ms: "50" },
    tryThis: { nic_batch: "16" },
    runs: (s) => OVERLOAD_VARIANTS.flatMap((v) => OVERLOAD_RATES.map((rate) => ({ ...s, rate_pps: String(rate), ...v.settings }))),
    chart: (rs, t) => linesSpec(rs.map((r, i) => ({
      label: OVERLOAD_RATES[i % OVERLOAD_RATES.length]! / 1000,
      series: OVERLOAD_VARIANTS[Math.floor(i / OVERLOAD_RATES.length)]!.label,
      value: r.throughput_pps.received / 1000,
    })), { title: t, yTitle: "delivered to the application (kpps)", xTitle: "offered load (kpps)", diagonal: "delivered = offered" }),
  },
  ...VERDICT_FIGURES,
  ...BESIDE_REAL_FIGURES.filter((f) => f.notebook === "09-real-kernels"),
  ...UNPINNED_FIGURES,
];

/**
 * The book's other charts, and why they have no knobs: none has a simulated series. Each is a real
 * trace or a measurement of this machine's kernel. Every chart of the book is either a live figure
 * or listed here (test/live-figures.test.ts), so a new simulated chart cannot lose its knobs unnoticed.
 */
export const NOT_LIVE: readonly { title: RegExp; why: string }[] = [
  { title: /^Real: Linux [\d.]+ VM, ftrace capture/, why: "a real ftrace capture (datasets/traces): no simulated series (the model's timeline beside it is live)" },
  { title: /^The \d+ claims of dad6b9770263 and the rival patch's \(R1\) on this machine's kernel/, why: "measurements of this machine's kernel: no simulated series" },
];

export function findLiveFigure(id: string): LiveFigure | undefined {
  return LIVE_FIGURES.find((f) => f.id === id);
}

/**
 * The settings of a figure with the reader's knob values: the cell's settings, then the knobs.
 * A key that is not one of the figure's knobs is refused (the page offers only those).
 */
export function figureSettings(fig: LiveFigure, knobs: TextSettings): TextSettings {
  const names = [...fig.knobs, ...(fig.params ?? []).map((p) => p.key)];
  for (const k of Object.keys(knobs)) {
    if (!names.includes(k)) throw new Error(`${fig.id}: ${k} is not one of its knobs (${names.join(", ")})`);
  }
  // the figure's own parameters take a value of their list, refused in the CLI's words otherwise
  for (const p of fig.params ?? []) {
    const v = knobs[p.key];
    if (v !== undefined && !p.values.includes(v)) throw badValue(p.key, v, `one of ${p.values.join(", ")}`, { doc: p.doc, choices: p.values });
  }
  for (const [k, allowed] of Object.entries(fig.choices ?? {}) as [ScalarKey, readonly string[]][]) {
    const v = knobs[k];
    if (v === undefined || allowed.includes(v)) continue;
    resolveConfig({ [k]: v }); // a value the CLI refuses gets the CLI's message
    throw badValue(k, v, `one of ${allowed.join(", ")}`, { why: "is not one this chart can draw", choices: allowed });
  }
  return { ...fig.base, ...knobs };
}

/** The resolved configs of a figure's runs; a bad knob value throws the CLI's ConfigError. */
export function figureConfigs(fig: LiveFigure, knobs: TextSettings): SimConfig[] {
  return fig.runs(figureSettings(fig, knobs)).map((s) => resolveConfig(s));
}

/** The knobs set to something else than the notebook cell's value (or the key's default), as key=value pairs. */
export function changedKnobs(fig: LiveFigure, knobs: TextSettings): Array<[string, string]> {
  const keys = fig.knobs.filter((k) => knobs[k] !== undefined && knobs[k] !== (fig.base[k] ?? String(KEYS[k].default))).map((k): [string, string] => [k, knobs[k]!]);
  return [...keys, ...(fig.params ?? []).filter((p) => knobs[p.key] !== undefined && knobs[p.key] !== p.start).map((p): [string, string] => [p.key, knobs[p.key]!])];
}

export interface FigureRun {
  spec: VlSpec;
  /** Event digest of every run, in order (the same model gives the same digests in Node and in the browser). */
  digests: string[];
}

/**
 * Runs a figure: every run in order (`progress(done, total)` after each), then the chart under the
 * notebook's `title` (kept, so a redraw can swap data only; the page says above the chart what changed).
 * Configs are resolved before the first run, so a bad knob fails before any work.
 */
export function runFigure(fig: LiveFigure, knobs: TextSettings, title: string, progress?: (done: number, total: number) => void): FigureRun {
  const configs = figureConfigs(fig, knobs);
  if (fig.pass) {
    // a pass (08's verdicts): its configuration knobs were checked just above, the work is its steps
    const settings = figureSettings(fig, knobs);
    const { outcome, digests } = fig.pass.run(settings, progress);
    return { spec: fig.chart([], title, settings, [outcome]), digests };
  }
  const results: SimResult[] = [];
  const samples: unknown[] = [];
  for (const c of configs) {
    if (fig.sample) {
      // validated like simulate() does before a run (figureConfigs resolved it already)
      const s = fig.sample(c);
      results.push(s.result);
      samples.push(s.samples);
    } else {
      results.push(simulate(c));
      samples.push(undefined);
    }
    progress?.(results.length, configs.length);
  }
  const spec = fig.chart(results, title, figureSettings(fig, knobs), samples);
  return { spec, digests: results.map((r) => r.digest) };
}

/** A chart title's text, whether the spec holds a string or a title object. */
export function specTitle(spec: unknown): string {
  const t = (spec as { title?: unknown } | null)?.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return "";
}
