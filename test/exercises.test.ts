/**
 * The exercise registry (src/notebook/bank/) and the notebooks' exercise sections: every notebook has
 * at least three checked exercises and a questionnaire of ten or more questions; each reference answer
 * passes its own check and a wrong one fails; no exercise cell gives its answer away; the sections and
 * the lecturer's solutions are the ones generated from the registry.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BANKS, EXERCISES } from "../src/notebook/exercise-bank";
import { exerciseVerdict, matches, type Exercise } from "../src/notebook/exercises";
import { exerciseCells, exerciseStart, answerVar, exerciseCellId } from "../scripts/lib/exercise-cells";
import { renderSolutions } from "../scripts/lib/lecturer-guide";
import { joinText, readNotebook } from "../scripts/lib/ipynb";
import { listNotebooks } from "../scripts/lib/run-notebook";

/** An answer of the right kind that is not the expected one. */
function wrongAnswer(ex: Exercise, v: unknown): unknown {
  switch (ex.answer.kind) {
    case "number": return (v as number) === 0 ? 1 : (v as number) * 3 + 1;
    case "choice": return ex.answer.options.find((o) => o.toLowerCase() !== String(v).toLowerCase());
    case "set": return [...(v as unknown[]), "not-a-member"];
    case "exact": return typeof v === "boolean" ? !v : typeof v === "number" ? v + 1 : `${String(v)}x`;
  }
}

describe("the exercise registry", () => {
  it("covers every notebook, in course order, with unique ids", () => {
    expect(BANKS.map((b) => b.notebook)).toEqual(listNotebooks().map((f) => path.basename(f, ".ipynb")));
    const ids = [...EXERCISES.map((e) => e.id), ...BANKS.flatMap((b) => [...b.questions, ...b.open].map((q) => q.id))];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(BANKS.map((b) => [b.notebook, b] as const))("%s: at least three checked exercises and ten questions", (_name, b) => {
    expect(b.exercises.length).toBeGreaterThanOrEqual(3);
    expect(b.questions.length).toBeGreaterThanOrEqual(10);
    for (const e of b.exercises) expect(e.notebook).toBe(b.notebook);
  });

  it.each(EXERCISES.map((e) => [e.id, e] as const))("%s: the reference answer passes, a wrong one fails", (_id, ex) => {
    const v = ex.expected();
    expect(v).not.toBeUndefined();
    if (ex.answer.kind === "choice") expect(ex.answer.options.map((o) => o.toLowerCase())).toContain(String(v).toLowerCase());
    expect(exerciseVerdict(ex, v)).toMatch(new RegExp(`^✓ Exercise ${ex.id.replace(".", "\\.")}: correct\\.`));
    const wrong = wrongAnswer(ex, v);
    expect(matches(ex.answer, wrong, v)).toBe(false);
    expect(exerciseVerdict(ex, wrong)).toMatch(/^✗/);
    expect(exerciseVerdict(ex, undefined)).toContain("no answer yet");
  });
});

describe("the notebooks' exercise sections", () => {
  it.each(BANKS.map((b) => [b.notebook, b] as const))("%s: the section is the one generated from the registry", (name, b) => {
    const nb = readNotebook(path.join("notebooks", `${name}.ipynb`));
    const start = exerciseStart(nb);
    expect(start).toBeGreaterThan(0);
    const have = nb.cells.slice(start).map((c) => [c.cell_type, joinText(c.source)]);
    expect(have).toEqual(exerciseCells(b).map((c) => [c.cell_type, joinText(c.source)]));
    for (const c of nb.cells) expect(c.id ?? "").toMatch(/^[a-zA-Z0-9_-]{1,64}$/); // nbformat 4.5 cell ids
  });

  it.each(EXERCISES.map((e) => [e.id, e] as const))("%s: the cell does not contain the expected answer or its explanation", (id, ex) => {
    const nb = readNotebook(path.join("notebooks", `${ex.notebook}.ipynb`));
    const cell = nb.cells.find((c) => c.id === exerciseCellId(id))!;
    const q = nb.cells.find((c) => c.id === `${exerciseCellId(id)}-q`)!;
    const src = joinText(cell.source);
    const v = answerVar(id);
    // the answer line holds undefined and check gets only the id and the variable
    expect(src).toContain(`const ${v} = undefined;`);
    expect(src.trimEnd().endsWith(`check(${JSON.stringify(id)}, ${v});`)).toBe(true);
    expect((src.match(/check\(/g) ?? []).length).toBe(1);
    const expected = ex.expected();
    const shown = [src, joinText(q.source)].join("\n");
    if (typeof expected === "string" && ex.answer.kind !== "choice") expect(shown.toLowerCase()).not.toContain(expected.toLowerCase());
    if (typeof expected === "number" && (!Number.isInteger(expected) || Math.abs(expected) >= 10)) {
      expect(shown).not.toMatch(new RegExp(`(^|[^\\d.])${String(Math.round(expected))}([^\\d]|$)`));
    }
    expect(shown).not.toContain(ex.explanation);
  });
});

describe("the lecturer's guide", () => {
  it("docs/lecturers/solutions.md is the page generated from the registry (npm run lecturer-guide)", () => {
    expect(fs.readFileSync("docs/lecturers/solutions.md", "utf8")).toBe(renderSolutions());
  });

  it("has a lecture plan naming every notebook and is linked from the README", () => {
    const plan = fs.readFileSync("docs/lecturers/README.md", "utf8");
    for (const b of BANKS) expect(plan).toContain(b.notebook);
    expect(fs.readFileSync("README.md", "utf8")).toContain("docs/lecturers/");
  });
});
