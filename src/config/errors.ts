/**
 * The one error type for bad configuration input, and the "did you mean" helper its messages use.
 * A ConfigError always names the key, the rejected value and what would have been allowed, so the
 * CLI can print it as is (exit code 2) and a notebook shows a sentence a student can act on.
 */
import { UserInputError } from "../errors";

export class ConfigError extends UserInputError {
  /** The key at fault (`rate_pps`, `cost.ipi_send`, `scenario`, or the raw `--set` argument). */
  readonly key: string;
  /** The rejected value as the user wrote it (stringified for typed input). */
  readonly value: string;
  /** What would have been accepted, in words (e.g. "an integer from 0 to 100000000"). */
  readonly allowed: string;
  /** The finite list of accepted values when there is one (enum values, key names, scenario names). */
  readonly choices?: readonly string[];

  constructor(fields: { key: string; value: string; allowed: string; choices?: readonly string[] }, message: string) {
    super(message);
    this.name = "ConfigError";
    this.key = fields.key;
    this.value = fields.value;
    this.allowed = fields.allowed;
    if (fields.choices) this.choices = fields.choices;
  }
}

/**
 * The standard message for a value a key does not accept:
 * `rate_pps: "-5" is not allowed: expected an integer from 0 to 100000000 (offered packets ...)`.
 * `origin` says where a value came from when it was not typed on this command line, in words that
 * fit in parentheses after the value ("from scenario loopback-stream", "the default").
 */
export function badValue(
  key: string,
  value: string,
  allowed: string,
  opts: { doc?: string; why?: string; origin?: string; choices?: readonly string[]; hint?: string } = {},
): ConfigError {
  const from = opts.origin ? ` (${opts.origin})` : "";
  const why = opts.why ? ` ${opts.why}` : " is not allowed";
  const doc = opts.doc ? ` (${opts.doc})` : "";
  const msg = `${key}: ${JSON.stringify(value)}${from}${why}: expected ${allowed}${doc}${opts.hint ?? ""}`;
  return new ConfigError({ key, value, allowed, choices: opts.choices }, msg);
}

/** Edit distance (insert, delete, substitute, swap of neighbours), for suggesting a close name. */
function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const sub = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + sub);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `input`, or undefined when none is plausibly meant: within a third of the
 * input's length in edits, or containing / contained in the input (`rps` -> `rps_cpus`).
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const x = input.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const y = c.toLowerCase();
    let score = editDistance(x, y);
    if (x.length >= 3 && (y.includes(x) || x.includes(y))) score = Math.min(score, 1.5);
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  const limit = Math.max(2, Math.ceil(x.length / 3));
  return bestScore <= limit ? best : undefined;
}

/** ` (did you mean "X"?)` or nothing. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const c = closest(input, candidates);
  return c === undefined ? "" : ` (did you mean ${JSON.stringify(c)}?)`;
}
