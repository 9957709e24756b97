/**
 * Costs as distributions (cost_spread=measured): each charge of a cost-table entry draws its
 * duration instead of always taking the median, so runs have the spread real kernels have
 * (ping-pong latency percentiles, run-to-run variation that changes with the seed).
 *
 * Shape: a split log-normal through the measured 10th, 50th and 90th percentiles (COST_SPREAD in
 * costs.ts), scaled to the run's median for that entry. Drawing is one table lookup: each entry's
 * quantile function is tabulated once per run at 256 evenly spaced probabilities, so a draw costs
 * one 32-bit random number. The generator is the run's seed mixed with a constant of its own, so
 * the Poisson arrival times (drawn from Machine.rng) are the same with and without cost spread.
 */
import { Rng } from "../engine/rng";
import { COST_NAMES, COST_SPREAD, type CostName } from "./costs";

const BINS = 256;
/** The standard normal's 90th percentile: ln(p90/p50) / Z90 is the upper log-normal sigma. */
const Z90 = 1.2815515655446004;

/**
 * Inverse of the standard normal distribution function, by P. J. Acklam's rational approximation
 * (relative error below 1.2e-9), enough to tabulate quantiles.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * Tables already made, by (median, p10, p50, p90): a run of a few ms spent a fair part of its time
 * tabulating, and sweeps and fits start thousands of runs with the same few tables. They are only
 * read. Bounded: cleared when full (a fit makes a few new medians per evaluation).
 */
const TABLES = new Map<string, Int32Array>();
const MAX_TABLES = 4096;

/** quantileTable, made once per distinct entry (the returned table must not be written). */
export function sharedQuantileTable(median: number, p10: number, p50: number, p90: number): Int32Array {
  const key = `${median} ${p10} ${p50} ${p90}`;
  let t = TABLES.get(key);
  if (t === undefined) {
    if (TABLES.size >= MAX_TABLES) TABLES.clear();
    t = quantileTable(median, p10, p50, p90);
    TABLES.set(key, t);
  }
  return t;
}

/** The tabulated quantile function of one entry: BINS integer durations, ns, ascending. */
export function quantileTable(median: number, p10: number, p50: number, p90: number): Int32Array {
  const t = new Int32Array(BINS);
  const sLo = p10 > 0 && p50 > p10 ? Math.log(p50 / p10) / Z90 : 0;
  const sHi = p50 > 0 && p90 > p50 ? Math.log(p90 / p50) / Z90 : 0;
  for (let i = 0; i < BINS; i++) {
    const z = normalQuantile((i + 0.5) / BINS);
    t[i] = Math.max(0, Math.round(median * Math.exp(z * (z < 0 ? sLo : sHi))));
  }
  return t;
}

/**
 * One cost-table entry of a run, charged by `draw()`: its quantile table, or its median when it has
 * none. The hot path holds these (Machine.charge.<name>) so a charge is a field load and a call,
 * not a lookup by name; the draws come from the run's one generator, in the order they are made.
 */
export class CostSource {
  constructor(
    /** The tabulated quantile function, or null when the entry is charged at its median. */
    readonly table: Int32Array | null,
    readonly median: number,
    private readonly rng: Rng,
  ) {}

  /** One charge: a draw from the entry's distribution, or its median. */
  draw(): number {
    const t = this.table;
    if (t === null) return this.median;
    return t[this.rng.nextU32() >>> 24]!;
  }
}

export class CostDraw {
  /** Every cost-table entry's source, by name (every name present, in COST_NAMES order). */
  readonly of: Record<CostName, CostSource>;
  private readonly rng: Rng;
  /** Durations drawn so far (0: the seed reached no cost). */
  get draws(): number {
    return this.rng.draws;
  }

  constructor(costs: Record<CostName, number>, spread: "measured" | "none", seed: number) {
    this.rng = new Rng((seed ^ 0x2545f491) >>> 0);
    const source = (name: CostName): CostSource => {
      const s = COST_SPREAD[name];
      const median = costs[name];
      const drawn = spread !== "none" && s !== undefined && median > 0 && !(s.p10 === s.p50 && s.p90 === s.p50);
      return new CostSource(drawn ? sharedQuantileTable(median, s.p10, s.p50, s.p90) : null, median, this.rng);
    };
    // built in one go (fromEntries): added key by key in a loop, the record would go to V8's
    // dictionary mode, and every m.charge.<name> on the hot path would be a hash lookup
    this.of = Object.fromEntries(COST_NAMES.map((name) => [name, source(name)])) as Record<CostName, CostSource>;
  }

  /** One charge of `name`: a draw from its distribution, or its median when it has none. */
  cost(name: CostName): number {
    return this.of[name].draw();
  }

  /** Whether `name` is drawn (has a distribution in this run). */
  spreads(name: CostName): boolean {
    return this.of[name].table !== null;
  }
}
