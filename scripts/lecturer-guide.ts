/**
 * `npm run lecturer-guide`: writes docs/lecturers/solutions.md from the exercise registry
 * (scripts/lib/lecturer-guide.ts). Run it after changing an exercise or the model.
 */
import fs from "node:fs";
import path from "node:path";
import { renderSolutions } from "./lib/lecturer-guide";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const file = path.join(root, "docs", "lecturers", "solutions.md");
const text = renderSolutions();
const tmp = `${file}.${process.pid}.tmp`;
fs.writeFileSync(tmp, text);
fs.renameSync(tmp, file);
console.log(`wrote ${path.relative(root, file)} (${text.length} characters)`);
