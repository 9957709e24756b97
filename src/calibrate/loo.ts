/**
 * Leave-one-configuration-out validation of the fit: for each configuration of a dataset, fit the
 * cost parameters without it, run the model on it with those costs, and compare with its real
 * medians. The errors say how well the fitted model predicts a configuration it has not seen, beside
 * how well it matches the ones it was fitted to (in-sample). Folds run on worker threads.
 */
import type { MeasurementDataset } from "../measure/dataset";
import { runPool } from "../experiments/pool";
import { agrees, METRIC_LABELS, type MetricName } from "./compare";
import { COUNT_FLOOR, evaluate, fitCosts, type Evaluation, type FitResult } from "./fit";
import { spread } from "../measure/stats";

export interface ErrorRow {
  config: string;
  metric: MetricName;
  real: number;
  model: number;
  /** Signed relative error: model/real - 1 for throughput; for per-packet counts (model - real) / max(real, COUNT_FLOOR). */
  error: number;
  /** The calibration report's test: within 25%, or both counts under 0.05 per packet. */
  within25: boolean;
}

export function relativeError(metric: MetricName, model: number, real: number): number {
  if (metric === "rate") return real !== 0 ? model / real - 1 : NaN;
  return (model - real) / Math.max(Math.abs(real), COUNT_FLOOR);
}

function errorRows(e: Evaluation): ErrorRow[] {
  return e.rows.map((r) => ({ ...r, error: relativeError(r.metric, r.model, r.real), within25: agrees(r.metric, r.model, r.real) }));
}

/** The dataset with only the rows of `keep` (summary and runs); metadata unchanged. */
export function selectConfigs(ds: MeasurementDataset, keep: (id: string) => boolean): MeasurementDataset {
  return { ...ds, summary: ds.summary.filter((r) => keep(String(r.config_id))), runs: ds.runs.filter((r) => keep(String(r.config_id))) };
}

/** The configurations a fit can use (the ones compare.ts mirrors: stream and ping-pong). */
export function fittableConfigs(ds: MeasurementDataset): string[] {
  return ds.summary.filter((r) => r.mode === "stream" || r.mode === "pingpong").map((r) => String(r.config_id));
}

export interface LooFoldJob {
  ds: MeasurementDataset;
  heldOut: string;
  duration_ms: number;
  start?: Record<string, number>;
  steps?: number[];
  groups?: string[];
}

export interface LooFold {
  config: string;
  factors: Record<string, number>;
  evaluations: number;
  /** The held-out configuration's figures, predicted by the fold's fit. */
  rows: ErrorRow[];
}

/** One fold: the fit never receives the held-out configuration's row; it is only predicted. */
export function looFold(job: LooFoldJob): LooFold {
  const train = selectConfigs(job.ds, (id) => id !== job.heldOut);
  const test = selectConfigs(job.ds, (id) => id === job.heldOut);
  if (test.summary.length === 0) throw new RangeError(`leave-one-out: no configuration ${JSON.stringify(job.heldOut)} in the dataset`);
  const fit = fitCosts(train, { duration_ms: job.duration_ms, start: job.start, steps: job.steps, groups: job.groups });
  return { config: job.heldOut, factors: fit.factors, evaluations: fit.evaluations, rows: errorRows(evaluate(test, fit.factors, job.duration_ms)) };
}

export interface LooOptions {
  /** Simulated ms per configuration, for every fit and prediction (default 20). */
  duration_ms?: number;
  /** Start every fold from these factors (a warm start; default a cold start from the table, 1 each). */
  start?: Record<string, number>;
  steps?: number[];
  groups?: string[];
  /** Worker threads (default one per core; 1 = inline). */
  parallel?: number;
  /** Hold out only these configurations (default every one). */
  configs?: string[];
}

export interface LooResult {
  duration_ms: number;
  /** The fit on every configuration, and its errors on them (in-sample). */
  full: FitResult;
  inSample: ErrorRow[];
  folds: LooFold[];
  /** Every held-out figure, fold by fold. */
  outOfSample: ErrorRow[];
}

/** The full fit, then one fold per configuration (in parallel). */
export async function leaveOneOut(ds: MeasurementDataset, opts: LooOptions = {}): Promise<LooResult> {
  const duration_ms = opts.duration_ms ?? 20;
  const lean = ds; // runs included: compare.ts rebuilds rows of several-CPU RPS masks from them
  const full = fitCosts(lean, { duration_ms, start: opts.start, steps: opts.steps, groups: opts.groups });
  const ids = opts.configs ?? fittableConfigs(ds);
  const jobs: LooFoldJob[] = ids.map((heldOut) => ({ ds: lean, heldOut, duration_ms, start: opts.start, steps: opts.steps, groups: opts.groups }));
  const folds = await runPool("loo-fold", jobs, looFold, opts.parallel);
  return { duration_ms, full, inSample: errorRows(full.after), folds, outOfSample: folds.flatMap((f) => f.rows) };
}

export interface ErrorSummary {
  metric: MetricName | "all";
  figures: number;
  /** Median of |error| over the figures with a finite error. */
  median_abs_error: number;
  within25: number;
  share_within25: number;
}

const median = (xs: number[]) => spread(xs)?.median ?? NaN;

/** Per metric and over all: median absolute error and share within 25%. */
export function summariseErrors(rows: ErrorRow[]): ErrorSummary[] {
  const one = (metric: MetricName | "all", rs: ErrorRow[]): ErrorSummary => {
    const w = rs.filter((r) => r.within25).length;
    return { metric, figures: rs.length, median_abs_error: median(rs.map((r) => Math.abs(r.error)).filter(Number.isFinite)), within25: w, share_within25: rs.length ? w / rs.length : NaN };
  };
  return [...(Object.keys(METRIC_LABELS) as MetricName[]).map((m) => one(m, rows.filter((r) => r.metric === m))), one("all", rows)];
}
