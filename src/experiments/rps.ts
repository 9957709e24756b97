/**
 * The RPS experiments of claims C2 and C12 (notebook 03): how many packets one RPS IPI carries as
 * the offered load grows, and loopback throughput with RPS off, RPS kicking the target by IPI
 * (v6.8) and RPS waking the target's backlog thread (v6.10 threads), across CPU counts, receiver
 * placement and spare CPU time, to find where "the performance drops mostly to the same value"
 * (IPI vs thread) holds.
 */
import { makeConfig } from "../config/parse";
import { simulate } from "../sim/simulate";
import { sweep } from "./sweep";
import { REAL_VS_MODEL_CASES, RPS_VARIANTS, realVsModelOverrides, realVsModelRow, rpsConditions, rpsConfig, rpsRow, type RealVsModelRow, type RpsCondition, type RpsRow, type RpsVariant } from "./rps-matrix";

export interface IpiBatchRow {
  offered_pps: number;
  received_pps: number;
  packets_per_ipi: number;
  ipis_per_packet: number;
}

/** C2: a paced stream steered to CPU 1 by RPS: packets per RPS IPI as the rate grows (0 = flat out). */
export function ipiBatching(ratesPps: number[], opts: { duration_ms?: number } = {}): IpiBatchRow[] {
  return ratesPps.map((rate) => {
    const r = simulate(makeConfig({ workload: "udp-stream", rps_cpus: "2", rate_pps: rate, duration_ms: opts.duration_ms ?? 50 }));
    const rpsIpis = r.per_cpu.reduce((a, c) => a + c.softnet.received_rps, 0);
    const processed = r.per_cpu.reduce((a, c) => a + c.softnet.processed, 0);
    return {
      offered_pps: rate === 0 ? r.throughput_pps.sent : rate,
      received_pps: r.throughput_pps.received,
      packets_per_ipi: rpsIpis > 0 ? processed / rpsIpis : 0,
      ipis_per_packet: processed > 0 ? rpsIpis / processed : 0,
    };
  });
}

export * from "./rps-matrix";

/** The matrix of ./rps-matrix.ts in parallel on every core, with progress lines (for notebooks). */
export async function rpsMatrixParallel(opts: { duration_ms?: number; seed?: number; label?: string } = {}): Promise<RpsRow[]> {
  const plan: [RpsCondition, RpsVariant][] = [];
  for (const c of rpsConditions()) for (const v of RPS_VARIANTS) plan.push([c, v]);
  const results = await sweep(plan.map(([c, v]) => rpsConfig(c, v, opts)), { label: opts.label ?? "RPS matrix" });
  return plan.map(([c, v], i) => rpsRow(c, v, results[i]!));
}

/**
 * Section 4 of notebook 03: the measured machine beside the model for the 64 B stream, RPS off or to
 * the other CPU, the receiver on the sender's CPU or the other. `summary` is a measurement dataset's
 * summary table (the lean tool's rows are used). The model's runs and rows are rps-matrix.ts's
 * (browser-safe: the book re-runs them with other costs).
 */
export function rpsRealVsModel(summary: readonly Record<string, unknown>[], opts: { duration_ms?: number } = {}): RealVsModelRow[] {
  return REAL_VS_MODEL_CASES.map(([receiver, rps]) => realVsModelRow(summary, receiver, rps, simulate(makeConfig({ ...realVsModelOverrides(receiver, rps), duration_ms: opts.duration_ms ?? 100 }))));
}
