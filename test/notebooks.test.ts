/**
 * Every notebook under notebooks/ runs headless in real Jupyter (nbconvert, the repo's tslab
 * kernelspec) and must come out clean: no error, no TypeScript diagnostic, nothing on stderr, every
 * `show(` cell with a complete chart bundle. The committed notebooks carry their outputs (they read
 * best on GitHub that way, charts included), so they must also equal a fresh run byte for byte:
 * a stale notebook fails with the first differing output and the fix `npm run notebooks`.
 * The executed copies land in build/executed/ for the book.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readNotebook } from "../scripts/lib/ipynb";
import { checkExecuted, formatProblems, staleness } from "../scripts/lib/notebook-checks";
import { executeAll, listNotebooks, type ExecutionResult } from "../scripts/lib/run-notebook";

const files = listNotebooks();
const results = new Map<string, ExecutionResult>();

describe("notebooks execute in real Jupyter", () => {
  beforeAll(async () => {
    const t0 = Date.now();
    for (const r of await executeAll(files)) results.set(r.notebook, r);
    console.log(`executed ${files.length} notebooks in ${((Date.now() - t0) / 1000).toFixed(1)} s (${[...results.values()].map((r) => `${path.basename(r.notebook)} ${r.seconds.toFixed(1)} s`).join(", ")})`);
  }, 600_000);

  it("there are notebooks to run", () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  for (const file of files) {
    const name = path.basename(file);
    it(`${name} runs without errors and shows complete charts`, () => {
      const r = results.get(file)!;
      expect(r.result, `nbconvert wrote no notebook for ${name}:\n${r.log}`).not.toBeNull();
      const problems = checkExecuted(r.result!);
      expect(problems, formatProblems(name, problems)).toEqual([]);
    });

    it(`${name} is committed with the outputs of a fresh run (else: npm run notebooks)`, () => {
      const r = results.get(file)!;
      const text = fs.readFileSync(file, "utf8");
      const stale = staleness(text, readNotebook(file), r.result!);
      expect(stale, `${name} is stale: ${stale}\nRun \`npm run notebooks\` and commit the notebooks.`).toBeNull();
    });
  }
});
