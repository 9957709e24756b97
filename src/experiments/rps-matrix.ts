/**
 * Notebook 03's run matrix (claim C12): loopback throughput with RPS off, RPS kicking the target by
 * IPI (v6.8) and RPS waking the target's backlog thread (v6.10 threads), across CPU counts, receiver
 * placement and spare CPU time, one run after the other. Browser-safe (the book re-runs the matrix);
 * ./rps.ts runs it on every core for the notebook.
 */
import { makeConfig, type ConfigOverrides } from "../config/parse";
import type { SimConfig } from "../config/schema";
import type { SimResult } from "../observe/types";
import { simulate } from "../sim/simulate";

export type RpsVariant = "rps-off" | "rps-ipi" | "rps-thread";
export const RPS_VARIANT_LABELS: Record<RpsVariant, string> = {
  "rps-off": "RPS off",
  "rps-ipi": "RPS, IPI + softirq (v6.8)",
  "rps-thread": "RPS, backlog thread (v6.10 threads)",
};

export interface RpsCondition {
  cpus: 2 | 4;
  /** Receiver on the sender's CPU, or on another one. */
  receiver: "same" | "other";
  /** Spare CPU time: idle CPUs, or a CPU hog on every CPU. */
  spare: boolean;
}

export interface RpsRow extends RpsCondition {
  variant: RpsVariant;
  received_pps: number;
  cpu_ns_per_packet: number;
  ipis_per_packet: number;
  switches_per_packet: number;
  result: SimResult;
}

/** The label of a condition, for charts. */
export function conditionLabel(c: RpsCondition): string {
  return `${c.cpus} CPUs, receiver ${c.receiver === "same" ? "on the sender's CPU" : "on another CPU"}, ${c.spare ? "spare CPU time" : "no spare CPU (hogs)"}`;
}

/** A short label for chart axes: "2 CPUs · rx same · spare". */
export function shortConditionLabel(c: RpsCondition): string {
  return `${c.cpus} CPUs · rx ${c.receiver} · ${c.spare ? "spare" : "hogs"}`;
}

/** The conditions grid: 2 and 4 CPUs × receiver same/other × spare CPU time or none. */
export function rpsConditions(): RpsCondition[] {
  const out: RpsCondition[] = [];
  for (const cpus of [2, 4] as const) for (const receiver of ["same", "other"] as const) for (const spare of [true, false]) out.push({ cpus, receiver, spare });
  return out;
}

/**
 * One flat-out flow from CPU 0. RPS steers it to every CPU but the sender's (mask ~1), so with a
 * single flow it lands on one other CPU, chosen by the flow hash.
 */
export function rpsOverrides(c: RpsCondition, variant: RpsVariant): ConfigOverrides {
  const all = (1 << c.cpus) - 1;
  return {
    workload: "udp-stream",
    cpus: c.cpus,
    sender_cpu: 0,
    receiver_cpu: c.receiver === "same" ? 0 : 1,
    rps_cpus: variant === "rps-off" ? "0" : (all & ~1).toString(16),
    backlog_napi: variant === "rps-thread" ? "threads" : "softirq",
    hog_cpus: c.spare ? "" : Array.from({ length: c.cpus }, (_, i) => i).join(","),
  };
}

export function rpsConfig(c: RpsCondition, variant: RpsVariant, opts: { duration_ms?: number; seed?: number } = {}): SimConfig {
  return makeConfig({ ...rpsOverrides(c, variant), duration_ms: opts.duration_ms ?? 100, seed: opts.seed ?? 1 });
}

export function rpsRow(c: RpsCondition, variant: RpsVariant, r: SimResult): RpsRow {
  return {
    ...c, variant,
    received_pps: r.throughput_pps.received,
    cpu_ns_per_packet: r.per_packet.cpu_ns,
    ipis_per_packet: r.per_packet.ipis,
    switches_per_packet: r.per_packet.context_switches,
    result: r,
  };
}

export function rpsRun(c: RpsCondition, variant: RpsVariant, opts: { duration_ms?: number; seed?: number } = {}): RpsRow {
  return rpsRow(c, variant, simulate(rpsConfig(c, variant, opts)));
}

export const RPS_VARIANTS: RpsVariant[] = ["rps-off", "rps-ipi", "rps-thread"];

export function rpsMatrix(opts: { duration_ms?: number; seed?: number } = {}): RpsRow[] {
  const rows: RpsRow[] = [];
  for (const c of rpsConditions()) for (const v of RPS_VARIANTS) rows.push(rpsRun(c, v, opts));
  return rows;
}

