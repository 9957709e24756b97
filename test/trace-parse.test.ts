import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseFtraceText, FtraceParseError, eventTableFromAvailableEvents } from "../src/trace/ftrace-parse";
import { listTraceDatasets, loadTraceDataset, validateTraceMeta, TraceDatasetError } from "../src/trace/dataset";
import { TraceRecordError, normalizeRecord } from "../src/trace/validate";

const HEADER = "# tracer: nop\n#\n# entries-in-buffer/entries-written: 3/5   #P:2\n#\n";
const line = (s: string): string => s + "\n";

describe("parsing real ftrace lines", () => {
  it("reads comm, pid, cpu, flags, ns timestamp, qualified event and fields", () => {
    const text = HEADER + line("          udp-tx-12627   [000] D..1.  1217.444330: softirq_raise: vec=3 [action=NET_RX]");
    const { records, header } = parseFtraceText(text);
    expect(records).toEqual([
      {
        ts: 1217_444_330_000, cpu: 0, comm: "udp-tx", pid: 12627, event: "irq:softirq_raise",
        fields: { vec: 3, action: "NET_RX" },
        flags: { irqsOff: "D", needResched: ".", irqContext: ".", preemptDepth: 1, migrateDisable: 0 },
      },
    ]);
    expect(header).toMatchObject({ tracer: "nop", entriesInBuffer: 3, entriesWritten: 5, nrCpus: 2, irqInfo: true });
  });

  it("warns when the buffer lost entries (entries-written > entries-in-buffer)", () => {
    const { warnings } = parseFtraceText(HEADER + line("          a-1   [000] .....   1.000000: softirq_exit: vec=3 [action=NET_RX]"));
    expect(warnings.map((w) => w.message).join()).toMatch(/holds 3 of 5 entries written: 2 were overwritten/);
  });

  it("reads sched_switch with comms holding spaces and dashes", () => {
    const text = line(
      "   Web Content-1-77   [001] d..2.   5.000001: sched_switch: prev_comm=Web Content-1 prev_pid=77 prev_prio=120 prev_state=R+ ==> next_comm=swapper/1 next_pid=0 next_prio=120",
    );
    const [r] = parseFtraceText(text).records;
    expect(r.comm).toBe("Web Content-1");
    expect(r.pid).toBe(77);
    expect(r.fields).toEqual({
      prev_comm: "Web Content-1", prev_pid: 77, prev_prio: 120, prev_state: "R+", next_comm: "swapper/1", next_pid: 0, next_prio: 120,
    });
  });

  it("reads ipi_send_cpu symbols and the four-column flags of older kernels", () => {
    const text = line(
      "            bash-10314   [000] ...1  1056.092370: ipi_send_cpu: cpu=1 callsite=on_each_cpu_cond_mask+0x20/0x60 callback=generic_smp_call_function_single_interrupt+0x0/0x10",
    );
    const [r] = parseFtraceText(text).records;
    expect(r.event).toBe("ipi:ipi_send_cpu");
    expect(r.fields).toEqual({ cpu: 1, callsite: "on_each_cpu_cond_mask+0x20/0x60", callback: "generic_smp_call_function_single_interrupt+0x0/0x10" });
    expect(r.flags).toEqual({ irqsOff: ".", needResched: ".", irqContext: ".", preemptDepth: 1 });
  });

  it("reads counter clocks, LOST EVENTS and buffer-started markers", () => {
    const text =
      "##### CPU 1 buffer started ####\n" +
      line("          <idle>-0       [001] d.h1. 123456789: local_timer_entry: vector=236") +
      "CPU:0 [LOST 17 EVENTS]\n";
    const res = parseFtraceText(text);
    expect(res.records[0].ts).toBe(123456789);
    expect(res.header.timestampDigits).toBe(0);
    expect(res.lost).toEqual([{ line: 3, cpu: 0, events: 17 }]);
    expect(res.bufferStarted).toEqual([{ line: 1, cpu: 1 }]);
  });

  it("keeps unknown events raw and qualifies them from an available_events table", () => {
    const text = line("          x-1   [000] .....   1.000000: sched_stat_runtime: comm=x pid=1 runtime=5 [ns]");
    expect(parseFtraceText(text).records[0]).toMatchObject({ event: "sched_stat_runtime", raw: "comm=x pid=1 runtime=5 [ns]", fields: {} });
    const table = eventTableFromAvailableEvents("sched:sched_stat_runtime\nirq:softirq_entry\n");
    expect(parseFtraceText(text, { eventTable: table }).records[0].event).toBe("sched:sched_stat_runtime");
  });

  it("names the line number and the problem of a malformed line", () => {
    const text = HEADER + line("          a-1   [000] .....   1.000000: softirq_entry: vec=3 [action=NET_RX]") + "garbage here\n";
    expect(() => parseFtraceText(text)).toThrow(FtraceParseError);
    expect(() => parseFtraceText(text)).toThrow(/^line 6: not an ftrace line/);
  });

  it("names the line of a known event whose text has the wrong shape", () => {
    const text = line("          a-1   [000] .....   1.000000: softirq_entry: vector=3");
    expect(() => parseFtraceText(text)).toThrow(/line 1: softirq_entry: text does not match the event's print format 'vec=<u> \[action=<name>\]'/);
  });

  it("rejects bad timestamps and mixed precisions by line", () => {
    expect(() => parseFtraceText(line("  a-1   [000] .....   1.0001: x: y"))).toThrow(/line 1: timestamp has 4 decimals/);
    const mixed = line("  a-1   [000] .....   1.000001: x: y") + line("  a-1   [000] .....   1.000000002: x: y");
    expect(() => parseFtraceText(mixed)).toThrow(/line 2: timestamp has 9 decimals but earlier lines have 6/);
  });

  it("collects malformed lines as warnings when asked, and keeps the good ones", () => {
    const text = line("bad") + line("          a-1   [000] .....   1.000000: softirq_exit: vec=3 [action=NET_RX]") + line("worse");
    const res = parseFtraceText(text, { onError: "collect" });
    expect(res.records).toHaveLength(1);
    expect(res.warnings.map((w) => w.line)).toEqual([1, 3]);
  });
});

describe("record validation", () => {
  it("names the field and the allowed ones", () => {
    expect(() => normalizeRecord({ ts: 1, cpu: 0, comm: "x", pid: 1, event: "net:netif_rx", fields: { name: "lo", skbaddr: "0", len: 1 } })).toThrow(
      /unknown field 'name'; allowed: dev, skbaddr, len/,
    );
    expect(() => normalizeRecord({ ts: 1, cpu: 0, comm: "x", pid: 1, event: "napi:napi_poll", fields: { napi: "0", dev_name: "lo", work: 1 } })).toThrow(
      /missing field 'budget'/,
    );
    expect(() => normalizeRecord({ ts: -5, cpu: 0, comm: "x", pid: 1, event: "net:netif_rx", fields: {} })).toThrow(TraceRecordError);
    expect(() => normalizeRecord({ ts: 1, cpu: 0, comm: "x", pid: 1, event: "net:netif_rx", fields: { dev: "lo", skbaddr: "0", len: "many" } })).toThrow(
      /field 'len' must be an integer, got "many"/,
    );
  });
});

describe("the committed real captures", () => {
  const names = listTraceDatasets();

  it("exist, are small and carry metadata", () => {
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const n of names) {
      const ds = loadTraceDataset(n);
      expect(ds.meta.bytes).toBeLessThan(300 * 1024);
      expect(ds.meta.workload.destination).toBe("127.0.0.1");
      expect(ds.meta.machine.kernel_release).toMatch(/^\d+\.\d+/);
    }
  });

  it.each(names)("%s parses completely: no warnings, every line a record", (name) => {
    const ds = loadTraceDataset(name);
    expect(ds.parsed.warnings).toEqual([]);
    expect(ds.parsed.lost).toEqual([]);
    expect(ds.parsed.header).toMatchObject({ tracer: "nop", irqInfo: true, timestampDigits: 6, nrCpus: 2 });
    const dataLines = ds.text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(ds.records).toHaveLength(dataLines.length);
    expect(ds.parsed.header.entriesInBuffer).toBe(ds.records.length);
    // Every event is one the catalog knows, so every record has parsed fields.
    expect(ds.records.filter((r) => r.raw !== undefined)).toEqual([]);
    // Timestamps never go back in the merged order the kernel prints.
    expect(ds.records.every((r, i) => i === 0 || r.ts >= ds.records[i - 1].ts)).toBe(true);
  });
});

describe("trace dataset loader", () => {
  const good = (): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join("datasets", "traces", `${listTraceDatasets()[0]}.meta.json`), "utf8"));

  it("accepts the committed metadata and names a bad field", () => {
    expect(() => validateTraceMeta(good())).not.toThrow();
    const bad = good();
    (bad.workload as Record<string, unknown>).packets = "sixty";
    expect(() => validateTraceMeta(bad, "x.meta.json")).toThrow(/x.meta.json: field 'workload.packets' must be number, got string/);
    const missing = good();
    delete (missing.machine as Record<string, unknown>).cpu_model;
    expect(() => validateTraceMeta(missing)).toThrow(/field 'machine.cpu_model' must be string, got nothing/);
  });

  it("refuses a trace whose text does not match its sha256", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "softnet-trace-ds-"));
    try {
      const meta = good();
      const name = String(meta.name);
      fs.writeFileSync(path.join(dir, `${name}.meta.json`), JSON.stringify(meta));
      const text = fs.readFileSync(path.join("datasets", "traces", String(meta.file)), "utf8");
      fs.writeFileSync(path.join(dir, String(meta.file)), text.replace("vec=3 [action=NET_RX]", "vec=4 [action=NET_RX]"));
      expect(() => loadTraceDataset(name, dir)).toThrow(TraceDatasetError);
      expect(() => loadTraceDataset(name, dir)).toThrow(/sha256 .* differs/);
      expect(() => loadTraceDataset("nope", dir)).toThrow(/no trace 'nope'.*available: /);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});
