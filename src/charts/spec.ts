/**
 * What every chart builder shares: the Vega-Lite spec type, the v6 `$schema` the outputs carry, the
 * common config, and small checks for builder options.
 */

/** A Vega-Lite spec as plain JSON (kept loose: vega-lite's own types need a newer TypeScript than tslab's). */
export type VlSpec = { [key: string]: unknown };

/**
 * The schema every spec declares: Vega-Lite 6, the version the kit renders with (vega-lite 6 in Node,
 * the book and jupyter/custom/custom.js), so no renderer warns about a version mismatch. A front end
 * that knows only Vega-Lite 5 shows the SVG of the same output instead.
 */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Shared look: readable sizes in a notebook, no per-mark ARIA labels (they would bloat the SVG). */
export const BASE_CONFIG: VlSpec = {
  font: "DejaVu Sans, Verdana, sans-serif",
  view: { stroke: null },
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: "#555", anchor: "start", offset: 8 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", labelColor: "#333", titleColor: "#333" },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", symbolStrokeWidth: 0.5 },
  aria: false,
};

/** A title with an optional subtitle, in Vega-Lite's title object form. */
export function titleBlock(text: string, subtitle?: string | string[]): VlSpec {
  return subtitle === undefined || subtitle.length === 0 ? { text } : { text, subtitle };
}

/** A Vega expression mapping a key (`datum.value` in legends and axes) to a display label. */
export function labelExpr(labels: [string | number, string][], fallback = "datum.label", on = "datum.value"): string {
  return labels.reduceRight((acc, [k, v]) => `${on} === ${JSON.stringify(k)} ? ${JSON.stringify(v)} : ${acc}`, fallback);
}

/** Throws a clear error unless `value` is a finite number (optionally > 0). */
export function checkNumber(where: string, field: string, value: unknown, positive = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || (positive && value <= 0)) {
    throw new Error(`${where}: ${field} must be a finite${positive ? " positive" : ""} number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Rounds to `digits` decimals: keeps inline data (and so notebooks) small without visible loss. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Formats a count of nanoseconds for prose (ns, µs or ms with 3 significant figures). */
export function formatNs(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1_000) return `${round(ns, 0)} ns`;
  if (a < 1_000_000) return `${Number((ns / 1_000).toPrecision(3))} µs`;
  return `${Number((ns / 1_000_000).toPrecision(3))} ms`;
}
