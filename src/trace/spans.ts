/**
 * Rebuilds per-CPU timeline spans from trace records, so a real capture draws on the same chart as
 * a simulated run. Spans nest: a task span per sched_switch interval, softirq spans (softirq_entry →
 * exit) inside it, hardirq spans (irq_handler_entry → exit, x86 irq_vectors *_entry → *_exit) inside
 * either. Siblings never overlap; a child lies within its parent.
 *
 * Approximations (see docs/traces.md):
 * - A lane runs from the first to the last record of the whole trace (`start`/`end` to override).
 *   Before a CPU's first sched_switch its task is the one its first record names.
 * - A record whose comm/pid is not the task last switched in means a sched_switch is missing (the
 *   6.18 VM of datasets/traces never records switches out of CPU 1's idle task): the switch is
 *   placed right after the previous record on that CPU, and counted in the warnings.
 * - Only what the trace shows is known: time between two events belongs to the innermost open
 *   section; a softirq_exit whose entry precedes the capture opens at the start of its parent; a
 *   section still open at a sched_switch or at the end of the trace is closed there (and reported).
 * - Task spans carry fn "(task)" (the trace does not say which kernel function a task runs), except
 *   the idle task (do_idle), ksoftirqd/N (run_ksoftirqd) and backlog_napi/N (run_backlog_napi).
 */
import type { Span, SpanContext } from "../observe/types";
import type { ExecContext, KernelTraceRecord } from "./record";
import { isIdle, taskName } from "./record";
import { hardirqEdge, hardirqFunction, SOFTIRQ_FUNCTIONS } from "./events";
import { TaskTracker } from "./context";

export interface SpanOptions {
  start?: number;
  end?: number;
}

export interface SpanResult {
  spans: Span[];
  warnings: string[];
}

/** The timeline context of time spent in `ctx` by task `comm`/`pid`. */
export function spanContext(ctx: ExecContext, comm: string, pid: number): SpanContext {
  if (ctx === "hardirq") return "hardirq";
  if (/^ksoftirqd\/\d+$/.test(comm)) return "ksoftirqd";
  if (/^backlog_napi\/\d+$/.test(comm)) return "backlog_thread";
  if (ctx === "softirq") return "softirq";
  return isIdle(pid) ? "idle" : "task";
}

function taskFunction(ctx: SpanContext): string {
  switch (ctx) {
    case "idle":
      return "do_idle";
    case "ksoftirqd":
      return "run_ksoftirqd";
    case "backlog_thread":
      return "run_backlog_napi";
    default:
      return "(task)";
  }
}

interface Open {
  kind: "task" | "softirq" | "hardirq";
  start: number;
  fn: string;
  vec?: number;
}

interface Lane {
  task: { comm: string; pid: number };
  stack: Open[]; // stack[0] is the task
}

export function rebuildSpans(records: readonly KernelTraceRecord[], opts: SpanOptions = {}): SpanResult {
  const spans: Span[] = [];
  const warnings: string[] = [];
  if (records.length === 0) return { spans, warnings };
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of records) {
    lo = Math.min(lo, r.ts);
    hi = Math.max(hi, r.ts);
  }
  const start = opts.start ?? lo;
  const end = opts.end ?? hi;
  const lanes = new Map<number, Lane>();

  const close = (cpu: number, lane: Lane, o: Open, at: number): void => {
    const comm = taskName(lane.task.comm, lane.task.pid, cpu);
    const ctx: ExecContext = o.kind === "task" ? "task" : o.kind;
    const sctx = spanContext(ctx, comm, lane.task.pid);
    spans.push({ cpu, start: o.start, end: Math.max(o.start, at), ctx: sctx, task: comm, fn: o.kind === "task" ? taskFunction(sctx) : o.fn });
  };

  const tasks = new TaskTracker();
  const missingSwitches = new Map<number, number>();
  for (const r of records) {
    if (r.ts < start || r.ts > end) continue;
    let lane = lanes.get(r.cpu);
    if (!lane) {
      const first = r.event === "sched:sched_switch"
        ? { comm: String(r.fields.prev_comm), pid: Number(r.fields.prev_pid) }
        : { comm: r.comm, pid: r.pid };
      lane = { task: first, stack: [{ kind: "task", start, fn: "" }] };
      lanes.set(r.cpu, lane);
    }
    const stack = lane.stack;
    const implicit = tasks.step(r);
    if (implicit) {
      // The record runs in another task than the last one switched in: a sched_switch is missing.
      // Assume it happened right after the previous record on this CPU.
      while (stack.length > 1) {
        const o = stack.pop() as Open;
        warnings.push(`cpu ${r.cpu}: ${o.kind} section ${o.fn} open across a missing task switch at t=${implicit.after}; closed there`);
        close(r.cpu, lane, o, implicit.after);
      }
      close(r.cpu, lane, stack[0], implicit.after);
      lane.task = implicit.to;
      stack[0] = { kind: "task", start: Math.max(stack[0].start, implicit.after), fn: "" };
      missingSwitches.set(r.cpu, (missingSwitches.get(r.cpu) ?? 0) + 1);
    }

    if (r.event === "sched:sched_switch") {
      while (stack.length > 1) {
        const o = stack.pop() as Open;
        warnings.push(`cpu ${r.cpu}: ${o.kind} section ${o.fn} still open at sched_switch t=${r.ts}; closed there`);
        close(r.cpu, lane, o, r.ts);
      }
      close(r.cpu, lane, stack[0], r.ts);
      lane.task = { comm: String(r.fields.next_comm), pid: Number(r.fields.next_pid) };
      stack[0] = { kind: "task", start: r.ts, fn: "" };
      continue;
    }

    if (r.event === "irq:softirq_entry") {
      const vec = Number(r.fields.vec);
      stack.push({ kind: "softirq", start: r.ts, vec, fn: SOFTIRQ_FUNCTIONS[vec] ?? `softirq_${vec}` });
      continue;
    }
    if (r.event === "irq:softirq_exit") {
      closeSection(r, lane, "softirq", Number(r.fields.vec), SOFTIRQ_FUNCTIONS[Number(r.fields.vec)] ?? `softirq_${r.fields.vec}`);
      continue;
    }
    const edge = hardirqEdge(r.event);
    if (edge === "entry") stack.push({ kind: "hardirq", start: r.ts, fn: hardirqFunction(r.event, r.fields) });
    else if (edge === "exit") closeSection(r, lane, "hardirq", undefined, hardirqFunction(r.event, r.fields));
  }

  function closeSection(r: KernelTraceRecord, lane: Lane, kind: "softirq" | "hardirq", vec: number | undefined, fn: string): void {
    const stack = lane.stack;
    let i = stack.length - 1;
    while (i > 0 && !(stack[i].kind === kind && (vec === undefined || stack[i].vec === vec))) i--;
    if (i === 0) {
      // Entry before the capture (or lost): the section began no earlier than its parent did.
      const parent = stack[stack.length - 1];
      warnings.push(`cpu ${r.cpu}: ${kind} exit (${fn}) at t=${r.ts} without entry; span starts at its parent's start`);
      close(r.cpu, lane, { kind, start: parent.start, fn, vec }, r.ts);
      return;
    }
    while (stack.length > i + 1) {
      const inner = stack.pop() as Open;
      warnings.push(`cpu ${r.cpu}: ${inner.kind} section ${inner.fn} not closed before its parent's exit at t=${r.ts}`);
      close(r.cpu, lane, inner, r.ts);
    }
    close(r.cpu, lane, stack.pop() as Open, r.ts);
  }

  for (const [cpu, n] of missingSwitches) {
    warnings.push(
      `cpu ${cpu}: ${n} task switch${n === 1 ? " is" : "es are"} missing from the trace (a record names a task no sched_switch switched in); ` +
        "each assumed to happen right after the previous record on that CPU",
    );
  }
  for (const [cpu, lane] of lanes) {
    while (lane.stack.length > 1) {
      const o = lane.stack.pop() as Open;
      warnings.push(`cpu ${cpu}: ${o.kind} section ${o.fn} open at the end of the trace; closed at t=${end}`);
      close(cpu, lane, o, end);
    }
    close(cpu, lane, lane.stack[0], end);
  }
  spans.sort(spanOrder);
  return { spans, warnings };
}

/** Lane, then start, parents before their children. */
export function spanOrder(a: Span, b: Span): number {
  return a.cpu - b.cpu || a.start - b.start || b.end - a.end || nestingRank(a) - nestingRank(b);
}

/** Spans only; see rebuildSpans for the warnings. */
export function spansFromRecords(records: readonly KernelTraceRecord[], opts: SpanOptions = {}): Span[] {
  return rebuildSpans(records, opts).spans;
}

/**
 * Nesting rank of a span, to order spans that start and end together: task-level time 0, softirq
 * work 1, hardirq 2. ksoftirqd and backlog threads are task-level unless the span is a softirq handler.
 */
export function nestingRank(s: Span): number {
  if (s.ctx === "hardirq") return 2;
  if (s.ctx === "softirq") return 1;
  if ((s.ctx === "ksoftirqd" || s.ctx === "backlog_thread") && SOFTIRQ_FUNCTIONS.includes(s.fn)) return 1;
  return 0;
}

/**
 * Nested spans → exclusive segments: at every instant only the innermost span owns the CPU. The
 * result tiles each lane without overlap, which is what per-context busy time needs.
 */
export function flattenSpans(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  const byCpu = new Map<number, Span[]>();
  for (const s of spans) {
    const list = byCpu.get(s.cpu) ?? [];
    list.push(s);
    byCpu.set(s.cpu, list);
  }
  for (const list of byCpu.values()) {
    // Parents first: earlier start, then longer.
    const sorted = [...list].sort(spanOrder);
    const stack: { span: Span; cursor: number }[] = [];
    const emit = (s: Span, from: number, to: number): void => {
      if (to > from) out.push({ ...s, start: from, end: to });
    };
    for (const s of sorted) {
      while (stack.length && stack[stack.length - 1].span.end <= s.start) {
        const top = stack.pop() as { span: Span; cursor: number };
        emit(top.span, top.cursor, top.span.end);
        if (stack.length) stack[stack.length - 1].cursor = top.span.end;
      }
      if (stack.length) {
        const parent = stack[stack.length - 1];
        emit(parent.span, parent.cursor, s.start);
        parent.cursor = s.end;
      }
      stack.push({ span: s, cursor: s.start });
    }
    while (stack.length) {
      const top = stack.pop() as { span: Span; cursor: number };
      emit(top.span, top.cursor, top.span.end);
      if (stack.length) stack[stack.length - 1].cursor = Math.max(stack[stack.length - 1].cursor, top.span.end);
    }
  }
  return out.sort((a, b) => a.cpu - b.cpu || a.start - b.start);
}
