/**
 * The notebook checks and the exercise checker on small synthetic notebooks: a TypeScript diagnostic,
 * an exception, a missing or incomplete chart are each reported with the cell and its source.
 */
import { describe, expect, it } from "vitest";
import type { Notebook } from "../scripts/lib/ipynb";
import { checkExecuted, formatProblems } from "../scripts/lib/notebook-checks";
import { verdict } from "../src/notebook/exercises";

function nb(cells: Notebook["cells"]): Notebook {
  return { cells, metadata: { kernelspec: { name: "tslab" } }, nbformat: 4, nbformat_minor: 5 };
}
const code = (source: string, outputs: NonNullable<Notebook["cells"][number]["outputs"]>) => ({ cell_type: "code" as const, source, metadata: {}, outputs, execution_count: null });

describe("notebook checks", () => {
  it("a clean notebook has no problems", () => {
    expect(checkExecuted(nb([code("console.log(1)", [{ output_type: "stream", name: "stdout", text: "1\n" }])]))).toEqual([]);
  });

  it("a TypeScript diagnostic on stderr fails with the cell index and source", () => {
    const p = checkExecuted(nb([code("const x: number = 'a';", [{ output_type: "stream", name: "stderr", text: "1:7 - Type 'string' is not assignable to type 'number'.\n" }])]));
    expect(p).toHaveLength(1);
    expect(p[0]!.kind).toBe("ts-diagnostic");
    const text = formatProblems("x.ipynb", p);
    expect(text).toContain("cell 0");
    expect(text).toContain("const x: number = 'a';");
    expect(text).toContain("not assignable");
  });

  it("a cell that calls show( without a chart bundle fails; a bundle without SVG is incomplete", () => {
    expect(checkExecuted(nb([code("await show(spec)", [])]))[0]!.kind).toBe("missing-chart");
    const half = checkExecuted(nb([code("await show(spec)", [{ output_type: "display_data", data: { "application/vnd.vegalite.v6+json": {}, "text/plain": "x" }, metadata: {} }])]));
    expect(half.map((p) => p.kind)).toContain("incomplete-chart");
  });

  it("a notebook for another kernel is refused", () => {
    expect(checkExecuted({ ...nb([]), metadata: { kernelspec: { name: "python3" } } })[0]!.kind).toBe("kernelspec");
  });
});

describe("exercise checker", () => {
  const opts = { hint: "think", why: "because" };
  it("asks for an answer, accepts the right one, hints at a wrong one, and allows a tolerance", () => {
    expect(verdict("E", undefined, 1, opts)).toContain("no answer yet");
    expect(verdict("E", 1, 1, opts)).toBe("✓ E: correct. because");
    expect(verdict("E", 2, 1, opts)).toBe("✗ E: 2 is not it. Hint: think");
    expect(verdict("E", 1.05, 1, { ...opts, tolerance: 0.1 })).toMatch(/^✓/);
    expect(verdict("E", " Udp_TX/0 ", "udp_tx/0", opts)).toMatch(/^✓/);
  });
});
