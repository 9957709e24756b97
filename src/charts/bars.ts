/**
 * Grouped bars comparing configurations: one group per configuration, one bar per series, value
 * labels on top, optional min..max error bars. For throughput, drops, IPIs or context switches per
 * packet across configurations (see metrics.ts to take the rows from simulation results).
 */
import { BASE_CONFIG, VEGA_LITE_SCHEMA, checkNumber, titleBlock, type VlSpec } from "./spec";
import { textWidth, wrapText } from "./text-metrics";
import { autoFormat, checkRows, describeRows, fmt4, referenceLayers, seriesColor, type ComparisonRow, type SeriesOptions } from "./series";

export interface BarsOptions extends SeriesOptions {
  /** Print each value above its bar (default true). */
  valueLabels?: boolean;
  /** Logarithmic value axis, for ratios spanning orders of magnitude (values must be > 0). */
  logY?: boolean;
}

/** Builds a grouped bar chart of `rows` (see the module comment). */
export function barsSpec(rows: ComparisonRow[], opts: BarsOptions): VlSpec {
  const where = "barsSpec";
  if (!opts || typeof opts.yTitle !== "string") throw new Error(`${where}: opts.yTitle (the value axis title, with its unit) is required`);
  const { series, labels } = checkRows(where, rows, opts.seriesOrder);
  const format = opts.format ?? autoFormat(rows);
  const ranged = rows.some((r) => r.min !== undefined);
  const step = series.length * 24 + 24;
  // wide enough that the longest single word of a label fits its group (labels wrap at spaces)
  const longestWord = Math.max(...labels.flatMap((l) => String(l).split(" ").map((w) => textWidth(w, 11))));
  const width = opts.width === undefined ? Math.max(Math.min(960, Math.max(260, labels.length * step)), Math.ceil(labels.length * (longestWord + 16))) : checkNumber(where, "width", opts.width, true);
  const height = opts.height === undefined ? 260 : checkNumber(where, "height", opts.height, true);
  // labels wider than their group are wrapped onto several lines (never truncated with "…")
  const room = Math.max(40, width / labels.length - 14);
  const wrapped = labels.map((l) => [String(l), wrapText(String(l), room, 11)] as const).filter(([l, lines]) => lines.length > 1 || textWidth(l, 11) > room);
  const wrapExpr = wrapped.length === 0 ? {} : { labelExpr: `${JSON.stringify(Object.fromEntries(wrapped))}[datum.value] || datum.value` };
  const x = { field: "label", type: "nominal", sort: labels, axis: { title: opts.xTitle ?? null, labelAngle: 0, labelLimit: 0, ...wrapExpr } };
  const xOffset = { field: "series", type: "nominal", sort: series, scale: { paddingInner: 0.08 } };
  if (opts.logY) for (const r of rows) if (!(r.value > 0)) throw new Error(`${where}: logY needs values > 0; "${r.label}"/"${r.series}" is ${r.value}`);
  // a log axis has no zero: bars start at the power of ten below the smallest value or range end
  const lowest = Math.min(...rows.map((r) => Math.min(r.value, r.min ?? r.value)));
  const base = opts.logY ? 10 ** Math.floor(Math.log10(lowest)) : 0;
  // value labels wider than their bar are turned upright (and the axis made taller to hold them), so
  // neighbours never overlap; the width is estimated from the value with 4 significant digits
  const barW = ((width / labels.length) * 0.8) / series.length;
  const labelW = Math.max(...rows.map((r) => textWidth(Number(r.value.toPrecision(4)).toLocaleString("en-US"), 10)));
  const upright = opts.valueLabels !== false && labelW > barW + 2;
  const top = Math.max(...rows.map((r) => Math.max(r.value, r.max ?? r.value)));
  const headroom = upright && !opts.logY && top > 0 ? { domainMax: top * (1 + (labelW + 8) / height) } : {};
  const y = { field: "value", type: "quantitative", axis: { title: opts.yTitle, format, grid: true, gridColor: "#eee" }, ...(opts.logY ? { scale: { type: "log", domainMin: base } } : { scale: headroom }) };
  const multi = series.length > 1;

  const layers: VlSpec[] = [
    {
      params: multi ? [{ name: "pick", select: { type: "point", fields: ["series"] }, bind: "legend" }] : [],
      mark: { type: "bar", cornerRadiusEnd: 2 },
      encoding: {
        x,
        xOffset,
        y,
        ...(opts.logY ? { y2: { datum: base } } : {}),
        color: seriesColor(series),
        opacity: multi ? { condition: { param: "pick", value: 1 }, value: 0.25 } : { value: 1 },
        tooltip: [
          { field: "label", title: opts.xTitle ?? "configuration" },
          { field: "series", title: "series" },
          { field: "value", title: opts.yTitle, format },
          ...(ranged ? [{ field: "min", title: "min", format }, { field: "max", title: "max", format }] : []),
        ],
      },
    },
  ];
  if (ranged) {
    layers.push({
      transform: [{ filter: "isValid(datum.min)" }],
      mark: { type: "rule", color: "#222", strokeWidth: 1.2 },
      encoding: { x, xOffset, y: { field: "min", type: "quantitative" }, y2: { field: "max" } },
    });
  }
  if (opts.valueLabels !== false) {
    layers.push({
      transform: [{ calculate: "isValid(datum.max) ? max(datum.max, datum.value) : datum.value", as: "top" }],
      mark: upright ? { type: "text", angle: 270, align: "left", baseline: "middle", dx: 3, fontSize: 10, color: "#333" } : { type: "text", baseline: "bottom", dy: -3, fontSize: 10, color: "#333" },
      encoding: { x, xOffset, y: { field: "top", type: "quantitative" }, text: { field: "value", type: "quantitative", format } },
    });
  }

  layers.push(...referenceLayers(opts.referenceLines));

  const title = opts.title ?? opts.yTitle;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(title, opts.subtitle),
    description: `${title} (bars): ${describeRows(rows, series, fmt4)}.`,
    width,
    height,
    data: { values: rows.map((r) => ({ ...r })) },
    layer: layers,
    config: BASE_CONFIG,
  };
}
