/**
 * Where CPU time goes: one horizontal bar per CPU, stacked by context (task, softirq, hardirq,
 * ksoftirqd, backlog thread, idle) from `SimResult.per_cpu[].busy_ns`, as shares of the simulated
 * time or in milliseconds; several results (configurations) are drawn as rows one above the other.
 */
import type { SimResult, SpanContext } from "../observe/types";
import { CONTEXT_COLORS, CONTEXT_LABELS, CONTEXT_ORDER } from "./palette";
import { BASE_CONFIG, VEGA_LITE_SCHEMA, checkNumber, labelExpr, round, titleBlock, type VlSpec } from "./spec";

export interface BusyOptions {
  title?: string;
  subtitle?: string;
  /** "share" (default): fraction of the simulated time; "ms": absolute CPU time. */
  unit?: "share" | "ms";
  width?: number;
}

export interface LabelledResult {
  label: string;
  result: SimResult;
}

interface BusyRow {
  label: string;
  cpu: string;
  ctx: SpanContext;
  o: number;
  ms: number;
  share: number;
}

function rowsOf(where: string, runs: LabelledResult[]): BusyRow[] {
  const rows: BusyRow[] = [];
  runs.forEach(({ label, result }, i) => {
    if (!result || !Array.isArray(result.per_cpu)) throw new Error(`${where}: runs[${i}].result must be a SimResult with per_cpu[]`);
    const total = checkNumber(where, `runs[${i}].result.simulated_ns`, result.simulated_ns, true);
    result.per_cpu.forEach((c, j) => {
      CONTEXT_ORDER.forEach((ctx, o) => {
        const ns = checkNumber(where, `runs[${i}].result.per_cpu[${j}].busy_ns.${ctx}`, c.busy_ns?.[ctx]);
        if (ns > 0) rows.push({ label, cpu: `CPU ${c.cpu}`, ctx, o, ms: round(ns / 1e6, 6), share: round(ns / total, 5) });
      });
    });
  });
  return rows;
}

/** Builds the stacked busy-time chart of one result, or of several labelled results. */
export function busySpec(input: SimResult | LabelledResult[], opts: BusyOptions = {}): VlSpec {
  const where = "busySpec";
  const runs: LabelledResult[] = Array.isArray(input) ? input : [{ label: "", result: input }];
  if (runs.length === 0) throw new Error(`${where}: give a SimResult or a non-empty array of {label, result}`);
  const unit = opts.unit ?? "share";
  if (unit !== "share" && unit !== "ms") throw new Error(`${where}: unit must be "share" or "ms", got ${JSON.stringify(unit)}`);
  const rows = rowsOf(where, runs);
  const labels = runs.map((r) => r.label);
  const cpus = Array.from(new Set(rows.map((r) => r.cpu)));
  const width = opts.width === undefined ? 640 : checkNumber(where, "width", opts.width, true);
  const field = unit === "share" ? "share" : "ms";
  const ctxLabels = CONTEXT_ORDER.map((c): [string, string] => [c, CONTEXT_LABELS[c]]);

  const encoding: VlSpec = {
    y: { field: "cpu", type: "nominal", sort: cpus, scale: { paddingInner: 0.25 }, axis: { title: null, labelFontWeight: "bold" } },
    x: {
      field,
      type: "quantitative",
      stack: "zero",
      scale: unit === "share" ? { domain: [0, 1] } : {},
      axis: { title: unit === "share" ? "share of simulated time" : "CPU time (ms)", format: unit === "share" ? ".0%" : ",.3~f", grid: true, gridColor: "#eee" },
    },
    color: {
      field: "ctx",
      type: "nominal",
      scale: { domain: [...CONTEXT_ORDER], range: CONTEXT_ORDER.map((c) => CONTEXT_COLORS[c]) },
      legend: { title: "CPU context", labelExpr: labelExpr(ctxLabels), orient: "bottom", direction: "horizontal", columns: 3, symbolType: "square", labelLimit: 200 },
    },
    order: { field: "o" },
    opacity: { condition: { param: "pick", value: 1 }, value: 0.2 },
    tooltip: [
      { field: "label", title: "configuration" },
      { field: "cpu", title: "CPU" },
      { field: "context", title: "context" },
      { field: "ms", title: "CPU time (ms)", format: ",.4~f" },
      { field: "share", title: "share", format: ".1%" },
    ],
  };
  if (runs.length > 1) encoding.row = { field: "label", type: "nominal", sort: labels, header: { title: null, labelOrient: "top", labelAngle: 0, labelAlign: "left", labelAnchor: "start", labelFontSize: 12, labelFontWeight: "bold", labelPadding: 4 } };

  const title = opts.title ?? "Where CPU time goes";
  const describe = runs
    .map(({ label }) => {
      const per = cpus
        .map((cpu) => {
          const parts = rows.filter((r) => r.label === label && r.cpu === cpu && r.share >= 0.005).map((r) => `${r.ctx} ${Math.round(r.share * 100)}%`);
          return parts.length > 0 ? `${cpu} ${parts.join(" ")}` : "";
        })
        .filter((s) => s !== "");
      return `${label ? `${label}: ` : ""}${per.join("; ")}`;
    })
    .join(" | ");
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(title, opts.subtitle),
    description: `${title}: ${describe}.`,
    data: { values: rows },
    transform: [{ calculate: labelExpr(ctxLabels, "datum.ctx", "datum.ctx"), as: "context" }],
    params: [{ name: "pick", select: { type: "point", fields: ["ctx"] }, bind: "legend" }],
    width,
    height: { step: 22 },
    mark: { type: "bar" },
    encoding,
    config: BASE_CONFIG,
  };
}
