/**
 * Reads ftrace text back into trace records: the kernel's `trace` file (with or without the
 * irq-info and TGID columns, any `# tracer:` header) and the default `trace-cmd report` layout.
 * Timestamps become integer ns; bare event names become `subsystem:event` through the catalog (or a
 * table the caller passes, e.g. from tracefs `available_events`); known events get their fields back,
 * unknown ones keep their text in `raw`.
 *
 * Errors: a line that is not a record, a header, a "[LOST n EVENTS]" or "buffer started" marker, a
 * known event whose text does not have the event's print shape, a timestamp earlier than the line
 * before (the kernel prints records merged in time order), a CPU number not below the header's `#P:`
 * (or trace-cmd's `cpus=`), and a softirq event whose vector is not one of the kernel's (or whose
 * action name does not match it) are malformed. By default the first one throws an FtraceParseError
 * naming the line number and the problem; with `onError: "collect"` such lines are skipped and
 * reported in `warnings`. A text with no record at all (empty, or a header alone) is an error in both
 * modes ("no records"), unless `allowEmpty`.
 */
import { UserInputError } from "../errors";
import type { KernelTraceRecord } from "./record";
import { parseIrqFlags } from "./record";
import { BARE_TO_QUALIFIED, eventSpec, SOFTIRQ_NAMES } from "./events";

export class FtraceParseError extends UserInputError {
  constructor(
    readonly line: number,
    readonly problem: string,
    readonly text: string,
  ) {
    super(line === 0 ? problem : `line ${line}: ${problem}: ${JSON.stringify(text.length > 160 ? text.slice(0, 160) + "…" : text)}`);
    this.name = "FtraceParseError";
  }
}

export interface FtraceParseOptions {
  /** "throw" (default): the first malformed line throws; "collect": skip it and report it in warnings. */
  onError?: "throw" | "collect";
  /** Extra bare name → "subsystem:event" entries (they win over the built-in table). */
  eventTable?: ReadonlyMap<string, string> | Record<string, string>;
  /** Keep the flag columns in `record.flags` (default true). */
  keepFlags?: boolean;
  /** Accept a text without any record (default false: "no records" is an error). */
  allowEmpty?: boolean;
}

export interface FtraceHeader {
  layout: "trace" | "trace-cmd";
  tracer: string | null;
  entriesInBuffer: number | null;
  entriesWritten: number | null;
  /** "#P:" of the trace file, "cpus=" of trace-cmd. */
  nrCpus: number | null;
  /** Decimal digits of the timestamps: 6 (µs, the kernel), 9 (ns), 0 (a counter clock: ts is the raw count). */
  timestampDigits: number | null;
  irqInfo: boolean;
  tgid: boolean;
}

export interface FtraceParseResult {
  records: KernelTraceRecord[];
  header: FtraceHeader;
  /** "CPU:n [LOST m EVENTS]" lines: the ring buffer overflowed here. */
  lost: { line: number; cpu: number; events: number }[];
  /** "##### CPU n buffer started ####": CPU n's buffer holds nothing before this point (overwrite mode). */
  bufferStarted: { line: number; cpu: number }[];
  warnings: { line: number; message: string }[];
}

// comm-pid, optional (tgid), [cpu], optional flag column, timestamp, event name, text.
// comm is right-aligned in 16 columns and may hold spaces and dashes: the pid is the last "-digits"
// before the CPU column.
const LINE =
  /^\s*(.*?)-(\d+)\s+(?:\(\s*(-------|\d+)\)\s+)?\[(\d+)\]\s+(?:([.dDbX][.nNplLbB][.hsHzZ][.0-9a-f][.0-9a-f]?)\s+)?(\d+)(?:\.(\d+))?:\s+([^\s:]+):(?: (.*))?$/;
/** System-call events print no "event:" label: `sys_sendto(fd: 3, ...)` on entry, `sys_sendto -> 0x40` on exit. */
const SYSCALL_LINE =
  /^\s*(.*?)-(\d+)\s+(?:\(\s*(-------|\d+)\)\s+)?\[(\d+)\]\s+(?:([.dDbX][.nNplLbB][.hsHzZ][.0-9a-f][.0-9a-f]?)\s+)?(\d+)(?:\.(\d+))?:\s+sys_(\w+)(?:\((.*)\)| -> (\S+))$/;

/** A syscall line as the LINE groups would give it: bare name sys_enter_X / sys_exit_X, the rest as text. */
function matchSyscallLine(line: string): RegExpExecArray | null {
  const m = SYSCALL_LINE.exec(line);
  if (!m) return null;
  const [, comm, pid, tgid, cpu, flags, secs, frac, name, args, ret] = m;
  const groups = [line, comm, pid, tgid, cpu, flags, secs, frac, ret === undefined ? `sys_enter_${name}` : `sys_exit_${name}`, ret === undefined ? args : ret];
  return Object.assign(groups, { index: 0, input: line }) as unknown as RegExpExecArray;
}

const LOST = /^CPU:(\d+) \[LOST (\d+) EVENTS\]$/;
const STARTED = /^#{5} CPU (\d+) buffer started #{4}$/;
const ENTRIES = /^# entries-in-buffer\/entries-written: (\d+)\/(\d+)\s+#P:(\d+)/;

export function parseFtraceText(text: string, opts: FtraceParseOptions = {}): FtraceParseResult {
  const collect = opts.onError === "collect";
  const table = toMap(opts.eventTable);
  const keepFlags = opts.keepFlags ?? true;
  const result: FtraceParseResult = {
    records: [],
    header: {
      layout: "trace", tracer: null, entriesInBuffer: null, entriesWritten: null, nrCpus: null,
      timestampDigits: null, irqInfo: false, tgid: false,
    },
    lost: [],
    bufferStarted: [],
    warnings: [],
  };
  const h = result.header;
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();

  const fail = (n: number, problem: string, line: string): void => {
    if (!collect) throw new FtraceParseError(n, problem, line);
    result.warnings.push({ line: n, message: `${problem}: ${JSON.stringify(line)}` });
  };

  let lastTs = -Infinity;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i].replace(/\r$/, "");
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      readHeaderLine(line, h, result, n);
      continue;
    }
    if (i === 0 && /^cpus=\d+$/.test(line)) {
      h.layout = "trace-cmd";
      h.nrCpus = Number(line.slice(5));
      continue;
    }
    const lost = LOST.exec(line);
    if (lost) {
      result.lost.push({ line: n, cpu: Number(lost[1]), events: Number(lost[2]) });
      continue;
    }
    const m = matchSyscallLine(line) ?? LINE.exec(line);
    if (!m) {
      fail(n, "not an ftrace line (expected '<comm>-<pid> [<cpu>] [flags] <secs>.<usecs>: <event>: <text>')", line);
      continue;
    }
    const [, comm, pid, tgid, cpu, flagText, secs, frac, bare, rest] = m;
    const digits = frac === undefined ? 0 : frac.length;
    if (digits !== 0 && digits !== 6 && digits !== 9) {
      fail(n, `timestamp has ${digits} decimals; expected 6 (µs) or 9 (ns)`, line);
      continue;
    }
    if (h.timestampDigits === null) h.timestampDigits = digits;
    else if (h.timestampDigits !== digits) {
      fail(n, `timestamp has ${digits} decimals but earlier lines have ${h.timestampDigits}`, line);
      continue;
    }
    const ts = digits === 0 ? Number(secs) : Number(secs) * 1e9 + Number(frac) * 10 ** (9 - digits);
    if (!Number.isSafeInteger(ts)) {
      fail(n, "timestamp does not fit an exact integer of ns", line);
      continue;
    }
    if (ts < lastTs) {
      fail(n, `timestamp ${ts} ns is earlier than the record before (${lastTs} ns): the kernel prints records merged in time order`, line);
      continue;
    }
    if (h.nrCpus !== null && Number(cpu) >= h.nrCpus) {
      fail(n, `CPU ${Number(cpu)} does not exist in this trace: its header says ${h.layout === "trace-cmd" ? "cpus=" : "#P:"}${h.nrCpus} (CPUs 0-${h.nrCpus - 1})`, line);
      continue;
    }
    const record: KernelTraceRecord = { ts, cpu: Number(cpu), comm, pid: Number(pid), event: bare, fields: {} };
    if (flagText !== undefined) {
      h.irqInfo = true;
      const flags = parseIrqFlags(flagText);
      if (!flags) {
        fail(n, `bad irq-info column '${flagText}'`, line);
        continue;
      }
      if (keepFlags) record.flags = flags;
    }
    if (tgid !== undefined) {
      h.tgid = true;
      record.tgid = tgid === "-------" ? null : Number(tgid);
    }
    // trace-cmd pads the event name; the trace file puts exactly one space after "event:".
    const body = h.layout === "trace-cmd" ? (rest ?? "").replace(/^ +/, "") : rest ?? "";
    const syscall = /^sys_(enter|exit)_\w+$/.test(bare);
    const event = syscall ? `syscalls:${bare}` : table.get(bare) ?? BARE_TO_QUALIFIED.get(bare) ?? bare;
    record.event = event;
    const spec = eventSpec(event);
    if (syscall) {
      // The exit's return value is hex (0x40) or a negative errno in decimal; the entry's arguments stay text.
      if (bare.startsWith("sys_exit_")) record.fields = { ret: /^0x[0-9a-f]+$/i.test(body) ? parseInt(body, 16) : Number(body) };
      else record.raw = body;
    } else if (spec) {
      const fields = spec.parse(body);
      if (!fields) {
        fail(n, `${bare}: text does not match the event's print format '${spec.shape}'`, line);
        continue;
      }
      if (event === "irq:softirq_raise" || event === "irq:softirq_entry" || event === "irq:softirq_exit") {
        const vec = Number(fields.vec);
        if (!(vec < SOFTIRQ_NAMES.length)) {
          fail(n, `${bare}: vec=${fields.vec} is not a softirq vector (0-${SOFTIRQ_NAMES.length - 1}: ${SOFTIRQ_NAMES.join(", ")})`, line);
          continue;
        }
        if (fields.action !== SOFTIRQ_NAMES[vec]) {
          fail(n, `${bare}: action=${fields.action} does not match vec=${vec}, which is ${SOFTIRQ_NAMES[vec]}`, line);
          continue;
        }
      }
      record.fields = fields;
    } else {
      record.raw = body;
    }
    result.records.push(record);
    lastTs = ts;
  }
  if (result.records.length === 0 && !opts.allowEmpty) {
    const why =
      text.trim() === ""
        ? "no records: the text is empty (nothing was captured: were the events enabled, and did anything run while tracing?)"
        : `no records: ${lines.length} line(s) but not one trace record${result.warnings.length ? ` (${result.warnings.length} malformed)` : " (a header or markers only: nothing was captured while tracing)"}`;
    throw new FtraceParseError(0, why, "");
  }

  if (h.entriesWritten !== null && h.entriesInBuffer !== null && h.entriesWritten > h.entriesInBuffer) {
    result.warnings.push({
      line: 0,
      message: `the buffer holds ${h.entriesInBuffer} of ${h.entriesWritten} entries written: ${h.entriesWritten - h.entriesInBuffer} were overwritten or dropped`,
    });
  }
  return result;
}

function readHeaderLine(line: string, h: FtraceHeader, result: FtraceParseResult, n: number): void {
  const started = STARTED.exec(line);
  if (started) {
    result.bufferStarted.push({ line: n, cpu: Number(started[1]) });
    return;
  }
  const tracer = /^# tracer: (\S+)/.exec(line);
  if (tracer) {
    h.tracer = tracer[1];
    return;
  }
  const entries = ENTRIES.exec(line);
  if (entries) {
    h.entriesInBuffer = Number(entries[1]);
    h.entriesWritten = Number(entries[2]);
    h.nrCpus = Number(entries[3]);
  }
}

function toMap(t: FtraceParseOptions["eventTable"]): ReadonlyMap<string, string> {
  if (!t) return new Map();
  return t instanceof Map ? t : new Map(Object.entries(t));
}

/**
 * A bare-name table from tracefs `available_events` ("subsystem:event" per line), for events the
 * built-in catalog does not know. Names that two subsystems share are left out (ambiguous).
 */
export function eventTableFromAvailableEvents(text: string): Map<string, string> {
  const table = new Map<string, string>();
  const seen = new Set<string>();
  for (const line of text.split("\n")) {
    const full = line.trim();
    const i = full.indexOf(":");
    if (i < 0) continue;
    const bare = full.slice(i + 1);
    if (seen.has(bare)) table.delete(bare);
    else table.set(bare, full);
    seen.add(bare);
  }
  return table;
}
