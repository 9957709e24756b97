/**
 * Checks a trace record against the event catalog and puts it in canonical form (fields in print
 * order, numbers as numbers, derived fields such as a softirq's `action` filled in, the idle task's
 * comm column as the kernel prints it), so the same record always prints, parses and compares the
 * same way.
 */
import type { KernelTraceRecord } from "./record";
import { formatIrqFlags } from "./record";
import { eventSpec, softirqName } from "./events";

export class TraceRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TraceRecordError";
  }
}

/** A canonical copy of `r`; throws a TraceRecordError naming the record, the field and what is allowed. */
export function normalizeRecord(r: KernelTraceRecord, where = "record"): KernelTraceRecord {
  const label = `${where} (${typeof r?.event === "string" ? r.event : "?"})`;
  if (typeof r !== "object" || r === null) throw new TraceRecordError(`${where}: expected an object`);
  checkInt(r.ts, `${label}: ts`, 0);
  checkInt(r.cpu, `${label}: cpu`, 0);
  checkInt(r.pid, `${label}: pid`, 0);
  if (typeof r.comm !== "string" || r.comm === "" || /[\n\r]/.test(r.comm)) {
    throw new TraceRecordError(`${label}: comm must be a non-empty one-line string, got ${JSON.stringify(r.comm)}`);
  }
  if (typeof r.event !== "string" || !/^[\w.-]+(:[\w.-]+)?$/.test(r.event)) {
    throw new TraceRecordError(`${where}: event must be "subsystem:event" or a bare event name, got ${JSON.stringify(r.event)}`);
  }
  if (typeof r.fields !== "object" || r.fields === null) throw new TraceRecordError(`${label}: fields must be an object`);

  // The kernel's comm column names pid 0 "<idle>" (trace_find_cmdline), whatever the task calls itself.
  const comm = r.pid === 0 ? "<idle>" : r.comm;
  const out: KernelTraceRecord = { ts: r.ts, cpu: r.cpu, comm, pid: r.pid, event: r.event, fields: {} };
  const spec = eventSpec(r.event);
  if (spec) {
    const allowed = spec.fields.map((f) => f.name);
    for (const key of Object.keys(r.fields)) {
      if (!allowed.includes(key)) {
        throw new TraceRecordError(`${label}: unknown field '${key}'; allowed: ${allowed.join(", ")}`);
      }
    }
    for (const f of spec.fields) {
      let v = r.fields[f.name];
      if (v === undefined && f.derived && f.name === "action") v = softirqName(Number(out.fields.vec));
      if (v === undefined) throw new TraceRecordError(`${label}: missing field '${f.name}' (fields: ${allowed.join(", ")})`);
      out.fields[f.name] = f.kind === "int" ? toInt(v, `${label}: field '${f.name}'`) : toStr(v, `${label}: field '${f.name}'`);
    }
  } else {
    for (const [k, v] of Object.entries(r.fields)) {
      out.fields[k] = typeof v === "number" ? v : toStr(v, `${label}: field '${k}'`);
    }
    if (r.raw !== undefined) out.raw = toStr(r.raw, `${label}: raw`);
  }
  if (r.flags !== undefined) {
    formatIrqFlags(r.flags); // validates every column
    out.flags = { ...r.flags };
  }
  if (r.tgid !== undefined) {
    if (r.tgid !== null) checkInt(r.tgid, `${label}: tgid`, 0);
    out.tgid = r.tgid;
  }
  return out;
}

/** normalizeRecord over a list; errors name the record's index. */
export function normalizeRecords(records: readonly KernelTraceRecord[]): KernelTraceRecord[] {
  return records.map((r, i) => normalizeRecord(r, `record ${i}`));
}

function checkInt(v: unknown, what: string, min: number): void {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    throw new TraceRecordError(`${what} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
}

function toInt(v: string | number, what: string): number {
  const n = typeof v === "number" ? v : /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new TraceRecordError(`${what} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

function toStr(v: unknown, what: string): string {
  if (typeof v !== "string" && typeof v !== "number") {
    throw new TraceRecordError(`${what} must be a string, got ${JSON.stringify(v)}`);
  }
  const s = String(v);
  if (/[\n\r]/.test(s)) throw new TraceRecordError(`${what} must be one line, got ${JSON.stringify(s)}`);
  return s;
}
