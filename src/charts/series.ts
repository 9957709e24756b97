/**
 * Rows for comparison charts (bars and lines): one measured or simulated value per configuration and
 * series, with an optional min..max range. Checks the rows and fixes the order and colours of series.
 */
import { seriesColors } from "./palette";
import { checkNumber, type VlSpec } from "./spec";

export interface ComparisonRow {
  /** The configuration (or x value) the value belongs to, e.g. "threads off" or 4. */
  label: string | number;
  /** Which series (bar colour, line) it belongs to, e.g. "model" or "measured". */
  series: string;
  value: number;
  /** Range of repeated measurements, drawn as an error bar when both are given. */
  min?: number;
  max?: number;
}

export interface SeriesOptions {
  title?: string;
  subtitle?: string;
  /** Axis titles; put the unit in them, e.g. "throughput (packets/s)". */
  xTitle?: string;
  yTitle: string;
  /** d3-format of values in labels and tooltips (default: SI prefixes from 10,000 up, e.g. "600k"; else ",.4~g"). */
  format?: string;
  /** Series order for legend and colours (default: order of first appearance). */
  seriesOrder?: string[];
  width?: number;
  height?: number;
  /** Horizontal reference lines (a value the reader compares against). */
  referenceLines?: ReferenceLine[];
}

/** Checks rows and returns them with the series and label orders (first appearance unless given). */
export function checkRows(where: string, rows: ComparisonRow[], seriesOrder?: string[]): { series: string[]; labels: (string | number)[] } {
  if (!Array.isArray(rows) || rows.length === 0) throw new Error(`${where}: rows must be a non-empty array of {label, series, value}`);
  const series: string[] = seriesOrder ? [...seriesOrder] : [];
  const labels: (string | number)[] = [];
  rows.forEach((r, i) => {
    if (typeof r.label !== "string" && typeof r.label !== "number") throw new Error(`${where}: rows[${i}].label must be a string or number, got ${JSON.stringify(r.label)}`);
    if (typeof r.series !== "string") throw new Error(`${where}: rows[${i}].series must be a string, got ${JSON.stringify(r.series)}`);
    checkNumber(where, `rows[${i}].value`, r.value);
    if ((r.min === undefined) !== (r.max === undefined)) throw new Error(`${where}: rows[${i}] has only one of min/max; give both or neither`);
    if (r.min !== undefined && r.max !== undefined) {
      checkNumber(where, `rows[${i}].min`, r.min);
      checkNumber(where, `rows[${i}].max`, r.max);
      if (r.min > r.max) throw new Error(`${where}: rows[${i}].min (${r.min}) is above max (${r.max})`);
    }
    if (!series.includes(r.series)) {
      if (seriesOrder) throw new Error(`${where}: rows[${i}].series ${JSON.stringify(r.series)} is not in seriesOrder (${seriesOrder.join(", ")})`);
      series.push(r.series);
    }
    if (!labels.includes(r.label)) labels.push(r.label);
  });
  return { series, labels };
}

/** Colour encoding of series: one colour per meaning (palette.ts seriesColors), legend entries never truncated. */
export function seriesColor(series: string[], legendTitle: string | null = null): VlSpec {
  const range = seriesColors(series);
  // many or long entries go one per row (columns: 1) so none is cut; a few short ones share a row
  const long = series.reduce((a, s) => a + s.length + 4, 0) > 90;
  return {
    field: "series",
    type: "nominal",
    sort: series,
    scale: { domain: series, range },
    legend: series.length > 1 ? { title: legendTitle, orient: "top", direction: "horizontal", labelLimit: 0, ...(long ? { columns: 1 } : {}) } : null,
  };
}

/** A horizontal reference line the reader judges values against (e.g. 1 = in-call processing). */
export interface ReferenceLine {
  value: number;
  /** Printed at the line's right end, e.g. "1 = v6.8 (in-call)". */
  label: string;
}

/** Layers drawing reference lines: dashed grey rules with their labels. */
export function referenceLayers(lines: readonly ReferenceLine[] | undefined): VlSpec[] {
  if (!lines || lines.length === 0) return [];
  const values = lines.map((l) => ({ ref: checkNumber("referenceLines", "value", l.value), ref_label: String(l.label) }));
  return [
    { data: { values }, mark: { type: "rule", color: "#555", strokeDash: [5, 4], strokeWidth: 1.2 }, encoding: { y: { field: "ref", type: "quantitative" } } },
    // the label sits right of the plot, where no bar or value label can be
    { data: { values }, mark: { type: "text", align: "left", baseline: "middle", dx: 4, fontSize: 10, color: "#555" }, encoding: { y: { field: "ref", type: "quantitative" }, x: { value: { expr: "width" } }, text: { field: "ref_label" } } },
  ];
}

/** The default value format: "600k" reads better than "6e+5"; small values keep their digits. */
export function autoFormat(rows: ComparisonRow[]): string {
  const big = rows.some((r) => Math.abs(r.max ?? r.value) >= 10_000 || Math.abs(r.value) >= 10_000);
  return big ? ",.3~s" : ",.4~g";
}

/** A one-line summary of rows for text/plain: per series, the label and value of each row. */
export function describeRows(rows: ComparisonRow[], series: string[], fmt: (v: number) => string): string {
  return series
    .map((s) => `${s}: ${rows.filter((r) => r.series === s).map((r) => `${typeof r.label === "number" ? fmt(r.label) : r.label}: ${fmt(r.value)}`).join(", ")}`)
    .join("; ");
}

/** Formats a number for text with 4 significant digits and thousands separators. */
export function fmt4(v: number): string {
  return Number(v.toPrecision(4)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}
