/**
 * Sealed exercises (src/browser/exercise-seal.ts) judge like `check` in Jupyter: for every exercise of
 * the registry, the reference answer typed as text is accepted with the same line, and a wrong answer
 * refused with the same hint; the sealed form does not contain the answer in readable form.
 */
import { describe, expect, it } from "vitest";
import { EXERCISES } from "../src/notebook/exercise-bank";
import { exerciseVerdict, type Exercise } from "../src/notebook/exercises";
import { canonical, parseAnswer, sealExercise, sealedVerdict } from "../src/browser/exercise-seal";

/** The answer as a reader would type it into the page. */
function typed(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** A wrong answer of the right type. */
function wrong(ex: Exercise, expected: unknown): unknown {
  switch (ex.answer.kind) {
    case "number": return (expected as number) * 3 + 1000;
    case "choice": return ex.answer.options.find((o) => o.toLowerCase() !== String(expected).toLowerCase())!;
    case "set": return ["definitely-not-a-member"];
    case "exact": return typeof expected === "number" ? expected + 1 : typeof expected === "boolean" ? !expected : "definitely-wrong";
  }
}

const cases = EXERCISES.map((ex) => [ex.id, ex] as const);

describe("sealed exercises judge like check() in Jupyter", () => {
  it.each(cases)("%s: the reference answer is accepted and a wrong one refused, with check()'s lines", async (_id, ex) => {
    const expected = ex.expected();
    const sealed = await sealExercise(ex, expected, "00112233445566778899aabbccddeeff");
    const right = await sealedVerdict(sealed, parseAnswer(ex.answer, typed(expected), sealed.valueType));
    expect(right).toEqual({ line: exerciseVerdict(ex, expected), correct: true });
    const w = wrong(ex, expected);
    const refused = await sealedVerdict(sealed, parseAnswer(ex.answer, typed(w), sealed.valueType));
    expect(refused).toEqual({ line: exerciseVerdict(ex, w), correct: false });
    expect(refused.line).toContain(`Hint: ${ex.hint}`);
    // the answer is not in the sealed form (numbers and words of 3+ characters)
    const text = JSON.stringify(sealed);
    const plain = canonical(ex.answer, expected).replace(/^(s|n|b|j|set):/, "");
    if (plain.length >= 3 && !ex.form.includes(plain) && !ex.hint.includes(plain) && !ex.explanation.includes(plain) && ex.answer.kind !== "choice") expect(text).not.toContain(plain);
  }, 60_000);

  it("a malformed answer gets check()'s message, and numbers within the tolerance pass", async () => {
    const ex = EXERCISES.find((e) => e.answer.kind === "number" && e.answer.tolerance > 0)!;
    const expected = ex.expected() as number;
    const sealed = await sealExercise(ex, expected, "ab");
    expect(sealed.interval).toBeDefined();
    expect(sealed.hash).toBeUndefined();
    const tol = (ex.answer as { tolerance: number }).tolerance;
    expect((await sealedVerdict(sealed, expected * (1 + tol * 0.9))).correct).toBe(true);
    expect((await sealedVerdict(sealed, expected * (1 + tol * 1.1))).correct).toBe(false);
    expect((await sealedVerdict(sealed, parseAnswer(ex.answer, "lots"))).line).toBe(exerciseVerdict(ex, "lots"));
  }, 60_000);
});
