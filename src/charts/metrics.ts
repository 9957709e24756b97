/**
 * The figures the claims compare across configurations, read from simulation results by name, with
 * their axis titles: so a notebook writes `metricRows(runs, "ipis_per_packet")` instead of digging
 * through `SimResult` and typing units by hand.
 */
import type { SimResult } from "../observe/types";
import type { ComparisonRow } from "./series";

export interface MetricSpec {
  /** Axis title with the unit. */
  title: string;
  read(r: SimResult): number | undefined;
}

const sum = (r: SimResult, f: (c: SimResult["per_cpu"][number]) => number): number => r.per_cpu.reduce((a, c) => a + f(c), 0);

export const METRICS = {
  rx_pps: { title: "received (packets/s)", read: (r) => r.throughput_pps.received },
  tx_pps: { title: "sent (packets/s)", read: (r) => r.throughput_pps.sent },
  drops: { title: "dropped packets", read: (r) => r.packets.dropped.backlog + r.packets.dropped.rcvbuf },
  drops_backlog: { title: "dropped at the backlog (netdev_max_backlog)", read: (r) => r.packets.dropped.backlog },
  drops_rcvbuf: { title: "dropped at the socket (RcvbufErrors)", read: (r) => r.packets.dropped.rcvbuf },
  ipis_per_packet: { title: "IPIs per packet", read: (r) => r.per_packet.ipis },
  switches_per_packet: { title: "context switches per packet", read: (r) => r.per_packet.context_switches },
  net_rx_per_packet: { title: "NET_RX softirqs per packet", read: (r) => r.per_packet.net_rx_softirqs },
  cpu_us_per_packet: { title: "CPU time per packet (µs)", read: (r) => r.per_packet.cpu_ns / 1000 },
  time_squeeze: { title: "time_squeeze (budget or time ran out)", read: (r) => sum(r, (c) => c.softnet.time_squeeze) },
  ksoftirqd_wakeups: { title: "ksoftirqd wakeups", read: (r) => sum(r, (c) => c.ksoftirqd_wakeups) },
  latency_p50_us: { title: "round-trip latency p50 (µs)", read: (r) => (r.latency_ns ? r.latency_ns.p50 / 1000 : undefined) },
  latency_p99_us: { title: "round-trip latency p99 (µs)", read: (r) => (r.latency_ns ? r.latency_ns.p99 / 1000 : undefined) },
} satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;

export interface LabelledRun {
  /** The configuration, e.g. "v6.8" or "threads, RPS on". */
  label: string | number;
  /** Series name (default "model"), e.g. to put model and measurement side by side. */
  series?: string;
  result: SimResult;
}

/** Comparison rows of one metric for a list of runs; a metric a run does not have is an error. */
export function metricRows(runs: LabelledRun[], metric: MetricName): ComparisonRow[] {
  const spec: MetricSpec | undefined = (METRICS as Record<string, MetricSpec>)[metric];
  if (!spec) throw new Error(`metricRows: unknown metric ${JSON.stringify(metric)}; allowed: ${Object.keys(METRICS).join(", ")}`);
  return runs.map((run, i) => {
    const value = spec.read(run.result);
    if (value === undefined || !Number.isFinite(value)) {
      throw new Error(`metricRows: runs[${i}] (${String(run.label)}) has no ${metric} (for example latency needs the udp-pingpong workload)`);
    }
    return { label: run.label, series: run.series ?? "model", value };
  });
}
