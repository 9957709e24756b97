/**
 * Parser for /proc/interrupts: a header naming the CPUs, then one row per interrupt source with a count
 * per CPU and a description. Device IRQs are numbered; architecture rows have names: on x86 CAL
 * (function call IPIs: smp_call_function, the RPS IPI), RES (rescheduling IPIs) and LOC (local timer).
 * Rows such as ERR and MIS carry one machine-wide number.
 */
import { parseCpuHeader } from "./cpu-header";

export interface InterruptRow {
  /** Per-CPU counts, or null for a machine-wide row (ERR, MIS). */
  perCpu: number[] | null;
  total: number;
  description: string;
}

export interface Interrupts {
  cpus: number[];
  /** Keyed by the label before the colon: "24", "LOC", "CAL", "RES"... */
  rows: Record<string, InterruptRow>;
}

export function parseInterrupts(text: string): Interrupts {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new Error("interrupts: empty");
  const cpus = parseCpuHeader(lines[0], "interrupts");
  const rows: Record<string, InterruptRow> = {};
  for (const line of lines.slice(1)) {
    const m = /^\s*([^:\s]+):(.*)$/.exec(line);
    if (!m) throw new Error(`interrupts: unexpected line "${line}"`);
    const fields = m[2].trim().split(/\s+/);
    const nums: number[] = [];
    while (nums.length < cpus.length && nums.length < fields.length && /^\d+$/.test(fields[nums.length])) nums.push(Number(fields[nums.length]));
    const description = fields.slice(nums.length).join(" ");
    if (nums.length === cpus.length) rows[m[1]] = { perCpu: nums, total: nums.reduce((a, b) => a + b, 0), description };
    else if (nums.length === 1) rows[m[1]] = { perCpu: null, total: nums[0], description };
    else throw new Error(`interrupts ${m[1]}: expected ${cpus.length} per-CPU counts or one total, got "${m[2].trim()}"`);
  }
  return { cpus, rows };
}

/** Per-CPU counts of one named row, zeros when the row does not exist on this architecture. */
export function interruptCounts(irq: Interrupts, label: string): number[] {
  const r = irq.rows[label];
  return r?.perCpu ? r.perCpu : irq.cpus.map(() => 0);
}
