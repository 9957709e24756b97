/**
 * The robustness layer of notebook 08 (src/experiments/robustness.ts): its words say exactly what the
 * grid of run lengths x seeds holds (made-up grids with known flips), and on the model its cells are
 * the claim's own computation at that run length and seed, in worker threads as inline.
 */
import { describe, expect, it } from "vitest";
import { durationsFor, robustnessParagraph, summariseGrid, verdictRobustness, type ClaimRobustness, type RobustnessCell } from "../src/experiments/robustness";
import { c12Verdicts, rpsMatrix } from "../src/experiments/rps";
import { claimSpec, evaluateClaims, type Verdict } from "../src/experiments/verdicts";

const CSV = "datasets/published/claims-figures.csv";

function grid(durations: number[], seeds: number[], verdict: (d: number, s: number) => Verdict, count: (d: number, s: number) => number = () => 1): RobustnessCell[] {
  return durations.flatMap((d) => seeds.map((s) => ({ duration_ms: d, seed: s, verdict: verdict(d, s), counts: { n: count(d, s) }, evidence: "" })));
}

describe("robustness words: what the grid holds, nothing else", () => {
  it("one verdict everywhere and identical counts: stable, and the seeds said to change nothing", () => {
    const g = summariseGrid(grid([40, 100, 200], [1, 2, 3], () => "reproduced"), 100);
    expect(g.stable).toBe(true);
    expect(g.summary).toBe("stable: reproduced at every run length (40/100/200 ms) and every seed (1, 2, 3)");
    expect(g.seeds_note).toBe("every seed (1, 2, 3) gives the same counts at every run length");
    expect(g.moving_counts).toBe("");
  });

  it("a verdict that changes with the run length only: the flip names the run lengths of each verdict, the notebook's first", () => {
    const g = summariseGrid(grid([40, 100, 200], [1, 2, 3], (d) => (d === 40 ? "not reproduced" : "reproduced"), (d) => (d === 40 ? 2 : 6)), 100);
    expect(g.stable).toBe(false);
    expect(g.summary).toBe("flips with the run length: reproduced at 100/200 ms, not reproduced at 40 ms");
    expect(g.moving_counts).toBe("n 2 at 40 ms, 6 at 100 ms, 6 at 200 ms");
  });

  it("the same seed split at every run length is said once; a split at one run length is named there", () => {
    const once = summariseGrid(grid([20, 50], [1, 2, 3], (_d, s) => (s === 3 ? "not reproduced" : "reproduced under conditions")), 50);
    expect(once.summary).toBe("flips with the seed at every run length (20/50 ms): reproduced under conditions (seeds 1, 2), not reproduced (seed 3)");
    expect(once.seeds_note).toBe("the verdict changes with the seed at 20/50 ms");
    const one = summariseGrid(grid([20, 50], [1, 2], (d, s) => (d === 20 && s === 2 ? "not reproduced" : "reproduced")), 50);
    expect(one.summary).toBe("flips with the seed: at 20 ms reproduced (seed 1), not reproduced (seed 2); reproduced at 50 ms");
  });

  it("counts that move with the seed but not the verdict are reported, with their range", () => {
    const g = summariseGrid(grid([40, 100], [1, 2], () => "not reproduced", (d, s) => (d === 40 ? 5 + s : 5)), 100);
    expect(g.stable).toBe(true);
    expect(g.seeds_note).toBe("the seed moves the counts at 40 ms, not the verdict");
    expect(g.moving_counts).toBe("n 6-7 at 40 ms, 5 at 100 ms");
    const r: ClaimRobustness = { claim: "X", statement: "", base_ms: 100, cells: [], ...g };
    expect(robustnessParagraph([r])).toBe("**1 of 1** verdicts are stable across their run lengths and seeds (X). None flips. The seed moves the counts, not the verdict, of X.");
  });

  it("run lengths are multiples of the claim's own, never under its minimum", () => {
    expect(durationsFor({ base_ms: 100 })).toEqual([40, 100, 200]);
    expect(durationsFor({ base_ms: 5, min_ms: 4 })).toEqual([4, 5, 10]);
  });
});

describe("robustness on the model: each cell is the claim computed at that run length and seed", () => {
  it("C12: the cells' counts are c12Verdicts of the RPS matrix at that length and seed; workers give what inline gives", async () => {
    const par = await verdictRobustness("C12", { publishedCsv: CSV, durations: [40, 100], seeds: [1, 2], parallel: 2 });
    const inline = await verdictRobustness("C12", { publishedCsv: CSV, durations: [40, 100], seeds: [1, 2], parallel: 1 });
    expect(par.cells).toEqual(inline.cells);
    expect(par.cells.map((c) => [c.duration_ms, c.seed])).toEqual([[40, 1], [40, 2], [100, 1], [100, 2]]);
    for (const c of par.cells) {
      const rows = c12Verdicts(rpsMatrix({ duration_ms: c.duration_ms, seed: c.seed }), 0.1);
      expect(c.counts.both_hold).toBe(rows.filter((r) => r.holds).length);
      expect(c.counts.within_10pct).toBe(rows.filter((r) => Math.abs(r.thread_vs_ipi - 1) <= 0.1).length);
      expect(c.counts.of_conditions).toBe(rows.length);
    }
    // the words agree with the cells
    expect(par.stable).toBe(new Set(par.cells.map((c) => c.verdict)).size === 1);
    const countsBySeed = (d: number) => new Set(par.cells.filter((c) => c.duration_ms === d).map((c) => JSON.stringify(c.counts))).size;
    expect(par.seeds_note.startsWith("every seed")).toBe(countsBySeed(40) === 1 && countsBySeed(100) === 1);
  }, 300_000);

  it("the notebook's own cell (its run length, seed 1) is the verdict notebook 08 states", () => {
    const spec = claimSpec("C14");
    const [base] = evaluateClaims(CSV, { claims: ["C14"] });
    const [again] = evaluateClaims(CSV, { claims: ["C14"], durations: { C14: spec.base_ms }, seed: 1 });
    expect(again).toEqual(base);
    expect(base!.duration_ms).toBe(spec.base_ms);
  });

  it("bad grids are refused with the field named", async () => {
    await expect(verdictRobustness("C1", { publishedCsv: CSV, durations: [0] })).rejects.toThrow(/durations/);
    await expect(verdictRobustness("C99", { publishedCsv: CSV })).rejects.toThrow(/no claim "C99"/);
  });
});
