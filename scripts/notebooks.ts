/**
 * `npm run notebooks [-- NAME... ] [--check]`: executes the notebooks in real Jupyter and writes
 * their fresh outputs back into notebooks/*.ipynb (the committed form: see README, "Notebooks and
 * the book"). With --check it only reports notebooks whose committed outputs are stale.
 * A notebook with a problem (error, stderr, missing chart) is reported and left untouched.
 */
import fs from "node:fs";
import path from "node:path";
import { readNotebook, writeNotebook } from "./lib/ipynb";
import { committedForm, formatProblems, staleness } from "./lib/notebook-checks";
import { defaultParallelism, listNotebooks, mapLimit, notebookName, prepareRuns, runNotebook } from "./lib/notebook-run";

async function main(argv: string[]): Promise<number> {
  const check = argv.includes("--check");
  const unknown = argv.filter((a) => a.startsWith("-") && a !== "--check");
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(", ")} (allowed: --check, notebook names)`);
  const all = listNotebooks();
  const wanted = argv.filter((a) => !a.startsWith("-")).map((a) => path.basename(a, ".ipynb"));
  const missing = wanted.filter((w) => !all.some((f) => notebookName(f) === w));
  if (missing.length > 0) {
    throw new Error(`no notebook named ${missing.join(", ")} (allowed: ${all.map(notebookName).join(", ")})`);
  }
  const files = wanted.length > 0 ? all.filter((f) => wanted.includes(notebookName(f))) : all;
  if (files.length === 0) throw new Error("no notebooks under notebooks/");
  prepareRuns();

  let failures = 0;
  await mapLimit(files, defaultParallelism(), async (file) => {
    const run = await runNotebook(file);
    const tag = `${run.name} (${run.seconds.toFixed(1)} s)`;
    if (run.problems.length > 0 || !run.executed) {
      failures += 1;
      process.stderr.write(`FAIL ${tag}\n${formatProblems(run.name, run.problems)}\n\n`);
      return;
    }
    const text = fs.readFileSync(file, "utf8");
    const committed = readNotebook(file);
    const stale = staleness(text, committed, run.executed);
    if (stale === null) {
      process.stdout.write(`ok   ${tag}: committed outputs are current\n`);
    } else if (check) {
      failures += 1;
      process.stderr.write(`STALE ${tag}: ${stale}\n`);
    } else {
      // Re-read just before writing: refuse to clobber an edit made while the notebook ran.
      if (fs.readFileSync(file, "utf8") !== text) {
        failures += 1;
        process.stderr.write(`SKIP ${tag}: the notebook changed while it ran; run again\n`);
        return;
      }
      writeNotebook(file, committedForm(committed, run.executed));
      // The executed copy matches the notebook just written: keep it newer so the book reuses it.
      if (run.executedPath) fs.utimesSync(run.executedPath, new Date(), new Date());
      process.stdout.write(`wrote ${tag}: outputs updated (${stale.split("\n")[0]})\n`);
    }
  });
  return failures === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm run notebooks: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
