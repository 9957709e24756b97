/**
 * The tracepoint marks of the timeline (packets queued and delivered, IPIs sent, wakeups) and the
 * arrows between related ones (a packet from queue to delivery by its skb address, an IPI to the
 * handler it caused). Used by timeline-data.ts.
 */
import type { Span, Trace, TraceRecord } from "../observe/types";
import type { EventKind } from "./palette";
import { round } from "./spec";
import type { EventRow, LinkRow } from "./timeline-data";
import { LANE, ns2us } from "./timeline-lanes";

function numField(r: TraceRecord, name: string): number | undefined {
  const v = r.fields[name];
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
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
export function recordRows(
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
