/**
 * Notebook 08's verdicts in Node: the claims and their rules are ./claim-verdicts.ts (browser-safe);
 * this module reads the published figures they compare with from claims-figures.csv by path.
 */
import { loadPublishedFigures } from "../measure/dataset";
import { evaluateClaimsWith, type ClaimVerdict, type EvaluateOptions } from "./claim-verdicts";

export * from "./claim-verdicts";

/** Evaluates `claims` (default all), each at the run length `durations[claim]` (default its base) and `seed`; `publishedCsv`: the path of claims-figures.csv. */
export function evaluateClaims(publishedCsv: string, opts: EvaluateOptions = {}): ClaimVerdict[] {
  return evaluateClaimsWith({ file: publishedCsv, rows: loadPublishedFigures(publishedCsv).rows }, opts);
}

/** Computes every verdict at the notebooks' run lengths, seed 1 (a few seconds). `publishedCsv`: claims-figures.csv. */
export function claimVerdicts(publishedCsv: string): ClaimVerdict[] {
  return evaluateClaims(publishedCsv);
}
