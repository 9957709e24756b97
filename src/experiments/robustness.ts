/**
 * Do the verdicts of notebook 08 hang on a run length or a seed? Each claim of verdicts.ts is
 * evaluated on a grid of run lengths and seeds (worker threads, one per core), and the grid is
 * summarised in words: "stable" when every cell gives the same verdict, else the flip named by the
 * run lengths or seeds that give each verdict, plus whether the seed moved anything at all and which
 * of the rule's counts move. Nothing here knows a claim's numbers: it reruns the claim.
 */
import { runPool } from "./pool";
import { CLAIMS, ROBUSTNESS_SCALES, ROBUSTNESS_SEEDS, claimSpec, durationAt, evaluateClaims, type ClaimSpec, type ClaimVerdict, type Verdict } from "./verdicts";

/** Run lengths as multiples of each claim's own (its notebook's) run length. */
export const DEFAULT_SCALES = [...ROBUSTNESS_SCALES];
export const DEFAULT_SEEDS = [...ROBUSTNESS_SEEDS];

/** One unit of work for a worker: these claims at these run lengths with this seed. */
export interface RobustnessJob {
  publishedCsv: string;
  seed: number;
  claims: string[];
  durations: Record<string, number>;
}

export interface RobustnessCell {
  duration_ms: number;
  seed: number;
  verdict: Verdict;
  counts: Record<string, number>;
  evidence: string;
}

export interface ClaimRobustness {
  claim: string;
  statement: string;
  /** The run length notebook 08 states the verdict at. */
  base_ms: number;
  durations: number[];
  seeds: number[];
  /** One cell per (duration, seed), durations ascending, then seeds. */
  cells: RobustnessCell[];
  stable: boolean;
  /** "stable: ..." or "flips ...: <verdict> at ... ms, <verdict> at ... ms". */
  summary: string;
  /** What the seed did: nothing, moved the counts, or changed the verdict. */
  seeds_note: string;
  /** The rule's counts that move across the grid, with their values per run length ("" if none). */
  moving_counts: string;
}

/** The run lengths of `spec` for `scales`: each a multiple of its base, at least its minimum, distinct, ascending. */
export function durationsFor(spec: Pick<ClaimSpec, "base_ms" | "min_ms">, scales: number[] = DEFAULT_SCALES): number[] {
  const ds = scales.map((s) => durationAt(spec, s));
  return [...new Set(ds)].sort((a, b) => a - b);
}

const list = (xs: number[]) => xs.join("/");
const seedList = (xs: number[]) => `seed${xs.length > 1 ? "s" : ""} ${xs.join(", ")}`;
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));

function verdictSeeds(cells: RobustnessCell[]): Map<Verdict, number[]> {
  const by = new Map<Verdict, number[]>();
  for (const c of cells) by.set(c.verdict, [...(by.get(c.verdict) ?? []), c.seed]);
  return by;
}
const signature = (cells: RobustnessCell[]) => JSON.stringify([...verdictSeeds(cells)]);
const bySeeds = (cells: RobustnessCell[]) => [...verdictSeeds(cells)].map(([v, s]) => `${v} (${seedList(s)})`).join(", ");

/** The words for a grid of cells (pure: tested on made-up grids as well as on the model's). */
export function summariseGrid(cells: RobustnessCell[], base_ms: number): Pick<ClaimRobustness, "stable" | "summary" | "seeds_note" | "moving_counts" | "durations" | "seeds"> {
  const durations = [...new Set(cells.map((c) => c.duration_ms))].sort((a, b) => a - b);
  const seeds = [...new Set(cells.map((c) => c.seed))].sort((a, b) => a - b);
  const at = (d: number) => cells.filter((c) => c.duration_ms === d);
  const verdicts = [...new Set(cells.map((c) => c.verdict))];
  const stable = verdicts.length === 1;
  const seedSplit = durations.filter((d) => new Set(at(d).map((c) => c.verdict)).size > 1);
  let summary: string;
  if (stable) {
    summary = `stable: ${verdicts[0]} at every run length (${list(durations)} ms) and every seed (${seeds.join(", ")})`;
  } else if (seedSplit.length === 0) {
    // the verdict is a function of the run length: group the run lengths by verdict, the notebook's first
    const groups = new Map<Verdict, number[]>();
    const order = [...durations].sort((a, b) => (a === base_ms ? -1 : b === base_ms ? 1 : a - b));
    for (const d of order) groups.set(at(d)[0]!.verdict, [...(groups.get(at(d)[0]!.verdict) ?? []), d]);
    summary = `flips with the run length: ${[...groups].map(([v, ds]) => `${v} at ${list(ds.sort((a, b) => a - b))} ms`).join(", ")}`;
  } else if (new Set(durations.map((d) => signature(at(d)))).size === 1) {
    // the same seeds give the same verdicts at every run length: say it once
    summary = `flips with the seed at every run length (${list(durations)} ms): ${bySeeds(at(durations[0]!))}`;
  } else {
    const parts = durations.map((d) => (verdictSeeds(at(d)).size === 1 ? `${at(d)[0]!.verdict} at ${d} ms` : `at ${d} ms ${bySeeds(at(d))}`));
    summary = `flips with the seed: ${parts.join("; ")}`;
  }
  const countsDiffer = durations.filter((d) => new Set(at(d).map((c) => JSON.stringify(c.counts))).size > 1);
  const seeds_note = seeds.length < 2
    ? `one seed only (${seeds[0]})`
    : seedSplit.length > 0
      ? `the verdict changes with the seed at ${list(seedSplit)} ms`
      : countsDiffer.length > 0
        ? `the seed moves the counts at ${list(countsDiffer)} ms, not the verdict`
        : `every seed (${seeds.join(", ")}) gives the same counts at every run length`;
  const keys = [...new Set(cells.flatMap((c) => Object.keys(c.counts)))];
  const moving = keys.filter((k) => new Set(cells.map((c) => c.counts[k])).size > 1).map((k) => {
    const per = durations.map((d) => {
      const v = at(d).map((c) => c.counts[k]!);
      const lo = Math.min(...v);
      const hi = Math.max(...v);
      return `${lo === hi ? fmt(lo) : `${fmt(lo)}-${fmt(hi)}`} at ${d} ms`;
    });
    return `${k} ${per.join(", ")}`;
  });
  return { stable, summary, seeds_note, moving_counts: moving.join("; "), durations, seeds };
}

function cellOf(v: ClaimVerdict): RobustnessCell {
  return { duration_ms: v.duration_ms, seed: v.seed, verdict: v.verdict, counts: v.counts, evidence: v.evidence };
}

/** Runs the jobs on worker threads (pool.ts; results in job order); inline when `parallel` is 1. */
export function runJobs(jobs: RobustnessJob[], parallel?: number): Promise<ClaimVerdict[][]> {
  return runPool("verdicts", jobs, (j) => evaluateClaims(j.publishedCsv, j), parallel);
}

function assemble(spec: ClaimSpec, verdicts: ClaimVerdict[]): ClaimRobustness {
  const seen = new Set<string>();
  const cells = verdicts
    .filter((v) => v.claim === spec.claim)
    .map(cellOf)
    .filter((c) => (seen.has(`${c.duration_ms}|${c.seed}`) ? false : (seen.add(`${c.duration_ms}|${c.seed}`), true)))
    .sort((a, b) => a.duration_ms - b.duration_ms || a.seed - b.seed);
  return { claim: spec.claim, statement: spec.statement, base_ms: spec.base_ms, cells, ...summariseGrid(cells, spec.base_ms) };
}

function checkGrid(durations: number[], seeds: number[]): void {
  if (!durations.length || durations.some((d) => !Number.isInteger(d) || d < 1)) throw new RangeError(`durations: expected whole ms of 1 or more, got ${JSON.stringify(durations)}`);
  if (!seeds.length || seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new RangeError(`seeds: expected whole numbers of 0 or more, got ${JSON.stringify(seeds)}`);
}

/** One claim at the given run lengths (ms; default its own × 0.4, 1, 2) and seeds (default 1, 2, 3). */
export async function verdictRobustness(claim: string, opts: { publishedCsv: string; durations?: number[]; seeds?: number[]; parallel?: number }): Promise<ClaimRobustness> {
  const spec = claimSpec(claim);
  const durations = opts.durations ?? durationsFor(spec);
  const seeds = opts.seeds ?? DEFAULT_SEEDS;
  checkGrid(durations, seeds);
  const jobs: RobustnessJob[] = [];
  for (const d of durations) for (const seed of seeds) jobs.push({ publishedCsv: opts.publishedCsv, seed, claims: [claim], durations: { [claim]: d } });
  return assemble(spec, (await runJobs(jobs, opts.parallel)).flat());
}

/**
 * Every claim (or `claims`) on the grid: run lengths as multiples of each claim's own (`scales`,
 * default 0.4, 1, 2) × `seeds`. One job per (scale, seed) evaluates every claim, so claims that read
 * the same runs share them.
 */
export async function verdictsRobustness(publishedCsv: string, opts: { scales?: number[]; seeds?: number[]; claims?: string[]; parallel?: number } = {}): Promise<ClaimRobustness[]> {
  return (await verdictsAndRobustness(publishedCsv, opts)).robust;
}

/**
 * The verdicts at the notebooks' run lengths with seed 1 (what `claimVerdicts` computes) and their
 * robustness grid, in one go: the grid's cell at 1 x the run length and seed 1 is that very run, so
 * notebook 08 takes its verdicts from there instead of running them again before the grid.
 */
export async function verdictsAndRobustness(publishedCsv: string, opts: { scales?: number[]; seeds?: number[]; claims?: string[]; parallel?: number } = {}): Promise<{ verdicts: ClaimVerdict[]; robust: ClaimRobustness[] }> {
  const specs = (opts.claims ?? CLAIMS.map((c) => c.claim)).map(claimSpec);
  const scales = opts.scales ?? DEFAULT_SCALES;
  const seeds = opts.seeds ?? DEFAULT_SEEDS;
  if (!scales.length || scales.some((s) => !(s > 0))) throw new RangeError(`scales: expected positive multiples of each claim's run length, got ${JSON.stringify(scales)}`);
  checkGrid([1], seeds);
  const jobs: RobustnessJob[] = [];
  let base = -1;
  // the longest runs first, so the workers' last jobs are short ones (the cells are sorted afterwards)
  for (const s of [...scales].sort((a, b) => b - a)) for (const seed of seeds) {
    if (s === 1 && seed === 1) base = jobs.length;
    jobs.push({ publishedCsv, seed, claims: specs.map((c) => c.claim), durations: Object.fromEntries(specs.map((c) => [c.claim, durationAt(c, s)])) });
  }
  const results = await runJobs(jobs, opts.parallel);
  const all = results.flat();
  // the base job ran every claim at max(min_ms, base_ms) with seed 1: claimVerdicts' runs when no claim's minimum exceeds its base
  const sameAsBase = base >= 0 && specs.every((c) => (c.min_ms ?? 1) <= c.base_ms);
  const verdicts = sameAsBase ? results[base]! : evaluateClaims(publishedCsv, { claims: specs.map((c) => c.claim) });
  return { verdicts, robust: specs.map((spec) => assemble(spec, all)) };
}

/** The verdicts of one run length, seed by seed: "not reproduced" or "reproduced (seeds 1, 2); not reproduced (seed 3)". */
export function cellText(r: ClaimRobustness, duration_ms: number): string {
  const cells = r.cells.filter((x) => x.duration_ms === duration_ms);
  return verdictSeeds(cells).size === 1 ? cells[0]!.verdict : bySeeds(cells);
}

/** A Markdown table: claim × run length (short, the notebook's, long) with the verdict per seed, and the summary. */
export function robustnessTable(rs: ClaimRobustness[]): string {
  const width = Math.max(...rs.map((r) => r.durations.length));
  const head = ["claim", ...Array.from({ length: width }, (_, i) => (i === 0 ? "shortest run" : i === width - 1 ? "longest run" : "run")), "summary", "seeds"];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const r of rs) {
    const cols = r.durations.map((d) => `${d} ms${d === r.base_ms ? " (notebook)" : ""}: ${cellText(r, d)}`);
    while (cols.length < width) cols.push("");
    lines.push(`| ${r.claim} | ${cols.join(" | ")} | ${r.stable ? "stable" : `**${r.summary}**`} | ${r.seeds_note} |`);
  }
  return lines.join("\n");
}

/** One sentence for a verdict: "stable across 40/100/200 ms and seeds 1, 2, 3" or the flip. */
export function robustnessSentence(r: ClaimRobustness): string {
  return r.stable ? `stable across ${list(r.durations)} ms and ${seedList(r.seeds)}; ${r.seeds_note}` : `${r.summary}; ${r.seeds_note}`;
}

/** The paragraph under the table: how many verdicts are stable, and every flip by name. */
export function robustnessParagraph(rs: ClaimRobustness[]): string {
  const stable = rs.filter((r) => r.stable);
  const flips = rs.filter((r) => !r.stable);
  const seedMoved = rs.filter((r) => r.stable && !r.seeds_note.startsWith("every seed") && !r.seeds_note.startsWith("one seed"));
  return [
    `**${stable.length} of ${rs.length}** verdicts are stable across their run lengths and seeds${stable.length ? ` (${stable.map((r) => r.claim).join(", ")})` : ""}.`,
    flips.length === 0 ? "None flips." : flips.map((r) => `**${r.claim}** ${r.summary}.`).join(" "),
    seedMoved.length ? `The seed moves the counts, not the verdict, of ${seedMoved.map((r) => r.claim).join(", ")}.` : "",
  ].filter((x) => x).join(" ");
}
