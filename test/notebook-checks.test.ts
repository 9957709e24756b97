/**
 * The rules that fail a notebook beyond test/notebook-tools.test.ts, on synthetic executed notebooks
 * (each rule must be able to fail), the committed form and its staleness check, and one real
 * Jupyter run of a broken notebook.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { notebookTitle, parseNotebook, serializeNotebook, VEGALITE_V6 } from "../scripts/lib/ipynb";
import type { Cell, Notebook, Output } from "../scripts/lib/ipynb";
import { checkExecuted, committedForm, formatProblems, staleness, stripComments } from "../scripts/lib/notebook-checks";
import { executeAll, executeNotebook } from "../scripts/lib/run-notebook";
import { REPO } from "../scripts/lib/repo";

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>';
const chart = (data: Record<string, unknown> = {}): Output => ({
  output_type: "display_data",
  metadata: {},
  data: { [VEGALITE_V6]: { $schema: "https://vega.github.io/schema/vega-lite/v6.json", mark: "bar" }, "image/svg+xml": SVG, "text/plain": "<chart>", ...data },
});
const stdout = (text: string): Output => ({ output_type: "stream", name: "stdout", text });
const stderr = (text: string): Output => ({ output_type: "stream", name: "stderr", text });
const code = (source: string, outputs: Output[] = []): Cell => ({ cell_type: "code", source, metadata: {}, outputs, execution_count: null });
const md = (source: string): Cell => ({ cell_type: "markdown", source, metadata: {} });
const nb = (cells: Cell[], kernel = "tslab"): Notebook => ({
  cells, nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: kernel, display_name: "TypeScript (tslab)", language: "typescript" } },
});

describe("checkExecuted", () => {
  it("accepts stdout and a complete chart bundle from a cell that calls show(", () => {
    expect(checkExecuted(nb([md("# T"), code("console.log(1)", [stdout("1\n")]), code("show(spec)", [chart()])]))).toEqual([]);
  });

  it("reports a TypeScript diagnostic with the cell index, source and diagnostic", () => {
    const problems = checkExecuted(nb([md("# T"), code('const x: number = "s";', [stderr("1:7 - Type 'string' is not assignable to type 'number'.\n")])]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: "ts-diagnostic", cell: 1, source: 'const x: number = "s";' });
    const text = formatProblems("nb", problems);
    expect(text).toContain("cell 1");
    expect(text).toContain('const x: number = "s";');
    expect(text).toContain("is not assignable to type 'number'");
  });

  it("reports an uncaught exception and stops at it: later cells are not judged", () => {
    const problems = checkExecuted(nb([
      code('throw new Error("boom")', [stderr("evalmachine.<anonymous>:2\nError: boom\n    at evalmachine.<anonymous>:2:7\n")]),
      code("show(spec)", []),
    ]));
    expect(problems.map((p) => [p.kind, p.cell])).toEqual([["exception", 0]]);
    expect(problems[0].message).toContain("later cells not checked");
  });

  it("fails on any other stderr text, on error outputs, but not on an empty stderr stream", () => {
    expect(checkExecuted(nb([code('console.error("hm")', [stderr("hm\n")])]))[0].kind).toBe("stderr");
    expect(checkExecuted(nb([code("x", [{ output_type: "error", ename: "E", evalue: "v", traceback: ["\x1b[31mtb\x1b[0m"] }])]))[0])
      .toMatchObject({ kind: "error-output", detail: "tb" });
    expect(checkExecuted(nb([code("x", [stderr("")])]))).toEqual([]);
  });

  it("fails a cell that calls show( without a chart bundle, ignoring show( in comments", () => {
    const p = checkExecuted(nb([code("charts.show(timeline(run))", [stdout("x\n")])]));
    expect(p.map((x) => x.kind)).toEqual(["missing-chart"]);
    expect(p[0].message).toContain("outputs: stdout");
    expect(checkExecuted(nb([code("// call show() later\n/* showChart(x) */ const a = 1;", [])]))).toEqual([]);
    expect(stripComments('const u = "https://x"; // show(')).toBe('const u = "https://x"; ');
  });

  it("fails an incomplete or wrong chart bundle", () => {
    const kinds = (o: Output) => checkExecuted(nb([code("display(x)", [o])])).map((p) => p.message);
    expect(kinds(chart({ "image/svg+xml": undefined }))[0]).toContain("lacks image/svg+xml");
    expect(kinds(chart({ "text/plain": undefined }))[0]).toContain("lacks text/plain");
    expect(kinds({ output_type: "display_data", data: { "application/vnd.vegalite.v5+json": {}, "image/svg+xml": SVG, "text/plain": "c" } })[0]).toContain(`lacks ${VEGALITE_V6}`);
    expect(kinds(chart({ [VEGALITE_V6]: "{}" }))[0]).toContain("JSON object");
    expect(kinds(chart({ [VEGALITE_V6]: { $schema: "https://vega.github.io/schema/vega-lite/v5.json" } }))[0]).toContain("v6 schema");
    expect(kinds(chart({ "image/svg+xml": "<p>no</p>" }))[0]).toContain("not an SVG");
  });

  it("requires the tslab kernel", () => {
    expect(checkExecuted(nb([], "python3"))).toMatchObject([{ kind: "kernelspec", cell: null }]);
  });
});

describe("committed form and staleness", () => {
  const committed = nb([md("# Title"), code("console.log(1)\nconsole.log(2)", [])]);
  const executed = nb([md("# Title"), { ...code("console.log(1)\nconsole.log(2)", [stdout("1\n2\n")]), metadata: { execution: { "iopub.status.busy": "t" } } }]);

  it("takes fresh outputs, numbers code cells, drops timing metadata, keeps the committed source", () => {
    const form = committedForm(committed, executed);
    const cell = form.cells[1];
    expect(cell.execution_count).toBe(1);
    expect(cell.metadata).toEqual({});
    expect(cell.source).toBe("console.log(1)\nconsole.log(2)");
    expect(cell.outputs).toEqual([stdout("1\n2\n")]);
    expect(form.cells.every((c) => typeof c.id === "string" && c.id.length === 8)).toBe(true);
  });

  it("is current only when the bytes are what npm run notebooks writes", () => {
    const text = serializeNotebook(committedForm(committed, executed));
    expect(staleness(text, parseNotebook(text, "x"), executed)).toBeNull();
    const changed = nb([md("# Title"), code("console.log(1)\nconsole.log(2)", [stdout("1\n3\n")])]);
    expect(staleness(text, parseNotebook(text, "x"), changed)).toMatch(/cell 1 outputs differ .*line 2: committed "2" vs fresh "3"/);
    expect(staleness(serializeNotebook(committed), committed, executed)).toMatch(/cell 1 outputs differ/);
  });

  it("serialises with sorted keys and one-space indent, as Jupyter saves", () => {
    expect(serializeNotebook({ nbformat: 4, cells: [], nbformat_minor: 5, metadata: { b: 1, a: 2 } }))
      .toBe('{\n "cells": [],\n "metadata": {\n  "a": 2,\n  "b": 1\n },\n "nbformat": 4,\n "nbformat_minor": 5\n}\n');
  });

  it("takes the title from the first markdown heading", () => {
    expect(notebookTitle(nb([md("intro"), md("## The `thread_backlog_napi` **switch**")]), "f")).toBe("The thread_backlog_napi switch");
    expect(notebookTitle(nb([]), "fallback")).toBe("fallback");
  });

  it("rejects a file that is not an nbformat 4 notebook, naming the field", () => {
    expect(() => parseNotebook('{"nbformat": 3, "cells": []}', "a.ipynb")).toThrow("a.ipynb: nbformat must be 4, got 3");
    expect(() => parseNotebook('{"nbformat": 4, "cells": [{"cell_type": "x"}]}', "a.ipynb")).toThrow("cells[0].cell_type");
  });
});

describe.skipIf(!fs.existsSync("/usr/bin/jupyter-nbconvert"))("a broken notebook in real Jupyter", () => {
  it("fails with the failing cell, its source and tslab's diagnostic", async () => {
    // A notebook folder of its own (with the src link a reader's folder has), so notebooks/ is untouched.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "softnet-nb-"));
    const file = path.join(dir, `zz-broken-check-${process.pid}.ipynb`);
    let executedCopy: string | undefined;
    try {
      fs.symlinkSync(path.join(REPO, "src"), path.join(dir, "src"));
      fs.writeFileSync(file, serializeNotebook(nb([
        md("# Broken"),
        code('import { COSTS } from "./src/kernel/costs";\nconsole.log(COSTS.syscall.ns > 0);'),
        code("const n: number = COSTS.syscall.source;"),
        code('console.log("never checked");'),
      ])));
      const r = await executeNotebook(file);
      executedCopy = r.executed;
      expect(r.result, r.log).not.toBeNull();
      const problems = checkExecuted(r.result!);
      expect(problems.map((p) => [p.kind, p.cell])).toEqual([["ts-diagnostic", 2]]);
      const text = formatProblems("broken", problems);
      expect(text).toContain("const n: number = COSTS.syscall.source;");
      expect(text).toMatch(/\d+:\d+ - Type 'string' is not assignable to type 'number'/);
      expect(r.result!.cells[1].outputs).toEqual([{ output_type: "stream", name: "stdout", text: ["true\n"] }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      if (executedCopy) fs.rmSync(executedCopy, { force: true });
    }
  }, 120_000);

  it("a cell past its timeout: no notebook, the traceback names the timeout, and the same worker runs the next one", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "softnet-nb-"));
    const slow = path.join(dir, `zz-slow-${process.pid}.ipynb`);
    const quick = path.join(dir, `zz-quick-${process.pid}.ipynb`);
    const written: string[] = [];
    try {
      fs.writeFileSync(slow, serializeNotebook(nb([code("const t0 = Date.now(); while (Date.now() - t0 < 6000) {}")])));
      fs.writeFileSync(quick, serializeNotebook(nb([code("console.log(6 * 7);")])));
      // one worker for both: the second notebook runs after the first one's kernel was stopped
      const [a, b] = await executeAll([slow, quick], 1, undefined, { timeoutSec: 2 });
      written.push(a!.executed, b!.executed);
      expect(a!.ok).toBe(false);
      expect(a!.result).toBeNull();
      expect(a!.log).toMatch(/CellTimeoutError/);
      expect(b!.ok, b!.log).toBe(true);
      expect(b!.result!.cells[0].outputs).toEqual([{ output_type: "stream", name: "stdout", text: ["42\n"] }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      for (const f of written) fs.rmSync(f, { force: true });
    }
  }, 120_000);
});
