/**
 * The record every trace module reads and writes: a tracepoint hit as the kernel's `trace` file shows
 * it, i.e. the model's `TraceRecord` plus what a real trace adds (the irq-info flag columns, the tgid
 * column, the raw text of events softnet-lab does not know).
 */
import type { TraceRecord } from "../observe/types";

/** The irq-info columns of a trace line ("d.s1."), one property per column (Linux 6.18, trace_output.c). */
export interface IrqFlags {
  /** 'd' irqs off, 'b' BH off, 'D' both, 'X' irqs-off state not supported, '.' neither. */
  irqsOff: "." | "d" | "D" | "b" | "X";
  /** need-resched: 'N' TIF+PREEMPT, 'n' TIF only, 'p' PREEMPT only; lazy variants 'L' 'l' 'b' 'B' (6.13+). */
  needResched: "." | "n" | "N" | "p" | "l" | "L" | "b" | "B";
  /** 'h' hardirq, 's' softirq, 'H' hardirq inside softirq, 'z' NMI, 'Z' NMI inside hardirq, '.' task. */
  irqContext: "." | "h" | "s" | "H" | "z" | "Z";
  /** Low nibble of preempt_count, 0..15 ('.' prints as 0). */
  preemptDepth: number;
  /** Migrate-disable depth 0..15; absent when the trace has only four flag columns (kernels before 5.14). */
  migrateDisable?: number;
}

/**
 * One tracepoint hit. A model `TraceRecord` is one of these; `event` is widened to any
 * `subsystem:event` name (or a bare name when the subsystem is unknown).
 */
export interface KernelTraceRecord {
  ts: number; // ns
  cpu: number;
  comm: string;
  pid: number;
  event: TraceRecord["event"] | (string & {});
  fields: Record<string, string | number>;
  /** The irq-info columns, when the trace printed them or the model supplied them. */
  flags?: IrqFlags;
  /** The TGID column (option record-tgid); null when the kernel printed "(-------)". */
  tgid?: number | null;
  /** The printed text after "event: ", kept only for events the catalog does not know. */
  raw?: string;
}

const IRQS_OFF = ".dDbX";
const NEED_RESCHED = ".nNplLbB";
const IRQ_CONTEXT = ".hsHzZ";

/** "d.s1." or "d.s1" (four-column kernels) → IrqFlags; null when `text` is not a flag column. */
export function parseIrqFlags(text: string): IrqFlags | null {
  if (text.length !== 4 && text.length !== 5) return null;
  const [a, b, c, d, e] = text;
  if (!IRQS_OFF.includes(a) || !NEED_RESCHED.includes(b) || !IRQ_CONTEXT.includes(c)) return null;
  const depth = nibble(d);
  if (depth === null) return null;
  const flags: IrqFlags = {
    irqsOff: a as IrqFlags["irqsOff"],
    needResched: b as IrqFlags["needResched"],
    irqContext: c as IrqFlags["irqContext"],
    preemptDepth: depth,
  };
  if (e !== undefined) {
    const migrate = nibble(e);
    if (migrate === null) return null;
    flags.migrateDisable = migrate;
  }
  return flags;
}

/** IrqFlags → the printed column, as trace_print_lat_fmt() prints it. */
export function formatIrqFlags(flags: IrqFlags): string {
  const depth = hexNibble(flags.preemptDepth, "preemptDepth");
  const migrate = flags.migrateDisable === undefined ? "" : hexNibble(flags.migrateDisable, "migrateDisable");
  return flags.irqsOff + flags.needResched + flags.irqContext + depth + migrate;
}

function nibble(ch: string): number | null {
  if (ch === ".") return 0;
  if (!/^[0-9a-f]$/.test(ch)) return null;
  return parseInt(ch, 16);
}

function hexNibble(n: number, field: string): string {
  if (!Number.isInteger(n) || n < 0 || n > 15) {
    throw new RangeError(`IrqFlags.${field} must be an integer 0..15, got ${n}`);
  }
  return n === 0 ? "." : n.toString(16);
}

/** Execution context of a record: what the kernel's hardirq/softirq column says. */
export type ExecContext = "task" | "softirq" | "hardirq";

/** The context the flag column states ('z'/'Z' NMI counts as hardirq). */
export function contextOfFlags(flags: IrqFlags): ExecContext {
  switch (flags.irqContext) {
    case "h":
    case "H":
    case "z":
    case "Z":
      return "hardirq";
    case "s":
      return "softirq";
    default:
      return "task";
  }
}

/** pid 0 is the idle task (printed `<idle>` in the comm column, `swapper/N` in sched_switch). */
export function isIdle(pid: number): boolean {
  return pid === 0;
}

/** The name a task goes by on the timeline: swapper/N for the idle task, else its comm. */
export function taskName(comm: string, pid: number, cpu: number): string {
  return isIdle(pid) ? `swapper/${cpu}` : comm;
}

/** Records in the order the kernel prints them: by timestamp, ties to the lower CPU, then buffer order. */
export function traceOrder<T extends KernelTraceRecord>(records: readonly T[]): T[] {
  return records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.ts - b.r.ts || a.r.cpu - b.r.cpu || a.i - b.i)
    .map((x) => x.r);
}
