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

// C12's reading of the matrix (browser-safe, so notebook 08's verdict pass runs in the book)

export interface C12Row extends RpsCondition {
  label: string;
  ipi_vs_off: number;
  thread_vs_off: number;
  /** thread / IPI throughput */
  thread_vs_ipi: number;
  /** "drops mostly to the same value": RPS lowers throughput and thread and IPI are within `tolerance`. */
  holds: boolean;
}

/** C12 per condition: does enabling RPS drop throughput, and to about the same value for IPI and thread? */
export function c12Verdicts(rows: RpsRow[], tolerance = 0.1): C12Row[] {
  return rpsConditions().map((c) => {
    const pick = (v: RpsVariant) => rows.find((r) => r.cpus === c.cpus && r.receiver === c.receiver && r.spare === c.spare && r.variant === v)!.received_pps;
    const off = pick("rps-off");
    const ipi = pick("rps-ipi");
    const thr = pick("rps-thread");
    const drops = ipi < off && thr < off;
    const same = Math.abs(thr / ipi - 1) <= tolerance;
    return { ...c, label: conditionLabel(c), ipi_vs_off: ipi / off, thread_vs_off: thr / off, thread_vs_ipi: thr / ipi, holds: drops && same };
  });
}

// ---------------------------------------------------------------- the measured machine beside the model

export interface RealVsModelRow {
  receiver: "same" | "other";
  rps: "off" | "other";
  /** Medians (and range) of the measured runs of the lean tool. */
  real_pps: number;
  real_min: number;
  real_max: number;
  real_rps_ipis_per_packet: number;
  /** The model, flat-out stream, same placement (default costs unless the reader picks others). */
  model_pps: number;
  model_rps_ipis_per_packet: number;
}

/** Notebook 03's section 4: the receiver beside the sender or on CPU 1, RPS off or to CPU 1. */
export const REAL_VS_MODEL_CASES = [["same", "off"], ["same", "other"], ["other", "off"], ["other", "other"]] as const;

/** The model run that mirrors one measured case: one flat-out 64 B flow from CPU 0 (the run length left to the caller). */
export function realVsModelOverrides(receiver: "same" | "other", rps: "off" | "other"): ConfigOverrides {
  return { workload: "udp-stream", receiver_cpu: receiver === "same" ? 0 : 1, rps_cpus: rps === "off" ? "0" : "2" };
}

/** One measured case (the lean tool's stream 64 B row of `summary`) beside the model's run `m`. */
export function realVsModelRow(summary: readonly Record<string, unknown>[], receiver: "same" | "other", rps: "off" | "other", m: SimResult): RealVsModelRow {
  const row = summary.find((r) => r.mode === "stream" && r.payload_bytes === 64 && r.rps === rps && r.receiver === receiver && r.tool !== "sockperf");
  if (!row) throw new Error(`the dataset has no lean-tool stream 64 B row with rps ${rps} and the receiver ${receiver}`);
  const packets = m.packets.delivered + m.packets.dropped.rcvbuf;
  return {
    receiver,
    rps,
    real_pps: row.received_pps_median as number,
    real_min: row.received_pps_min as number,
    real_max: row.received_pps_max as number,
    real_rps_ipis_per_packet: row.received_rps_per_packet_median as number,
    model_pps: m.throughput_pps.received,
    model_rps_ipis_per_packet: m.per_cpu.reduce((a, c) => a + c.softnet.received_rps, 0) / Math.max(1, packets),
  };
}

/** The chart's bars: each case's measured median (with its range) beside the model, in kpps. */
export function realVsModelBars(rows: readonly RealVsModelRow[]): { label: string; series: string; value: number; min?: number; max?: number }[] {
  const label = (b: RealVsModelRow) => `receiver ${b.receiver}, RPS ${b.rps === "off" ? "off" : "to CPU 1"}`;
  return rows.flatMap((b) => [
    { label: label(b), series: "measured (lean tool)", value: b.real_pps / 1000, min: b.real_min / 1000, max: b.real_max / 1000 },
    { label: label(b), series: "model", value: b.model_pps / 1000 },
  ]);
}
