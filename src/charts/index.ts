/**
 * softnet-lab's charts: Vega-Lite 5 spec builders for simulation results and traces, rendering to
 * SVG/PNG in Node, and `show()`, which puts a chart in a notebook as one multi-format output.
 */
export { importESM } from "./esm";
export { toSvg, toPng, compileToVega, compactSvg } from "./render";
export type { RenderOptions, PngOptions } from "./render";
export { show, chartBundle, describeSpec, VEGALITE_MIME } from "./display";
export type { ChartBundle, ShowOptions } from "./display";
export { VEGA_LITE_SCHEMA } from "./spec";
export type { VlSpec } from "./spec";
export { CONTEXT_ORDER, CONTEXT_COLORS, CONTEXT_LABELS, EVENT_KINDS, EVENT_STYLE, SERIES_COLORS } from "./palette";
export type { EventKind } from "./palette";
export { timelineSpec, describeTimeline } from "./timeline";
export type { TimelineOptions } from "./timeline";
export { timelineData } from "./timeline-data";
export type { TimelineData, TimelineDataOptions, SpanRow, BinRow, OwnerRow, EventRow, LinkRow } from "./timeline-data";
export { barsSpec } from "./bars";
export type { BarsOptions } from "./bars";
export { linesSpec } from "./lines";
export type { LinesOptions } from "./lines";
export type { ComparisonRow, SeriesOptions } from "./series";
export { cdfSpec, cdfPoints, percentile } from "./cdf";
export type { CdfOptions, LatencySeries } from "./cdf";
export { busySpec } from "./busy";
export type { BusyOptions, LabelledResult } from "./busy";
export { METRICS, metricRows } from "./metrics";
export type { MetricName, MetricSpec, LabelledRun } from "./metrics";
