import { describe, expect, it } from "vitest";
import {
  busyByContext, distribution, enqueueToReceive, ipisPerPacket, napiPolls, packetsPerNetRxRun,
  raiseToEntry, receiveWhere, summarize, switchesPerPacket, wakeupLatency,
} from "../src/trace/analyze";
import { spansFromRecords } from "../src/trace/spans";
import { parseCpuList } from "../src/trace/events";
import { listTraceDatasets, loadTraceDataset } from "../src/trace/dataset";
import { parseFtraceText } from "../src/trace/ftrace-parse";
import { toFtraceText } from "../src/trace/ftrace-text";
import type { KernelTraceRecord } from "../src/trace/record";
import { packetStory } from "./trace-fixtures";

describe("analyses on a known story", () => {
  const rs = packetStory();

  it("find where netif_receive_skb ran", () => {
    expect(receiveWhere(rs)).toEqual({ packets: 1, perCpu: { 0: 1 }, perTask: { "udp-tx": 1 }, perContext: { softirq: 1 } });
    expect(receiveWhere(rs, { dev: "eth0" }).packets).toBe(0);
  });

  it("count packets per NET_RX run and per NAPI poll", () => {
    expect(packetsPerNetRxRun(rs)).toEqual({
      runs: 1, runsWithPackets: 1, packets: 1, histogram: { 1: 1 }, mean: 1, max: 1, byContext: { softirq: 1 },
    });
    expect(napiPolls(rs)).toEqual({ polls: 1, histogram: { 1: 1 }, work: 1, mean: 1, fullBudget: 0, perDevice: { "(no_device)": 1 } });
  });

  it("count IPIs (a cpumask send counts once per CPU) and switches per packet", () => {
    expect(ipisPerPacket(rs)).toEqual({
      ipis: 2, packets: 1, perPacket: 2, byCallsite: { ttwu_queue_wakelist: 1, on_each_cpu_cond_mask: 1 }, byTargetCpu: { 1: 2 },
    });
    expect(parseCpuList("0-2,5")).toEqual([0, 1, 2, 5]);
    expect(switchesPerPacket(rs)).toEqual({
      switches: 3, packets: 1, perPacket: 3, involuntary: 1, taskToTask: 0, perCpu: { 0: 1, 1: 2 }, missingFromTrace: 0,
    });
  });

  it("measure raise → entry, netif_rx → netif_receive_skb and wakeup → run", () => {
    const net = raiseToEntry(rs);
    expect(net.delay).toMatchObject({ count: 1, min: 750, max: 750 });
    expect(net.raisedIn).toEqual({ task: 1 });
    expect(raiseToEntry(rs, 1).delay).toMatchObject({ count: 1, min: 600 });
    expect(raiseToEntry(rs, 1).raisedIn).toEqual({ hardirq: 1 });
    expect(enqueueToReceive(rs)).toEqual({ delay: expect.objectContaining({ count: 1, p50: 2000 }), crossCpu: 0, unmatched: 0 });
    expect(wakeupLatency(rs)).toMatchObject({ delay: { count: 1, max: 800 }, neverRan: 0 });
  });

  it("a raise while pending does not restart the clock; entries without a raise are counted", () => {
    const r = (ts: number, event: string): KernelTraceRecord => ({ ts, cpu: 0, comm: "a", pid: 1, event, fields: { vec: 3, action: "NET_RX" } });
    const res = raiseToEntry([r(0, "irq:softirq_entry"), r(5, "irq:softirq_exit"), r(10, "irq:softirq_raise"), r(20, "irq:softirq_raise"), r(50, "irq:softirq_entry")]);
    expect(res.entriesWithoutRaise).toBe(1);
    expect(res.delay).toMatchObject({ count: 1, min: 40 });
  });

  it("notice a task that runs without a recorded switch-in, and leave its wakeup delay out", () => {
    const idle = { comm: "<idle>", pid: 0 };
    const rx = { comm: "udp-rx", pid: 7 };
    const r = (ts: number, who: { comm: string; pid: number }, event: string, fields: KernelTraceRecord["fields"]): KernelTraceRecord => ({
      ts, cpu: 1, comm: who.comm, pid: who.pid, event, fields,
    });
    const lost = [
      r(0, idle, "sched:sched_wakeup", { comm: "udp-rx", pid: 7, prio: 120, target_cpu: 1 }),
      // the switch swapper/1 → udp-rx is missing, as on the VM of datasets/traces
      r(50, rx, "sched:sched_switch", { prev_comm: "udp-rx", prev_pid: 7, prev_prio: 120, prev_state: "S", next_comm: "swapper/1", next_pid: 0, next_prio: 120 }),
    ];
    expect(wakeupLatency(lost)).toMatchObject({ delay: { count: 0 }, neverRan: 0, switchInMissing: 1 });
    expect(switchesPerPacket(lost)).toMatchObject({ switches: 1, missingFromTrace: 1 });
    const spans = spansFromRecords(lost);
    expect(spans.map((s) => [s.task, s.start, s.end])).toEqual([["udp-rx", 0, 50], ["swapper/1", 0, 0], ["swapper/1", 50, 50]]);
  });

  it("add up busy time per context from spans", () => {
    const busy = busyByContext(spansFromRecords(rs));
    expect(busy[0]).toEqual({ task: 14_500, softirq: 3_250, hardirq: 550, ksoftirqd: 0, backlog_thread: 0, idle: 1_700 });
    expect(busy[1]).toEqual({ task: 3_000, softirq: 1_500, hardirq: 1_250, ksoftirqd: 0, backlog_thread: 0, idle: 14_250 });
  });

  it("take nearest-rank percentiles", () => {
    expect(distribution([5, 1, 4, 2, 3])).toEqual({ samples: [1, 2, 3, 4, 5], count: 5, min: 1, mean: 3, p50: 3, p90: 5, p99: 5, max: 5 });
    expect(distribution([]).count).toBe(0);
  });

  it("give the same answers on records that went through the ftrace text", () => {
    const reparsed = parseFtraceText(toFtraceText(rs, { timestamps: "ns" })).records;
    const strip = (s: ReturnType<typeof summarize>): unknown => JSON.parse(JSON.stringify(s));
    expect(strip(summarize(reparsed))).toEqual(strip(summarize(rs)));
  });
});

describe("analyses on the committed real captures", () => {
  it.each(listTraceDatasets())("%s: sane counts", (name) => {
    const { records, meta } = loadTraceDataset(name);
    const s = summarize(records, { dev: "lo" });
    const w = meta.workload;
    // Our datagrams, plus any other loopback traffic that happened during the capture.
    expect(s.packets).toBeGreaterThanOrEqual(w.packets);
    // Every received packet has a CPU; with RPS off loopback receives on the sending CPU, in its softirq.
    expect(Object.values(s.receive.perCpu).reduce((a, b) => a + b, 0)).toBe(s.packets);
    expect(s.receive.perCpu[w.sender_cpu]).toBe(s.packets);
    expect(s.receive.perContext.softirq).toBe(s.packets);
    // NET_RX runs exist and together hold every packet; the backlog NAPI polls them (no_device).
    expect(s.netRxRuns.runs).toBeGreaterThan(0);
    expect(s.netRxRuns.packets).toBe(s.packets);
    expect(s.napi.perDevice["(no_device)"]).toBeGreaterThan(0);
    expect(s.napi.work).toBe(s.packets);
    // Every packet went through the backlog on the same CPU.
    expect(s.enqueueToReceive.delay.count).toBe(s.packets);
    expect(s.enqueueToReceive.crossCpu).toBe(0);
    expect(s.raiseToEntry.delay.count).toBeGreaterThan(0);
    expect(s.raiseToEntry.delay.min).toBeGreaterThanOrEqual(0);
    expect(s.switches.switches).toBeGreaterThan(0);
  });

  it("paced sends wake a receiver on the other CPU by IPI for most packets, and almost never on the same CPU", () => {
    const other = summarize(loadTraceDataset("lo-udp-other-cpu-paced").records, { dev: "lo" });
    const same = summarize(loadTraceDataset("lo-udp-same-cpu-paced").records, { dev: "lo" });
    expect(other.ipis.byCallsite.ttwu_queue_wakelist ?? 0).toBeGreaterThan(0.5 * other.packets);
    expect(same.ipis.byTargetCpu[1] ?? 0).toBeLessThan(other.ipis.byTargetCpu[1] ?? 0);
  });

  it("loopback runs NET_RX inside every sendto(): one packet per run, even in a burst", () => {
    const burst = summarize(loadTraceDataset("lo-udp-same-cpu-burst").records, { dev: "lo" });
    const paced = summarize(loadTraceDataset("lo-udp-same-cpu-paced").records, { dev: "lo" });
    // Loopback sends run NET_RX inside each sendto(), so even a burst gets one packet per run.
    expect(burst.netRxRuns.max).toBe(1);
    expect(paced.netRxRuns.max).toBe(1);
    // Back to back, the receiver sleeps through most of the burst: far fewer switches per packet.
    expect(burst.switches.perPacket).toBeLessThan(paced.switches.perPacket);
  });
});
