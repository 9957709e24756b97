/**
 * The model beside a real measurement: each configuration of a `softnet-lab measure` dataset is run
 * in the model with the settings that mirror it, and the same figures are put side by side:
 * throughput (datagrams/s for a stream, round trips/s for ping-pong), NET_RX runs, IPIs (CAL+RES),
 * RPS IPIs and context switches per packet, with the real median and min..max.
 *
 * Mirroring (and what it cannot mirror): sockperf's stream sends flat out from one thread and reads
 * from another, one flow, over 127.0.0.1 -> the model's udp-stream with rate 0; sockperf ping-pong
 * keeps one request in flight -> udp-pingpong. CPUs, rps_cpus, sender and receiver CPUs, payload,
 * HZ, and a halting idle (the measured VM has no cpuidle driver) are taken from the dataset. Not
 * mirrored: sockperf's own work per message (timestamps, statistics), background load on the VM.
 *
 * A mask naming several CPUs (rps "both") leaves the CPU to the flow hash, which the kernel seeds at
 * boot and the tool's ephemeral port varies from run to run: the real runs of one configuration
 * split between placements (all packets on CPU 0, all on CPU 1, or each direction of a ping-pong on
 * its own CPU), and their median mixes them. The placement is observed (softnet_stat's processed
 * per CPU), so it is mirrored like the pinning: the figures of such a row are the median of the runs
 * with the most common placement, and the model runs with the first seed whose flow hash gives that
 * placement (`placement` on the mirrored row says which, and in how many runs).
 */
import { makeConfig } from "../config/parse";
import type { SimConfig } from "../config/schema";
import type { CostName } from "../kernel/costs";
import type { MeasurementDataset } from "../measure/dataset";
import { spread } from "../measure/stats";
import type { SimResult } from "../observe/types";
import { simulate } from "../sim/simulate";

export type MetricName = "rate" | "net_rx_per_packet" | "ipis_per_packet" | "rps_ipis_per_packet" | "switches_per_packet";

export const METRIC_LABELS: Record<MetricName, string> = {
  rate: "throughput (datagrams/s; ping-pong: round trips/s)",
  net_rx_per_packet: "NET_RX softirq runs per packet",
  ipis_per_packet: "IPIs (CAL + RES) per packet",
  rps_ipis_per_packet: "RPS IPIs (received_rps) per packet",
  switches_per_packet: "context switches per packet",
};

type Row = Record<string, unknown>;

export interface MirroredConfig {
  id: string;
  mode: "stream" | "pingpong";
  row: Row;
  config: SimConfig;
  /** rps masks naming several CPUs: the placement mirrored (share of packets per CPU), its runs of all, and whether a seed gave it. */
  placement?: { pattern: string; runs: number; of: number; seed_found: boolean };
}

/**
 * Where a run's packets went: the share of processed packets per CPU, rounded to the nearest half,
 * and whether they were steered to another CPU: "local" (no RPS kicks: processed where sent),
 * "all" (a kick per packet: a ping-pong with both directions on the other CPU) or "some" (a stream
 * steered away batches behind each kick; a ping-pong with one direction steered away).
 */
export function placementPattern(processed: readonly number[], receivedRps: readonly number[]): string {
  const total = processed.reduce((a, b) => a + b, 0);
  if (total <= 0) return processed.map(() => "0").join("/");
  const rps = receivedRps.reduce((a, b) => a + b, 0) / total;
  const kicks = rps < 0.02 ? "local" : rps >= 0.75 ? "all" : "some";
  return `${processed.map((p) => String(Math.round((2 * p) / total) / 2)).join("/")} ${kicks}`;
}

/** The run columns behind each compared figure (summary.csv has `<col>_median/_min/_max`). */
const RUN_COLUMNS = ["received_pps", "round_trips_per_s", "net_rx_per_packet", "ipis_per_packet", "received_rps_per_packet", "system_switches_per_packet"];


/** The summary row rebuilt from the runs with the most common placement (ties: the first pattern met). */
function placementRow(ds: MeasurementDataset, row: Row): { row: Row; pattern: string; runs: number; of: number } | null {
  const runs = ds.runs.filter((r) => r.config_id === row.config_id && (row.tool === undefined || r.tool === row.tool));
  if (runs.length === 0) return null;
  const perCpu = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : String(v ?? "").split(";").map(Number));
  const pat = (r: Row) => placementPattern(perCpu(r.softnet_processed), perCpu(r.softnet_received_rps));
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(pat(r), (counts.get(pat(r)) ?? 0) + 1);
  let best = "";
  for (const [k, n] of counts) if (best === "" || n > counts.get(best)!) best = k;
  const chosen = runs.filter((r) => pat(r) === best);
  const out: Row = { ...row };
  for (const col of RUN_COLUMNS) {
    // the same aggregation summary.csv holds (measure/stats.ts), over the placement's runs only
    const sp = spread(chosen.map((r) => num(r[col])).filter((x) => Number.isFinite(x)));
    if (sp === null) continue;
    out[`${col}_median`] = sp.median;
    out[`${col}_min`] = sp.min;
    out[`${col}_max`] = sp.max;
  }
  return { row: out, pattern: best, runs: chosen.length, of: runs.length };
}

/** The first seed (1..64) whose flow hash puts the packets where `pattern` says, or null. */
function seedForPlacement(config: SimConfig, pattern: string): number | null {
  for (let seed = 1; seed <= 64; seed++) {
    const r = simulate({ ...config, seed, duration_ms: Math.min(config.duration_ms, 5), trace: false });
    if (placementPattern(r.per_cpu.map((c) => c.softnet.processed), r.per_cpu.map((c) => c.softnet.received_rps)) === pattern) return seed;
  }
  return null;
}

const num = (v: unknown) => (typeof v === "number" ? v : Number(v));

export interface MirrorOptions {
  duration_ms?: number;
  costs?: Partial<Record<CostName, number>>;
  profile?: string;
  /**
   * Placement seeds found before (`placementSeeds` of an earlier mirroring): configuration id ->
   * seed, or null when none gave the placement. A fit mirrors once and then only changes costs: the
   * placement is the flow hash's, set by the seed, so the search (up to 64 short runs per
   * configuration) is not repeated at every evaluation.
   */
  seeds?: ReadonlyMap<string, number | null>;
}

/** The placement seed of each configuration whose RPS mask names several CPUs (null: none found). */
export function placementSeeds(mirrored: readonly MirroredConfig[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const m of mirrored) if (m.placement) out.set(m.id, m.placement.seed_found ? m.config.seed : null);
  return out;
}

/** The model configurations mirroring every measured (non-idle) configuration of the dataset. */
export function mirrorDataset(ds: MeasurementDataset, opts: MirrorOptions = {}): MirroredConfig[] {
  const cpus = Number((ds.metadata as unknown as { cpu?: { count?: number } }).cpu?.count ?? 2) || 2;
  return ds.summary.filter((r) => r.mode === "stream" || r.mode === "pingpong").map((r0) => {
    const mode = r0.mode as "stream" | "pingpong";
    let r = r0;
    const config = makeConfig({
      workload: mode === "stream" ? "udp-stream" : "udp-pingpong",
      cpus,
      payload_bytes: num(r.payload_bytes),
      rps_cpus: r.rps === "off" ? "0" : String(r.rps_cpus),
      sender_cpu: num(r.sender_cpu),
      receiver_cpu: num(r.receiver_cpu),
      rate_pps: 0,
      hz: 250,
      idle: "halt",
      duration_ms: opts.duration_ms ?? 50,
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(opts.costs ? { costs: opts.costs } : {}),
    });
    const cpusInMask = r.rps === "off" ? 0 : maskCpus(String(r.rps_cpus));
    if (cpusInMask < 2) return { id: String(r.config_id), mode, row: r, config };
    const placed = placementRow(ds, r);
    if (placed === null) return { id: String(r.config_id), mode, row: r, config };
    const known = opts.seeds?.get(String(r.config_id));
    const seed = known !== undefined ? known : seedForPlacement(config, placed.pattern);
    // no seed gives the real placement: compare with all runs, as without mirroring, and say so
    const placement = { pattern: placed.pattern, runs: placed.runs, of: placed.of, seed_found: seed !== null };
    if (seed === null) return { id: String(r.config_id), mode, row: r, config, placement };
    return { id: String(r.config_id), mode, row: placed.row, config: { ...config, seed }, placement };
  });
}

/** How many CPUs a hex sysfs mask names. */
function maskCpus(mask: string): number {
  let n = 0;
  for (const ch of mask.replace(/^0x/i, "").replace(/,/g, "")) {
    let d = parseInt(ch, 16);
    if (Number.isNaN(d)) return 0;
    while (d) {
      n += d & 1;
      d >>= 1;
    }
  }
  return n;
}

/** The compared figures of one model run. */
export function modelMetrics(r: SimResult, mode: "stream" | "pingpong"): Record<MetricName, number> {
  const processed = Math.max(1, r.per_cpu.reduce((a, c) => a + c.softnet.processed, 0));
  const seconds = r.simulated_ns / 1e9;
  // /proc/stat ctxt counts every switch, to and from idle included: compare like with like
  const switches = r.per_cpu.reduce((a, c) => a + c.context_switches, 0);
  return {
    rate: mode === "pingpong" ? (r.latency_ns?.count ?? 0) / seconds : r.throughput_pps.received,
    net_rx_per_packet: r.per_cpu.reduce((a, c) => a + c.net_rx_softirqs, 0) / processed,
    ipis_per_packet: r.per_cpu.reduce((a, c) => a + c.ipi_cal + c.ipi_res, 0) / processed,
    rps_ipis_per_packet: r.per_cpu.reduce((a, c) => a + c.softnet.received_rps, 0) / processed,
    switches_per_packet: switches / processed,
  };
}

/** The same figures from a dataset summary row: median, min, max. */
export function realMetrics(row: Row, mode: "stream" | "pingpong"): Record<MetricName, { median: number; min: number; max: number }> {
  const f = (col: string) => ({ median: num(row[`${col}_median`]), min: num(row[`${col}_min`]), max: num(row[`${col}_max`]) });
  return {
    rate: f(mode === "pingpong" ? "round_trips_per_s" : "received_pps"),
    net_rx_per_packet: f("net_rx_per_packet"),
    ipis_per_packet: f("ipis_per_packet"),
    rps_ipis_per_packet: f("received_rps_per_packet"),
    switches_per_packet: f("system_switches_per_packet"),
  };
}

export interface ComparisonRow {
  config: string;
  metric: MetricName;
  real: number;
  real_min: number;
  real_max: number;
  model: number;
  /** model / real (NaN when real is 0) */
  ratio: number;
  /** |model/real - 1| <= 0.25, or both under 0.05 for per-packet counts */
  within25: boolean;
}

export function agrees(metric: MetricName, model: number, real: number): boolean {
  if (metric !== "rate" && Math.abs(model) < 0.05 && Math.abs(real) < 0.05) return true;
  return real !== 0 && Math.abs(model / real - 1) <= 0.25;
}

/** One mirrored configuration's figures, the model's run beside the real median and range. */
export function comparisonRows(m: MirroredConfig, result: SimResult): ComparisonRow[] {
  const out: ComparisonRow[] = [];
  const model = modelMetrics(result, m.mode);
  const real = realMetrics(m.row, m.mode);
  for (const metric of Object.keys(METRIC_LABELS) as MetricName[]) {
    const r = real[metric];
    if (!Number.isFinite(r.median)) continue;
    out.push({ config: m.id, metric, real: r.median, real_min: r.min, real_max: r.max, model: model[metric], ratio: r.median !== 0 ? model[metric] / r.median : NaN, within25: agrees(metric, model[metric], r.median) });
  }
  return out;
}

/** Runs the model on every mirrored configuration and lines its figures up with the real ones. */
export function compareDataset(ds: MeasurementDataset, opts: MirrorOptions = {}): ComparisonRow[] {
  return mirrorDataset(ds, opts).flatMap((m) => comparisonRows(m, simulate(m.config)));
}

/**
 * Notebook 05's bars: the stream's throughput per configuration of one payload (k datagrams/s),
 * the real median and range beside the model with the default costs and the model calibrated
 * (`calibratedSeries` names the latter). Labels read "RPS other, receiver same".
 */
export function streamRateBars(byDefault: readonly ComparisonRow[], calibrated: readonly ComparisonRow[], payload = 64, calibratedSeries = "model, calibrated") {
  const prefix = `stream-${payload}b-`;
  return calibrated.filter((r) => r.metric === "rate" && r.config.startsWith(prefix)).flatMap((r) => {
    const d = byDefault.find((x) => x.config === r.config && x.metric === "rate")!;
    const label = r.config.replace(prefix, "").replace("-recv_", ", receiver ").replace("rps_", "RPS ");
    return [
      { label, series: "real (median, min-max)", value: r.real / 1000, min: r.real_min / 1000, max: r.real_max / 1000 },
      { label, series: "model, default costs", value: d.model / 1000 },
      { label, series: calibratedSeries, value: r.model / 1000 },
    ];
  });
}

/** Do model and reality move the same way between two configurations (e.g. RPS off -> on)? */
export function directionAgreement(rows: ComparisonRow[], metric: MetricName, from: string, to: string): { real: number; model: number; same: boolean } | null {
  const a = rows.find((r) => r.config === from && r.metric === metric);
  const b = rows.find((r) => r.config === to && r.metric === metric);
  if (!a || !b) return null;
  const real = b.real - a.real;
  const model = b.model - a.model;
  return { real, model, same: Math.sign(real) === Math.sign(model) };
}

/** A fixed-width text table of a comparison. */
export function formatComparison(rows: ComparisonRow[]): string {
  const lines = [`${"configuration".padEnd(30)} ${"metric".padEnd(20)} ${"real median [min-max]".padStart(28)} ${"model".padStart(11)} ${"model/real".padStart(10)}  within 25%`];
  const fmt = (x: number) => (Math.abs(x) >= 100 ? Math.round(x).toString() : x.toFixed(3));
  for (const r of rows) {
    lines.push(`${r.config.padEnd(30)} ${r.metric.padEnd(20)} ${`${fmt(r.real)} [${fmt(r.real_min)}-${fmt(r.real_max)}]`.padStart(28)} ${fmt(r.model).padStart(11)} ${(Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : "-").padStart(10)}  ${r.within25 ? "yes" : "no"}`);
  }
  return lines.join("\n");
}
