/**
 * Every notebook under notebooks/ runs headless in real Jupyter (nbconvert + the repo's tslab
 * kernelspec) without an error, a TypeScript diagnostic, stderr output or a missing chart, and is
 * committed with the outputs that run produces. Executed copies land in build/executed/ for the book.
 */
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { readNotebook } from "../scripts/lib/ipynb";
import { formatProblems, staleness } from "../scripts/lib/notebook-checks";
import { createLimiter, defaultParallelism, listNotebooks, notebookName, prepareRuns, runNotebook } from "../scripts/lib/notebook-run";
import type { RunResult } from "../scripts/lib/notebook-run";

const JUPYTER = "/usr/bin/jupyter-nbconvert";
const noJupyter = !fs.existsSync(JUPYTER);
const files = listNotebooks();
const limit = createLimiter(defaultParallelism());
const runs = new Map<string, Promise<RunResult>>();

/** Each notebook runs once; both of its tests wait for the same run. */
function run(file: string): Promise<RunResult> {
  let p = runs.get(file);
  if (!p) {
    p = limit(() => runNotebook(file));
    runs.set(file, p);
  }
  return p;
}

describe.skipIf(noJupyter)(`notebooks in real Jupyter${noJupyter ? ` (skipped: ${JUPYTER} missing; run bash scripts/ensure-deps.sh --jupyter)` : ""}`, () => {
  beforeAll(() => prepareRuns());

  it("notebooks/ has at least one notebook", () => {
    expect(files.map(notebookName)).not.toEqual([]);
  });

  describe.concurrent.each(files.map((f) => [notebookName(f), f]))("%s", (name, file) => {
    it("runs top to bottom with no error, no stderr and every chart as a full bundle", async () => {
      const r = await run(file);
      if (r.problems.length > 0) throw new Error(`\n${formatProblems(name, r.problems)}\n(executed copy: ${r.executedPath ?? "none"})`);
      expect(r.executedPath).toMatch(new RegExp(`/build/executed/${name}\\.ipynb$`));
    }, 300_000);

    it("is committed with the outputs a fresh run produces (else run: npm run notebooks)", async () => {
      const r = await run(file);
      if (!r.executed || r.problems.length > 0) throw new Error(`${name} did not run cleanly; see the test above`);
      const text = fs.readFileSync(file, "utf8");
      const stale = staleness(text, readNotebook(file), r.executed);
      if (stale !== null) throw new Error(`${name}.ipynb is stale, run \`npm run notebooks\` and commit it: ${stale}`);
    }, 300_000);
  });
});
