import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import { toFtraceText, toTraceCmdReport, formatFtraceLine, formatTimestamp, flagColumns } from "../src/trace/ftrace-text";
import { parseFtraceText } from "../src/trace/ftrace-parse";
import { knownEvents, X86_VECTORS } from "../src/trace/events";
import { formatIrqFlags, parseIrqFlags, type KernelTraceRecord } from "../src/trace/record";
import { normalizeRecords, normalizeRecord } from "../src/trace/validate";
import { packetStory, allVectors } from "./trace-fixtures";

const story = (): KernelTraceRecord[] => normalizeRecords([...packetStory(), ...allVectors(1_000_000_100_000, X86_VECTORS)]);

/** Truncate to whole µs, as the kernel prints them. */
const toUs = (rs: KernelTraceRecord[]): KernelTraceRecord[] => rs.map((r) => ({ ...r, ts: Math.floor(r.ts / 1000) * 1000 }));

describe("ftrace text export → parse round trip", () => {
  it("covers every event of the catalog", () => {
    const seen = new Set(story().map((r) => r.event));
    expect(knownEvents().filter((e) => !seen.has(e))).toEqual([]);
  });

  it("gives back the exact records with ns timestamps and explicit flags", () => {
    const records = story().map((r, i) => ({
      ...r,
      flags: { irqsOff: "D", needResched: "N", irqContext: "s", preemptDepth: i % 16, migrateDisable: (i * 7) % 16 } as const,
    }));
    const text = toFtraceText(records, { timestamps: "ns" });
    expect(parseFtraceText(text).records).toEqual(records);
  });

  it("gives back the exact records at the kernel's µs resolution without irq-info", () => {
    const records = toUs(story());
    const text = toFtraceText(records, { irqInfo: false });
    const parsed = parseFtraceText(text);
    expect(parsed.records).toEqual(records);
    expect(parsed.header).toMatchObject({ tracer: "nop", irqInfo: false, timestampDigits: 6, nrCpus: 2, entriesInBuffer: records.length });
  });

  it("keeps derived flags through a second round trip (flags → text → flags)", () => {
    const records = toUs(story());
    const once = parseFtraceText(toFtraceText(records)).records;
    expect(once.every((r) => r.flags !== undefined)).toBe(true);
    expect(parseFtraceText(toFtraceText(once)).records).toEqual(once);
  });

  it("round-trips the TGID column, including '(-------)'", () => {
    const records = toUs(story()).map((r, i) => ({ ...r, tgid: i % 3 === 0 ? null : r.pid }));
    for (const irqInfo of [true, false]) {
      const parsed = parseFtraceText(toFtraceText(records, { irqInfo }), { keepFlags: false });
      expect(parsed.header.tgid).toBe(true);
      expect(parsed.records).toEqual(records);
    }
  });

  it("round-trips the trace-cmd report layout", () => {
    const records = story();
    const text = toTraceCmdReport(records, { timestamps: "ns" });
    expect(text.startsWith("cpus=2\n")).toBe(true);
    const parsed = parseFtraceText(text);
    expect(parsed.header.layout).toBe("trace-cmd");
    expect(parsed.records).toEqual(records);
  });

  it("keeps unknown events with their raw text", () => {
    const records: KernelTraceRecord[] = [
      { ts: 5_000_000, cpu: 0, comm: "a b-c", pid: 9, event: "sched_stat_runtime", fields: {}, raw: "comm=a b-c pid=9 runtime=1 [ns]" },
    ];
    expect(parseFtraceText(toFtraceText(records, { irqInfo: false })).records).toEqual(records);
  });
});

describe("ftrace text layout", () => {
  it("prints a line exactly as the kernel does", () => {
    const r = normalizeRecord({ ts: 1217_444_335_999, cpu: 0, comm: "udp-tx", pid: 12627, event: "net:netif_receive_skb", fields: { dev: "lo", skbaddr: "0000000077bf269a", len: 92 } });
    const flags = parseIrqFlags("..s1.");
    expect(formatFtraceLine(r, { flags: flags ?? undefined })).toBe(
      "          udp-tx-12627   [000] ..s1.  1217.444335: netif_receive_skb: dev=lo skbaddr=0000000077bf269a len=92",
    );
    expect(formatFtraceLine(r, { irqInfo: false })).toBe(
      "          udp-tx-12627   [000]   1217.444335: netif_receive_skb: dev=lo skbaddr=0000000077bf269a len=92",
    );
  });

  it("pads sched_wakeup's target_cpu to three digits and prints the softirq action", () => {
    const text = toFtraceText(story(), { irqInfo: false });
    expect(text).toContain("sched_wakeup: comm=udp-rx pid=4243 prio=120 target_cpu=001");
    expect(text).toContain("softirq_entry: vec=3 [action=NET_RX]");
    expect(text).toContain("napi_poll: napi poll on napi struct 00000000e98d4212 for device (no_device) work 1 budget 64");
    expect(text).toContain("tracing_mark_write: softnet-lab: go");
  });

  it("fills the softirq action from vec when a model record omits it", () => {
    const r = normalizeRecord({ ts: 1, cpu: 0, comm: "x", pid: 1, event: "irq:softirq_raise", fields: { vec: 3 } });
    expect(r.fields).toEqual({ vec: 3, action: "NET_RX" });
  });

  it("formats timestamps like %5lu.%06lu and %5lu.%09lu", () => {
    expect(formatTimestamp(12_000_001_999, "us")).toBe("   12.000001");
    expect(formatTimestamp(12_000_001_999, "ns")).toBe("   12.000001999");
    expect(formatTimestamp(123_456_789_000_000, "us")).toBe("123456.789000");
  });

  it("derives the hardirq/softirq column from the open sections", () => {
    const records = toUs(story());
    const cols = flagColumns(records).map(formatIrqFlags);
    const at = (event: string, cpu: number): string => cols[records.findIndex((r) => r.event === event && r.cpu === cpu)];
    expect(at("net:netif_receive_skb", 0)).toBe("..s..");
    expect(at("irq:irq_handler_entry", 0)).toBe("d.H.."); // hardirq on top of NET_RX
    expect(at("irq_vectors:call_function_single_entry", 1)).toBe("d.h..");
    expect(at("net:netif_rx", 0)).toBe(".....");
    expect(at("sched:sched_switch", 1)).toBe("d....");
  });

  it("prints the same header as this kernel's trace file", () => {
    const real = fs.readFileSync(new URL("../datasets/traces/lo-udp-same-cpu-paced.trace.txt", import.meta.url), "utf8");
    const realHeader = real.split("\n").slice(0, 12);
    const ours = toFtraceText(toUs(story()), { nrCpus: 2 }).split("\n").slice(0, 12);
    const blankCounts = (l: string): string => l.replace(/\d+\/\d+/, "N/N");
    expect(ours.map(blankCounts)).toEqual(realHeader.map(blankCounts));
  });
});
