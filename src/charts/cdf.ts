/**
 * Latency distributions as cumulative curves (CDF): for each series, the fraction of samples at or
 * below each latency. Samples come in ns and are shown in µs; chosen percentiles are marked, and a
 * slider reads any percentile of every series off the curves.
 */
import { BASE_CONFIG, VEGA_LITE_SCHEMA, checkNumber, formatNs, round, titleBlock, type VlSpec } from "./spec";
import { seriesColor } from "./series";
import { textWidth } from "./text-metrics";

export interface LatencySeries {
  series: string;
  /** Latency samples in ns (e.g. round-trip times of udp-pingpong). */
  samples: number[];
}

export interface CdfOptions {
  title?: string;
  subtitle?: string;
  /** Log scale on the latency axis (useful when tails are long). */
  logX?: boolean;
  /** Percentiles to mark on every curve, in (0, 100] (default [50, 99]; [] for none). */
  percentiles?: number[];
  /** Add a slider that reads one percentile off every curve (default true). */
  probe?: boolean;
  /** Most points drawn per curve; longer series are thinned evenly by rank (default 400). */
  maxPoints?: number;
  xTitle?: string;
  width?: number;
  height?: number;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p% of samples at or below. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) throw new Error("percentile: no samples");
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** The points of one CDF curve in µs, thinned to about `maxPoints` (first, last and even ranks kept). */
export function cdfPoints(sortedNs: number[], maxPoints: number): { x: number; F: number }[] {
  const n = sortedNs.length;
  const keep = new Set<number>([0, n - 1]);
  const stride = Math.max(1, (n - 1) / Math.max(1, maxPoints - 1));
  for (let k = 0; k * stride < n; k++) keep.add(Math.min(n - 1, Math.round(k * stride)));
  // Where equal values repeat, only the last of the run matters to the step curve.
  const idx = Array.from(keep).sort((a, b) => a - b).filter((i) => i === n - 1 || sortedNs[i + 1] !== sortedNs[i]);
  const pts = [{ x: round(sortedNs[0] / 1000, 4), F: 0 }];
  for (const i of idx) pts.push({ x: round(sortedNs[i] / 1000, 4), F: round((i + 1) / n, 5) });
  return pts;
}

/** Builds the CDF chart of the given series (see the module comment). */
export function cdfSpec(input: LatencySeries[], opts: CdfOptions = {}): VlSpec {
  const where = "cdfSpec";
  if (!Array.isArray(input) || input.length === 0) throw new Error(`${where}: give a non-empty array of {series, samples}`);
  const pcts = opts.percentiles ?? [50, 99];
  pcts.forEach((p, i) => {
    if (!(typeof p === "number" && p > 0 && p <= 100)) throw new Error(`${where}: percentiles[${i}] must be in (0, 100], got ${JSON.stringify(p)}`);
  });
  const maxPoints = opts.maxPoints === undefined ? 400 : checkNumber(where, "maxPoints", opts.maxPoints, true);
  const names: string[] = [];
  const curve: { series: string; x: number; F: number }[] = [];
  const marks: { series: string; i: number; p: number; F: number; x: number; label: string }[] = [];
  const summary: string[] = [];
  input.forEach((s, i) => {
    if (!s || typeof s.series !== "string") throw new Error(`${where}: input[${i}].series must be a string`);
    if (names.includes(s.series)) throw new Error(`${where}: series ${JSON.stringify(s.series)} appears twice`);
    if (!Array.isArray(s.samples) || s.samples.length === 0) throw new Error(`${where}: input[${i}].samples must be a non-empty array of ns`);
    s.samples.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new Error(`${where}: input[${i}].samples[${j}] must be a finite number of ns >= 0, got ${JSON.stringify(v)}`);
      if (opts.logX && v <= 0) throw new Error(`${where}: logX needs samples > 0; input[${i}].samples[${j}] is ${v}`);
    });
    names.push(s.series);
    const sorted = s.samples.slice().sort((a, b) => a - b);
    for (const pt of cdfPoints(sorted, maxPoints)) curve.push({ series: s.series, ...pt });
    for (const p of pcts) {
      const v = percentile(sorted, p);
      marks.push({ series: s.series, i, p, F: p / 100, x: round(v / 1000, 4), label: `p${p} ${formatNs(v)}` });
    }
    summary.push(`${s.series}: ${sorted.length} samples, ${[50, 99].map((p) => `p${p} ${formatNs(percentile(sorted, p))}`).join(", ")}, max ${formatNs(sorted[sorted.length - 1])}`);
  });

  const width = opts.width === undefined ? 560 : checkNumber(where, "width", opts.width, true);
  const height = opts.height === undefined ? 300 : checkNumber(where, "height", opts.height, true);
  const xTitle = opts.xTitle ?? "latency (µs)";
  const x = { field: "x", type: "quantitative", scale: opts.logX ? { type: "log", nice: false } : { zero: false }, axis: { title: xTitle, grid: true, gridColor: "#eee" } };
  const y = { field: "F", type: "quantitative", scale: { domain: [0, 1] }, axis: { title: "fraction of samples ≤ latency", format: ".0%", grid: true, gridColor: "#eee" } };
  const color = seriesColor(names);
  const multi = names.length > 1;
  const picked = multi ? { condition: { param: "pick", value: 1 }, value: 0.2 } : { value: 1 };

  const layers: VlSpec[] = [
    {
      data: { name: "curve" },
      params: multi ? [{ name: "pick", select: { type: "point", fields: ["series"] }, bind: "legend" }] : [],
      mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
      encoding: { x, y, color, opacity: picked },
    },
    // Invisible points so hovering the curve names the latency and fraction.
    {
      data: { name: "curve" },
      mark: { type: "point", opacity: 0, size: 60 },
      encoding: {
        x,
        y,
        tooltip: [
          { field: "series", title: "series" },
          { field: "x", title: xTitle, format: ",.3f" },
          { field: "F", title: "fraction ≤", format: ".2%" },
        ],
      },
    },
  ];
  if (marks.length > 0) {
    layers.push(
      {
        data: { name: "marks" },
        mark: { type: "rule", strokeDash: [4, 3], strokeWidth: 1 },
        encoding: { x, y, y2: { datum: 0 }, color, opacity: picked },
      },
      {
        data: { name: "marks" },
        mark: { type: "point", filled: true, size: 40 },
        encoding: { x, y, color, opacity: picked, tooltip: [{ field: "series" }, { field: "label", title: "percentile" }] },
      },
      // Labels right of each mark, one line lower per series so close curves do not overprint.
      {
        data: { name: "marks" },
        mark: {
          type: "text",
          baseline: "top",
          // Near the right edge the label goes to the left of its mark.
          align: { expr: "scale('x', datum.x) > width - 90 ? 'right' : 'left'" },
          dx: { expr: "scale('x', datum.x) > width - 90 ? -5 : 5" },
          dy: { expr: "4 + 12 * datum.i" },
          fontSize: 10,
        },
        encoding: { x, y, color, opacity: picked, text: { field: "label" } },
      },
    );
  }
  if (opts.probe !== false) {
    // The slider's percentile read off each curve (its first point at or above it), listed in the
    // lower right corner, where a CDF leaves room, one line per series.
    const readout = [
      { filter: "datum.F >= probe / 100" },
      { aggregate: [{ op: "min", field: "x", as: "x" }], groupby: ["series"] },
      { calculate: "probe / 100", as: "F" },
      { calculate: `indexof(${JSON.stringify(names)}, datum.series)`, as: "i" },
      { calculate: "datum.series + ': ' + format(datum.x, ',.4~r') + ' µs'", as: "label" },
    ];
    const boxWidth = Math.max(...names.map((n) => textWidth(`${n}: 000.0 µs`, 11, true)), textWidth("p99.9 (slider, dotted line):", 10)) + 12;
    layers.push(
      {
        data: { values: [{}] },
        mark: {
          type: "rect",
          fill: "white",
          opacity: 0.85,
          x: { expr: `width - ${Math.ceil(boxWidth)}` },
          x2: { expr: "width" },
          y: { expr: `height - ${14 * (names.length + 1) + 12}` },
          y2: { expr: "height - 2" },
        },
      },
      {
        data: { values: [{}] },
        mark: { type: "rule", color: "#777", strokeDash: [2, 2] },
        encoding: { y: { datum: { expr: "probe / 100" }, type: "quantitative" } },
      },
      {
        data: { name: "curve" },
        transform: readout,
        mark: { type: "point", shape: "circle", size: 70, strokeWidth: 1.5, filled: false },
        encoding: { x, y, color, opacity: picked },
      },
      {
        data: { values: [{}] },
        mark: { type: "text", align: "right", baseline: "bottom", fontSize: 10, color: "#555", x: { expr: "width - 4" }, y: { expr: `height - 8 - ${14 * names.length}` } },
        encoding: { text: { value: { expr: "'p' + probe + ' (slider, dotted line):'" } } },
      },
      {
        data: { name: "curve" },
        transform: readout,
        mark: { type: "text", align: "right", baseline: "bottom", fontSize: 11, fontWeight: "bold", x: { expr: "width - 4" }, y: { expr: `height - 8 - 14 * (${names.length - 1} - datum.i)` } },
        encoding: { color, opacity: picked, text: { field: "label" } },
      },
    );
  }

  const title = opts.title ?? "Latency distribution";
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(title, opts.subtitle),
    description: `${title} (CDF): ${summary.join("; ")}.`,
    width,
    height,
    datasets: { curve, marks },
    // A variable parameter must be declared at the top level of a layered spec.
    ...(opts.probe !== false ? { params: [{ name: "probe", value: 90, bind: { input: "range", min: 1, max: 99.9, step: 0.1, name: "read percentile " } }] } : {}),
    layer: layers,
    config: BASE_CONFIG,
  };
}
