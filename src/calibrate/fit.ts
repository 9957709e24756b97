/**
 * Calibration: fits the cost table to a measured dataset by moving a few parameters, each a factor
 * on one cost entry or one group of entries (FIT_PARAMETERS), by deterministic coordinate descent in
 * log2 space. The loss covers every per-packet figure the calibration report shows (throughput,
 * NET_RX runs, IPIs, RPS IPIs and context switches per packet). Each evaluation runs the model once
 * per configuration.
 */
import { COSTS, type CostName } from "../kernel/costs";
import { UserInputError } from "../errors";
import type { MeasurementDataset } from "../measure/dataset";
import { simulate } from "../sim/simulate";
import { METRIC_LABELS, mirrorDataset, modelMetrics, placementSeeds, realMetrics, type MetricName } from "./compare";
import type { CostProfile, ResidualRow } from "./profiles";

/** One fitted parameter: a factor on `costs`, bounded to [min, max]. */
export interface FitParameter {
  name: string;
  costs: readonly string[];
  min: number;
  max: number;
}

/**
 * Why these parameters. The dataset's configurations place the sender, the RPS target and the
 * receiver on the same or on different CPUs, so they tell apart the CPU the cost lands on: the send
 * path (sender's CPU), the receive stack (the sender's CPU with RPS off, the target with RPS on) and
 * the receiving application (the receiver's CPU). Whole groups scaled by one factor could only make a
 * path dearer or cheaper as a block, not move cost from the send path to the receive stack; so the
 * entry that dominates each path in the traced table gets its own factor (udp_sendmsg on the send
 * side, netif_receive_skb in the stack, udp_recvmsg in the reader), and the rest of each path keeps
 * one factor, as the dataset cannot tell its small entries apart. The scheduler is split into the
 * wakeup and the switch (switches per packet against ping-pong round trips), the IPI into the
 * sender's APIC write (the sender's throughput) and the delivery latency (how many packets one RPS
 * IPI carries: RPS IPIs and NET_RX runs per packet). Entries measured from traces move at most x4
 * either way (their p10-p90 spread is far narrower; the rest is tracing overhead and workload);
 * the groups keep the older [1/16, 16]. Cost entries in no parameter keep their table value.
 */
export const FIT_PARAMETERS: readonly FitParameter[] = [
  { name: "udp_sendmsg", costs: ["udp_sendmsg"], min: 1 / 4, max: 4 },
  { name: "send", costs: ["syscall", "dev_queue_xmit", "user_send_loop", "copy_per_kb"], min: 1 / 16, max: 16 },
  { name: "netif_receive_skb", costs: ["netif_receive_skb"], min: 1 / 4, max: 4 },
  { name: "rx_stack", costs: ["enqueue_to_backlog", "process_backlog_call", "net_rx_action", "do_softirq", "get_rps_cpu"], min: 1 / 16, max: 16 },
  { name: "udp_recvmsg", costs: ["udp_recvmsg"], min: 1 / 4, max: 4 },
  { name: "recv_app", costs: ["user_recv_loop", "user_pingpong"], min: 1 / 16, max: 16 },
  { name: "try_to_wake_up", costs: ["try_to_wake_up"], min: 1 / 4, max: 4 },
  { name: "context_switch", costs: ["context_switch", "schedule_queued", "schedule_dequeued"], min: 1 / 4, max: 4 },
  { name: "ipi_send", costs: ["ipi_send"], min: 1 / 4, max: 4 },
  { name: "ipi_latency", costs: ["ipi_latency", "idle_exit_halt"], min: 1 / 4, max: 4 },
  { name: "irq", costs: ["irq_entry_exit", "rps_trigger_softirq"], min: 1 / 16, max: 16 },
];
export const PARAMETER_NAMES = FIT_PARAMETERS.map((p) => p.name);
/** The former name of PARAMETER_NAMES (the CLI's --groups option). */
export const GROUP_NAMES = PARAMETER_NAMES;

const isCost = (n: string): n is CostName => Object.prototype.hasOwnProperty.call(COSTS, n);

/** The cost table with every parameter's factor applied (1 = table value), rounded to whole ns. */
export function scaledCosts(factors: Record<string, number>): Partial<Record<CostName, number>> {
  const out: Partial<Record<CostName, number>> = {};
  for (const p of FIT_PARAMETERS) {
    for (const n of p.costs) if (isCost(n)) out[n] = Math.max(0, Math.round(COSTS[n].ns * (factors[p.name] ?? 1)));
  }
  return out;
}

/** Weight of each figure in the loss: throughput first, each per-packet count half as much. */
export const WEIGHTS: Record<MetricName, number> = { rate: 1, net_rx_per_packet: 0.5, ipis_per_packet: 0.5, rps_ipis_per_packet: 0.5, switches_per_packet: 0.5 };
/**
 * Per-packet counts are compared on a log scale with this floor added to both sides: the report
 * treats counts both under 0.05 per packet as agreeing, and the floor keeps 0.0002 vs 0.0001 IPIs per
 * packet (noise) from weighing like 0.5 vs 0.15 (a mechanism).
 */
export const COUNT_FLOOR = 0.05;

/** One figure's term of the loss (before its weight). */
export function lossTerm(metric: MetricName, model: number, real: number): number {
  if (metric === "rate") return Math.log(Math.max(model, 1) / Math.max(real, 1)) ** 2;
  return Math.log((Math.max(model, 0) + COUNT_FLOOR) / (Math.max(real, 0) + COUNT_FLOOR)) ** 2;
}

/**
 * Weight of the RPS off -> on terms: the course teaches RPS from how throughput changes when it is
 * turned on, so the fit also scores that change. Each pair (the same workload, payload and receiver,
 * rps_off and rps_other) adds the squared difference of the log throughput ratios, model against
 * real: errors that lean the same way on both configurations cost nothing here, errors that turn
 * the change around do.
 */
export const DIRECTION_WEIGHT = 2;

/** The RPS off -> on terms of the loss over the rows present (a pair with a configuration missing adds nothing). */
export function directionLoss(rows: readonly { config: string; metric: MetricName; real: number; model: number }[]): number {
  let sum = 0;
  for (const on of rows) {
    if (on.metric !== "rate" || !on.config.includes("-rps_other-")) continue;
    const off = rows.find((r) => r.metric === "rate" && r.config === on.config.replace("-rps_other-", "-rps_off-"));
    if (off === undefined) continue;
    const ratio = (a: number, b: number) => Math.log(Math.max(a, 1) / Math.max(b, 1));
    sum += (ratio(on.model, off.model) - ratio(on.real, off.real)) ** 2;
  }
  return sum;
}

export interface Evaluation {
  loss: number;
  rows: { config: string; metric: MetricName; real: number; model: number }[];
}

/**
 * Runs the model with `factors` on every configuration of the dataset and scores it. `seeds`: the
 * placement seeds of an earlier mirroring (compare.ts `placementSeeds`), so that they are not searched again.
 */
export function evaluate(ds: MeasurementDataset, factors: Record<string, number>, duration_ms: number, seeds?: ReadonlyMap<string, number | null>): Evaluation {
  const rows: Evaluation["rows"] = [];
  let loss = 0;
  for (const m of mirrorDataset(ds, { duration_ms, costs: scaledCosts(factors), seeds })) {
    const model = modelMetrics(simulate(m.config), m.mode);
    const real = realMetrics(m.row, m.mode);
    for (const metric of Object.keys(METRIC_LABELS) as MetricName[]) {
      const r = real[metric].median;
      if (!Number.isFinite(r)) continue;
      rows.push({ config: m.id, metric, real: r, model: model[metric] });
      loss += WEIGHTS[metric] * lossTerm(metric, model[metric], r);
    }
  }
  return { loss: loss + DIRECTION_WEIGHT * directionLoss(rows), rows };
}

/** The descent's log2 step sizes when none are given: x2, x1.41, x1.19, x1.09. */
export const DEFAULT_STEPS: readonly number[] = [1, 0.5, 0.25, 0.125];

export interface FitResult {
  factors: Record<string, number>;
  before: Evaluation;
  after: Evaluation;
  evaluations: number;
}

export interface FitOptions {
  duration_ms?: number;
  /** The parameters to move (default all); the others stay at their start. */
  groups?: string[];
  /** Start factors (a warm start, e.g. the full fit for leave-one-out); default 1 each. */
  start?: Record<string, number>;
  /** log2 step sizes, largest first (default 1, 1/2, 1/4, 1/8). */
  steps?: number[];
  onStep?: (loss: number, factors: Record<string, number>) => void;
}

/**
 * Coordinate descent: for each step size (two passes each), try each parameter up and down by the
 * step within its bounds, keep the first that lowers the loss. Deterministic: fixed order, no draws.
 * The placement seeds of the configurations with several RPS CPUs are searched once, with the start
 * factors, and kept for every evaluation (the flow hash, not the costs, sets the placement).
 */
export function fitCosts(ds: MeasurementDataset, opts: FitOptions = {}): FitResult {
  const duration = opts.duration_ms ?? 50;
  const names = opts.groups ?? PARAMETER_NAMES;
  for (const g of names) if (!PARAMETER_NAMES.includes(g)) throw new UserInputError(`--groups: unknown fit parameter ${JSON.stringify(g)} (allowed: ${PARAMETER_NAMES.join(", ")})`);
  const bounds = new Map(FIT_PARAMETERS.map((p) => [p.name, [Math.log2(p.min), Math.log2(p.max)] as const]));
  const logf: Record<string, number> = Object.fromEntries(FIT_PARAMETERS.map((p) => {
    const [lo, hi] = bounds.get(p.name)!;
    return [p.name, Math.max(lo, Math.min(hi, Math.log2(opts.start?.[p.name] ?? 1)))];
  }));
  const factorsOf = (l: Record<string, number>) => Object.fromEntries(Object.entries(l).map(([g, v]) => [g, 2 ** v]));
  const seeds = placementSeeds(mirrorDataset(ds, { duration_ms: duration, costs: scaledCosts(factorsOf(logf)) }));
  const before = evaluate(ds, factorsOf(logf), duration, seeds);
  let best = before;
  let evaluations = 1;
  for (const step of opts.steps ?? DEFAULT_STEPS) {
    for (let pass = 0; pass < 4; pass++) {
      let improved = false;
      for (const g of names) {
        const [lo, hi] = bounds.get(g)!;
        for (const dir of [1, -1]) {
          const trial = { ...logf, [g]: Math.max(lo, Math.min(hi, logf[g]! + dir * step)) };
          if (trial[g] === logf[g]) continue;
          const e = evaluate(ds, factorsOf(trial), duration, seeds);
          evaluations++;
          if (e.loss < best.loss - 1e-12) {
            best = e;
            logf[g] = trial[g]!;
            improved = true;
            opts.onStep?.(e.loss, factorsOf(logf));
            break;
          }
        }
      }
      if (!improved) break;
    }
  }
  return { factors: factorsOf(logf), before, after: best, evaluations };
}

/** A profile from a fit, with provenance and per-configuration residuals; `run` (the fit's run length and steps) is written into its method. */
export function profileFromFit(name: string, datasetDir: string, machine: string, fit: FitResult, run?: { duration_ms: number; steps?: number[] }): CostProfile {
  const residuals: ResidualRow[] = fit.after.rows.map((r) => {
    const d = fit.before.rows.find((b) => b.config === r.config && b.metric === r.metric)!;
    return { config: r.config, metric: r.metric, real: r.real, model_default: d.model, model_fitted: r.model };
  });
  return {
    name,
    dataset: datasetDir,
    machine,
    method: `factors on ${FIT_PARAMETERS.length} cost parameters (single entries and groups, src/calibrate/fit.ts) by coordinate descent in log2 space: loss = squared log throughput error + 0.5 x squared log error (floor ${COUNT_FLOOR}) of NET_RX runs, IPIs, RPS IPIs and context switches per packet + ${DIRECTION_WEIGHT} x squared error of the log throughput change from RPS off to RPS on (each workload, payload and receiver)${run ? `; ${run.duration_ms} ms simulated per configuration, log2 steps ${(run.steps ?? DEFAULT_STEPS).join(", ")}` : ""}`,
    factors: fit.factors,
    costs: scaledCosts(fit.factors),
    fit: { loss_default: fit.before.loss, loss_fitted: fit.after.loss, evaluations: fit.evaluations, residuals },
  };
}
