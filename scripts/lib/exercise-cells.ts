/**
 * The exercise section of a notebook, generated from the exercise registry (src/notebook/bank/): the
 * "## Exercises" heading to the end of the notebook: one markdown cell per question, one code cell per
 * checked exercise (an `undefined` answer and `check(id, answer)`: the expected answer is not in the
 * cell), the open exercises and the questionnaire. `npm run exercise-cells` writes it; a test checks
 * every notebook's section is the generated one.
 */
import type { Cell, Notebook } from "./ipynb";
import { joinText } from "./ipynb";
import type { NotebookBank } from "../../src/notebook/exercise-bank";

/** Where the lecturer's guide lives (linked from every questionnaire). */
export const GUIDE_DIR = "docs/lecturers";

const md = (id: string, source: string): Cell => ({ cell_type: "markdown", id, metadata: {}, source });
const code = (id: string, source: string): Cell => ({ cell_type: "code", id, metadata: {}, source, outputs: [], execution_count: null });

/** The notebook cell id of an exercise's code cell (nbformat ids allow letters, digits, - and _). */
export function exerciseCellId(id: string): string {
  return `ex-${id.replace(/\./g, "-")}`;
}

/** The variable an exercise's answer goes into: answer1, answer2, ... (04b.1 -> answer1). */
export function answerVar(id: string): string {
  return `answer${id.split(".")[1]}`;
}

/** The source of the code cell of one checked exercise. */
export function exerciseCellSource(ex: NotebookBank["exercises"][number]): string {
  const v = answerVar(ex.id);
  return `${ex.setup ? ex.setup + "\n" : ""}const ${v} = undefined; // ${ex.form}\ncheck(${JSON.stringify(ex.id)}, ${v});`;
}

/** The generated cells, from the "## Exercises" heading to the end. */
export function exerciseCells(bank: NotebookBank): Cell[] {
  const selfTest = bank.notebook.startsWith("08-");
  const cells: Cell[] = [
    md("ex-head", [
      selfTest ? "## Exercises: a self-test over the whole course" : "## Exercises",
      "",
      "Each exercise cell holds an answer variable set to `undefined`: replace it with your answer and run the",
      "cell. `check` looks the exercise up in the course's exercise registry",
      `(\`src/notebook/bank/${bank.notebook}.ts\`), which computes the expected answer from the model or`,
      "reads it from the datasets; a wrong answer gets a hint, a right one the explanation.",
    ].join("\n")),
    code("ex-import", `import { check } from ${JSON.stringify(bank.module)};`),
  ];
  for (const ex of bank.exercises) {
    cells.push(md(`${exerciseCellId(ex.id)}-q`, `**${ex.id}** ${ex.question}`));
    cells.push(code(exerciseCellId(ex.id), exerciseCellSource(ex)));
  }
  if (bank.open.length > 0) {
    cells.push(md("ex-open", ["### Open exercises", "", ...bank.open.map((o) => `**${o.id}** ${o.question}`).flatMap((l) => [l, ""])].join("\n").trimEnd()));
  }
  cells.push(md("ex-questionnaire", [
    selfTest ? "## Questionnaire: the whole course" : "## Questionnaire",
    "",
    "Answer in your own words, without running anything; each question can be answered from the notebook" + (selfTest ? "s of the course (the number in brackets says which)." : "."),
    "",
    ...bank.questions.map((q, i) => `${i + 1}. ${q.question}`),
    "",
    `Model answers and the solutions of every exercise are in the lecturer's guide (\`${GUIDE_DIR}/\`).`,
  ].join("\n")));
  return cells;
}

/** Index of the first cell of the exercise section (a markdown cell opening with "## Exercises"), or -1. */
export function exerciseStart(nb: Notebook): number {
  return nb.cells.findIndex((c) => c.cell_type === "markdown" && /^## Exercises\b/.test(joinText(c.source).trimStart()));
}

/** The notebook with its exercise section replaced by (or, if it has none, extended with) the generated one. */
export function withExerciseCells(nb: Notebook, bank: NotebookBank): Notebook {
  const start = exerciseStart(nb);
  const head = start < 0 ? nb.cells : nb.cells.slice(0, start);
  // keep executed outputs of unchanged generated code cells, so regenerating does not blank them
  const old = new Map((start < 0 ? [] : nb.cells.slice(start)).map((c) => [c.id, c] as const));
  const gen = exerciseCells(bank).map((c) => {
    const o = old.get(c.id);
    return o && c.cell_type === "code" && joinText(o.source) === joinText(c.source) ? { ...c, outputs: o.outputs, execution_count: o.execution_count } : c;
  });
  return { ...nb, cells: [...head, ...gen] };
}
