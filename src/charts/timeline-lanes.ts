/**
 * Where the timeline puts spans: the vertical layout of a lane, the nesting depth of each span, the
 * merging of neighbours too close to tell apart, the task that owns each stretch of CPU time, and the
 * aggregated view of a trace too big to draw span by span (time bins per CPU). Used by
 * timeline-data.ts.
 */
import type { Span, SpanContext } from "../observe/types";
import { CONTEXT_ORDER } from "./palette";
import { round } from "./spec";
import type { BinRow, OwnerRow } from "./timeline-data";

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

export const ns2us = (ns: number): number => round(ns / 1000, 3);

/**
 * Nesting of the spans of each CPU: a span inside an earlier, longer one (a softirq run from a task's
 * local_bh_enable, if the model records both) gets that span as parent and sits one level in.
 * Partial overlaps are not nesting; such a span is placed beside the one it overlaps.
 */
export function nesting(spans: Span[]): Map<Span, { depth: number; parent?: Span }> {
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
export function coalesce(spans: Span[], depthOf: Map<Span, { depth: number }>, gapNs: number): { span: Span; n: number }[] {
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
export function ownerRows(spans: Span[], laneOf: Map<number, number>, from: number, to: number): OwnerRow[] {
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
export function binned(
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
