/**
 * Writes trace records as the kernel's `trace` file prints them (kernel/trace/trace_output.c,
 * trace.c headers, Linux 6.18), and as `trace-cmd report` (3.1) prints them, so a simulated run can be
 * read, diffed and grepped exactly like a real capture.
 *
 * The irq-info columns come from `record.flags` when present. When absent they are derived from the
 * record's context and only what is certain is printed: the hardirq/softirq column (from the open
 * hardirq/softirq sections), and irqs-off 'd' in hardirq context and for sched_switch (both always run
 * with interrupts off). need-resched, preempt-depth and migrate-disable print '.' (unknown).
 */
import type { IrqFlags, KernelTraceRecord } from "./record";
import { formatIrqFlags, traceOrder } from "./record";
import { bareName, eventSpec } from "./events";
import { ContextTracker, type RecordContext } from "./context";

export interface FtraceTextOptions {
  /** Print the irq-info flag columns (trace option irq-info, on by default in the kernel). Default true. */
  irqInfo?: boolean;
  /**
   * "us" prints s.µs like the kernel (the ns below are dropped); "ns" prints 9 decimals, as
   * `trace-cmd report -t` does, so the text keeps every digit. Default "us".
   */
  timestamps?: "us" | "ns";
  /** "#P:" in the header (CPUs online). Default: highest CPU seen + 1. */
  nrCpus?: number;
  /** "# tracer:" in the header. Default "nop" (events only). */
  tracer?: string;
  /** Print the TGID column (option record-tgid). Default: when any record has `tgid`. */
  tgid?: boolean;
}

/** The whole `trace` file: header, then one line per record. */
export function toFtraceText(records: readonly KernelTraceRecord[], opts: FtraceTextOptions = {}): string {
  const irqInfo = opts.irqInfo ?? true;
  const tgid = opts.tgid ?? records.some((r) => r.tgid !== undefined);
  const sorted = traceOrder(records);
  const nrCpus = opts.nrCpus ?? sorted.reduce((m, r) => Math.max(m, r.cpu + 1), 0);
  const lines = ftraceHeader({ tracer: opts.tracer ?? "nop", entries: sorted.length, nrCpus, irqInfo, tgid });
  const flags = irqInfo ? flagColumns(sorted) : [];
  sorted.forEach((r, i) => {
    lines.push(formatFtraceLine(r, { irqInfo, tgid, timestamps: opts.timestamps, flags: flags[i] }));
  });
  return lines.join("\n") + "\n";
}

export interface LineOptions {
  irqInfo?: boolean;
  tgid?: boolean;
  timestamps?: "us" | "ns";
  /** The flag column to print (default: record.flags, else "....."). */
  flags?: IrqFlags;
}

/** One line as trace_print_context() prints it: "%16s-%-7d [%03d] <flags>  %5lu.%06lu: event: text". */
export function formatFtraceLine(r: KernelTraceRecord, opts: LineOptions = {}): string {
  let line = `${commColumn(r).padStart(16)}-${String(r.pid).padEnd(7)} `;
  if (opts.tgid) line += r.tgid == null ? "(-------) " : `(${String(r.tgid).padStart(7)}) `;
  line += `[${String(r.cpu).padStart(3, "0")}] `;
  if (opts.irqInfo ?? true) line += formatIrqFlags(opts.flags ?? r.flags ?? NO_FLAGS);
  line += ` ${formatTimestamp(r.ts, opts.timestamps ?? "us")}: ${bareName(r.event)}: ${eventText(r)}`;
  return line;
}

/** The comm column: "<idle>" for pid 0, as trace_find_cmdline() prints it (sched_switch fields keep swapper/N). */
export function commColumn(r: KernelTraceRecord): string {
  return r.pid === 0 ? "<idle>" : r.comm;
}

/** The text after "event: ": the event's print format, or the raw text kept for unknown events. */
export function eventText(r: KernelTraceRecord): string {
  const spec = eventSpec(r.event);
  if (spec) return spec.print(r.fields);
  if (r.raw !== undefined) return r.raw;
  return Object.entries(r.fields)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

/** " %5lu.%06lu" without the leading space; 9 decimals for "ns". */
export function formatTimestamp(ns: number, unit: "us" | "ns"): string {
  const secs = Math.floor(ns / 1e9);
  const rem = ns - secs * 1e9;
  const frac = unit === "ns" ? String(rem).padStart(9, "0") : String(Math.floor(rem / 1000)).padStart(6, "0");
  return `${String(secs).padStart(5)}.${frac}`;
}

const NO_FLAGS: IrqFlags = { irqsOff: ".", needResched: ".", irqContext: ".", preemptDepth: 0, migrateDisable: 0 };

/** The flag column of every record (in trace order): its own flags, or what its context makes certain. */
export function flagColumns(sorted: readonly KernelTraceRecord[]): IrqFlags[] {
  const tracker = new ContextTracker();
  return sorted.map((r) => flagColumnFor(r, tracker.step(r)));
}

/** One record's flag column: its own flags, or what its context (ContextTracker.step) makes certain. */
export function flagColumnFor(r: KernelTraceRecord, c: RecordContext): IrqFlags {
  if (r.flags) return r.flags;
  const hard = c.ctx === "hardirq";
  return {
    irqsOff: hard || r.event === "sched:sched_switch" ? "d" : ".",
    needResched: ".",
    irqContext: hard ? (c.hardirqInSoftirq ? "H" : "h") : c.ctx === "softirq" ? "s" : ".",
    preemptDepth: 0,
    migrateDisable: 0,
  };
}

interface HeaderInfo {
  tracer: string;
  entries: number;
  nrCpus: number;
  irqInfo: boolean;
  tgid: boolean;
}

/** The comment header of the trace file (print_trace_header / print_func_help_header[_irq]). */
export function ftraceHeader(h: HeaderInfo): string[] {
  const lines = [`# tracer: ${h.tracer}`, "#", `# entries-in-buffer/entries-written: ${h.entries}/${h.entries}   #P:${h.nrCpus}`, "#"];
  if (h.irqInfo) {
    const pad = h.tgid ? "            " : "  ";
    lines.push(
      `#                            ${pad}  _-----=> irqs-off/BH-disabled`,
      `#                            ${pad} / _----=> need-resched`,
      `#                            ${pad}| / _---=> hardirq/softirq`,
      `#                            ${pad}|| / _--=> preempt-depth`,
      `#                            ${pad}||| / _-=> migrate-disable`,
      `#                            ${pad}|||| /     delay`,
      `#           TASK-PID  ${h.tgid ? "     TGID   " : "  "} CPU#  |||||  TIMESTAMP  FUNCTION`,
      `#              | |    ${h.tgid ? "       |    " : "  "}   |   |||||     |         |`,
    );
  } else {
    lines.push(
      `#           TASK-PID    ${h.tgid ? "   TGID   " : ""} CPU#     TIMESTAMP  FUNCTION`,
      `#              | |      ${h.tgid ? "     |    " : ""}   |         |         |`,
    );
  }
  return lines;
}

/**
 * The `trace-cmd report` layout (trace-cmd 3.1, default options): a "cpus=N" line, then
 * "%16s-%-5d [%03d] %5lu.%06lu: %-20s text" with the event name and colon padded. trace-cmd prints
 * pointers unhashed and %pS symbols without "/size"; the records' field values are printed as given.
 */
export function toTraceCmdReport(records: readonly KernelTraceRecord[], opts: { timestamps?: "us" | "ns"; nrCpus?: number } = {}): string {
  const sorted = traceOrder(records);
  const nrCpus = opts.nrCpus ?? sorted.reduce((m, r) => Math.max(m, r.cpu + 1), 0);
  const lines = [`cpus=${nrCpus}`];
  for (const r of sorted) {
    const ts = formatTimestamp(r.ts, opts.timestamps ?? "us");
    const name = `${bareName(r.event)}:`.padEnd(21);
    lines.push(`${commColumn(r).padStart(16)}-${String(r.pid).padEnd(5)} [${String(r.cpu).padStart(3, "0")}] ${ts}: ${name} ${eventText(r)}`);
  }
  return lines.join("\n") + "\n";
}
