/**
 * Follows, CPU by CPU, which hardirq and softirq sections are open while a trace is read in order,
 * so every record gets the context it ran in (task, softirq, hardirq) even when the trace has no
 * irq-info column (the model's traces, or a capture with `noirq-info`).
 */
import type { ExecContext, KernelTraceRecord } from "./record";
import { contextOfFlags } from "./record";
import { hardirqEdge, hardirqFunction, SOFTIRQ_FUNCTIONS } from "./events";

export interface Frame {
  kind: "hardirq" | "softirq";
  start: number;
  /** Kernel function of the section (net_rx_action, sysvec_call_function_single, ...). */
  fn: string;
  /** Softirq vector, for softirq frames. */
  vec?: number;
}

export interface RecordContext {
  ctx: ExecContext;
  /** Hardirq that interrupted a softirq (the 'H' of the flag column). */
  hardirqInSoftirq: boolean;
  /** An exit whose entry is not in the trace (it began before the capture). */
  unmatchedExit: boolean;
}

/**
 * One stack of open sections per CPU. An entry record runs inside its own section, an exit record
 * still inside the section it closes; that is how the kernel's flag column shows them.
 */
export class ContextTracker {
  private readonly stacks = new Map<number, Frame[]>();

  stack(cpu: number): Frame[] {
    let s = this.stacks.get(cpu);
    if (!s) {
      s = [];
      this.stacks.set(cpu, s);
    }
    return s;
  }

  /** Feed the next record (in trace order); returns its context and updates the CPU's stack. */
  step(r: KernelTraceRecord): RecordContext {
    const stack = this.stack(r.cpu);
    const edge = sectionEdge(r);
    if (edge?.open) stack.push(edge.open);

    const inSoftirq = stack.some((f) => f.kind === "softirq");
    const top = stack[stack.length - 1];
    let ctx: ExecContext = top ? top.kind : "task";
    let unmatchedExit = false;

    if (edge?.close) {
      const closed = popSection(stack, edge.close, r);
      if (!closed) {
        unmatchedExit = true;
        ctx = edge.close; // the exit itself ran in the section it closes
      }
    }
    // The flag column, when present, is the kernel's own word on the context.
    if (r.flags) ctx = contextOfFlags(r.flags);
    return { ctx, hardirqInSoftirq: ctx === "hardirq" && inSoftirq, unmatchedExit };
  }
}

interface Edge {
  open?: Frame;
  close?: "hardirq" | "softirq";
}

function sectionEdge(r: KernelTraceRecord): Edge | null {
  if (r.event === "irq:softirq_entry") {
    const vec = Number(r.fields.vec);
    return { open: { kind: "softirq", start: r.ts, vec, fn: SOFTIRQ_FUNCTIONS[vec] ?? `softirq_${vec}` } };
  }
  if (r.event === "irq:softirq_exit") return { close: "softirq" };
  const hard = hardirqEdge(r.event);
  if (hard === "entry") return { open: { kind: "hardirq", start: r.ts, fn: hardirqFunction(r.event, r.fields) } };
  if (hard === "exit") return { close: "hardirq" };
  return null;
}

/** Pops the innermost open section of `kind` (and anything left open inside it); null if none is open. */
export function popSection(stack: Frame[], kind: "hardirq" | "softirq", r: KernelTraceRecord): Frame | null {
  for (let i = stack.length - 1; i >= 0; i--) {
    const f = stack[i];
    if (f.kind !== kind) continue;
    if (kind === "softirq" && f.vec !== Number(r.fields.vec)) continue;
    stack.length = i;
    return f;
  }
  return null;
}

/** The context of every record, in the order given (which must be time order within each CPU). */
export function recordContexts(records: readonly KernelTraceRecord[]): RecordContext[] {
  const tracker = new ContextTracker();
  return records.map((r) => tracker.step(r));
}

export interface TaskRef {
  comm: string;
  pid: number;
}

/** A task change the trace shows without a sched_switch: the record's task is not the one last switched in. */
export interface ImplicitSwitch {
  cpu: number;
  from: TaskRef;
  to: TaskRef;
  /** The switch happened between these two times: the last record of `from` and the first of `to`. */
  after: number;
  before: number;
}

/**
 * Follows which task runs on each CPU: sched_switch says so, and so does every record's comm/pid
 * column (the current task, even in interrupt context). When the two disagree, a switch is missing
 * from the trace (lost, filtered, or never emitted: on the 6.18 VM behind datasets/traces no switch
 * out of CPU 1's idle task is ever recorded); step() reports it so callers can account for it.
 */
export class TaskTracker {
  private readonly lanes = new Map<number, TaskRef & { lastTs: number }>();

  current(cpu: number): TaskRef | undefined {
    return this.lanes.get(cpu);
  }

  step(r: KernelTraceRecord): ImplicitSwitch | null {
    const isSwitch = r.event === "sched:sched_switch";
    const now: TaskRef = isSwitch ? { comm: String(r.fields.prev_comm), pid: Number(r.fields.prev_pid) } : { comm: r.comm, pid: r.pid };
    const lane = this.lanes.get(r.cpu);
    const implicit =
      lane && lane.pid !== now.pid ? { cpu: r.cpu, from: { comm: lane.comm, pid: lane.pid }, to: now, after: lane.lastTs, before: r.ts } : null;
    const next = isSwitch ? { comm: String(r.fields.next_comm), pid: Number(r.fields.next_pid) } : now;
    this.lanes.set(r.cpu, { ...next, lastTs: r.ts });
    return implicit;
  }
}

/** Every task change the trace shows without a sched_switch, in trace order. */
export function implicitSwitches(records: readonly KernelTraceRecord[]): ImplicitSwitch[] {
  const tracker = new TaskTracker();
  const out: ImplicitSwitch[] = [];
  for (const r of records) {
    const s = tracker.step(r);
    if (s) out.push(s);
  }
  return out;
}
