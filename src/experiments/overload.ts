/**
 * The overload experiments of claim C15 (notebook 07): a non-NAPI device floods CPU 0 at rising
 * offered rates; how many datagrams reach the receiving task (on CPU 0 too) under v6.8's softirq
 * (NET_RX at irq exit, the 2 ms / 10-round limit, ksoftirqd), under a threaded interrupt (RT), and
 * with the backlog steered by RPS to CPU 1 and polled by a backlog thread, which has no budget.
 * The receive-livelock curve of Mogul and Ramakrishnan (1997) is the shape to look for.
 */
import { makeConfig } from "../config/parse";
import type { ConfigOverrides } from "../config/parse";
import type { SimConfig } from "../config/schema";
import type { SimResult } from "../observe/types";
import { simulate } from "../sim/simulate";
import { sweep } from "./sweep";

export interface OverloadVariant {
  label: string;
  settings: ConfigOverrides;
}

export const OVERLOAD_VARIANTS: OverloadVariant[] = [
  { label: "v6.8: NET_RX at irq exit (receiver on the flooded CPU)", settings: { receiver_cpu: 0 } },
  { label: "v6.8, 2016 ksoftirqd policy", settings: { receiver_cpu: 0, ksoftirqd_policy: "2016" } },
  { label: "PREEMPT_RT: threaded interrupt", settings: { receiver_cpu: 0, preempt: "rt" } },
  { label: "RPS to CPU 1 + backlog thread (v6.10 threads)", settings: { receiver_cpu: 0, rps_cpus: "2", backlog_napi: "threads" } },
];

export interface OverloadRow {
  variant: string;
  offered_pps: number;
  delivered_pps: number;
  time_squeeze: number;
  ksoftirqd_ms: number;
  hardirq_share_cpu0: number;
}

interface Planned {
  variant: string;
  rate: number;
  config: SimConfig;
}

function plan(ratesPps: number[], opts: { duration_ms?: number; variants?: OverloadVariant[] }): Planned[] {
  const out: Planned[] = [];
  for (const v of opts.variants ?? OVERLOAD_VARIANTS) {
    for (const rate of ratesPps) {
      out.push({ variant: v.label, rate, config: makeConfig({ workload: "nic-rx", nic_cpu: 0, rate_pps: rate, nic_batch: 1, duration_ms: opts.duration_ms ?? 50, ...v.settings }) });
    }
  }
  return out;
}

function row(p: Planned, r: SimResult): OverloadRow {
  return {
    variant: p.variant,
    offered_pps: p.rate,
    delivered_pps: r.throughput_pps.received,
    time_squeeze: r.per_cpu.reduce((a, c) => a + c.softnet.time_squeeze, 0),
    ksoftirqd_ms: r.per_cpu.reduce((a, c) => a + c.busy_ns.ksoftirqd, 0) / 1e6,
    hardirq_share_cpu0: r.per_cpu[0]!.busy_ns.hardirq / r.simulated_ns,
  };
}

export function overloadSweep(ratesPps: number[], opts: { duration_ms?: number; variants?: OverloadVariant[] } = {}): OverloadRow[] {
  return plan(ratesPps, opts).map((p) => row(p, simulate(p.config)));
}

/** The same sweep, run in parallel on every core with progress lines (for notebooks). */
export async function overloadSweepParallel(ratesPps: number[], opts: { duration_ms?: number; variants?: OverloadVariant[]; label?: string } = {}): Promise<OverloadRow[]> {
  const planned = plan(ratesPps, opts);
  const results = await sweep(planned.map((p) => p.config), { label: opts.label ?? "overload sweep" });
  return planned.map((p, i) => row(p, results[i]!));
}
