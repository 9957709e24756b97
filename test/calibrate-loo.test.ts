/**
 * Leave-one-configuration-out (src/calibrate/loo.ts) on a small committed dataset
 * (test/fixtures/loo-dataset: four configurations of the lean-tool dataset): the fit of a fold never
 * sees the held-out configuration (poisoning its row changes nothing the fit returns, poisoning a
 * training row does), the held-out errors are the model's figures against the real ones computed by
 * the formula, and worker threads give what inline gives.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { agrees, compareDataset } from "../src/calibrate/compare";
import { FIT_PARAMETERS, scaledCosts } from "../src/calibrate/fit";
import { COSTS } from "../src/kernel/costs";
import { leaveOneOut, looFold, relativeError, selectConfigs, summariseErrors, type ErrorRow, type LooFoldJob } from "../src/calibrate/loo";
import { loadMeasurementDataset, type MeasurementDataset } from "../src/measure/dataset";

const ds = loadMeasurementDataset("test/fixtures/loo-dataset");
// a small fit, so the test stays quick: three parameters on both sides of the CPU boundary, two step sizes
const SMALL = { duration_ms: 10, groups: ["udp_sendmsg", "netif_receive_skb", "ipi_latency"], steps: [1, 0.5] };
const HELD = "stream-64b-rps_other-recv_other";

/** The dataset with every median, min and max of configuration `id` multiplied by `k`. */
function poisoned(d: MeasurementDataset, id: string, k: number): MeasurementDataset {
  return {
    ...d,
    summary: d.summary.map((r) => (r.config_id !== id ? r : Object.fromEntries(Object.entries(r).map(([key, v]) => [key, /_(median|min|max)$/.test(key) && typeof v === "number" ? v * k + (k > 1 ? 1 : 0) : v])))) as never,
  };
}

describe("leave one configuration out", () => {
  const job: LooFoldJob = { ds, heldOut: HELD, ...SMALL };
  const fold = looFold(job);

  it("the fixture holds four configurations and the fold predicts the held-out one only", () => {
    expect(ds.summary.length).toBe(4);
    expect(new Set(fold.rows.map((r) => r.config))).toEqual(new Set([HELD]));
    expect(fold.rows.map((r) => r.metric)).toEqual(["rate", "net_rx_per_packet", "ipis_per_packet", "rps_ipis_per_packet", "switches_per_packet"]);
  });

  it("a poisoned held-out row does not change the fitted factors; a poisoned training row does", () => {
    const p = looFold({ ...job, ds: poisoned(ds, HELD, 100) });
    expect(p.factors).toEqual(fold.factors);
    expect(p.evaluations).toBe(fold.evaluations);
    expect(p.rows.map((r) => r.model)).toEqual(fold.rows.map((r) => r.model));
    expect(p.rows.map((r) => r.real)).not.toEqual(fold.rows.map((r) => r.real)); // the errors are against the poisoned reals
    const t = looFold({ ...job, ds: poisoned(ds, "stream-64b-rps_off-recv_other", 100) });
    expect(t.factors).not.toEqual(fold.factors);
  }, 120_000);

  it("the errors are the model with the fold's costs against the real medians, by the stated formula", () => {
    const cmp = compareDataset(selectConfigs(ds, (id) => id === HELD), { duration_ms: SMALL.duration_ms, costs: scaledCosts(fold.factors) });
    for (const r of fold.rows) {
      const c = cmp.find((x) => x.metric === r.metric)!;
      expect(r.model, r.metric).toBe(c.model);
      expect(r.real, r.metric).toBe(c.real);
      expect(r.within25, r.metric).toBe(c.within25);
      const want = r.metric === "rate" ? c.model / c.real - 1 : (c.model - c.real) / Math.max(c.real, 0.05);
      expect(r.error, r.metric).toBeCloseTo(want, 12);
    }
  });

  it("every configuration gets a fold; workers give what inline gives; the summary is medians and shares", async () => {
    const par = await leaveOneOut(ds, { ...SMALL, parallel: 2 });
    const inline = await leaveOneOut(ds, { ...SMALL, parallel: 1 });
    expect(par.folds).toEqual(inline.folds);
    expect(par.folds.map((f) => f.config)).toEqual(ds.summary.map((r) => String(r.config_id)));
    expect(par.folds.find((f) => f.config === HELD)).toEqual(fold);
    expect(par.outOfSample).toEqual(par.folds.flatMap((f) => f.rows));
    expect(par.inSample.length).toBe(20);
    const rate = summariseErrors(par.outOfSample).find((s) => s.metric === "rate")!;
    const errs = par.outOfSample.filter((r) => r.metric === "rate").map((r) => Math.abs(r.error)).sort((a, b) => a - b);
    expect(rate.median_abs_error).toBeCloseTo((errs[1]! + errs[2]!) / 2, 12);
    expect(rate.within25).toBe(par.outOfSample.filter((r) => r.metric === "rate" && r.within25).length);
  }, 300_000);

  it("the summary of made-up rows: median of |error|, share within 25%", () => {
    const row = (error: number, within25: boolean): ErrorRow => ({ config: "x", metric: "rate", real: 1, model: 1 + error, error, within25 });
    const [rate, , , , , all] = summariseErrors([row(-0.5, false), row(0.1, true), row(0.2, true)]);
    expect(rate!.median_abs_error).toBeCloseTo(0.2, 12);
    expect(rate!.share_within25).toBeCloseTo(2 / 3, 12);
    expect(all!.figures).toBe(3);
    expect(relativeError("ipis_per_packet", 0.06, 0.01)).toBeCloseTo(1, 12); // (0.06 - 0.01) / the floor 0.05
    expect(relativeError("ipis_per_packet", 0.3, 0.2)).toBeCloseTo(0.5, 12);
    expect(agrees("ipis_per_packet", 0.04, 0.01)).toBe(true);
  });

  it("an unknown held-out configuration is refused by name", () => {
    expect(() => looFold({ ...job, heldOut: "nope" })).toThrow(/no configuration "nope"/);
  });

  it("the report script refuses a bad option in one line, exit 2", () => {
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, ["--import", "tsx", "scripts/calibration-report.ts", "--loo-ms", "0"], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = (e as { stderr: string }).stderr;
    }
    expect(status).toBe(2);
    expect(stderr.trim()).toBe('calibration-report: --loo-ms: "0" is not allowed: expected an integer from 5 to 1000');
  }, 60_000);

  it("every fit parameter names entries of the cost table, each entry in one parameter at most, with bounds around 1", () => {
    const seen = new Set<string>();
    for (const p of FIT_PARAMETERS) {
      expect(p.costs.length, p.name).toBeGreaterThan(0);
      expect(p.min, p.name).toBeLessThan(1);
      expect(p.max, p.name).toBeGreaterThan(1);
      for (const c of p.costs) {
        expect(Object.keys(COSTS), `${p.name}: ${c}`).toContain(c);
        expect(seen.has(c), `${c} in two parameters`).toBe(false);
        seen.add(c);
      }
    }
  });
});
