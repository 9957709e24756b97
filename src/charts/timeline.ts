/**
 * The per-CPU timeline: one lane per CPU, a coloured bar for every stretch of CPU time by context,
 * the task it is charged to underneath, and marks for packets, IPIs and wakeups above. Zoom with the
 * mouse wheel, pan by dragging, click a legend entry to highlight one context.
 */
import type { SimResult, Trace } from "../observe/types";
import { CONTEXT_COLORS, CONTEXT_LABELS, CONTEXT_ORDER, EVENT_KINDS, EVENT_STYLE } from "./palette";
import { BASE_CONFIG, VEGA_LITE_SCHEMA, checkNumber, labelExpr, round, titleBlock, type VlSpec } from "./spec";
import { textWidth } from "./text-metrics";
import { LANE, timelineData, type TimelineData, type TimelineDataOptions } from "./timeline-data";

export interface TimelineOptions extends TimelineDataOptions {
  title?: string;
  /** Pixel height of one CPU lane (default: 84 for up to 4 CPUs, 62 up to 8, else 44). */
  laneHeight?: number;
}

/** Smallest drawn width of a bar, in pixels: a 50 ns softirq must stay visible in a 100 µs window. */
const MIN_SPAN_PX = 2;

/** Owner strip greys: the idle task, then three tones for the other tasks. */
const OWNER_GREYS = ["#d0d0d0", "#4a4a4a", "#7c7c7c", "#5f6b73"];

function laneHeightFor(n: number): number {
  return n <= 4 ? 84 : n <= 8 ? 62 : 44;
}

/** The sentence behind the chart's text/plain output and its Vega-Lite `description`. */
export function describeTimeline(d: TimelineData, title: string): string {
  const ctx = CONTEXT_ORDER.filter((c) => d.counts.byCtx[c] > 0)
    .map((c) => `${c} ${d.counts.byCtx[c]}`)
    .join(", ");
  const ev = d.counts.events;
  const marks = [
    ev.enqueue + ev.deliver > 0 ? `${ev.enqueue} packets queued, ${ev.deliver} delivered` : "",
    ev.ipi > 0 ? `${ev.ipi} IPIs` : "",
    ev.wakeup > 0 ? `${ev.wakeup} wakeups` : "",
  ].filter((s) => s !== "");
  const cpus = d.lanes.map((l) => l.cpu).join(", ");
  return (
    `${title}: CPU${d.lanes.length > 1 ? "s" : ""} ${cpus}, ${d.from_us}–${d.to_us} µs; ` +
    `${d.counts.spans} spans${ctx ? ` (${ctx})` : ""}` +
    (marks.length > 0 ? `; ${marks.join(", ")}` : "") +
    (d.notes.length > 0 ? `. ${d.notes.join(". ")}` : "") +
    "."
  );
}

function isResult(input: Trace | SimResult): input is SimResult {
  return typeof input === "object" && input !== null && Array.isArray((input as SimResult).per_cpu);
}

/** The trace of a result run with trace=true, or the trace itself. */
function traceOf(input: Trace | SimResult): Trace {
  if (!isResult(input)) return input;
  if (!input.trace) throw new Error("timelineSpec: this SimResult has no trace; run the simulation with trace=true");
  return input.trace;
}

/** Builds the per-CPU timeline spec of a trace, or of a result run with trace=true (see docs/charts.md). */
export function timelineSpec(input: Trace | SimResult, opts: TimelineOptions = {}): VlSpec {
  const trace = traceOf(input);
  const width = opts.width === undefined ? 960 : checkNumber("timelineSpec", "width", opts.width, true);
  const d = timelineData(trace, { ...opts, width });
  const n = d.lanes.length;
  const laneHeight = opts.laneHeight === undefined ? laneHeightFor(n) : checkNumber("timelineSpec", "laneHeight", opts.laneHeight, true);
  const title = opts.title ?? "Per-CPU timeline";

  const cpuLabels = d.lanes.map((l): [number, string] => [l.lane + 0.5, `CPU ${l.cpu}`]);
  const ctxLabels = CONTEXT_ORDER.map((c): [string, string] => [c, CONTEXT_LABELS[c]]);
  const eventLabels = EVENT_KINDS.map((k): [string, string] => [k, EVENT_STYLE[k].label]);
  const eventLegend = { title: "trace events", labelExpr: labelExpr(eventLabels), orient: "bottom", direction: "horizontal", columns: 2, labelLimit: 260 };

  // Every layer shares one quantitative y in lane units (lane i spans [i, i+1], CPU label at i+0.5).
  const y = (field: string): VlSpec => ({
    field,
    type: "quantitative",
    scale: { domain: [0, n], reverse: true, nice: false, zero: false },
    axis: {
      title: null,
      values: cpuLabels.map(([v]) => v),
      labelExpr: labelExpr(cpuLabels, "''"),
      grid: false,
      ticks: false,
      domain: false,
      labelFontSize: 12,
      labelFontWeight: "bold",
      labelPadding: 6,
    },
  });
  const x = (field: string): VlSpec => ({
    field,
    type: "quantitative",
    scale: { domain: [d.from_us, d.to_us], nice: false, zero: false },
    axis: { title: "time (µs)", grid: true, gridColor: "#e6e6e6", tickCount: 10 },
  });
  // Left pixel edge of a bar, clamped to the plot so labels of half-visible bars stay readable.
  const px0 = "max(scale('x', datum.t0), 0)";
  // Right edge: a hair short of the end so neighbours stay apart (cheaper than a stroke per bar in
  // the SVG), and never narrower than MIN_SPAN_PX.
  const barX2 = (gapPx: number): VlSpec => ({ value: { expr: `max(scale('x', datum.t1) - ${gapPx}, scale('x', datum.t0) + ${MIN_SPAN_PX})` } });
  const spanY = [
    { calculate: `datum.lane + ${LANE.spanTop} + datum.d * ${LANE.depthInset}`, as: "y0" },
    { calculate: `datum.lane + ${LANE.spanBottom}`, as: "y1" },
  ];
  const ownerY = [
    { calculate: `datum.lane + ${LANE.ownerTop}`, as: "y0" },
    { calculate: `datum.lane + ${LANE.ownerBottom}`, as: "y1" },
  ];
  const eventY = { calculate: `datum.lane + (datum.kind === 'enqueue' || datum.kind === 'deliver' ? ${LANE.packetY} : ${LANE.schedY})`, as: "y" };
  // Text labels inside bars: shown only where the whole label fits at the current zoom (`lw`, its
  // width in px, is measured when the data is built), never cut to "…": a static SVG has no tooltip.
  const barLabel = (fontSize: number, color: unknown, end = "datum.t1"): VlSpec => {
    const room = `min(scale('x', ${end}), width) - ${px0}`;
    return { type: "text", clip: true, align: "left", baseline: "middle", fontSize, color, opacity: { expr: `${room} - 6 >= datum.lw ? 1 : 0` } };
  };

  const interaction = [
    { name: "zoom", select: { type: "interval", encodings: ["x"] }, bind: "scales" },
    { name: "pick", select: { type: "point", fields: ["ctx"] }, bind: "legend" },
  ];
  const ctxColor = {
    field: "ctx",
    type: "nominal",
    scale: { domain: [...CONTEXT_ORDER], range: CONTEXT_ORDER.map((c) => CONTEXT_COLORS[c]) },
    legend: { title: "CPU context", labelExpr: labelExpr(ctxLabels), orient: "bottom", direction: "horizontal", columns: 3, symbolType: "square", labelLimit: 200 },
  };
  const picked = { condition: { param: "pick", value: 1 }, value: 0.2 };

  const spanLayers: VlSpec[] = [
    {
      data: { name: "spans" },
      transform: [...spanY, { calculate: labelExpr(ctxLabels, "datum.ctx", "datum.ctx"), as: "context" }],
      params: interaction,
      // Nested bars get a dark outline: a softirq inside a softirq would otherwise melt into it.
      mark: { type: "rect", clip: true, stroke: { expr: "datum.d > 0 ? '#222' : null" }, strokeWidth: 0.6 },
      encoding: {
        x: x("t0"),
        x2: barX2(0.6),
        y: y("y0"),
        y2: { field: "y1" },
        color: ctxColor,
        opacity: picked,
        tooltip: [
          { field: "fn", title: "function" },
          { field: "context", title: "context" },
          { field: "task", title: "on the time of task" },
          { field: "cpu", title: "CPU" },
          { field: "t0", title: "start (µs)", format: ",.3f" },
          { field: "dur", title: "duration (µs)", format: ",.3f" },
        ],
      },
    },
    // Function names inside bars wide enough for a few letters.
    {
      data: { name: "spans" },
      transform: [{ filter: "datum.ctx !== 'idle'" }, { calculate: `datum.lane + (${LANE.spanTop} + datum.d * ${LANE.depthInset} + ${LANE.spanBottom}) / 2`, as: "ym" }],
      mark: barLabel(10, "#111", "datum.tl"),
      encoding: { x: { value: { expr: `${px0} + 3` } }, y: y("ym"), text: { field: "fn" } },
    },
  ];

  // Aggregated view: per CPU, step areas stacked in legend order, each as high as its share of a bin.
  const band = LANE.spanBottom - LANE.spanTop;
  const shareText = CONTEXT_ORDER.map((c) => `(datum[${JSON.stringify(c)}] > 0 ? ${JSON.stringify(c + " ")} + format(datum[${JSON.stringify(c)}], '.0%') + '  ' : '')`).join(" + ");
  const binLayers: VlSpec[] = [
    {
      data: { name: "bins" },
      transform: [
        { fold: [...CONTEXT_ORDER], as: ["ctx", "s"] },
        { calculate: "datum.s || 0", as: "s" },
        // A context absent from a CPU would still draw a flat path; leave it out.
        { joinaggregate: [{ op: "max", field: "s", as: "smax" }], groupby: ["lane", "ctx"] },
        { filter: "datum.smax > 0" },
        { calculate: `indexof(${JSON.stringify(CONTEXT_ORDER)}, datum.ctx)`, as: "o" },
        { stack: "s", groupby: ["lane", "t"], sort: [{ field: "o", order: "ascending" }], as: ["s0", "s1"] },
        { calculate: `datum.lane + ${LANE.spanTop} + datum.s0 * ${band}`, as: "y0" },
        { calculate: `datum.lane + ${LANE.spanTop} + datum.s1 * ${band}`, as: "y1" },
      ],
      params: interaction,
      mark: { type: "area", interpolate: "step-after", clip: true },
      encoding: { x: x("t"), y: { ...y("y0"), stack: null }, y2: { field: "y1" }, color: ctxColor, detail: { field: "lane" }, opacity: picked },
    },
    // Invisible bins that carry the tooltips (an area has one tooltip for its whole path).
    {
      data: { name: "bins" },
      transform: [
        { filter: "!datum.end" },
        { calculate: `datum.t + ${d.bin_us}`, as: "t1" },
        { calculate: shareText, as: "shares" },
        { calculate: `datum.lane + ${LANE.spanTop}`, as: "y0" },
        { calculate: `datum.lane + ${LANE.spanBottom}`, as: "y1" },
      ],
      mark: { type: "rect", opacity: 0, clip: true },
      encoding: {
        x: x("t"),
        x2: { field: "t1" },
        y: y("y0"),
        y2: { field: "y1" },
        tooltip: [
          { field: "shares", title: "share of the bin" },
          { field: "owner", title: "mostly on the time of" },
          { field: "n", title: "spans" },
          { field: "cpu", title: "CPU" },
          { field: "t", title: "from (µs)", format: ",.3f" },
          { field: "t1", title: "to (µs)", format: ",.3f" },
        ],
      },
    },
  ];

  const layers: VlSpec[] = [
    // Lane backgrounds, so an idle stretch with no span still reads as part of its CPU.
    {
      data: { name: "lanes" },
      transform: [{ calculate: "datum.lane + 0.02", as: "y0" }, { calculate: "datum.lane + 0.98", as: "y1" }],
      mark: { type: "rect", fill: "#f6f6f6" },
      encoding: { x: { value: 0 }, x2: { value: "width" }, y: y("y0"), y2: { field: "y1" } },
    },
    // Bars (or, for big traces, stacked shares per bin) coloured by context; zoom and legend
    // highlight live here.
    ...(d.mode === "spans" ? spanLayers : binLayers),
    // Who the time is charged to: the task owning the CPU, one grey per task.
    {
      data: { name: "owners" },
      transform: ownerY,
      mark: { type: "rect", clip: true, fill: { expr: `${JSON.stringify(OWNER_GREYS)}[datum.shade]` } },
      encoding: {
        x: x("t0"),
        x2: barX2(d.mode === "spans" ? 1 : 0),
        y: y("y0"),
        y2: { field: "y1" },
        tooltip: [
          { field: "task", title: "task owning the CPU" },
          { field: "cpu", title: "CPU" },
          { field: "t0", title: "from (µs)", format: ",.3f" },
          { field: "t1", title: "to (µs)", format: ",.3f" },
        ],
      },
    },
    {
      data: { name: "owners" },
      transform: [{ calculate: `datum.lane + ${(LANE.ownerTop + LANE.ownerBottom) / 2}`, as: "ym" }],
      mark: barLabel(9, { expr: "datum.shade ? 'white' : '#222'" }),
      encoding: { x: { value: { expr: `${px0} + 3` } }, y: y("ym"), text: { field: "task" } },
    },
    // Links: a packet's wait in the backlog (dashed) and IPIs from sender to handler.
    {
      data: { name: "links" },
      mark: {
        type: "rule",
        clip: true,
        strokeWidth: { expr: "datum.kind === 'ipi' ? 1.5 : 1" },
        stroke: { expr: `datum.kind === 'ipi' ? ${JSON.stringify(EVENT_STYLE.ipi.color)} : ${JSON.stringify(EVENT_STYLE.enqueue.color)}` },
        strokeDash: { expr: "datum.kind === 'packet' ? [3, 2] : [1, 0]" },
      },
      encoding: { x: x("t0"), x2: { field: "t1" }, y: y("y0"), y2: { field: "y1" } },
    },
    {
      data: { name: "links" },
      transform: [{ filter: "datum.kind === 'ipi'" }],
      mark: {
        type: "point",
        clip: true,
        filled: true,
        size: 45,
        opacity: 1,
        color: EVENT_STYLE.ipi.color,
        shape: { expr: "datum.dir > 0 ? 'triangle-down' : 'triangle-up'" },
      },
      encoding: { x: x("t1"), y: y("y1") },
    },
    // Packet numbers left of their queued mark, where the gap to the previous packet mark of the lane
    // holds the number (the packets of one burst would otherwise be labelled on top of each other).
    {
      data: { name: "events" },
      transform: [
        { filter: "isValid(datum.seq)" }, eventY, { calculate: "'#' + datum.seq", as: "label" },
        { window: [{ op: "lag", field: "t", as: "prev_t" }], groupby: ["lane", "y"], sort: [{ field: "t" }] },
      ],
      mark: {
        type: "text", clip: true, align: "right", baseline: "middle", dx: -6, fontSize: 9, color: EVENT_STYLE.enqueue.color,
        opacity: { expr: "!isValid(datum.prev_t) || scale('x', datum.t) - scale('x', datum.prev_t) > 12 + 6 * length(datum.label) ? 1 : 0" },
      },
      encoding: { x: x("t"), y: y("y"), text: { field: "label" } },
    },
    // Tracepoint marks above the bars. Wakeups come last and smaller, so one sent just before its
    // IPI still shows inside the IPI's diamond.
    {
      data: { name: "events" },
      transform: [eventY, { calculate: "datum.kind === 'wakeup' ? 1 : 0", as: "z" }],
      mark: {
        type: "point",
        clip: true,
        filled: true,
        opacity: 1,
        size: { expr: "datum.kind === 'wakeup' ? 26 : datum.kind === 'ipi' ? 70 : 55" },
      },
      encoding: {
        x: x("t"),
        y: y("y"),
        order: { field: "z" },
        shape: {
          field: "kind",
          type: "nominal",
          scale: { domain: [...EVENT_KINDS], range: EVENT_KINDS.map((k) => EVENT_STYLE[k].shape) },
          legend: eventLegend,
        },
        color: {
          field: "kind",
          type: "nominal",
          scale: { domain: [...EVENT_KINDS], range: EVENT_KINDS.map((k) => EVENT_STYLE[k].color) },
          legend: eventLegend,
        },
        tooltip: [
          { field: "event", title: "tracepoint" },
          { field: "cpu", title: "CPU" },
          { field: "comm", title: "current task" },
          { field: "t", title: "time (µs)", format: ",.3f" },
          { field: "detail", title: "fields" },
        ],
      },
    },
  ];

  const hint = "scroll to zoom, drag to pan, double-click to reset, click a context in the legend to highlight it";
  const sub = [`${d.from_us}–${d.to_us} µs · bar = what the CPU runs, grey strip = whose time it is · ${hint}`, ...d.notes];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(title, sub),
    description: describeTimeline(d, title),
    width,
    height: n * laneHeight,
    datasets: {
      lanes: d.lanes,
      spans: d.spans.map((s) => ({ ...s, lw: round(textWidth(s.fn, 10), 1) })),
      bins: d.bins,
      owners: d.owners.map((o) => ({ ...o, lw: round(textWidth(o.task, 9), 1) })),
      events: d.events,
      links: d.links,
    },
    layer: layers,
    resolve: { scale: { color: "independent", shape: "independent" } },
    config: BASE_CONFIG,
  };
}
