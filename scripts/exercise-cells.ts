/**
 * `npm run exercise-cells`: rewrites the exercise section of every notebook from the exercise
 * registry (scripts/lib/exercise-cells.ts). Run `npm run notebooks` afterwards for the outputs.
 */
import path from "node:path";
import { readNotebook, writeNotebook, serializeNotebook } from "./lib/ipynb";
import { withExerciseCells } from "./lib/exercise-cells";
import { BANKS } from "../src/notebook/exercise-bank";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
let changed = 0;
for (const bank of BANKS) {
  const file = path.join(root, "notebooks", `${bank.notebook}.ipynb`);
  const nb = readNotebook(file);
  const next = withExerciseCells(nb, bank);
  if (serializeNotebook(next) !== serializeNotebook(nb)) {
    writeNotebook(file, next);
    changed++;
    console.log(`${bank.notebook}: exercise section written`);
  }
}
console.log(`${changed} notebook(s) changed`);
