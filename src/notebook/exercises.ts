/**
 * Checked answers for notebook exercises: the kinds of answer an exercise takes, the comparison of a
 * learner's answer with the expected one, and the line a notebook prints. Pure and dependency-free,
 * so a browser bundle (the book) can judge answers with the same rules; the exercises themselves,
 * with their expected answers, live in src/notebook/bank/ (see exercise-bank.ts).
 */

/** How an answer is compared with the expected one. */
export type AnswerKind =
  /** A number; `tolerance` is relative (0.1 = within 10 %), 0 = exact. */
  | { kind: "number"; tolerance: number }
  /** One of `options` (compared case-insensitively); the expected answer is one of them. */
  | { kind: "choice"; options: readonly string[] }
  /** An exact string (case and surrounding blanks ignored), integer or boolean. */
  | { kind: "exact" }
  /** A set of strings or numbers: order and repeats do not matter. */
  | { kind: "set" };

/** One checked exercise. The expected answer is computed by `expected` (model, dataset or a stated fact). */
export interface Exercise {
  /** "NN.k": notebook number and exercise number, e.g. "02.1". */
  id: string;
  /** The notebook's file name without extension, e.g. "02-loopback-handoff". */
  notebook: string;
  /** The question as shown to the learner (markdown). */
  question: string;
  answer: AnswerKind;
  /** What the answer variable should hold, shown as a comment in the cell, e.g. `a number (kpps)`. */
  form: string;
  /** Shown after a wrong answer: a nudge, not the answer. */
  hint: string;
  /** Shown after a right answer: why it is right. */
  explanation: string;
  /** Where the expected answer comes from. */
  source: "model" | "dataset" | "fact";
  /** The expected answer: computed when asked (by `check` with an answer, by the tests, by the lecturer's guide). */
  expected: () => unknown;
  /** Code put above the answer line in the exercise cell (the experiment the learner runs); no answer in it. */
  setup?: string;
}

/** A question of a notebook's questionnaire (fastbook style): answered in writing, solved in the lecturer's guide. */
export interface Question {
  /** "NN.qk". */
  id: string;
  notebook: string;
  question: string;
  /** The model answer for the lecturer's guide; a function when it quotes computed values. */
  answer: string | (() => string);
}

/** An exercise without a single right answer (a transfer problem), discussed in the lecturer's guide. */
export interface OpenExercise {
  id: string;
  notebook: string;
  question: string;
  /** What a good answer contains, for the lecturer. */
  discussion: string | (() => string);
}

function norm(x: string): string {
  return x.trim().toLowerCase();
}

/** Whether `answer` matches `expected` under `kind`. Never throws. */
export function matches(kind: AnswerKind, answer: unknown, expected: unknown): boolean {
  switch (kind.kind) {
    case "number": {
      if (typeof answer !== "number" || typeof expected !== "number" || !Number.isFinite(answer)) return false;
      if (kind.tolerance === 0) return answer === expected;
      const scale = Math.max(Math.abs(expected), 1e-12);
      return Math.abs(answer - expected) / scale <= kind.tolerance;
    }
    case "choice":
      return typeof answer === "string" && typeof expected === "string" && norm(answer) === norm(expected);
    case "exact":
      if (typeof answer === "string" && typeof expected === "string") return norm(answer) === norm(expected);
      return typeof answer === typeof expected && answer === expected;
    case "set": {
      if (!Array.isArray(answer) || !Array.isArray(expected)) return false;
      const key = (v: unknown) => (typeof v === "string" ? "s:" + norm(v) : typeof v === "number" ? "n:" + v : "x:" + JSON.stringify(v));
      const a = new Set(answer.map(key));
      const e = new Set(expected.map(key));
      return a.size === e.size && [...a].every((v) => e.has(v));
    }
  }
}

/** Why an answer cannot be judged (wrong type, not an option), or null when it can. */
export function malformed(kind: AnswerKind, answer: unknown): string | null {
  switch (kind.kind) {
    case "number":
      return typeof answer === "number" && Number.isFinite(answer) ? null : "the answer is a number";
    case "choice":
      if (typeof answer !== "string") return `the answer is one of ${kind.options.map((o) => JSON.stringify(o)).join(", ")}`;
      return kind.options.some((o) => norm(o) === norm(answer)) ? null : `choose one of ${kind.options.map((o) => JSON.stringify(o)).join(", ")}`;
    case "set":
      return Array.isArray(answer) ? null : "the answer is a list, e.g. [\"a\", \"b\"]";
    case "exact":
      return null;
  }
}

/** The line a notebook prints for an answer to `ex`; computes the expected answer only when there is an answer. */
export function exerciseVerdict(ex: Exercise, answer: unknown): string {
  const name = `Exercise ${ex.id}`;
  if (answer === undefined || answer === null) return `… ${name}: no answer yet. Replace the undefined above with your answer and run the cell again.`;
  const bad = malformed(ex.answer, answer);
  if (bad) return `✗ ${name}: ${JSON.stringify(answer)} cannot be judged: ${bad}.`;
  if (matches(ex.answer, answer, ex.expected())) return `✓ ${name}: correct. ${ex.explanation}`;
  return `✗ ${name}: ${JSON.stringify(answer)} is not it. Hint: ${ex.hint}`;
}

/** A `check(id, answer)` over a list of exercises: looks the exercise up and prints its verdict line. */
export function checker(exercises: readonly Exercise[]): (id: string, answer: unknown) => void {
  return (id: string, answer: unknown) => {
    const ex = exercises.find((e) => e.id === id);
    if (!ex) throw new Error(`no exercise ${JSON.stringify(id)} here; known: ${exercises.map((e) => e.id).join(", ")}`);
    console.log(exerciseVerdict(ex, answer));
  };
}

/** Memoises an expensive expected value (a simulation) so repeated checks run it once. */
export function once<T>(f: () => T): () => T {
  let done = false;
  let v: T | undefined;
  return () => {
    if (!done) {
      v = f();
      done = true;
    }
    return v as T;
  };
}

/** The old form, kept for the tests of the comparison rules: prints "✓ name" or "✗ name: hint". */
export interface CheckOptions {
  hint: string;
  tolerance?: number;
  why?: string;
}

/** The line for a free-standing comparison (name, answer, expected): numbers within `tolerance`, strings ignoring case. */
export function verdict(name: string, answer: unknown, expected: unknown, opts: CheckOptions): string {
  if (answer === undefined || answer === null) return `… ${name}: no answer yet. Replace the undefined above with your answer and run the cell again.`;
  const kind: AnswerKind = typeof expected === "number" ? { kind: "number", tolerance: opts.tolerance ?? 0 } : { kind: "exact" };
  const ok = typeof expected === "object" ? JSON.stringify(answer) === JSON.stringify(expected) : matches(kind, answer, expected);
  if (ok) return `✓ ${name}: correct.${opts.why ? " " + opts.why : ""}`;
  return `✗ ${name}: ${JSON.stringify(answer)} is not it. Hint: ${opts.hint}`;
}

