/**
 * Every chart committed in the notebooks (and so every chart the book shows, which draws the same
 * outputs) reads as a static image: no label cut to "…", no text outside the SVG, no two text boxes
 * on top of each other (src/charts/audit.ts). The audit itself is checked on charts made to fail.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { auditChart } from "../src/charts/audit";
import { barsSpec } from "../src/charts/bars";
import { VEGA_LITE_SCHEMA } from "../src/charts/spec";
import { readNotebook, VEGALITE_MIMES } from "../scripts/lib/ipynb";
import { listNotebooks } from "../scripts/lib/run-notebook";

const charts = listNotebooks().flatMap((file) =>
  readNotebook(file).cells.flatMap((c) =>
    (c.outputs ?? []).flatMap((o, i) => {
      const mime = VEGALITE_MIMES.find((m) => o.data?.[m] !== undefined);
      return mime ? [[`${path.basename(file, ".ipynb")} cell ${c.id ?? "?"} output ${i}`, o.data![mime] as Record<string, unknown>] as const] : [];
    }),
  ),
);

describe("the audit finds what a reader would see", () => {
  it("a label cut by a limit, text outside the SVG and overlapping labels", async () => {
    const cut = { $schema: VEGA_LITE_SCHEMA, data: { values: [{ a: "a very long category name indeed", v: 1 }] }, mark: "bar", encoding: { x: { field: "a", type: "nominal", axis: { labelLimit: 30, labelAngle: 0 } }, y: { field: "v", type: "quantitative" } } };
    expect((await auditChart(cut)).map((p) => p.kind)).toContain("truncated");
    const outside = { $schema: VEGA_LITE_SCHEMA, autosize: { type: "none" }, width: 100, height: 50, data: { values: [{ v: 1 }] }, mark: { type: "text", text: "far away", x: 400, y: 300 }, encoding: {} };
    expect((await auditChart(outside)).map((p) => p.kind)).toContain("outside");
    const crowd = { $schema: VEGA_LITE_SCHEMA, width: 60, data: { values: ["first label", "second label", "third label"].map((a) => ({ a, v: 1 })) }, mark: "bar", encoding: { x: { field: "a", type: "nominal", axis: { labelAngle: 0, labelLimit: 0, labelOverlap: false } }, y: { field: "v", type: "quantitative" } } };
    expect((await auditChart(crowd)).map((p) => p.kind)).toContain("overlap");
  });

  it("a bar chart with long labels and long values passes (labels wrap, values turn upright)", async () => {
    const labels = ["2 CPUs · rx same · spare", "2 CPUs · rx same · hogs", "4 CPUs · rx other · spare", "4 CPUs · rx other · hogs"];
    const rows = labels.flatMap((label) => ["RPS off", "RPS, IPI + softirq (v6.8)", "RPS, backlog thread (v6.10 threads)"].map((series, k) => ({ label, series, value: 0.000123 * (k + 1) })));
    expect(await auditChart(barsSpec(rows, { title: "t", yTitle: "share" }))).toEqual([]);
  });
});

describe("every committed chart reads as a static image", () => {
  it("finds the notebooks' charts", () => expect(charts.length).toBeGreaterThan(30));
  it.each(charts)("%s", async (_name, spec) => {
    const problems = await auditChart(spec);
    expect(problems.map((p) => `${p.kind}: ${p.message}`)).toEqual([]);
  });
});
