/**
 * The exercise registry: every notebook's checked exercises, open exercises and questionnaire, in
 * notebook order. Notebooks import `check` from their own module under bank/ (a lighter import); the
 * lecturer's guide (scripts/lecturer-guide.ts), the book and the tests read them all from here.
 */
import type { Exercise, OpenExercise, Question } from "./exercises";
import * as nb00 from "./bank/00-tour";
import * as nb01 from "./bank/01-backlog-napi";

export interface NotebookBank {
  /** The notebook's file name without extension. */
  notebook: string;
  /** The module a notebook imports `check` from, relative to the notebook (tslab resolves files). */
  module: string;
  exercises: readonly Exercise[];
  open: readonly OpenExercise[];
  questions: readonly Question[];
}

function bank(notebook: string, m: { EXERCISES: Exercise[]; OPEN: OpenExercise[]; QUESTIONS: Question[] }): NotebookBank {
  return { notebook, module: `./src/notebook/bank/${notebook}`, exercises: m.EXERCISES, open: m.OPEN, questions: m.QUESTIONS };
}

/** Every notebook's bank, in course order. */
export const BANKS: readonly NotebookBank[] = [
  bank("00-tour", nb00),
  bank("01-backlog-napi", nb01),
];

/** Every checked exercise of the course. */
export const EXERCISES: readonly Exercise[] = BANKS.flatMap((b) => b.exercises);

/** The exercise with this id ("02.1"); throws naming the known ids when there is none. */
export function exerciseById(id: string): Exercise {
  const ex = EXERCISES.find((e) => e.id === id);
  if (!ex) throw new Error(`no exercise ${JSON.stringify(id)}; known: ${EXERCISES.map((e) => e.id).join(", ")}`);
  return ex;
}

/** The reference answer of an exercise, computed now (model, dataset or stated fact). */
export function referenceAnswer(id: string): unknown {
  return exerciseById(id).expected();
}

/** The model answer of a questionnaire question or the discussion of an open exercise, as text. */
export function answerText(a: string | (() => string)): string {
  return typeof a === "string" ? a : a();
}
