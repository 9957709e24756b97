import { describe, expect, it } from "vitest";
import { simulate, resolveConfig } from "../src/index";
import { normalizeRecords } from "../src/trace/validate";
import { toFtraceText } from "../src/trace/ftrace-text";
import { parseFtraceText } from "../src/trace/ftrace-parse";
import { traceOrder } from "../src/trace/record";
import { taskName } from "../src/trace/record";
import { implicitSwitches, recordContexts } from "../src/trace/context";
import { rebuildSpans, spanContext } from "../src/trace/spans";
import { busyByContext, summarize } from "../src/trace/analyze";
import { toChromeTrace } from "../src/trace/chrome-trace";

const SCENARIOS = ["loopback-stream", "loopback-stream-rps", "loopback-pingpong", "ksoftirqd-2016"];
const run = (scenario: string) => simulate(resolveConfig({ trace: "true", duration_ms: "1" }, { scenario })).trace!;

describe.each(SCENARIOS)("the model's trace of %s", (scenario) => {
  const trace = run(scenario);

  it("uses only events and fields of the catalog, and survives ftrace text exactly", () => {
    const records = normalizeRecords(trace.records); // throws on any unknown field or missing one
    const back = parseFtraceText(toFtraceText(records, { timestamps: "ns" }), { keepFlags: false }).records;
    expect(back).toEqual(traceOrder(records));
    const strip = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
    expect(strip(summarize(back))).toEqual(strip(summarize(trace.records)));
  });

  it("never shows a task running that no sched_switch switched in", () => {
    expect(implicitSwitches(trace.records)).toEqual([]);
  });

  it("puts every netif_receive_skb in the context the model's own spans show", () => {
    const ctxs = recordContexts(trace.records);
    const mismatches = trace.records.filter((r, i) => {
      if (r.event !== "net:netif_receive_skb") return false;
      const mine = spanContext(ctxs[i].ctx, taskName(r.comm, r.pid, r.cpu), r.pid);
      return !trace.spans.some((s) => s.cpu === r.cpu && s.start <= r.ts && r.ts <= s.end && s.ctx === mine);
    });
    expect(mismatches).toEqual([]);
  });

  it("rebuilds the same hardirq and ksoftirqd time from the records as the model's spans hold", () => {
    const model = busyByContext(trace.spans);
    const rebuilt = busyByContext(rebuildSpans(trace.records, { start: 0, end: trace.end_ns }).spans);
    for (const cpu of Object.keys(model).map(Number)) {
      expect([cpu, rebuilt[cpu]?.hardirq ?? 0, rebuilt[cpu]?.ksoftirqd ?? 0]).toEqual([cpu, model[cpu].hardirq, model[cpu].ksoftirqd]);
    }
  });

  it("exports the model's own spans to Chrome JSON", () => {
    const json = toChromeTrace(trace.records, { spans: trace.spans });
    expect(json.traceEvents.filter((e) => e.ph === "X")).toHaveLength(trace.spans.length);
  });
});
