import { describe, expect, it } from "vitest";
import type { Span } from "../src/observe/types";
import { rebuildSpans, flattenSpans, spansFromRecords } from "../src/trace/spans";
import { listTraceDatasets, loadTraceDataset } from "../src/trace/dataset";
import type { KernelTraceRecord } from "../src/trace/record";
import { packetStory } from "./trace-fixtures";

const B = 1_000_000_000_123;
const span = (cpu: number, start: number, end: number, ctx: Span["ctx"], task: string, fn: string): Span => ({
  cpu, start: B + start, end: B + end, ctx, task, fn,
});

/**
 * Within each CPU, two spans are either disjoint or one contains the other: sorted by start (longer
 * first), any span starting inside span i must also end inside it.
 */
function checkNesting(spans: readonly Span[]): string[] {
  const problems: string[] = [];
  for (const cpu of new Set(spans.map((s) => s.cpu))) {
    const list = spans.filter((s) => s.cpu === cpu).sort((a, b) => a.start - b.start || b.end - a.end);
    list.forEach((a, i) => {
      if (a.end < a.start) problems.push(`cpu ${cpu}: ${a.fn} ends before it starts`);
      for (let j = i + 1; j < list.length && list[j].start < a.end; j++) {
        const b = list[j];
        if (b.end > a.end) problems.push(`cpu ${cpu}: ${b.fn} [${b.start},${b.end}] overlaps ${a.fn} [${a.start},${a.end}]`);
      }
    });
  }
  return problems;
}

describe("spans rebuilt from records", () => {
  it("nest task, softirq and hardirq time exactly as the records say", () => {
    const { spans, warnings } = rebuildSpans(packetStory());
    expect(warnings).toEqual([]);
    expect(spans).toEqual([
      span(0, 0, 18_000, "task", "udp-tx", "(task)"),
      span(0, 12_000, 15_500, "softirq", "udp-tx", "net_rx_action"),
      span(0, 12_500, 12_750, "hardirq", "udp-tx", "virtio0-input.0"),
      span(0, 18_000, 20_000, "idle", "swapper/0", "do_idle"),
      span(0, 19_000, 19_200, "hardirq", "swapper/0", "sysvec_reschedule_ipi"),
      span(0, 19_300, 19_400, "hardirq", "swapper/0", "sysvec_irq_work"),
      span(1, 0, 17_000, "idle", "swapper/1", "do_idle"),
      span(1, 0, 900, "hardirq", "swapper/1", "sysvec_apic_timer_interrupt"),
      span(1, 1_000, 2_500, "softirq", "swapper/1", "run_timer_softirq"),
      span(1, 16_000, 16_300, "hardirq", "swapper/1", "sysvec_call_function_single"),
      span(1, 16_400, 16_450, "hardirq", "swapper/1", "sysvec_call_function"),
      span(1, 17_000, 20_000, "task", "udp-rx", "(task)"),
      span(1, 20_000, 20_000, "idle", "swapper/1", "do_idle"),
    ]);
    expect(checkNesting(spans)).toEqual([]);
    expect(checkNesting([span(0, 0, 10, "task", "a", "x"), span(0, 5, 15, "softirq", "a", "y")])).toHaveLength(1);
  });

  it("flatten into segments that tile each lane without overlap", () => {
    const flat = flattenSpans(spansFromRecords(packetStory()));
    for (const cpu of [0, 1]) {
      const lane = flat.filter((s) => s.cpu === cpu);
      lane.forEach((s, i) => i > 0 && expect(s.start).toBe(lane[i - 1].end));
      expect(lane[0].start).toBe(B);
      expect(lane[lane.length - 1].end).toBe(B + 20_000);
    }
    const cpu0 = flat.filter((s) => s.cpu === 0).map((s) => [s.ctx, s.end - s.start]);
    expect(cpu0).toEqual([
      ["task", 12_000], ["softirq", 500], ["hardirq", 250], ["softirq", 2_750], ["task", 2_500],
      ["idle", 1_000], ["hardirq", 200], ["idle", 100], ["hardirq", 100], ["idle", 600],
    ]);
  });

  it("name softirq work by who runs it: ksoftirqd/N, backlog_napi/N or a task", () => {
    const ks = { comm: "ksoftirqd/1", pid: 22 };
    const bl = { comm: "backlog_napi/1", pid: 23 };
    const rec = (ts: number, who: { comm: string; pid: number }, event: string, fields: KernelTraceRecord["fields"]): KernelTraceRecord => ({
      ts, cpu: 1, comm: who.comm, pid: who.pid, event, fields,
    });
    const sw = (ts: number, from: { comm: string; pid: number }, to: { comm: string; pid: number }): KernelTraceRecord =>
      rec(ts, from, "sched:sched_switch", {
        prev_comm: from.comm, prev_pid: from.pid, prev_prio: 120, prev_state: "S", next_comm: to.comm, next_pid: to.pid, next_prio: 120,
      });
    const spans = spansFromRecords([
      rec(0, ks, "irq:softirq_entry", { vec: 3, action: "NET_RX" }),
      rec(10, ks, "irq:softirq_exit", { vec: 3, action: "NET_RX" }),
      sw(20, ks, bl),
      rec(30, bl, "irq:softirq_entry", { vec: 1, action: "TIMER" }),
      rec(40, bl, "irq:softirq_exit", { vec: 1, action: "TIMER" }),
      sw(50, bl, ks),
    ]);
    expect(spans.map((s) => [s.ctx, s.task, s.fn, s.start, s.end])).toEqual([
      ["ksoftirqd", "ksoftirqd/1", "run_ksoftirqd", 0, 20],
      ["ksoftirqd", "ksoftirqd/1", "net_rx_action", 0, 10],
      ["backlog_thread", "backlog_napi/1", "run_backlog_napi", 20, 50],
      ["backlog_thread", "backlog_napi/1", "run_timer_softirq", 30, 40],
      ["ksoftirqd", "ksoftirqd/1", "run_ksoftirqd", 50, 50],
    ]);
  });

  it("open an exit without entry at its parent's start, and close what is open at the end", () => {
    const r = (ts: number, event: string, fields: KernelTraceRecord["fields"]): KernelTraceRecord => ({ ts, cpu: 0, comm: "a", pid: 5, event, fields });
    const { spans, warnings } = rebuildSpans([
      r(100, "irq:softirq_exit", { vec: 3, action: "NET_RX" }),
      r(200, "irq_vectors:local_timer_entry", { vector: 236 }),
      r(300, "net:netif_rx", { dev: "lo", skbaddr: "0", len: 1 }),
    ]);
    expect(spans.map((s) => [s.ctx, s.fn, s.start, s.end])).toEqual([
      ["task", "(task)", 100, 300],
      ["softirq", "net_rx_action", 100, 100],
      ["hardirq", "sysvec_apic_timer_interrupt", 200, 300],
    ]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/softirq exit \(net_rx_action\) at t=100 without entry/);
    expect(warnings[1]).toMatch(/hardirq section sysvec_apic_timer_interrupt open at the end of the trace/);
  });

  it.each(listTraceDatasets())("on the real capture %s: nested, no partial overlaps, lanes tiled", (name) => {
    const { records } = loadTraceDataset(name);
    const { spans } = rebuildSpans(records);
    expect(checkNesting(spans)).toEqual([]);
    const first = records[0].ts;
    const last = records[records.length - 1].ts;
    for (const cpu of [0, 1]) {
      const lane = flattenSpans(spans).filter((s) => s.cpu === cpu);
      expect(lane.reduce((sum, s) => sum + (s.end - s.start), 0)).toBe(last - first);
    }
    // The receiver's time shows on its CPU even where the trace lost its switch-in.
    const w = loadTraceDataset(name).meta.workload;
    expect(spans.filter((s) => s.task === "udp-rx" && s.cpu === w.receiver_cpu).length).toBeGreaterThan(0);
    // The NET_RX work of RPS-off loopback runs in the sender's softirq on CPU 0.
    const netRx = spans.filter((s) => s.fn === "net_rx_action");
    expect(netRx.length).toBeGreaterThan(0);
    expect(netRx.every((s) => s.cpu === 0 && s.ctx === "softirq")).toBe(true);
  });
});
