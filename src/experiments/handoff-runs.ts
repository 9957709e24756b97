/**
 * The simulated side of notebook 02's loopback hand-off experiments (claims C9-C11): the same
 * UDP-over-lo workloads with the backlog in the NET_RX softirq (v6.8), always handed to a thread
 * (the 2023 RFC) and with v6.10's threads (local backlog short-cut), and the C10 sweep of a hand-over
 * delay, and the RFC's regression beside published figures the caller reads. Browser-safe (the book
 * re-runs these charts); ./handoff.ts reads datasets/published for the notebook.
 */
import { makeConfig, type ConfigOverrides } from "../config/parse";
import { PUBLISHED_PROFILE } from "./published-profile";
import type { BacklogNapiMode, WorkloadName } from "../config/schema";
import type { SimResult } from "../observe/types";
import type { Row } from "../measure/schema";
import { simulate } from "../sim/simulate";

export const HANDOFF_WORKLOADS: WorkloadName[] = ["udp-stream", "udp-pingpong"];

/** The settings of one hand-off run (notebook 02), before duration and seed: the published profile, the workload, the mode. */
export function handoffOverrides(workload: WorkloadName, mode?: BacklogNapiMode, wakeDelayNs?: number): ConfigOverrides {
  const o: ConfigOverrides = { profile: PUBLISHED_PROFILE, workload };
  if (mode !== undefined) o.backlog_napi = mode;
  if (wakeDelayNs !== undefined) o.backlog_wake_delay_ns = wakeDelayNs;
  return o;
}

/** Datagrams read per second (stream) or round trips per second (ping-pong: a request and a response each). */
export function handoffRate(r: SimResult): number {
  return r.config.workload === "udp-pingpong" ? r.latency_ns!.count / (r.simulated_ns / 1e9) : r.throughput_pps.received;
}

export const MODES: BacklogNapiMode[] = ["softirq", "threads-always", "threads"];
export const MODE_LABELS: Record<BacklogNapiMode, string> = {
  softirq: "v6.8: backlog in NET_RX",
  "threads-always": "2023 RFC: always the thread",
  threads: "v6.10: threads + local short-cut",
  "backlog-threaded": "OpenWrt backlog_threaded (as patched)",
  "backlog-threaded-intent": "OpenWrt backlog_threaded (as intended)",
};

export interface HandoffRow {
  workload: WorkloadName;
  mode: BacklogNapiMode;
  rps_cpus: string;
  /** Datagrams read per second (stream) or transactions per second (ping-pong). */
  rate: number;
  switches_per_packet: number;
  cpu_ns_per_packet: number;
  /** Round-trip p50 (ping-pong only), ns. */
  rtt_p50_ns: number | null;
  result: SimResult;
}

/** Runs stream and ping-pong under the three modes (RPS as given, default off). */
export function handoffRuns(opts: { duration_ms?: number; rps_cpus?: string; seed?: number } = {}): HandoffRow[] {
  const rows: HandoffRow[] = [];
  for (const workload of HANDOFF_WORKLOADS) {
    for (const mode of MODES) {
      rows.push(handoffRow(workload, mode, simulate(makeConfig({ ...handoffOverrides(workload, mode), duration_ms: opts.duration_ms ?? 100, rps_cpus: opts.rps_cpus ?? "0", seed: opts.seed ?? 1 }))));
    }
  }
  return rows;
}

/** What one hand-off run shows (the row of handoffRuns). */
export function handoffRow(workload: WorkloadName, mode: BacklogNapiMode, r: SimResult): HandoffRow {
  return {
    workload, mode, rps_cpus: r.config.rps_cpus, rate: handoffRate(r),
    switches_per_packet: r.per_packet.context_switches,
    cpu_ns_per_packet: r.per_packet.cpu_ns,
    rtt_p50_ns: r.latency_ns ? r.latency_ns.p50 : null,
    result: r,
  };
}

export function findHandoff(rows: HandoffRow[], workload: WorkloadName, mode: BacklogNapiMode): HandoffRow {
  const r = rows.find((x) => x.workload === workload && x.mode === mode);
  if (!r) throw new Error(`no ${workload} run in mode ${mode}`);
  return r;
}

/** Relative change b vs a, percent. */
export function change(a: number, b: number): number {
  return (100 * (b - a)) / a;
}

export interface RegressionRow {
  metric: string;
  published_percent: number;
  published_high: number | null;
  published_source: string;
  model_percent: number;
  same_direction: boolean;
}

/**
 * The RFC's regression as published (kernel test robot: rows of datasets/published/claims-figures.csv,
 * read by the caller; `file` names it in errors) beside the model's change from `softirq` to
 * `threads-always` on the matching workload.
 */
export function rfcRegressionRows(rows: HandoffRow[], pub: readonly Row[], file: string): RegressionRow[] {
  const figure = (metric: string) => {
    const r = pub.find((x) => x.metric === metric);
    if (!r) throw new Error(`${file}: no row with metric "${metric}"`);
    return r;
  };
  const stream = figure("stress-ng UDP throughput change with the RFC");
  const rr = figure("netperf UDP_RR transaction rate change with the RFC");
  const cs = figure("context switch change with the RFC");
  const sBase = findHandoff(rows, "udp-stream", "softirq");
  const sRfc = findHandoff(rows, "udp-stream", "threads-always");
  const pBase = findHandoff(rows, "udp-pingpong", "softirq");
  const pRfc = findHandoff(rows, "udp-pingpong", "threads-always");
  const mk = (metric: string, r: Row, model: number): RegressionRow => ({
    metric,
    published_percent: r.value as number,
    published_high: (r.value_high as number | null) ?? null,
    published_source: `${r.source} (${r.machine})`,
    model_percent: model,
    same_direction: Math.sign(model) === Math.sign(r.value as number),
  });
  return [
    mk("UDP stream throughput (stress-ng udp / model stream)", stream, change(sBase.rate, sRfc.rate)),
    mk("UDP request/response rate (netperf UDP_RR / model ping-pong)", rr, change(pBase.rate, pRfc.rate)),
    mk("context switches per transaction (robot: all benchmarks / model ping-pong)", cs, change(pBase.switches_per_packet, pRfc.switches_per_packet)),
  ];
}

/** C11: how close v6.10's threads come to v6.8 on each workload (ratio threads / softirq). */
export function restoredRatios(rows: HandoffRow[]): { workload: WorkloadName; ratio: number }[] {
  return (["udp-stream", "udp-pingpong"] as WorkloadName[]).map((w) => ({ workload: w, ratio: findHandoff(rows, w, "threads").rate / findHandoff(rows, w, "softirq").rate }));
}

export interface DelayRow {
  workload: WorkloadName;
  delay_ns: number;
  rate: number;
  rtt_p50_ns: number | null;
  cpu_ns_per_packet: number;
  /** rate relative to v6.8's in-call processing on the same workload */
  vs_in_call: number;
}

/** C10: hand over to the thread after a delay (0 = right after enqueue), RFC mode, RPS off. */
export function delaySweep(delaysNs: number[], opts: { duration_ms?: number; seed?: number } = {}): DelayRow[] {
  const out: DelayRow[] = [];
  for (const workload of HANDOFF_WORKLOADS) {
    const base = simulate(makeConfig({ ...handoffOverrides(workload), duration_ms: opts.duration_ms ?? 100, seed: opts.seed ?? 1 }));
    const baseRate = handoffRate(base);
    for (const d of delaysNs) {
      const r = simulate(makeConfig({ ...handoffOverrides(workload, "threads-always", d), duration_ms: opts.duration_ms ?? 100, seed: opts.seed ?? 1 }));
      const rate = handoffRate(r);
      out.push({ workload, delay_ns: d, rate, rtt_p50_ns: r.latency_ns ? r.latency_ns.p50 : null, cpu_ns_per_packet: r.per_packet.cpu_ns, vs_in_call: rate / baseRate });
    }
  }
  return out;
}
