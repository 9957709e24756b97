/**
 * Notebook 08's two verdict charts as live figures: the reader re-runs the verdict pass (every
 * claim's experiments, src/experiments/claim-verdicts.ts) at another run length (the robustness
 * grid's scales) or seed, or for one claim, and sees whether a verdict hangs on either.
 * Browser-safe: the published figures the rules read come from ./published.ts (embedded rows in the book).
 */
import { CLAIMS, ROBUSTNESS_SCALES, claimSpec, durationAt, evaluateClaimsWith, verdictCountsSpec, verdictPerClaimSpec, type ClaimVerdict } from "../experiments/claim-verdicts";
import type { VlSpec } from "../charts/spec";
import type { FigurePass, LiveFigure, TextSettings } from "./kit";
import { PUBLISHED_CSV, publishedRows } from "./published";

/** The claim knob's value for every claim. */
export const ALL_CLAIMS = "all";

/** The claims a pass evaluates for `settings` (CLAIMS order). */
export function passClaims(settings: TextSettings): string[] {
  const c = settings.claim ?? ALL_CLAIMS;
  return c === ALL_CLAIMS ? CLAIMS.map((x) => x.claim) : [c];
}

/** FNV-1a (32 bit) of a string, as 8 hex digits: a fingerprint of one claim's outcome to compare browser and Node runs by. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** The verdict pass of `settings` (scale, seed and claim already checked): robustness.ts's cell at that scale and seed. */
export function verdictPass(settings: TextSettings, progress?: (done: number, total: number) => void): ClaimVerdict[] {
  const scale = Number(settings.scale ?? "1");
  const claims = passClaims(settings);
  const durations = Object.fromEntries(claims.map((c) => [c, durationAt(claimSpec(c), scale)]));
  return evaluateClaimsWith({ file: PUBLISHED_CSV, rows: publishedRows() }, { seed: Number(settings.seed ?? "1"), durations, claims }, progress);
}

const PASS: FigurePass = {
  steps: passClaims,
  run(settings, progress) {
    const verdicts = verdictPass(settings, progress);
    return { outcome: verdicts, digests: verdicts.map((v) => `${v.claim}:${fnv1a(JSON.stringify(v))}`) };
  },
};

/** What one pass costs, measured with `npm run bench:book` in Chromium (bench/book.ts, the "verdict pass" row). */
export const VERDICT_PASS_COST = "One pass re-runs every claim's experiments, one claim after another (the progress line counts them): about 2 s in a Web Worker at scale 1 on this kit's 2-CPU machine kind, about 4 s at scale 2 (npm run bench:book, 2026-12-06). Pick one claim to wait less.";

function verdictFigure(id: string, title: RegExp, chart: (v: ClaimVerdict[]) => VlSpec): LiveFigure {
  return {
    id, notebook: "08-verdicts", title,
    knobs: ["seed"],
    params: [
      { key: "scale", doc: "run length as a multiple of each claim's notebook run length (the robustness grid's)", values: ROBUSTNESS_SCALES.map(String), start: "1" },
      { key: "claim", doc: "the claims to evaluate", values: [ALL_CLAIMS, ...CLAIMS.map((c) => c.claim)], start: ALL_CLAIMS },
    ],
    base: { seed: "1", scale: "1", claim: ALL_CLAIMS },
    // seed 3 flips C8 (the robustness table under the chart says so)
    tryThis: { seed: "3" },
    // the seed is the only configuration key: the CLI's parser checks it before the pass
    runs: (s) => [{ seed: s.seed ?? "1" }],
    pass: PASS,
    unit: "claim",
    cost: VERDICT_PASS_COST,
    // the title counts the claims of the pass (claimsCounted), so it follows the claim knob
    chart: (_r, _t, _s, samples) => chart(samples[0] as ClaimVerdict[]),
  };
}

export const VERDICT_FIGURES: readonly LiveFigure[] = [
  verdictFigure("08-verdicts/verdict-counts", /^The \d+ claims of dad6b9770263 and the rival patch's \(R1\) in the model$/, verdictCountsSpec),
  verdictFigure("08-verdicts/verdict-per-claim", /^Verdict per claim \(hover for the verdict\)$/, verdictPerClaimSpec),
];
