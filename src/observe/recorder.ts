/**
 * Records what happens while a run is traced (`trace=true`): tracepoint records with the kernel's
 * event names and fields, and per-CPU spans (who ran, in which context, in which kernel function)
 * for the timeline chart. Adjacent spans with the same context, task and function are merged.
 * Recording stops at `trace_ns` so long runs keep small traces. With a `TraceSink` (the CLI's
 * `--trace-out`), records and finished spans go to the sink as they happen and nothing is kept, so
 * memory stays flat however long the run; without one they are kept for `trace()`, up to
 * MAX_IN_MEMORY_TRACE_ENTRIES (past that a JSON string of the trace would no longer fit in V8).
 */
import type { Cpu } from "../kernel/cpu";
import { CTX_NAMES } from "../kernel/cpu-context";
import type { Task } from "../kernel/task";
import { badValue } from "../config/errors";
import type { Span, Trace, TraceEventName, TraceRecord } from "./types";

/** Where a streamed trace goes: records in time order, spans once finished, then the end. */
export interface TraceSink {
  record(r: TraceRecord): void;
  span(s: Span): void;
  end(endNs: number): void;
}

/**
 * Records plus spans an in-memory trace may hold: about 110 bytes each as compact JSON, 3.5 times
 * that pretty-printed (`--json`), which stays under V8's string limit of 2^29 characters.
 */
export const MAX_IN_MEMORY_TRACE_ENTRIES = 1_000_000;

export class Recorder {
  readonly spans: Span[] = [];
  readonly records: TraceRecord[] = [];
  private readonly limit: number;
  private readonly last: (Span | null)[];
  private readonly now: () => number;
  private readonly sink: TraceSink | null;
  private entries = 0;

  constructor(cpus: number, limitNs: number, now: () => number, sink: TraceSink | null = null) {
    this.limit = limitNs > 0 ? limitNs : Infinity;
    this.last = new Array<Span | null>(cpus).fill(null);
    this.now = now;
    this.sink = sink;
  }

  span(cpu: number, start: number, end: number, ctx: number, task: Task, fn: string): void {
    if (start >= this.limit) return;
    if (end > this.limit) end = this.limit;
    const c = CTX_NAMES[ctx]!;
    const prev = this.last[cpu];
    if (prev !== null && prev !== undefined && prev.end === start && prev.ctx === c && prev.task === task.comm && prev.fn === fn) {
      prev.end = end;
      return;
    }
    const s: Span = { cpu, start, end, ctx: c, task: task.comm, fn };
    if (this.sink !== null) {
      // the previous span of this CPU can no longer grow: hand it over
      if (prev !== null && prev !== undefined) this.sink.span(prev);
    } else {
      this.spans.push(s);
      this.count();
    }
    this.last[cpu] = s;
  }

  /** A tracepoint hit on `cpu`, by its current task or by `by` (a task switching away records its own sched_switch). */
  record(cpu: Cpu, event: TraceEventName, fields: Record<string, string | number>, by?: Task): void {
    const ts = this.now();
    if (ts >= this.limit) return;
    const t = by ?? cpu.curr;
    const r: TraceRecord = { ts, cpu: cpu.id, comm: t.comm, pid: t.pid, event, fields };
    if (this.sink !== null) {
      this.sink.record(r);
      return;
    }
    this.records.push(r);
    this.count();
  }

  private count(): void {
    if (++this.entries <= MAX_IN_MEMORY_TRACE_ENTRIES) return;
    throw badValue("trace_ns", String(this.limit === Infinity ? 0 : this.limit), "a shorter traced time", {
      why: `lets the in-memory trace grow past ${MAX_IN_MEMORY_TRACE_ENTRIES} records and spans (at ${this.now()} ns of simulated time), more than fits in one JSON string`,
      hint: "; set trace_ns (or duration_ms) lower, or stream the trace to a file with softnet-lab simulate --trace-out FILE",
    });
  }

  trace(endNs: number): Trace {
    const spans = this.spans.slice().sort((a, b) => a.cpu - b.cpu || a.start - b.start);
    return { records: this.records, spans, end_ns: Math.min(endNs, this.limit) };
  }

  /** Streaming: hands the last open span of every CPU to the sink and ends it. */
  finishSink(endNs: number): void {
    if (this.sink === null) return;
    for (let cpu = 0; cpu < this.last.length; cpu++) {
      const s = this.last[cpu];
      if (s !== null && s !== undefined) this.sink.span(s);
      this.last[cpu] = null;
    }
    this.sink.end(Math.min(endNs, this.limit));
  }
}
