/**
 * The exercise registry: every notebook's checked exercises, open exercises and questionnaire, in
 * notebook order. Notebooks import `check` from their own module under bank/ (a lighter import); the
 * lecturer's guide (scripts/lecturer-guide.ts), the book and the tests read them all from here.
 */
import type { Exercise, OpenExercise, Question } from "./exercises";
import * as nb00 from "./bank/00-tour";
import * as nb01 from "./bank/01-backlog-napi";
import * as nb02 from "./bank/02-loopback-handoff";
import * as nb03 from "./bank/03-rps-ipi-vs-threads";
import * as nb04 from "./bank/04-preempt-rt";
import * as nb04b from "./bank/04b-ksoftirqd-policy";
import * as nb05 from "./bank/05-reproduce-on-your-machine";
import * as nb06 from "./bank/06-smpboot-hotplug";
import * as nb07 from "./bank/07-overload-budgets";
import * as nb08 from "./bank/08-verdicts";
import * as nb09 from "./bank/09-real-kernels";
import * as nb10 from "./bank/10-unpinned-backlog-threads";
import * as nb11 from "./bank/11-map-words-sources";

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
  return { notebook, module: `./lib/notebook/bank/${notebook}`, exercises: m.EXERCISES, open: m.OPEN, questions: m.QUESTIONS };
}

/** Every notebook's bank, in course order. */
export const BANKS: readonly NotebookBank[] = [
  bank("00-tour", nb00),
  bank("01-backlog-napi", nb01),
  bank("02-loopback-handoff", nb02),
  bank("03-rps-ipi-vs-threads", nb03),
  bank("04-preempt-rt", nb04),
  bank("04b-ksoftirqd-policy", nb04b),
  bank("05-reproduce-on-your-machine", nb05),
  bank("06-smpboot-hotplug", nb06),
  bank("07-overload-budgets", nb07),
  bank("08-verdicts", nb08),
  bank("09-real-kernels", nb09),
  bank("10-unpinned-backlog-threads", nb10),
  bank("11-map-words-sources", nb11),
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
