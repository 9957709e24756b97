/**
 * `npm run notebooks [-- name ...]`: executes the notebooks in real Jupyter and writes their outputs
 * back into notebooks/*.ipynb in the committed form (see README: notebooks are committed with their
 * outputs). Refuses to write a notebook whose run failed, and prints the failing cell.
 * Prints where each notebook's time went (start: the kernel until the first cell; the
 * import cell; the other cells; the end: closing the kernel and writing), and the total.
 * The longest notebooks start first (by the times of the last run, kept in build/notebook-times.json;
 * a notebook without a time counts as long), so no long one runs alone at the end: in name order,
 * notebook 05, the longest, started sixth of thirteen and finished last.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readNotebook, writeNotebook } from "./lib/ipynb";
import { checkExecuted, committedForm, formatProblems } from "./lib/notebook-checks";
import { executeAll, listNotebooks } from "./lib/run-notebook";
import { timeSplit } from "./lib/notebook-times";
import { ensureLib } from "./build-lib.mjs";
import { PATHS } from "./lib/repo";

/** Seconds per notebook of the last run ({} when there is none or it cannot be read). */
function readTimes(file: string): Record<string, number> {
  try {
    const t = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    return t !== null && typeof t === "object" ? (t as Record<string, number>) : {};
  } catch {
    return {};
  }
}

function writeTimes(file: string, times: Record<string, number>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(times, null, 1) + "\n");
}

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
  const timesFile = path.join(path.dirname(PATHS.executed), "notebook-times.json");
  const last = readTimes(timesFile);
  const lastOf = (f: string) => last[path.basename(f)] ?? Infinity;
  const order = [...files].sort((a, b) => lastOf(b) - lastOf(a) || a.localeCompare(b));
  const ran = await executeAll(order, undefined, (r) => console.log(`${path.basename(r.notebook)}: ran in ${timeSplit(r)}`));
  const results = files.map((f) => ran[order.indexOf(f)]!);
  writeTimes(timesFile, { ...last, ...Object.fromEntries(results.map((r) => [path.basename(r.notebook), r.seconds])) });
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
