/**
 * Exports a trace as Chrome Trace Event JSON (the "JSON Object Format" of the Trace Event Format
 * document, which ui.perfetto.dev and chrome://tracing open): one process whose threads are the CPUs,
 * complete ("X") events for spans, thread-scoped instant ("i") events for packets, IPIs, wakeups and
 * softirq raises, flow ("s"/"f") arrows from an IPI send to the handler it triggers and from a
 * packet's netif_rx to its netif_receive_skb, and metadata ("M") names. Timestamps are µs (the
 * format's unit) with ns kept as decimals; displayTimeUnit is "ns".
 */
import type { Span } from "../observe/types";
import type { KernelTraceRecord } from "./record";
import { taskName, traceOrder } from "./record";
import { bareName, isIpiHandler, parseCpuList } from "./events";
import { spanOrder, spansFromRecords } from "./spans";

export type ChromeEvent =
  | { ph: "X"; name: string; cat: string; pid: number; tid: number; ts: number; dur: number; args: Record<string, unknown> }
  | { ph: "i"; name: string; cat: string; pid: number; tid: number; ts: number; s: "t" | "p" | "g"; args: Record<string, unknown> }
  | { ph: "s" | "f"; name: string; cat: string; pid: number; tid: number; ts: number; id: number; bp?: "e" }
  | { ph: "M"; name: "process_name" | "thread_name" | "thread_sort_index" | "process_sort_index"; pid: number; tid: number; args: Record<string, unknown> };

export interface ChromeTrace {
  traceEvents: ChromeEvent[];
  displayTimeUnit: "ns" | "ms";
  otherData: Record<string, unknown>;
}

export interface ChromeTraceOptions {
  /** Process name shown above the CPU tracks. */
  title?: string;
  /** Spans to draw; default: rebuilt from the records (spans.ts). */
  spans?: readonly Span[];
  /** Events drawn as instants. Default: packets, napi polls, IPIs, wakeups, softirq raises. */
  instants?: readonly string[];
  /** Draw flow arrows (IPI → handler, netif_rx → netif_receive_skb). Default true. */
  flows?: boolean;
  /** Subtract this many ns from every timestamp (default 0: keep the trace's own clock). */
  origin?: number;
  /** Extra entries for otherData (the viewer's "metadata"), e.g. kernel version and command. */
  metadata?: Record<string, unknown>;
}

export const DEFAULT_INSTANTS: readonly string[] = [
  "net:netif_rx", "net:netif_receive_skb", "napi:napi_poll", "ipi:ipi_send_cpu", "ipi:ipi_send_cpumask",
  "sched:sched_wakeup", "irq:softirq_raise",
];

const PID = 1;
/** Thread id of a CPU's track (tid 0 is avoided: some importers treat it as the idle/swapper thread). */
export const cpuTid = (cpu: number): number => cpu + 1;
const us = (ns: number, origin: number): number => (ns - origin) / 1000;

export function toChromeTrace(records: readonly KernelTraceRecord[], opts: ChromeTraceOptions = {}): ChromeTrace {
  const origin = opts.origin ?? 0;
  const spans = [...(opts.spans ?? spansFromRecords(records))].sort(spanOrder);
  const instants = new Set(opts.instants ?? DEFAULT_INSTANTS);
  const events: ChromeEvent[] = [];

  const cpus = new Set<number>([...records.map((r) => r.cpu), ...spans.map((s) => s.cpu)]);
  events.push(...chromeMetadataEvents([...cpus], opts.title));
  for (const s of spans) events.push(chromeSpanEvent(s, origin));
  for (const r of records) if (instants.has(r.event)) events.push(chromeInstantEvent(r, origin));

  if (opts.flows ?? true) events.push(...flowEvents(records, spans, origin));
  return {
    traceEvents: events,
    displayTimeUnit: "ns",
    otherData: { generator: "softnet-lab src/trace/chrome-trace.ts", ...opts.metadata },
  };
}

/** The "M" events naming the process and one track per CPU (also used by the streaming writer). */
export function chromeMetadataEvents(cpus: readonly number[], title?: string): ChromeEvent[] {
  const out: ChromeEvent[] = [{ ph: "M", name: "process_name", pid: PID, tid: 0, args: { name: title ?? "softnet-lab trace" } }];
  for (const cpu of [...cpus].sort((a, b) => a - b)) {
    out.push({ ph: "M", name: "thread_name", pid: PID, tid: cpuTid(cpu), args: { name: `CPU ${cpu}` } });
    out.push({ ph: "M", name: "thread_sort_index", pid: PID, tid: cpuTid(cpu), args: { sort_index: cpu } });
  }
  return out;
}

/** A span as a complete ("X") event. */
export function chromeSpanEvent(s: Span, origin = 0): ChromeEvent {
  return {
    ph: "X",
    name: s.ctx === "task" || s.ctx === "idle" || s.fn.startsWith("run_") ? s.task : s.fn,
    cat: s.ctx,
    pid: PID,
    tid: cpuTid(s.cpu),
    ts: us(s.start, origin),
    dur: (s.end - s.start) / 1000,
    args: { fn: s.fn, task: s.task, ctx: s.ctx },
  };
}

/** A record as a thread-scoped instant ("i") event. */
export function chromeInstantEvent(r: KernelTraceRecord, origin = 0): ChromeEvent {
  return {
    ph: "i",
    name: instantName(r),
    cat: r.event.split(":")[0],
    pid: PID,
    tid: cpuTid(r.cpu),
    ts: us(r.ts, origin),
    s: "t",
    args: { event: r.event, comm: taskName(r.comm, r.pid, r.cpu), pid: r.pid, ...r.fields },
  };
}

/** A flow arrow's two ends: "s" on the sender's track, "f" (bound to the enclosing slice) on the target's. */
export function chromeFlowEvents(name: string, cat: string, id: number, from: { cpu: number; ts: number }, to: { cpu: number; ts: number }, origin = 0): ChromeEvent[] {
  return [
    { ph: "s", name, cat, pid: PID, tid: cpuTid(from.cpu), ts: us(from.ts, origin), id },
    { ph: "f", name, cat, pid: PID, tid: cpuTid(to.cpu), ts: us(to.ts, origin), id, bp: "e" },
  ];
}

function instantName(r: KernelTraceRecord): string {
  const f = r.fields;
  switch (r.event) {
    case "net:netif_rx":
    case "net:netif_receive_skb":
      return `${bareName(r.event)} ${f.dev} len=${f.len}`;
    case "ipi:ipi_send_cpu":
      return `ipi → CPU ${f.cpu}`;
    case "ipi:ipi_send_cpumask":
      return `ipi → CPUs ${f.cpumask}`;
    case "sched:sched_wakeup":
      return `wakeup ${f.comm} → CPU ${f.target_cpu}`;
    case "irq:softirq_raise":
      return `raise ${f.action}`;
    case "napi:napi_poll":
      return `napi_poll ${f.dev_name} work=${f.work}`;
    default:
      return bareName(r.event);
  }
}

/**
 * Flow arrows. "s" binds to the slice enclosing it on the sender's track; "f" carries bp:"e" and sits
 * inside its target slice (mid-point), so it binds to that slice whatever the importer's tie order.
 * IPI (each CPU of an ipi_send_cpumask) → the first unused IPI-vector hardirq span on the target CPU at or after the send (any hardirq span
 * when the trace names no vectors, as in the model). Packet → netif_receive_skb of the same skbaddr.
 */
function flowEvents(records: readonly KernelTraceRecord[], spans: readonly Span[], origin: number): ChromeEvent[] {
  const out: ChromeEvent[] = [];
  let id = 1;
  const hardirqs = new Map<number, Span[]>();
  for (const s of spans) {
    if (s.ctx !== "hardirq") continue;
    const list = hardirqs.get(s.cpu) ?? [];
    list.push(s);
    hardirqs.set(s.cpu, list);
  }
  const anyVectors = spans.some((s) => s.fn.startsWith("sysvec_"));
  // Sends come in time order and each lane's spans are sorted by start, so one cursor per target
  // CPU finds the first eligible handler; a span passed over can never be eligible later.
  const cursor = new Map<number, number>();
  const queued = new Map<string, KernelTraceRecord>();
  const inside = (s: Span): number => us(s.start + (s.end - s.start) / 2, origin);

  for (const r of traceOrder(records)) {
    const targets =
      r.event === "ipi:ipi_send_cpu" ? [Number(r.fields.cpu)]
      : r.event === "ipi:ipi_send_cpumask" ? parseCpuList(String(r.fields.cpumask))
      : [];
    for (const target of targets) {
      const list = hardirqs.get(target) ?? [];
      let i = cursor.get(target) ?? 0;
      while (i < list.length && (list[i].start < r.ts || (anyVectors && !isIpiHandler(list[i].fn)))) i++;
      cursor.set(target, i + 1);
      const handler = list[i];
      if (!handler) continue;
      out.push({ ph: "s", name: "ipi", cat: "ipi", pid: PID, tid: cpuTid(r.cpu), ts: us(r.ts, origin), id });
      out.push({ ph: "f", name: "ipi", cat: "ipi", pid: PID, tid: cpuTid(target), ts: inside(handler), id, bp: "e" });
      id++;
    }
    if (r.event === "net:netif_rx") {
      queued.set(String(r.fields.skbaddr), r);
    } else if (r.event === "net:netif_receive_skb") {
      const q = queued.get(String(r.fields.skbaddr));
      if (!q) continue;
      queued.delete(String(r.fields.skbaddr));
      out.push({ ph: "s", name: "packet", cat: "net", pid: PID, tid: cpuTid(q.cpu), ts: us(q.ts, origin), id });
      out.push({ ph: "f", name: "packet", cat: "net", pid: PID, tid: cpuTid(r.cpu), ts: us(r.ts, origin), id, bp: "e" });
      id++;
    }
  }
  return out;
}
