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
import { RPS_VARIANTS, conditionLabel, rpsConditions, rpsConfig, rpsRow, type RpsCondition, type RpsRow, type RpsVariant } from "./rps-matrix";

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

export interface RealVsModelRow {
  receiver: "same" | "other";
  rps: "off" | "other";
  /** Medians (and range) of the measured runs of the lean tool. */
  real_pps: number;
  real_min: number;
  real_max: number;
  real_rps_ipis_per_packet: number;
  /** The model, flat-out stream, same placement, default costs. */
  model_pps: number;
  model_rps_ipis_per_packet: number;
}

/**
 * Section 4 of notebook 03: the measured machine beside the model for the 64 B stream, RPS off or to
 * the other CPU, the receiver on the sender's CPU or the other. `summary` is a measurement dataset's
 * summary table (the lean tool's rows are used).
 */
export function rpsRealVsModel(summary: readonly Record<string, unknown>[], opts: { duration_ms?: number } = {}): RealVsModelRow[] {
  const out: RealVsModelRow[] = [];
  for (const receiver of ["same", "other"] as const)
    for (const rps of ["off", "other"] as const) {
      const row = summary.find((r) => r.mode === "stream" && r.payload_bytes === 64 && r.rps === rps && r.receiver === receiver && r.tool !== "sockperf");
      if (!row) throw new Error(`the dataset has no lean-tool stream 64 B row with rps ${rps} and the receiver ${receiver}`);
      const m = simulate(makeConfig({ workload: "udp-stream", receiver_cpu: receiver === "same" ? 0 : 1, rps_cpus: rps === "off" ? "0" : "2", duration_ms: opts.duration_ms ?? 100 }));
      const packets = m.packets.delivered + m.packets.dropped.rcvbuf;
      out.push({
        receiver,
        rps,
        real_pps: row.received_pps_median as number,
        real_min: row.received_pps_min as number,
        real_max: row.received_pps_max as number,
        real_rps_ipis_per_packet: row.received_rps_per_packet_median as number,
        model_pps: m.throughput_pps.received,
        model_rps_ipis_per_packet: m.per_cpu.reduce((a, c) => a + c.softnet.received_rps, 0) / Math.max(1, packets),
      });
    }
  return out;
}
