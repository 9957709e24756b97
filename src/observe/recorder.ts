/**
 * Records what happens while a run is traced (`trace=true`): tracepoint records with the kernel's
 * event names and fields, and per-CPU spans (who ran, in which context, in which kernel function)
 * for the timeline chart. Adjacent spans with the same context, task and function are merged.
 * Recording stops at `trace_ns` so long runs keep small traces.
 */
import type { Cpu } from "../kernel/cpu";
import { CTX_NAMES } from "../kernel/cpu";
import type { Task } from "../kernel/task";
import type { Span, Trace, TraceEventName, TraceRecord } from "./types";

export class Recorder {
  readonly spans: Span[] = [];
  readonly records: TraceRecord[] = [];
  private readonly limit: number;
  private readonly last: (Span | null)[];
  private readonly now: () => number;

  constructor(cpus: number, limitNs: number, now: () => number) {
    this.limit = limitNs > 0 ? limitNs : Infinity;
    this.last = new Array<Span | null>(cpus).fill(null);
    this.now = now;
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
    this.spans.push(s);
    this.last[cpu] = s;
  }

  record(cpu: Cpu, event: TraceEventName, fields: Record<string, string | number>): void {
    const ts = this.now();
    if (ts >= this.limit) return;
    this.records.push({ ts, cpu: cpu.id, comm: cpu.curr.comm, pid: cpu.curr.pid, event, fields });
  }

  trace(endNs: number): Trace {
    const spans = this.spans.slice().sort((a, b) => a.cpu - b.cpu || a.start - b.start);
    return { records: this.records, spans, end_ns: Math.min(endNs, this.limit) };
  }
}
