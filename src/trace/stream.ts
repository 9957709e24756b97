/**
 * Streams a simulated trace to a file while the run produces it (`simulate --trace-out FILE
 * --trace-format jsonl|ftrace|chrome`), so memory stays flat however long the run: each writer is a
 * TraceSink that turns records and finished spans into text and hands it to a buffered output.
 * - jsonl: one JSON object per line: a header, every record and span, an end line (readTraceJsonl
 *   reads it back into the same `Trace` an in-memory run returns);
 * - ftrace: the kernel's `trace` file text (toFtraceText's layout, ns timestamps so nothing is lost);
 * - chrome: Chrome Trace Event JSON for ui.perfetto.dev (toChromeTrace's events and flow arrows).
 */
import { closeSync, writeSync } from "node:fs";
import type { Span, Trace, TraceRecord } from "../observe/types";
import type { TraceSink } from "../observe/recorder";
import { UserInputError } from "../errors";
import { chromeFlowEvents, chromeInstantEvent, chromeMetadataEvents, chromeSpanEvent, DEFAULT_INSTANTS, type ChromeEvent } from "./chrome-trace";
import { ContextTracker } from "./context";
import { flagColumnFor, formatFtraceLine, ftraceHeader } from "./ftrace-text";
import { isIpiHandler, parseCpuList } from "./events";

export const TRACE_FORMATS = ["jsonl", "ftrace", "chrome"] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export const TRACE_JSONL_FORMAT = "softnet-lab/trace-jsonl";

/** Where the text goes: appends (buffered), and writes at an offset (to fill in a header at the end). */
export interface TraceOutput {
  write(text: string): void;
  /** Overwrites bytes already written at `offset` (same length); flushes first. */
  patch(offset: number, text: string): void;
  /** Bytes handed to write() so far. */
  readonly length: number;
  close(): void;
}

/** A TraceOutput on an open file descriptor, flushing every 1 MiB. */
export class FdOutput implements TraceOutput {
  private buf: string[] = [];
  private bufBytes = 0;
  length = 0;
  constructor(private readonly fd: number) {}
  write(text: string): void {
    const n = Buffer.byteLength(text);
    this.buf.push(text);
    this.bufBytes += n;
    this.length += n;
    if (this.bufBytes >= 1 << 20) this.flush();
  }
  flush(): void {
    if (this.buf.length === 0) return;
    const data = Buffer.from(this.buf.join(""));
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
    this.buf = [];
    this.bufBytes = 0;
  }
  patch(offset: number, text: string): void {
    this.flush();
    const data = Buffer.from(text);
    writeSync(this.fd, data, 0, data.length, offset);
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** A TraceOutput in memory (tests). */
export class StringOutput implements TraceOutput {
  text = "";
  get length(): number {
    return Buffer.byteLength(this.text);
  }
  write(text: string): void {
    this.text += text;
  }
  patch(offset: number, text: string): void {
    const b = Buffer.from(this.text);
    Buffer.from(text).copy(b, offset);
    this.text = b.toString();
  }
  close(): void {}
}

export interface TraceStreamInfo {
  cpus: number;
  /** Title of the Chrome trace, tracer line of the ftrace text. */
  title?: string;
}

/** The TraceSink writing `format` to `out`. */
export function traceWriter(format: TraceFormat, out: TraceOutput, info: TraceStreamInfo): TraceSink {
  switch (format) {
    case "jsonl":
      return new JsonlTraceWriter(out, info);
    case "ftrace":
      return new FtraceTraceWriter(out, info);
    case "chrome":
      return new ChromeTraceWriter(out, info);
  }
}

// ---------------------------------------------------------------- jsonl

export class JsonlTraceWriter implements TraceSink {
  private records = 0;
  private spans = 0;
  constructor(
    private readonly out: TraceOutput,
    info: TraceStreamInfo,
  ) {
    out.write(JSON.stringify({ type: "header", format: TRACE_JSONL_FORMAT, version: 1, cpus: info.cpus }) + "\n");
  }
  record(r: TraceRecord): void {
    this.records++;
    this.out.write(JSON.stringify({ type: "record", ...r }) + "\n");
  }
  span(s: Span): void {
    this.spans++;
    this.out.write(JSON.stringify({ type: "span", ...s }) + "\n");
  }
  end(endNs: number): void {
    this.out.write(JSON.stringify({ type: "end", end_ns: endNs, records: this.records, spans: this.spans }) + "\n");
  }
}

/** Reads a jsonl trace back into the `Trace` an in-memory run returns (spans sorted by CPU, start). */
export function readTraceJsonl(text: string): Trace {
  const lines = text.split("\n").filter((l) => l !== "");
  const bad = (i: number, why: string) => new UserInputError(`trace jsonl line ${i + 1}: ${why}`);
  if (lines.length === 0) throw bad(0, "empty file: expected a header line");
  const parse = (i: number): Record<string, unknown> => {
    try {
      const v = JSON.parse(lines[i]!) as unknown;
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
      return v as Record<string, unknown>;
    } catch (e) {
      throw bad(i, `not a JSON object (${(e as Error).message})`);
    }
  };
  const head = parse(0);
  if (head.type !== "header" || head.format !== TRACE_JSONL_FORMAT) throw bad(0, `expected the header {"type":"header","format":"${TRACE_JSONL_FORMAT}",...}`);
  const records: TraceRecord[] = [];
  const spans: Span[] = [];
  let endNs: number | null = null;
  for (let i = 1; i < lines.length; i++) {
    const { type, ...rest } = parse(i);
    if (endNs !== null) throw bad(i, "a line after the end line");
    if (type === "record") records.push(rest as unknown as TraceRecord);
    else if (type === "span") spans.push(rest as unknown as Span);
    else if (type === "end" && typeof rest.end_ns === "number") endNs = rest.end_ns;
    else throw bad(i, `expected a record, span or end line, got type ${JSON.stringify(type)}`);
  }
  if (endNs === null) throw bad(lines.length - 1, "no end line: the trace was cut short (the run did not finish)");
  spans.sort((a, b) => a.cpu - b.cpu || a.start - b.start);
  return { records, spans, end_ns: endNs };
}

// ---------------------------------------------------------------- ftrace text

/** Width reserved for "N/N" in the header's entries line, filled in at the end. */
const ENTRIES_WIDTH = 41;

export class FtraceTraceWriter implements TraceSink {
  private readonly tracker = new ContextTracker();
  /** Records of the current timestamp: the kernel prints ties by CPU, so they wait for the next one. */
  private pending: TraceRecord[] = [];
  private entries = 0;
  private readonly entriesOffset: number;
  constructor(
    private readonly out: TraceOutput,
    info: TraceStreamInfo,
  ) {
    const header = ftraceHeader({ tracer: "nop", entries: 0, nrCpus: info.cpus, irqInfo: true, tgid: false });
    const marker = "# entries-in-buffer/entries-written: ";
    header[2] = `${marker}${"0/0".padEnd(ENTRIES_WIDTH)}   #P:${info.cpus}`;
    const before = header.slice(0, 2).join("\n") + "\n";
    this.entriesOffset = out.length + Buffer.byteLength(before) + marker.length;
    out.write(header.join("\n") + "\n");
  }
  record(r: TraceRecord): void {
    if (this.pending.length > 0 && this.pending[0]!.ts !== r.ts) this.flush();
    this.pending.push(r);
  }
  private flush(): void {
    // stable sort by CPU: the merge order of toFtraceText (timestamp, CPU, buffer order)
    const group = this.pending.map((r, i) => ({ r, i })).sort((a, b) => a.r.cpu - b.r.cpu || a.i - b.i);
    for (const { r } of group) {
      const ctx = this.tracker.step(r);
      this.out.write(formatFtraceLine(r, { irqInfo: true, timestamps: "ns", flags: flagColumnFor(r, ctx) }) + "\n");
      this.entries++;
    }
    this.pending = [];
  }
  span(): void {}
  end(): void {
    this.flush();
    this.out.patch(this.entriesOffset, `${this.entries}/${this.entries}`.padEnd(ENTRIES_WIDTH));
  }
}

// ---------------------------------------------------------------- Chrome trace JSON

export class ChromeTraceWriter implements TraceSink {
  private first = true;
  private readonly instants = new Set(DEFAULT_INSTANTS);
  private nextId = 1;
  /** IPI sends waiting for the next hardirq span on their target CPU, oldest first. */
  private readonly ipiWaiting = new Map<number, { cpu: number; ts: number }[]>();
  /** netif_rx records by skbaddr, waiting for their netif_receive_skb. */
  private readonly queued = new Map<string, { cpu: number; ts: number }>();
  constructor(
    private readonly out: TraceOutput,
    info: TraceStreamInfo,
  ) {
    out.write('{"traceEvents":[\n');
    const cpus = Array.from({ length: info.cpus }, (_, i) => i);
    for (const e of chromeMetadataEvents(cpus, info.title)) this.emit(e);
  }
  private emit(e: ChromeEvent): void {
    this.out.write((this.first ? "" : ",\n") + JSON.stringify(e));
    this.first = false;
  }
  record(r: TraceRecord): void {
    if (this.instants.has(r.event)) this.emit(chromeInstantEvent(r));
    // flow arrows, as toChromeTrace draws them: IPI send -> the next hardirq on the target CPU;
    // netif_rx -> netif_receive_skb of the same skb
    const event: string = r.event;
    const targets = event === "ipi:ipi_send_cpu" ? [Number(r.fields.cpu)] : event === "ipi:ipi_send_cpumask" ? parseCpuList(String(r.fields.cpumask)) : [];
    for (const t of targets) {
      const list = this.ipiWaiting.get(t) ?? [];
      list.push({ cpu: r.cpu, ts: r.ts });
      this.ipiWaiting.set(t, list);
    }
    if (r.event === "net:netif_rx") this.queued.set(String(r.fields.skbaddr), { cpu: r.cpu, ts: r.ts });
    else if (r.event === "net:netif_receive_skb") {
      const q = this.queued.get(String(r.fields.skbaddr));
      if (q) {
        this.queued.delete(String(r.fields.skbaddr));
        for (const e of chromeFlowEvents("packet", "net", this.nextId++, q, r)) this.emit(e);
      }
    }
  }
  span(s: Span): void {
    this.emit(chromeSpanEvent(s));
    if (s.ctx !== "hardirq" || !isIpiHandler(s.fn)) return;
    const list = this.ipiWaiting.get(s.cpu);
    if (!list || list.length === 0 || list[0]!.ts > s.start) return;
    const send = list.shift()!;
    // the "f" end sits inside its slice (mid-point) so it binds to it
    for (const e of chromeFlowEvents("ipi", "ipi", this.nextId++, send, { cpu: s.cpu, ts: s.start + (s.end - s.start) / 2 })) this.emit(e);
  }
  end(endNs: number): void {
    this.out.write(`\n],"displayTimeUnit":"ns","otherData":${JSON.stringify({ generator: "softnet-lab src/trace/stream.ts", end_ns: endNs })}}\n`);
  }
}
