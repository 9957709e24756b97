/**
 * Checked answers for notebook exercises: the learner writes an answer in a cell, `check` compares it
 * with what the model says (or a stated fact) and prints a verdict, with a hint when it is wrong.
 * It prints and returns nothing, so a notebook cell shows only the verdict; the tests under test/
 * assert the reference answers from the library.
 */

export interface CheckOptions {
  /** Shown when the answer is wrong: a nudge, not the answer. */
  hint: string;
  /** Relative tolerance for numbers (0.1 = within 10%). Default: exact. */
  tolerance?: number;
  /** Printed after a correct answer: why it is right. */
  why?: string;
}

function same(answer: unknown, expected: unknown, tolerance: number): boolean {
  if (typeof answer === "number" && typeof expected === "number") {
    if (!Number.isFinite(answer)) return false;
    if (tolerance === 0) return answer === expected;
    const scale = Math.max(Math.abs(expected), 1e-12);
    return Math.abs(answer - expected) / scale <= tolerance;
  }
  if (typeof answer === "string" && typeof expected === "string") return answer.trim().toLowerCase() === expected.trim().toLowerCase();
  return JSON.stringify(answer) === JSON.stringify(expected);
}

/** Compares `answer` with `expected`; prints "✓ name" or "✗ name: hint" (or asks for an answer). */
export function check(name: string, answer: unknown, expected: unknown, opts: CheckOptions): void {
  console.log(verdict(name, answer, expected, opts));
}

/** The line `check` prints. */
export function verdict(name: string, answer: unknown, expected: unknown, opts: CheckOptions): string {
  if (answer === undefined || answer === null) return `… ${name}: no answer yet. Replace the undefined above with your answer and run the cell again.`;
  if (same(answer, expected, opts.tolerance ?? 0)) return `✓ ${name}: correct.${opts.why ? " " + opts.why : ""}`;
  return `✗ ${name}: ${JSON.stringify(answer)} is not it. Hint: ${opts.hint}`;
}
