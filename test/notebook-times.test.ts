// npm run notebooks says where each notebook's time went: start, import cell, other cells, end.
import { describe, expect, it } from "vitest";
import { timeSplit } from "../scripts/lib/notebook-times";
import type { ExecutionResult } from "../scripts/lib/run-notebook";

const cell = (busy: string, idle: string) => ({ cell_type: "code", source: "", metadata: { execution: { "iopub.status.busy": busy, "iopub.status.idle": idle } }, outputs: [] });

describe("timeSplit", () => {
  it("splits a run into kernel start, import cell, other cells and the end", () => {
    const r = {
      notebook: "x.ipynb", executed: "", ok: true, log: "", seconds: 10, startedAt: Date.parse("2026-12-06T04:00:00.000Z"),
      result: { cells: [{ cell_type: "markdown", source: "", metadata: {} }, cell("2026-12-06T04:00:02.000Z", "2026-12-06T04:00:02.500Z"), cell("2026-12-06T04:00:02.600Z", "2026-12-06T04:00:09.000Z")], metadata: {}, nbformat: 4, nbformat_minor: 5 },
    } as unknown as ExecutionResult;
    expect(timeSplit(r)).toBe("10.0 s (start 2.0 s, import cell 0.5 s, other cells 6.5 s, end 1.0 s)");
  });

  it("a run without cell times gives the total only", () => {
    expect(timeSplit({ notebook: "x", executed: "", ok: false, log: "", seconds: 3.21, startedAt: 0, result: null })).toBe("3.2 s");
  });
});
