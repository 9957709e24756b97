/**
 * Calibration: fits the cost table to a measured dataset. Costs move in five groups, each by one
 * scale factor (send path, receive stack, receiving application, scheduler, interrupts and idle
 * exit), because the dataset's figures constrain groups, not single entries. The loss, summed over
 * every measured configuration: the squared log error of throughput, plus half the squared error of
 * IPIs and context switches per packet. A deterministic coordinate descent in log2 space (step 1,
 * 1/2, 1/4, 1/8; two passes each; factors bounded to [1/16, 16]) minimises it. Each evaluation runs
 * the model once per configuration.
 */
import { COSTS, type CostName } from "../kernel/costs";
import { UserInputError } from "../errors";
import type { MeasurementDataset } from "../measure/dataset";
import { simulate } from "../sim/simulate";
import { mirrorDataset, modelMetrics, realMetrics, type MetricName } from "./compare";
import type { CostProfile, ResidualRow } from "./profiles";

export const COST_GROUPS: Record<string, CostName[]> = {
  send: ["syscall", "udp_sendmsg", "dev_queue_xmit", "user_send_loop", "copy_per_kb"],
  rx_stack: ["netif_receive_skb", "enqueue_to_backlog", "process_backlog_call", "net_rx_action", "do_softirq", "get_rps_cpu"],
  recv_app: ["udp_recvmsg", "user_recv_loop", "user_pingpong"],
  sched: ["try_to_wake_up", "context_switch"],
  irq: ["ipi_send", "ipi_latency", "irq_entry_exit", "idle_exit_halt", "rps_trigger_softirq"],
};
export const GROUP_NAMES = Object.keys(COST_GROUPS);

/** The cost table scaled by group factors (1 = default), rounded to whole ns. */
export function scaledCosts(factors: Record<string, number>): Partial<Record<CostName, number>> {
  const out: Partial<Record<CostName, number>> = {};
  for (const [g, names] of Object.entries(COST_GROUPS)) {
    for (const n of names) out[n] = Math.max(0, Math.round(COSTS[n].ns * (factors[g] ?? 1)));
  }
  return out;
}

const WEIGHTS: Partial<Record<MetricName, number>> = { rate: 1, ipis_per_packet: 0.5, switches_per_packet: 0.5 };

export interface Evaluation {
  loss: number;
  rows: { config: string; metric: MetricName; real: number; model: number }[];
}

/** Runs the model with `factors` on every configuration of the dataset and scores it. */
export function evaluate(ds: MeasurementDataset, factors: Record<string, number>, duration_ms: number): Evaluation {
  const rows: Evaluation["rows"] = [];
  let loss = 0;
  for (const m of mirrorDataset(ds, { duration_ms, costs: scaledCosts(factors) })) {
    const model = modelMetrics(simulate(m.config), m.mode);
    const real = realMetrics(m.row, m.mode);
    for (const [metric, w] of Object.entries(WEIGHTS) as [MetricName, number][]) {
      const r = real[metric].median;
      if (!Number.isFinite(r)) continue;
      const x = model[metric];
      rows.push({ config: m.id, metric, real: r, model: x });
      if (metric === "rate") loss += w * Math.log(Math.max(x, 1) / Math.max(r, 1)) ** 2;
      else loss += w * (x - r) ** 2;
    }
  }
  return { loss, rows };
}

export interface FitResult {
  factors: Record<string, number>;
  before: Evaluation;
  after: Evaluation;
  evaluations: number;
}

/** Coordinate descent over the group factors (see the module comment). */
export function fitCosts(ds: MeasurementDataset, opts: { duration_ms?: number; groups?: string[]; onStep?: (loss: number, factors: Record<string, number>) => void } = {}): FitResult {
  const duration = opts.duration_ms ?? 50;
  const groups = opts.groups ?? GROUP_NAMES;
  for (const g of groups) if (!GROUP_NAMES.includes(g)) throw new UserInputError(`--groups: unknown cost group ${JSON.stringify(g)} (allowed: ${GROUP_NAMES.join(", ")})`);
  const logf: Record<string, number> = Object.fromEntries(GROUP_NAMES.map((g) => [g, 0]));
  const factorsOf = (l: Record<string, number>) => Object.fromEntries(Object.entries(l).map(([g, v]) => [g, 2 ** v]));
  const before = evaluate(ds, factorsOf(logf), duration);
  let best = before;
  let evaluations = 1;
  for (const step of [1, 0.5, 0.25, 0.125]) {
    for (let pass = 0; pass < 2; pass++) {
      let improved = false;
      for (const g of groups) {
        for (const dir of [1, -1]) {
          const trial = { ...logf, [g]: Math.max(-4, Math.min(4, logf[g]! + dir * step)) };
          if (trial[g] === logf[g]) continue;
          const e = evaluate(ds, factorsOf(trial), duration);
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

/** A profile from a fit, with provenance and per-configuration residuals. */
export function profileFromFit(name: string, datasetDir: string, machine: string, fit: FitResult): CostProfile {
  const residuals: ResidualRow[] = fit.after.rows.map((r) => {
    const d = fit.before.rows.find((b) => b.config === r.config && b.metric === r.metric)!;
    return { config: r.config, metric: r.metric, real: r.real, model_default: d.model, model_fitted: r.model };
  });
  return {
    name,
    dataset: datasetDir,
    machine,
    method: "group scale factors by coordinate descent in log2 space (src/calibrate/fit.ts): loss = sum of squared log throughput error + 0.5 x squared error of IPIs and switches per packet",
    factors: fit.factors,
    costs: scaledCosts(fit.factors),
    fit: { loss_default: fit.before.loss, loss_fitted: fit.after.loss, evaluations: fit.evaluations, residuals },
  };
}
