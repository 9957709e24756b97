/**
 * The loopback hand-off experiments of claims C9-C11 (notebook 02): the same UDP-over-lo workloads
 * with the backlog in the NET_RX softirq (v6.8), always handed to a thread (the 2023 RFC), and with
 * v6.10's threads (local backlog short-cut); the RFC regression beside the kernel test robot's
 * published figures; and the C10 sweep of a hand-over delay.
 */
import { makeConfig } from "../config/parse";
import { PUBLISHED_PROFILE } from "./published-profile";
import type { BacklogNapiMode, WorkloadName } from "../config/schema";
import { loadPublishedFigures } from "../measure/dataset";
import type { SimResult } from "../observe/types";
import { simulate } from "../sim/simulate";

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
  for (const workload of ["udp-stream", "udp-pingpong"] as WorkloadName[]) {
    for (const mode of MODES) {
      const r = simulate(makeConfig({ profile: PUBLISHED_PROFILE, workload, backlog_napi: mode, duration_ms: opts.duration_ms ?? 100, rps_cpus: opts.rps_cpus ?? "0", seed: opts.seed ?? 1 }));
      // a transaction is a request and a response: the rate of round trips is half the datagram rate
      const rate = workload === "udp-pingpong" ? r.latency_ns!.count / (r.simulated_ns / 1e9) : r.throughput_pps.received;
      rows.push({
        workload, mode, rps_cpus: r.config.rps_cpus, rate,
        switches_per_packet: r.per_packet.context_switches,
        cpu_ns_per_packet: r.per_packet.cpu_ns,
        rtt_p50_ns: r.latency_ns ? r.latency_ns.p50 : null,
        result: r,
      });
    }
  }
  return rows;
}

function find(rows: HandoffRow[], workload: WorkloadName, mode: BacklogNapiMode): HandoffRow {
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
 * The RFC's regression as published (kernel test robot, read from datasets/published) beside the
 * model's change from `softirq` to `threads-always` on the matching workload.
 * `publishedCsv` is the path of claims-figures.csv (notebooks: ../datasets/published/...).
 */
export function rfcRegression(rows: HandoffRow[], publishedCsv: string): RegressionRow[] {
  const pub = loadPublishedFigures(publishedCsv).rows;
  const figure = (metric: string) => {
    const r = pub.find((x) => x.metric === metric);
    if (!r) throw new Error(`${publishedCsv}: no row with metric "${metric}"`);
    return r;
  };
  const stream = figure("stress-ng UDP throughput change with the RFC");
  const rr = figure("netperf UDP_RR transaction rate change with the RFC");
  const cs = figure("context switch change with the RFC");
  const sBase = find(rows, "udp-stream", "softirq");
  const sRfc = find(rows, "udp-stream", "threads-always");
  const pBase = find(rows, "udp-pingpong", "softirq");
  const pRfc = find(rows, "udp-pingpong", "threads-always");
  const mk = (metric: string, r: (typeof pub)[number], model: number): RegressionRow => ({
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
  return (["udp-stream", "udp-pingpong"] as WorkloadName[]).map((w) => ({ workload: w, ratio: find(rows, w, "threads").rate / find(rows, w, "softirq").rate }));
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
  for (const workload of ["udp-stream", "udp-pingpong"] as WorkloadName[]) {
    const base = simulate(makeConfig({ profile: PUBLISHED_PROFILE, workload, duration_ms: opts.duration_ms ?? 100, seed: opts.seed ?? 1 }));
    const baseRate = workload === "udp-pingpong" ? base.latency_ns!.count / (base.simulated_ns / 1e9) : base.throughput_pps.received;
    for (const d of delaysNs) {
      const r = simulate(makeConfig({ profile: PUBLISHED_PROFILE, workload, backlog_napi: "threads-always", backlog_wake_delay_ns: d, duration_ms: opts.duration_ms ?? 100, seed: opts.seed ?? 1 }));
      const rate = workload === "udp-pingpong" ? r.latency_ns!.count / (r.simulated_ns / 1e9) : r.throughput_pps.received;
      out.push({ workload, delay_ns: d, rate, rtt_p50_ns: r.latency_ns ? r.latency_ns.p50 : null, cpu_ns_per_packet: r.per_packet.cpu_ns, vs_in_call: rate / baseRate });
    }
  }
  return out;
}
