/**
 * Turns a `Trace` into the flat rows the per-CPU timeline draws: spans placed in lanes (with nesting
 * depth), the task owning each stretch of CPU time, tracepoint marks and the links between them
 * (IPI sender to handler, packet queued to delivered). Traces too big to draw one span at a time are
 * aggregated into time bins. Pure: no Vega here, so it is tested on its own.
 * This file holds the row types and the entry point; placing spans in lanes and bins is
 * timeline-lanes.ts, the tracepoint marks and their links timeline-marks.ts.
 */
import type { Span, SpanContext, Trace } from "../observe/types";
import { CONTEXT_ORDER, type EventKind } from "./palette";
import { checkNumber } from "./spec";
import { binned, coalesce, LANE, nesting, ns2us, ownerRows } from "./timeline-lanes";
import { recordRows } from "./timeline-marks";

export { LANE } from "./timeline-lanes";

export interface TimelineDataOptions {
  /** Start of the time window, ns (default: 0). */
  from_ns?: number;
  /** End of the time window, ns (default: the trace's `end_ns`). */
  to_ns?: number;
  /** CPUs to draw, in lane order from the top (default: every CPU with a span or a record). */
  cpus?: number[];
  /** Most span bars drawn; above it the window is shown in time bins (default 600). */
  maxSpans?: number;
  /** Most tracepoint marks drawn; above it they are left out with a note (default 400). */
  maxEvents?: number;
  /** Which record marks to draw (default: all). */
  events?: Partial<Record<"packets" | "ipis" | "wakeups", boolean>>;
  /** Plot width in pixels: what "too short to see" means when merging (default 960). */
  width?: number;
}

/** One bar: a span, a few merged neighbours, or (aggregated view) a time bin of one CPU. */
export interface SpanRow {
  cpu: number;
  lane: number;
  /** Nesting depth (0 = top level). */
  d: number;
  ctx: SpanContext;
  task: string;
  /** The kernel function (for merged bars, with how many were merged). */
  fn: string;
  /** Start and end in µs, clipped to the window. */
  t0: number;
  t1: number;
  /** Real (unclipped) duration in µs. */
  dur: number;
  /** End of the room for the label, µs: the bar's end, or where its first nested span starts. */
  tl: number;
}

/** Aggregated view: one bin of one CPU, with the share of the bin spent in each context (0..1). */
export interface BinRow extends Partial<Record<SpanContext, number>> {
  cpu: number;
  lane: number;
  /** Bin start, µs. */
  t: number;
  /** Spans touching the bin. */
  n: number;
  /** The task with most non-idle time in the bin ("" if none). */
  owner: string;
  /** Marks the extra row closing each CPU's step areas at the window's end. */
  end?: boolean;
}

export interface OwnerRow {
  cpu: number;
  lane: number;
  task: string;
  t0: number;
  t1: number;
  /** Grey tone of the task: 0 for the idle task (swapper/N), else 1..3 by first appearance. */
  shade: number;
}

export interface EventRow {
  kind: EventKind;
  event: string;
  cpu: number;
  lane: number;
  t: number;
  comm: string;
  /** The record's fields as `name=value` pairs. */
  detail: string;
  /** Packet number in the window (1, 2, ...) on queued marks, when few enough to label. */
  seq?: number;
}

export interface LinkRow {
  kind: "ipi" | "packet";
  t0: number;
  t1: number;
  /** Lane coordinates of both ends. */
  y0: number;
  y1: number;
  /** For IPIs: +1 when the target lane is below the sender, -1 above (picks the arrowhead). */
  dir: number;
}

export interface TimelineData {
  lanes: { cpu: number; lane: number }[];
  /** One bar per span (empty in the aggregated view). */
  spans: SpanRow[];
  /** Time bins of the aggregated view (empty unless mode is "bins"). */
  bins: BinRow[];
  /** Bin width in µs (0 unless mode is "bins"). */
  bin_us: number;
  owners: OwnerRow[];
  events: EventRow[];
  links: LinkRow[];
  from_us: number;
  to_us: number;
  /** "spans" when every bar is a span (some maybe merged), "bins" when the window was aggregated. */
  mode: "spans" | "bins";
  /** Sentences for the subtitle: what was merged, binned or left out. */
  notes: string[];
  /** `spans`: spans in the window; `bars`: rows drawn (bars, or bins). */
  counts: { spans: number; bars: number; byCtx: Record<SpanContext, number>; events: Record<EventKind, number> };
}

const WHERE = "timelineSpec";

function checkSpans(spans: Span[]): void {
  spans.forEach((s, i) => {
    if (!CONTEXT_ORDER.includes(s.ctx)) {
      throw new Error(`${WHERE}: trace.spans[${i}].ctx is ${JSON.stringify(s.ctx)}; allowed: ${CONTEXT_ORDER.join(", ")}`);
    }
    checkNumber(WHERE, `trace.spans[${i}].start`, s.start);
    checkNumber(WHERE, `trace.spans[${i}].end`, s.end);
    if (s.end < s.start) throw new Error(`${WHERE}: trace.spans[${i}] ends (${s.end}) before it starts (${s.start})`);
    if (!Number.isInteger(s.cpu) || s.cpu < 0) throw new Error(`${WHERE}: trace.spans[${i}].cpu must be a CPU number >= 0, got ${JSON.stringify(s.cpu)}`);
  });
}

/** The CPUs to draw: those asked for, else every CPU the trace mentions, in order. */
function laneCpus(trace: Trace, cpus: number[] | undefined): number[] {
  if (cpus !== undefined) {
    if (!Array.isArray(cpus) || cpus.length === 0 || cpus.some((c) => !Number.isInteger(c) || c < 0)) {
      throw new Error(`${WHERE}: cpus must be a non-empty list of CPU numbers >= 0, got ${JSON.stringify(cpus)}`);
    }
    return Array.from(new Set(cpus));
  }
  const seen = new Set<number>();
  for (const s of trace.spans) seen.add(s.cpu);
  for (const r of trace.records) seen.add(r.cpu);
  return Array.from(seen).sort((a, b) => a - b);
}

/** Flattens a trace into the rows the timeline spec draws; see the module comment. */
export function timelineData(trace: Trace, opts: TimelineDataOptions = {}): TimelineData {
  if (!trace || !Array.isArray(trace.spans) || !Array.isArray(trace.records)) {
    throw new Error(`${WHERE}: trace must have spans[] and records[] (run the model with trace=true)`);
  }
  checkSpans(trace.spans);
  const from = opts.from_ns === undefined ? 0 : checkNumber(WHERE, "from_ns", opts.from_ns);
  // A loop, not Math.max(...spread): a trace can hold more spans than the call stack has room for.
  let endDefault = Math.max(trace.end_ns || 0, from + 1);
  for (const s of trace.spans) endDefault = Math.max(endDefault, s.end);
  for (const r of trace.records) endDefault = Math.max(endDefault, r.ts);
  const to = opts.to_ns === undefined ? endDefault : checkNumber(WHERE, "to_ns", opts.to_ns);
  if (to <= from) throw new Error(`${WHERE}: to_ns (${to}) must be greater than from_ns (${from})`);
  const maxSpans = opts.maxSpans === undefined ? 600 : checkNumber(WHERE, "maxSpans", opts.maxSpans, true);
  const maxEvents = opts.maxEvents === undefined ? 400 : checkNumber(WHERE, "maxEvents", opts.maxEvents);
  const width = opts.width === undefined ? 960 : checkNumber(WHERE, "width", opts.width, true);
  const show = { packets: true, ipis: true, wakeups: true, ...opts.events };
  const notes: string[] = [];

  const cpus = laneCpus(trace, opts.cpus);
  const laneOf = new Map<number, number>(cpus.map((c, i) => [c, i]));
  const inWindow = trace.spans.filter((s) => laneOf.has(s.cpu) && s.end > from && s.start < to);
  const nest = nesting(inWindow);
  const byCtx = Object.fromEntries(CONTEXT_ORDER.map((c) => [c, 0])) as Record<SpanContext, number>;
  for (const s of inWindow) byCtx[s.ctx] += 1;

  let mode: "spans" | "bins" = "spans";
  let spans: SpanRow[] = [];
  let bins: BinRow[] = [];
  let bin_us = 0;
  let owners: OwnerRow[];
  // Merging neighbours closer than half a pixel changes nothing visible; try that first.
  const merged = inWindow.length > maxSpans ? coalesce(inWindow, nest, ((to - from) / width) * 0.5) : inWindow.map((span) => ({ span, n: 1 }));
  if (merged.length <= maxSpans) {
    // A label must not run under a nested span: it ends where the first child starts.
    const firstChild = new Map<Span, number>();
    for (const s of inWindow) {
      const parent = nest.get(s)?.parent;
      if (parent) firstChild.set(parent, Math.min(firstChild.get(parent) ?? Infinity, s.start));
    }
    if (merged.length < inWindow.length) notes.push(`${inWindow.length} spans; neighbours closer than half a pixel merged into ${merged.length} bars`);
    spans = merged.map(({ span: s, n }) => ({
      cpu: s.cpu,
      lane: laneOf.get(s.cpu) as number,
      d: Math.min(nest.get(s)?.depth ?? 0, LANE.maxDepth),
      ctx: s.ctx,
      task: s.task,
      fn: n > 1 ? `${s.fn} (${n} merged)` : s.fn,
      t0: ns2us(Math.max(s.start, from)),
      t1: ns2us(Math.min(s.end, to)),
      dur: ns2us(s.end - s.start),
      tl: ns2us(Math.max(from, Math.min(s.end, to, firstChild.get(s) ?? Infinity))),
    }));
    owners = ownerRows(inWindow.filter((s) => (nest.get(s)?.depth ?? 0) === 0), laneOf, from, to);
  } else {
    mode = "bins";
    // Bins per CPU: enough for a smooth picture, few enough to keep the notebook small.
    const perLane = Math.min(100, Math.max(40, Math.floor(maxSpans / cpus.length)));
    ({ bins, owners } = binned(inWindow, nest, laneOf, from, to, perLane));
    bin_us = ns2us((to - from) / perLane);
    notes.push(`${inWindow.length} spans, more than ${maxSpans}: each CPU is shown as ${perLane} bins of ${bin_us} µs, stacked by share of each context`);
    notes.push("set from_ns/to_ns to a narrower window to see single spans");
  }

  let { events, links } = recordRows(trace, inWindow, laneOf, from, to, show);
  const evCounts = { enqueue: 0, deliver: 0, ipi: 0, wakeup: 0 } as Record<EventKind, number>;
  for (const e of events) evCounts[e.kind] += 1;
  if (events.length > maxEvents) {
    notes.push(`${events.length} tracepoint marks left out (more than ${maxEvents}); narrow the window to see them`);
    events = [];
    links = [];
  }

  return {
    lanes: cpus.map((cpu, lane) => ({ cpu, lane })),
    spans,
    bins,
    bin_us,
    owners,
    events,
    links,
    from_us: ns2us(from),
    to_us: ns2us(to),
    mode,
    notes,
    counts: { spans: inWindow.length, bars: mode === "spans" ? spans.length : bins.length, byCtx, events: evCounts },
  };
}
