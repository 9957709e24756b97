/**
 * `npm run notebooks [-- name ...]`: executes the notebooks in real Jupyter and writes their outputs
 * back into notebooks/*.ipynb in the committed form (see README: notebooks are committed with their
 * outputs). Refuses to write a notebook whose run failed, and prints the failing cell.
 * Prints where each notebook's time went (start: nbconvert and the kernel until the first cell; the
 * import cell; the other cells; the end: closing the kernel and writing), and the total.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readNotebook, writeNotebook } from "./lib/ipynb";
import { checkExecuted, committedForm, formatProblems } from "./lib/notebook-checks";
import { executeAll, listNotebooks } from "./lib/run-notebook";
import { timeSplit } from "./lib/notebook-times";
import { ensureLib } from "./build-lib.mjs";

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  const all = listNotebooks();
  const files = names.length === 0 ? all : names.map((n) => {
    const f = all.find((x) => path.basename(x) === n || path.basename(x, ".ipynb") === n);
    if (!f) throw new Error(`no notebook "${n}" under notebooks/ (have: ${all.map((x) => path.basename(x)).join(", ")})`);
    return f;
  });
  let failed = 0;
  const t0 = performance.now();
  const built = await ensureLib();
  console.log(`build/lib: ${built} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const results = await executeAll(files, undefined, (r) => console.log(`${path.basename(r.notebook)}: ran in ${timeSplit(r)}`));
  const wall = (performance.now() - t0) / 1000;
  const sum = results.reduce((a, r) => a + r.seconds, 0);
  console.log(`all ${results.length} notebooks: ${wall.toFixed(1)} s of wall time (${sum.toFixed(1)} s summed over the notebooks, ${Math.min(os.cpus().length, results.length)} at a time)`);
  for (const r of results) {
    const name = path.basename(r.notebook);
    const problems = r.result ? checkExecuted(r.result) : [{ kind: "run" as const, cell: null, message: "nbconvert wrote no notebook", detail: r.log }];
    if (problems.length > 0) {
      failed++;
      console.error(formatProblems(name, problems));
      continue;
    }
    writeNotebook(r.notebook, committedForm(readNotebook(r.notebook), r.result!));
    console.log(`${name}: outputs written`);
  }
  if (!fs.existsSync(path.dirname(files[0] ?? "."))) return 1;
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(`npm run notebooks: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
