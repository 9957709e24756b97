import { describe, expect, it } from "vitest";
import { toChromeTrace, cpuTid, type ChromeTrace } from "../src/trace/chrome-trace";
import { listTraceDatasets, loadTraceDataset } from "../src/trace/dataset";
import { spansFromRecords } from "../src/trace/spans";
import { packetStory } from "./trace-fixtures";

/**
 * Structure checks from the Trace Event Format document (JSON Object Format; events X, i, s, f, M):
 * required keys and types per phase, µs timestamps, instant scope g/p/t, flow ids paired start →
 * finish with the finish not before the start, metadata names, and complete events on one thread
 * nesting properly (the importers require it for slices on a thread).
 */
function validateChromeTrace(json: unknown): string[] {
  const errors: string[] = [];
  const t = json as ChromeTrace;
  if (typeof t !== "object" || t === null || !Array.isArray(t.traceEvents)) return ["traceEvents must be an array"];
  if (t.displayTimeUnit !== undefined && t.displayTimeUnit !== "ms" && t.displayTimeUnit !== "ns") errors.push("displayTimeUnit must be ms or ns");
  const flows = new Map<string, { s?: number; f?: number }>();
  const slices = new Map<string, { ts: number; end: number; name: string }[]>();
  t.traceEvents.forEach((e: Record<string, unknown>, i) => {
    const where = `event ${i} (${String(e.ph)} ${String(e.name)})`;
    const num = (k: string): boolean => typeof e[k] === "number" && Number.isFinite(e[k] as number);
    if (typeof e.name !== "string" || e.name === "") errors.push(`${where}: name must be a non-empty string`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) errors.push(`${where}: pid and tid must be integers`);
    switch (e.ph) {
      case "X":
        if (!num("ts") || !num("dur") || (e.dur as number) < 0) errors.push(`${where}: X needs numeric ts and dur >= 0`);
        if (typeof e.cat !== "string") errors.push(`${where}: cat must be a string`);
        if (typeof e.args !== "object") errors.push(`${where}: args must be an object`);
        {
          const key = `${e.pid}/${e.tid}`;
          slices.set(key, [...(slices.get(key) ?? []), { ts: e.ts as number, end: (e.ts as number) + (e.dur as number), name: String(e.name) }]);
        }
        break;
      case "i":
        if (!num("ts")) errors.push(`${where}: i needs a numeric ts`);
        if (!["g", "p", "t"].includes(String(e.s))) errors.push(`${where}: instant scope s must be g, p or t`);
        break;
      case "s":
      case "f": {
        if (!num("ts")) errors.push(`${where}: flow needs a numeric ts`);
        if (e.id === undefined || typeof e.cat !== "string") errors.push(`${where}: flow needs id and cat`);
        if (e.ph === "f" && e.bp !== undefined && e.bp !== "e") errors.push(`${where}: bp must be "e"`);
        const key = `${String(e.cat)}/${String(e.name)}/${String(e.id)}`;
        const f = flows.get(key) ?? {};
        if (f[e.ph] !== undefined) errors.push(`${where}: flow ${key} has two '${e.ph}' events`);
        f[e.ph] = e.ts as number;
        flows.set(key, f);
        break;
      }
      case "M":
        if (!["process_name", "thread_name", "thread_sort_index", "process_sort_index"].includes(String(e.name))) {
          errors.push(`${where}: unknown metadata name`);
        }
        if (typeof e.args !== "object" || e.args === null) errors.push(`${where}: metadata needs args`);
        break;
      default:
        errors.push(`${where}: phase ${String(e.ph)} not produced by this exporter`);
    }
  });
  for (const [key, f] of flows) {
    if (f.s === undefined || f.f === undefined) errors.push(`flow ${key} is not paired`);
    else if (f.f < f.s) errors.push(`flow ${key} finishes before it starts`);
  }
  for (const [thread, list] of slices) {
    list.sort((a, b) => a.ts - b.ts || b.end - a.end);
    list.forEach((a, i) => {
      for (let j = i + 1; j < list.length && list[j].ts < a.end; j++) {
        if (list[j].end > a.end + 1e-9) errors.push(`thread ${thread}: slice ${list[j].name} overlaps ${a.name} without nesting`);
      }
    });
  }
  return errors;
}

/** Events as plain objects, to read fields of any phase. */
const events = (t: ChromeTrace): Record<string, unknown>[] => t.traceEvents as unknown as Record<string, unknown>[];

describe("Chrome Trace Event JSON", () => {
  it("has one named track per CPU, spans as X events with fn/task/ctx args, instants and flows", () => {
    const json = toChromeTrace(packetStory(), { title: "story", metadata: { kernel: "test" } });
    expect(validateChromeTrace(JSON.parse(JSON.stringify(json)))).toEqual([]);
    const ev = events(json);
    expect(ev.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => (e.args as { name: string }).name)).toEqual(["CPU 0", "CPU 1"]);
    expect(ev.find((e) => e.ph === "M" && e.name === "process_name")?.args).toEqual({ name: "story" });
    const softirq = ev.find((e) => e.ph === "X" && e.name === "net_rx_action");
    expect(softirq).toMatchObject({ cat: "softirq", tid: cpuTid(0), ts: 1_000_000_012.123, dur: 3.5, args: { fn: "net_rx_action", task: "udp-tx", ctx: "softirq" } });
    expect(ev.filter((e) => e.ph === "X")).toHaveLength(spansFromRecords(packetStory()).length);
    expect(ev.some((e) => e.ph === "i" && e.name === "netif_receive_skb lo len=92")).toBe(true);
    expect(json.displayTimeUnit).toBe("ns");
    expect(json.otherData).toMatchObject({ kernel: "test" });
  });

  it("draws the IPI from its sender to the call-function handler it triggered, and the packet from enqueue to receive", () => {
    const ev = events(toChromeTrace(packetStory()));
    const ipi = ev.filter((e) => e.ph === "s" || e.ph === "f").filter((e) => e.cat === "ipi");
    // ipi_send_cpu at 14 µs on CPU 0 → sysvec_call_function_single [16.0, 16.3] µs on CPU 1, bound inside it.
    // The ipi_send_cpumask at 14.1 µs binds to the next unused IPI handler, sysvec_call_function [16.4, 16.45].
    expect(ipi).toEqual([
      { ph: "s", name: "ipi", cat: "ipi", pid: 1, tid: cpuTid(0), ts: 1_000_000_014.123, id: 2 },
      { ph: "f", name: "ipi", cat: "ipi", pid: 1, tid: cpuTid(1), ts: 1_000_000_016.273, id: 2, bp: "e" },
      { ph: "s", name: "ipi", cat: "ipi", pid: 1, tid: cpuTid(0), ts: 1_000_000_014.223, id: 3 },
      { ph: "f", name: "ipi", cat: "ipi", pid: 1, tid: cpuTid(1), ts: 1_000_000_016.548, id: 3, bp: "e" },
    ]);
    const pkt = ev.filter((e) => (e.ph === "s" || e.ph === "f") && e.cat === "net");
    expect(pkt.map((e) => [e.ph, e.tid, e.ts])).toEqual([["s", cpuTid(0), 1_000_000_011.123], ["f", cpuTid(0), 1_000_000_013.123]]);
  });

  it("can shift the clock to start at zero and leave flows out", () => {
    const json = toChromeTrace(packetStory(), { origin: 1_000_000_000_123, flows: false });
    expect(json.traceEvents.some((e) => e.ph === "s")).toBe(false);
    expect(Math.min(...events(json).filter((e) => e.ph === "X").map((e) => Number(e.ts)))).toBe(0);
  });

  it("the validator catches a broken trace", () => {
    const bad = {
      traceEvents: [
        { ph: "X", name: "a", cat: "c", pid: 1, tid: 1, ts: 0, dur: 10, args: {} },
        { ph: "X", name: "b", cat: "c", pid: 1, tid: 1, ts: 5, dur: 10, args: {} },
        { ph: "s", name: "f", cat: "c", pid: 1, tid: 1, ts: 3, id: 9 },
        { ph: "i", name: "x", pid: 1, tid: 1, ts: 1, s: "q" },
      ],
    };
    expect(validateChromeTrace(bad)).toEqual([
      "event 3 (i x): instant scope s must be g, p or t",
      "flow c/f/9 is not paired",
      "thread 1/1: slice b overlaps a without nesting",
    ]);
  });

  it.each(listTraceDatasets())("the real capture %s exports to a valid trace", (name) => {
    const { records, meta } = loadTraceDataset(name);
    const json = toChromeTrace(records, { title: meta.description, metadata: { kernel: meta.machine.kernel_release } });
    expect(validateChromeTrace(JSON.parse(JSON.stringify(json)))).toEqual([]);
    const flows = events(json).filter((e) => e.ph === "s" && e.cat === "net");
    expect(flows.length).toBe(meta.workload.packets);
  });
});
