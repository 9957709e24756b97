/**
 * Lines with points across a swept parameter or an ordered list of configurations, one line per
 * series, with optional min..max error bars for measured data. For curves such as throughput
 * against offered load, or model against measurement.
 */
import { BASE_CONFIG, VEGA_LITE_SCHEMA, checkNumber, titleBlock, type VlSpec } from "./spec";
import { autoFormat, checkRows, describeRows, fmt4, referenceLayers, seriesColor, type ComparisonRow, type SeriesOptions } from "./series";

export interface LinesOptions extends SeriesOptions {
  /** Log scale on x (numeric labels only) or y. */
  logX?: boolean;
  logY?: boolean;
  /** Start the y axis at zero (default true unless logY). */
  yZero?: boolean;
  /** A dashed y = x line with this label (e.g. "delivered = offered"); x and y must share a unit. */
  diagonal?: string;
}

/** Builds a line chart of `rows`; numeric labels give a quantitative x axis, others an ordered one. */
export function linesSpec(rows: ComparisonRow[], opts: LinesOptions): VlSpec {
  const where = "linesSpec";
  if (!opts || typeof opts.yTitle !== "string") throw new Error(`${where}: opts.yTitle (the value axis title, with its unit) is required`);
  const { series, labels } = checkRows(where, rows, opts.seriesOrder);
  const numeric = labels.every((l) => typeof l === "number");
  if (opts.logX && !numeric) throw new Error(`${where}: logX needs numeric labels, got ${JSON.stringify(labels.find((l) => typeof l !== "number"))}`);
  if (opts.logX && labels.some((l) => (l as number) <= 0)) throw new Error(`${where}: logX needs labels > 0`);
  if (opts.logY && rows.some((r) => r.value <= 0 || (r.min !== undefined && r.min <= 0))) throw new Error(`${where}: logY needs values (and min) > 0`);
  const format = opts.format ?? autoFormat(rows);
  const ranged = rows.some((r) => r.min !== undefined);
  const width = opts.width === undefined ? 560 : checkNumber(where, "width", opts.width, true);
  const height = opts.height === undefined ? 300 : checkNumber(where, "height", opts.height, true);
  // A sweep has few x values: label exactly those (a log axis would otherwise skip some).
  const xValues = numeric && labels.length <= 12 ? { values: labels } : {};
  const xFormat = numeric && labels.some((l) => Math.abs(l as number) >= 10_000) ? ",.3~s" : ",.4~g";
  const x = numeric
    ? {
        field: "label",
        type: "quantitative",
        scale: opts.logX ? { type: "log", nice: false } : { zero: false, nice: false },
        axis: { title: opts.xTitle ?? null, grid: true, gridColor: "#eee", format: xFormat, ...xValues },
      }
    : { field: "label", type: "ordinal", sort: labels, axis: { title: opts.xTitle ?? null, labelAngle: 0 } };
  const y = {
    field: "value",
    type: "quantitative",
    scale: opts.logY ? { type: "log" } : { zero: opts.yZero ?? true },
    axis: { title: opts.yTitle, format, grid: true, gridColor: "#eee" },
  };
  const multi = series.length > 1;
  const color = seriesColor(series);
  const picked = multi ? { condition: { param: "pick", value: 1 }, value: 0.2 } : { value: 1 };

  const layers: VlSpec[] = [
    {
      params: multi ? [{ name: "pick", select: { type: "point", fields: ["series"] }, bind: "legend" }] : [],
      mark: { type: "line", strokeWidth: 2 },
      encoding: { x, y, color, opacity: picked },
    },
  ];
  if (ranged) {
    layers.push({
      transform: [{ filter: "isValid(datum.min)" }],
      mark: { type: "rule", strokeWidth: 1.2 },
      encoding: { x, y: { field: "min", type: "quantitative" }, y2: { field: "max" }, color, opacity: picked },
    });
  }
  layers.push({
    mark: { type: "point", filled: true, size: 45 },
    encoding: {
      x,
      y,
      color,
      opacity: picked,
      tooltip: [
        { field: "series", title: "series" },
        { field: "label", title: opts.xTitle ?? "x" },
        { field: "value", title: opts.yTitle, format },
        ...(ranged ? [{ field: "min", title: "min", format }, { field: "max", title: "max", format }] : []),
      ],
    },
  });

  layers.push(...referenceLayers(opts.referenceLines));
  if (opts.diagonal !== undefined) {
    if (!numeric) throw new Error(`${where}: diagonal needs numeric labels`);
    const nums = labels as number[];
    const ends = [Math.min(...nums), Math.max(...nums)].map((v) => ({ label: v, value: v, diag: String(opts.diagonal) }));
    layers.push(
      { data: { values: ends }, mark: { type: "line", color: "#555", strokeDash: [5, 4], strokeWidth: 1.2, clip: true }, encoding: { x: { field: "label", type: "quantitative" }, y: { field: "value", type: "quantitative" } } },
      { data: { values: ends.slice(1) }, mark: { type: "text", align: "right", baseline: "top", dx: -4, dy: 4, fontSize: 10, color: "#555", clip: true }, encoding: { x: { field: "label", type: "quantitative" }, y: { field: "value", type: "quantitative" }, text: { field: "diag" } } },
    );
  }

  const title = opts.title ?? opts.yTitle;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(title, opts.subtitle),
    description: `${title} (lines): ${describeRows(rows, series, fmt4)}.`,
    width,
    height,
    data: { values: rows.map((r) => ({ ...r })) },
    layer: layers,
    config: BASE_CONFIG,
  };
}
