/**
 * The closing table of notebooks/08-verdicts.ipynb: every claim has the verdict the course states.
 * A model change that flips one fails here, with the claim's evidence in the message.
 */
import { describe, expect, it } from "vitest";
import { claimVerdicts } from "../src/experiments/verdicts";

const EXPECTED: Record<string, string> = {
  C1: "reproduced", C2: "reproduced", C3: "reproduced", C4: "reproduced", C5: "reproduced",
  C6: "reproduced", C7: "reproduced", C8: "reproduced under conditions", C9: "reproduced",
  C10: "reproduced under conditions", C11: "reproduced", C12: "reproduced under conditions",
  C13: "reproduced", C14: "reproduced", C15: "reproduced",
  // the rival patch's own claim (OpenWrt's backlog_threaded, notebook 10)
  R1: "reproduced under conditions",
};

describe("08 · every claim, one verdict", () => {
  const verdicts = claimVerdicts("datasets/published/claims-figures.csv");

  it("covers C1 to C15 and the rival patch's claim, each with evidence and a notebook that exists", () => {
    expect(verdicts.map((v) => v.claim)).toEqual(Object.keys(EXPECTED));
    for (const v of verdicts) {
      expect(v.evidence.length).toBeGreaterThan(20);
      expect(v.notebook).toMatch(/^\d\d-/);
    }
  });

  for (const [claim, verdict] of Object.entries(EXPECTED)) {
    it(`${claim}: ${verdict}`, () => {
      const v = verdicts.find((x) => x.claim === claim)!;
      expect(v.verdict, `${claim}: ${v.evidence}`).toBe(verdict);
    });
  }
});
