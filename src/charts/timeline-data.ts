/**
 * Turns a `Trace` into the flat rows the per-CPU timeline draws: spans placed in lanes (with nesting
 * depth), the task owning each stretch of CPU time, tracepoint marks and the links between them
 * (IPI sender to handler, packet queued to delivered). Traces too big to draw one span at a time are
 * aggregated into time bins. Pure: no Vega here, so it is tested on its own.
 */
import type { Span, SpanContext, Trace, TraceRecord } from "../observe/types";
import { CONTEXT_ORDER, type EventKind } from "./palette";
import { checkNumber, round } from "./spec";

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

/** Vertical layout inside one lane, in lane units (a lane is 1 high; 0 is its top). */
export const LANE = {
  /** Packet marks (queued, delivered) on the upper row, IPIs and wakeups on the lower one. */
  packetY: 0.1,
  schedY: 0.21,
  spanTop: 0.29,
  spanBottom: 0.75,
  ownerTop: 0.79,
  ownerBottom: 0.95,
  /** Top inset per nesting level, so a span drawn inside another leaves its parent's top edge showing. */
  depthInset: 0.07,
  maxDepth: 3,
} as const;

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
const ns2us = (ns: number): number => round(ns / 1000, 3);

function numField(r: TraceRecord, name: string): number | undefined {
  const v = r.fields[name];
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

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

/**
 * Nesting of the spans of each CPU: a span inside an earlier, longer one (a softirq run from a task's
 * local_bh_enable, if the model records both) gets that span as parent and sits one level in.
 * Partial overlaps are not nesting; such a span is placed beside the one it overlaps.
 */
function nesting(spans: Span[]): Map<Span, { depth: number; parent?: Span }> {
  const out = new Map<Span, { depth: number; parent?: Span }>();
  const byCpu = new Map<number, Span[]>();
  for (const s of spans) {
    const list = byCpu.get(s.cpu);
    if (list) list.push(s);
    else byCpu.set(s.cpu, [s]);
  }
  for (const list of byCpu.values()) {
    list.sort((a, b) => a.start - b.start || b.end - a.end);
    const open: Span[] = [];
    for (const s of list) {
      while (open.length > 0 && open[open.length - 1].end <= s.start) open.pop();
      while (open.length > 0 && open[open.length - 1].end < s.end) open.pop();
      out.set(s, { depth: open.length, parent: open.length > 0 ? open[open.length - 1] : undefined });
      open.push(s);
    }
  }
  return out;
}

/** Merges neighbours of the same CPU, depth, context, task and function closer than `gapNs`. */
function coalesce(spans: Span[], depthOf: Map<Span, { depth: number }>, gapNs: number): { span: Span; n: number }[] {
  const sorted = spans.slice().sort((a, b) => a.cpu - b.cpu || a.start - b.start || b.end - a.end);
  const out: { span: Span; n: number; d: number }[] = [];
  for (const s of sorted) {
    const d = depthOf.get(s)?.depth ?? 0;
    const last = out.length > 0 ? out[out.length - 1] : undefined;
    const alike = last && last.span.cpu === s.cpu && last.d === d && last.span.ctx === s.ctx && last.span.task === s.task && last.span.fn === s.fn;
    if (last && alike && s.start - last.span.end <= gapNs) {
      last.span = { ...last.span, end: Math.max(last.span.end, s.end) };
      last.n += 1;
    } else {
      out.push({ span: s, n: 1, d });
    }
  }
  return out;
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

/** Grey tone per task: each task keeps one everywhere, so "udp-client" looks alike on every CPU. */
function shades(spans: Span[]): Map<string, number> {
  const shadeOf = new Map<string, number>();
  let k = 0;
  for (const s of spans.slice().sort((a, b) => a.start - b.start || a.cpu - b.cpu)) {
    if (s.ctx === "idle" || shadeOf.has(s.task)) continue;
    shadeOf.set(s.task, s.task.startsWith("swapper") ? 0 : 1 + (k++ % 3));
  }
  return shadeOf;
}

/** Consecutive top-level spans of one task on one CPU become one owner stretch (idle owns nothing). */
function ownerRows(spans: Span[], laneOf: Map<number, number>, from: number, to: number): OwnerRow[] {
  const shadeOf = shades(spans);
  const sorted = spans.filter((s) => s.ctx !== "idle").sort((a, b) => a.cpu - b.cpu || a.start - b.start);
  const out: (OwnerRow & { endNs: number })[] = [];
  for (const s of sorted) {
    const last = out.length > 0 ? out[out.length - 1] : undefined;
    if (last && last.cpu === s.cpu && last.task === s.task && s.start <= last.endNs + 1) {
      last.endNs = Math.max(last.endNs, s.end);
      last.t1 = ns2us(Math.min(last.endNs, to));
      continue;
    }
    out.push({
      cpu: s.cpu,
      lane: laneOf.get(s.cpu) as number,
      task: s.task,
      t0: ns2us(Math.max(s.start, from)),
      t1: ns2us(Math.min(s.end, to)),
      endNs: s.end,
      shade: shadeOf.get(s.task) ?? 1,
    });
  }
  return out.map(({ endNs: _e, ...row }) => row);
}

/**
 * The aggregated view: each CPU's window cut into `bins` equal bins, each holding the share of the bin
 * spent in every context. CPU time goes to the innermost span (a nested softirq's time is taken off
 * its parent task span). The owner strip shows the task with most non-idle time in each bin.
 */
function binned(
  spans: Span[],
  nest: Map<Span, { depth: number; parent?: Span }>,
  laneOf: Map<number, number>,
  from: number,
  to: number,
  bins: number,
): { bins: BinRow[]; owners: OwnerRow[] } {
  const w = (to - from) / bins;
  const nCtx = CONTEXT_ORDER.length;
  const time = new Float64Array(laneOf.size * bins * nCtx);
  const count = new Uint32Array(laneOf.size * bins);
  const taskTime: Map<string, number>[] = Array.from({ length: laneOf.size * bins }, () => new Map());
  const ctxIndex = new Map<SpanContext, number>(CONTEXT_ORDER.map((c, i) => [c, i]));
  const charge = (s: Span, ctx: SpanContext, task: string, sign: number): void => {
    const lane = laneOf.get(s.cpu) as number;
    const a = Math.max(s.start, from);
    const b = Math.min(s.end, to);
    for (let k = Math.max(0, Math.floor((a - from) / w)); k < bins && from + k * w < b; k++) {
      const overlap = Math.min(b, from + (k + 1) * w) - Math.max(a, from + k * w);
      if (overlap <= 0) continue;
      const cell = lane * bins + k;
      time[cell * nCtx + (ctxIndex.get(ctx) as number)] += sign * overlap;
      if (sign > 0) count[cell] += 1;
      if (ctx !== "idle") taskTime[cell].set(task, (taskTime[cell].get(task) ?? 0) + sign * overlap);
    }
  };
  for (const s of spans) {
    charge(s, s.ctx, s.task, 1);
    const parent = nest.get(s)?.parent;
    if (parent) charge(s, parent.ctx, parent.task, -1);
  }

  const shadeOf = shades(spans);
  const rows: BinRow[] = [];
  const owners: OwnerRow[] = [];
  for (const [cpu, lane] of laneOf) {
    let last: BinRow | undefined;
    for (let k = 0; k < bins; k++) {
      const cell = lane * bins + k;
      const t = ns2us(from + k * w);
      const row: BinRow = { cpu, lane, t, n: count[cell], owner: "" };
      for (let c = 0; c < nCtx; c++) {
        const share = time[cell * nCtx + c] / w;
        if (share > 0.0005) row[CONTEXT_ORDER[c]] = round(share, 3);
      }
      let ownerNs = 0;
      for (const [task, ns] of taskTime[cell]) if (ns > ownerNs) [row.owner, ownerNs] = [task, ns];
      rows.push(row);
      last = row;
      if (row.owner !== "") {
        const o = owners.length > 0 ? owners[owners.length - 1] : undefined;
        const t1 = ns2us(from + (k + 1) * w);
        if (o && o.cpu === cpu && o.task === row.owner && o.t1 === t) o.t1 = t1;
        else owners.push({ cpu, lane, task: row.owner, t0: t, t1, shade: shadeOf.get(row.owner) ?? 1 });
      }
    }
    // The closing vertex of the step areas: the last bin's shares held until the window's end.
    if (last) rows.push({ ...last, t: ns2us(to), n: 0, end: true });
  }
  return { bins: rows, owners };
}

/** The first span of a start-sorted list that starts at or after `t` (binary search). */
function firstAtOrAfter(list: Span[], t: number): Span | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].start < t) lo = mid + 1;
    else hi = mid;
  }
  return list[lo];
}

/** Marks for the tracepoints the chart shows, and the arrows between related ones. */
function recordRows(
  trace: Trace,
  spans: Span[],
  laneOf: Map<number, number>,
  from: number,
  to: number,
  show: Record<"packets" | "ipis" | "wakeups", boolean>,
): { events: EventRow[]; links: LinkRow[] } {
  const events: EventRow[] = [];
  const links: LinkRow[] = [];
  const queued = new Map<string, EventRow>();
  const handlers = new Map<number, Span[]>();
  for (const s of spans) {
    if (s.ctx !== "hardirq") continue;
    const list = handlers.get(s.cpu);
    if (list) list.push(s);
    else handlers.set(s.cpu, [s]);
  }
  for (const list of handlers.values()) list.sort((a, b) => a.start - b.start);
  const yOf = (lane: number, kind: EventKind): number => round(lane + (kind === "enqueue" || kind === "deliver" ? LANE.packetY : LANE.schedY), 3);

  const records = trace.records.filter((r) => r.ts >= from && r.ts <= to).sort((a, b) => a.ts - b.ts);
  for (const r of records) {
    let kind: EventKind | undefined;
    if (r.event === "net:netif_rx" && show.packets) kind = "enqueue";
    else if (r.event === "net:netif_receive_skb" && show.packets) kind = "deliver";
    else if (r.event === "ipi:ipi_send_cpu" && show.ipis) kind = "ipi";
    else if (r.event === "sched:sched_wakeup" && show.wakeups) kind = "wakeup";
    const lane = laneOf.get(r.cpu);
    if (kind === undefined || lane === undefined) continue;
    const detail = Object.keys(r.fields)
      .map((k) => `${k}=${String(r.fields[k])}`)
      .join(" ");
    const row: EventRow = { kind, event: r.event, cpu: r.cpu, lane, t: ns2us(r.ts), comm: r.comm, detail };
    events.push(row);

    // A packet is followed from queue to delivery by its skb address, when the model records one.
    const id = r.fields.skbaddr ?? r.fields.skb;
    if (id !== undefined && kind === "enqueue") queued.set(String(id), row);
    if (id !== undefined && kind === "deliver") {
      const q = queued.get(String(id));
      if (q) {
        links.push({ kind: "packet", t0: q.t, t1: row.t, y0: yOf(q.lane, "enqueue"), y1: yOf(lane, "deliver"), dir: 0 });
        queued.delete(String(id));
      }
    }

    // An IPI points at the first interrupt handler on its target CPU after it was sent (within 100 µs).
    if (kind === "ipi") {
      const target = numField(r, "cpu") ?? numField(r, "target_cpu");
      const tLane = target === undefined ? undefined : laneOf.get(target);
      if (target !== undefined && tLane !== undefined && target !== r.cpu) {
        const next = firstAtOrAfter(handlers.get(target) ?? [], r.ts);
        const h = next && next.start - r.ts <= 100_000 ? next : undefined;
        const dir = tLane > lane ? 1 : -1;
        const yEnd = dir > 0 ? tLane + LANE.spanTop : tLane + LANE.ownerBottom;
        links.push({ kind: "ipi", t0: row.t, t1: ns2us(h ? h.start : r.ts), y0: yOf(lane, "ipi"), y1: round(yEnd, 3), dir });
      }
    }
  }
  // Number the queued packets so a reader can follow "packet 3"; past 40 the numbers would clutter.
  const queuedMarks = events.filter((e) => e.kind === "enqueue");
  if (queuedMarks.length <= 40) queuedMarks.forEach((e, i) => (e.seq = i + 1));
  return { events, links };
}
