/**
 * The per-CPU backlog (net/core/dev.c, v6.8): enqueue_to_backlog and its drop rule, the one kick
 * per batch of napi_schedule_rps, process_backlog's quota, net_rx_action's budget and time limit,
 * and the RPS IPIs. The enqueue side is driven by calling netif_rx() directly on a quiet machine,
 * so every state change can be compared exactly; the consume side by small traced workloads.
 * The rules are the kernel's (net/core/dev.c at v6.10: enqueue_to_backlog, napi_schedule_rps, net_rx_action, process_backlog).
 */
import { describe, expect, it } from "vitest";
import { netif_rx, NAPI_STATE_SCHED, type SoftnetData } from "../src/kernel/dev";
import type { Machine } from "../src/kernel/machine";
import { udpTruesize } from "../src/kernel/packet";
import { NET_RX_SOFTIRQ } from "../src/kernel/softirq";
import { UdpSocket } from "../src/kernel/udp";
import type { TraceRecord } from "../src/observe/types";
import { recs, shortTrace, simulation, traced, type Overrides } from "./helpers/model";

const NET_RX = 1 << NET_RX_SOFTIRQ;

/** A machine with no workload and one socket, time still at 0: packets are handed in by hand. */
function quiet(over: Overrides = {}): Machine {
  const m = simulation({ workload: "none", ...over }).machine;
  m.sockets.push(new UdpSocket(0, m.cfg.rcvbuf_bytes, 5001));
  return m;
}

/** netif_rx() of one 64-byte datagram for socket 0 on `cpu`, as a driver or loopback_xmit would. */
function inject(m: Machine, cpu: number): boolean {
  const pkt = m.pool.alloc(0, 64, udpTruesize(64), m.sim.now);
  m.sent++;
  return netif_rx(m, m.cpus[cpu]!, pkt);
}

/** The backlog's visible state: queue lengths, NAPI_STATE_SCHED, on the poll list. */
function state(sd: SoftnetData) {
  return { input: sd.input_pkt_queue.length, process: sd.process_queue.length, sched: (sd.backlogState & NAPI_STATE_SCHED) !== 0, polled: sd.backlogOnPollList };
}

/**
 * CPU 0's records from the first device interrupt on, as many as `expected` lists, without the
 * scheduler and IPI records (the reader's wakeup on CPU 1) and, unless `perPacket`, without the
 * per-packet netif_rx / netif_receive_skb.
 */
function firstBurst(records: TraceRecord[], expected: string[], perPacket = true): string[] {
  const skip: TraceRecord["event"][] = ["sched:sched_switch", "sched:sched_wakeup", "ipi:ipi_send_cpu"];
  if (!perPacket) skip.push("net:netif_rx", "net:netif_receive_skb");
  const t = shortTrace(records, 0, skip);
  const from = t.indexOf("irq_entry:nic");
  return t.slice(from, from + expected.length);
}

/** A nic-rx run on CPU 0 (receiver on CPU 1) with one interrupt of `batch` packets at 1 us. */
const oneBurst = (batch: number, over: Overrides = {}): Overrides => ({
  workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, nic_batch: batch, rate_pps: 1000, duration_ms: 2, ...over,
});

describe("enqueue_to_backlog: the netdev_max_backlog drop rule", () => {
  it.each([0, 1, 10])("with netdev_max_backlog = %i, max + 1 packets fit in input_pkt_queue and the next two are dropped", (max) => {
    const m = quiet({ netdev_max_backlog: max });
    const accepted = Array.from({ length: max + 3 }, () => inject(m, 0));
    expect(accepted).toEqual([...Array<boolean>(max + 1).fill(true), false, false]);
    expect(state(m.sd[0]!)).toEqual({ input: max + 1, process: 0, sched: true, polled: true });
    expect([m.sd[0]!.dropped, m.dropBacklog]).toEqual([2, 2]);
    m.checkInvariants();
  });

  it("counts the drop in softnet_stat of the TARGET CPU (RPS), and in packets.dropped.backlog", () => {
    const m = quiet({ cpus: 3, rps_cpus: "4", netdev_max_backlog: 4 });
    for (let i = 0; i < 8; i++) inject(m, 0);
    expect(m.sd.map((sd) => [sd.input_pkt_queue.length, sd.dropped])).toEqual([[0, 0], [0, 0], [5, 3]]);
    expect(m.dropBacklog).toBe(3);

    // the same through a whole run: one interrupt of 12 packets steered to CPU 1, limit 10
    const r = traced(oneBurst(12, { rps_cpus: "2", netdev_max_backlog: 10 })).r;
    expect(r.per_cpu.map((c) => c.softnet.dropped)).toEqual([0, 1]);
    expect(r.packets.dropped.backlog).toBe(1);
    expect(r.per_cpu[1]!.softnet.processed).toBe(11);
    expect(r.packets.delivered).toBe(11);
  });

  it("does not count process_queue: while CPU 1 works through a spliced batch, input_pkt_queue again takes max + 1", () => {
    // 12-packet interrupts every 10 us into CPU 1's backlog, limit 10: CPU 1 needs ~9 us per batch
    const s = simulation({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rps_cpus: "2", nic_batch: 12, netdev_max_backlog: 10, rate_pps: 1_200_000, duration_ms: 1 });
    const sd = s.machine.sd[1]!;
    let both = 0;
    for (let t = 0; t <= 200_000; t += 50) {
      s.runUntil(t);
      expect(sd.input_pkt_queue.length).toBeLessThanOrEqual(11);
      if (sd.process_queue.length > 0 && sd.input_pkt_queue.length === 11) both++;
    }
    expect(both).toBeGreaterThan(0); // seen: a full input_pkt_queue beside a non-empty process_queue
    expect(sd.dropped).toBeGreaterThan(0);
  });
});

describe("napi_schedule_rps: one kick per batch, not per packet", () => {
  it("local target: the first packet sets NAPI_STATE_SCHED, lists the backlog and raises NET_RX; the rest only queue", () => {
    const m = quiet();
    const sd = m.sd[0]!;
    const seen: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      m.cpus[0]!.softirqPending = 0; // forget the raise, to see whether the next packet raises again
      inject(m, 0);
      seen.push({ ...state(sd), raised: m.cpus[0]!.softirqPending === NET_RX });
    }
    expect(seen).toEqual([
      { input: 1, process: 0, sched: true, polled: true, raised: true },
      { input: 2, process: 0, sched: true, polled: true, raised: false },
      { input: 3, process: 0, sched: true, polled: true, raised: false },
      { input: 4, process: 0, sched: true, polled: true, raised: false },
    ]);
  });

  it("remote target (v6.8): the first packet queues CPU 1 on this CPU's rps_ipi_list and raises NET_RX here; no IPI yet", () => {
    const m = quiet({ rps_cpus: "2" });
    for (let i = 0; i < 5; i++) inject(m, 0);
    expect(state(m.sd[1]!)).toEqual({ input: 5, process: 0, sched: true, polled: false });
    expect(m.sd[0]!.rps_ipi_list).toEqual([1]);
    expect([m.cpus[0]!.softirqPending, m.cpus[1]!.softirqPending]).toEqual([NET_RX, 0]);
    expect(m.cpus[1]!.csdQueue).toEqual([]); // the IPI goes out from net_rx_action, later
  });

  it("a backlog already scheduled is not kicked again, even when its queue was drained meanwhile", () => {
    const m = quiet({ rps_cpus: "2" });
    inject(m, 0);
    const sd = m.sd[1]!;
    sd.process_queue.spliceTailInit(sd.input_pkt_queue); // process_backlog took the batch; NAPI still SCHED
    m.sd[0]!.rps_ipi_list.length = 0;
    m.cpus[0]!.softirqPending = 0;
    inject(m, 0);
    expect(state(sd)).toEqual({ input: 1, process: 1, sched: true, polled: false });
    expect([m.sd[0]!.rps_ipi_list, m.cpus[0]!.softirqPending]).toEqual([[], 0]);
  });

  it("inside net_rx_action a remote kick is only listed: NET_RX is not raised again", () => {
    const m = quiet({ rps_cpus: "2" });
    m.sd[0]!.in_net_rx_action = true;
    inject(m, 0);
    expect([m.sd[0]!.rps_ipi_list, m.cpus[0]!.softirqPending]).toEqual([[1], 0]);
  });

  it("a device burst into an idle backlog gives one softirq_raise for the whole batch (exact records)", () => {
    const { records } = traced(oneBurst(8));
    const expected = [
      "irq_entry:nic",
      "netif_rx", "softirq_raise", ...Array<string>(7).fill("netif_rx"),
      "irq_exit",
      "softirq_entry", ...Array<string>(8).fill("netif_receive_skb"), "napi_poll:8", "softirq_exit",
    ];
    expect(firstBurst(records, expected)).toEqual(expected);
  });

  it("bursts that land while the backlog is still scheduled raise nothing: raises = kicks < interrupts", () => {
    // 16-packet interrupts every 20 us; the softirq needs ~13 us per batch plus the interrupts it takes
    const { records, r } = traced({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, nic_batch: 16, rate_pps: 1_000_000, duration_ms: 2 });
    const irqs = recs(records, "irq:irq_handler_entry", 0).filter((x) => x.fields.name === "nic").length;
    const raises = recs(records, "irq:softirq_raise", 0).length;
    const repolls = recs(records, "napi:napi_poll", 0).filter((x) => x.fields.work === x.fields.budget).length;
    // every raise is either a kick by an interrupt's first packet or net_rx_action re-raising a full poll
    const kicks = raises - repolls;
    expect(kicks).toBeGreaterThan(0);
    expect(kicks).toBeLessThan(irqs);
    expect(recs(records, "net:netif_rx").length).toBe(r.packets.sent);
  });
});

describe("process_backlog: at most dev_rx_weight packets per call", () => {
  it("a 200-packet batch is polled 64 + 64 + 64 + 8, each full poll re-raising NET_RX for a new round", () => {
    const { records, r } = traced(oneBurst(200));
    const expected = [
      "irq_entry:nic", "softirq_raise", "irq_exit",
      "softirq_entry", "napi_poll:64", "softirq_raise", "softirq_exit",
      "softirq_entry", "napi_poll:64", "softirq_raise", "softirq_exit",
      "softirq_entry", "napi_poll:64", "softirq_raise", "softirq_exit",
      "softirq_entry", "napi_poll:8", "softirq_exit",
    ];
    expect(firstBurst(records, expected, false)).toEqual(expected);
    expect(r.per_cpu[0]!.softnet).toEqual({ processed: 200, dropped: 0, time_squeeze: 0, received_rps: 0 });
  });

  it("a call that ends exactly on its quota does not complete the NAPI: one more poll with work 0 does", () => {
    // 200 = 4 x 50: the fourth call returns at ++work >= quota before looking at the empty queues
    const { records } = traced(oneBurst(200, { dev_rx_weight: 50 }));
    expect(recs(records, "napi:napi_poll", 0).map((x) => [x.fields.work, x.fields.budget])).toEqual([[50, 50], [50, 50], [50, 50], [50, 50], [0, 50]]);
  });

  it("never reports more work than its quota, under a flood of mixed batch sizes", () => {
    const { records } = traced({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, nic_batch: 37, rate_pps: 1_500_000, arrivals: "poisson", dev_rx_weight: 24, duration_ms: 4 });
    const works = recs(records, "napi:napi_poll").map((x) => x.fields.work as number);
    expect(works.length).toBeGreaterThan(50);
    expect(Math.max(...works)).toBe(24);
    expect(recs(records, "napi:napi_poll").every((x) => x.fields.budget === 24)).toBe(true);
  });
});

describe("net_rx_action: budget and time limit", () => {
  it("polls a single backlog NAPI once per call, so the default budget of 300 never squeezes it", () => {
    const { r } = traced(oneBurst(1000, { hz: 100 }));
    expect(r.per_cpu[0]!.softnet.processed).toBe(1000);
    expect(r.per_cpu[0]!.softnet.time_squeeze).toBe(0);
  });

  it("netdev_budget below the weight: every poll that uses up the budget counts one time_squeeze", () => {
    // budget 50: each 64-packet poll drives it below zero; the final 8-packet poll does not
    const { records, r } = traced(oneBurst(200, { netdev_budget: 50 }));
    const works = recs(records, "napi:napi_poll", 0).map((x) => x.fields.work);
    expect(works).toEqual([64, 64, 64, 8]);
    expect(r.per_cpu[0]!.softnet.time_squeeze).toBe(3);
  });

  it("the time limit (netdev_budget_usecs, in jiffies) squeezes exactly the calls whose poll ended in a later jiffy", () => {
    const flood: Overrides = { workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, nic_batch: 64, rate_pps: 500_000, hz: 1000, netdev_budget: 1_000_000, duration_ms: 20 };
    // usecs_to_jiffies(1) = 1 jiffy: squeezed when the jiffy changed during the call
    const { records, r } = traced({ ...flood, netdev_budget_usecs: 1 });
    // one backlog NAPI: one poll per call; pair each poll with the call it ended
    const calls = records.filter((x) => x.cpu === 0 && (x.event === "irq:softirq_entry" || x.event === "napi:napi_poll"));
    const pairs: [number, number][] = [];
    calls.forEach((x, i) => {
      if (x.event !== "napi:napi_poll") return;
      expect(calls[i - 1]!.event).toBe("irq:softirq_entry");
      pairs.push([calls[i - 1]!.ts, x.ts]);
    });
    const jiffy = (ns: number) => Math.floor(ns / 1_000_000);
    const crossed = pairs.filter(([entry, poll]) => jiffy(poll) > jiffy(entry)).length;
    expect(crossed).toBeGreaterThan(0);
    expect(r.per_cpu[0]!.softnet.time_squeeze).toBe(crossed);
    expect(crossed).toBeLessThanOrEqual(20); // at most one per jiffy boundary

    // the default, 2 * 10^6 / HZ us = 2 jiffies, is never reached by a 64-packet poll
    expect(traced({ ...flood }).r.per_cpu[0]!.softnet.time_squeeze).toBe(0);
  });
});

describe("loopback with RPS off: the local kick runs inside the sender's sendto", () => {
  it("every NET_RX softirq on the sender's CPU runs in the sender task, between its loopback_xmit and its next user work", () => {
    const { records, spans } = traced({ workload: "udp-stream", rate_pps: 0, duration_ms: 1, trace_ns: 200_000 });
    const entries = recs(records, "irq:softirq_entry");
    expect(entries.length).toBeGreaterThan(20);
    expect(new Set(entries.map((e) => `${e.cpu}:${e.comm}`))).toEqual(new Set(["0:udp_tx/0"]));
    const cpu0 = spans.filter((s) => s.cpu === 0);
    const softirq = cpu0.map((s, i) => [s, i] as const).filter(([s]) => s.ctx === "softirq");
    expect(softirq.length).toBeGreaterThan(20);
    for (const [s, i] of softirq) {
      expect(s.task).toBe("udp_tx/0");
      // walk back over this softirq's own spans to what ran before it, and forward to what follows
      let b = i;
      while (b > 0 && cpu0[b]!.ctx === "softirq") b--;
      let f = i;
      while (f < cpu0.length - 1 && cpu0[f]!.ctx === "softirq") f++;
      expect([cpu0[b]!.ctx, cpu0[b]!.task, cpu0[b]!.fn]).toEqual(["task", "udp_tx/0", "loopback_xmit"]);
      if (cpu0[f]!.ctx !== "softirq") expect([cpu0[f]!.ctx, cpu0[f]!.task, cpu0[f]!.fn]).toEqual(["task", "udp_tx/0", "user"]);
    }
  });
});

describe("RPS (v6.8): one IPI per remote CPU per softirq round", () => {
  it("a flat-out sender to CPU 1: one softirq round on CPU 0 per kick, each sending exactly one rps_trigger_softirq IPI", () => {
    const { records, r } = traced({ workload: "udp-stream", rps_cpus: "2", duration_ms: 2 });
    const rounds = recs(records, "irq:softirq_entry", 0).length;
    const ipis = recs(records, "ipi:ipi_send_cpu", 0);
    expect(ipis.every((x) => x.fields.cpu === 1 && x.fields.callback === "rps_trigger_softirq")).toBe(true);
    expect(ipis.length).toBe(rounds);
    expect(r.per_cpu[0]!.softnet.processed).toBe(0);
    // CPU 1 gets nothing but RPS callbacks (its reader is woken locally): IPIs sent = handled = received_rps
    const c1 = r.per_cpu[1]!;
    expect(c1.ipi_cal).toBe(c1.softnet.received_rps);
    expect(ipis.length - c1.softnet.received_rps).toBeGreaterThanOrEqual(0);
    expect(ipis.length - c1.softnet.received_rps).toBeLessThanOrEqual(1); // one may still be in flight at the end
    // and the batching that makes RPS pay: several packets per IPI at this rate
    expect(c1.softnet.processed / c1.softnet.received_rps).toBeGreaterThan(2);
  });

  it("with several remote targets no round sends two IPIs to the same CPU", () => {
    const { records } = traced({ workload: "nic-rx", cpus: 4, nic_cpu: 0, receiver_cpu: 1, rps_cpus: "e", flows: 8, nic_batch: 32, rate_pps: 800_000, duration_ms: 2 });
    const onCpu0 = records.filter((x) => x.cpu === 0 && (x.event === "irq:softirq_entry" || x.event === "ipi:ipi_send_cpu"));
    const perRound: number[][] = [];
    for (const x of onCpu0) {
      if (x.event === "irq:softirq_entry") perRound.push([]);
      else if (x.fields.callback === "rps_trigger_softirq" && perRound.length > 0) perRound[perRound.length - 1]!.push(x.fields.cpu as number);
    }
    const targets = new Set(perRound.flat());
    expect(targets.size).toBeGreaterThanOrEqual(2); // the 8 flows hash onto at least two of CPUs 1-3
    expect([...targets].every((c) => c >= 1 && c <= 3)).toBe(true);
    for (const round of perRound) expect(new Set(round).size).toBe(round.length);
  });

  it("process_backlog sends the owed IPIs first, before its own packets (\"better now than at net_rx_action's end\")", () => {
    // rps_cpus=3 with two flows: the first seed whose flow hash splits them between CPU 0 and CPU 1
    const split = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
      .map((seed) => traced(oneBurst(4, { rps_cpus: "3", flows: 2, duration_ms: 1, seed })))
      .find(({ r }) => r.per_cpu.every((c) => c.softnet.processed === 2))!;
    const expected = [
      "irq_entry:nic", "netif_rx", "softirq_raise", "netif_rx", "softirq_raise", "netif_rx", "netif_rx", "irq_exit",
      "softirq_entry", "ipi:1:rps_trigger_softirq", "netif_receive_skb", "netif_receive_skb", "napi_poll:2", "softirq_exit",
    ];
    const t = shortTrace(split.records, 0, ["sched:sched_switch", "sched:sched_wakeup"]);
    expect(t.slice(0, expected.length)).toEqual(expected);
  });

  it("the target's NET_RX runs at irq exit of the RPS IPI (exact records of CPU 1 for one packet)", () => {
    const { records, r } = traced({ workload: "udp-stream", rps_cpus: "2", rate_pps: 20_000, duration_ms: 2 });
    const t = shortTrace(records, 1);
    const first = t.indexOf("irq_entry:CAL");
    expect(t.slice(first, first + 9)).toEqual([
      "irq_entry:CAL", "softirq_raise", "irq_exit",
      "softirq_entry", "netif_receive_skb", "wakeup:udp_rx/0", "napi_poll:1", "softirq_exit",
      "switch:swapper/1>udp_rx/0",
    ]);
    const c1 = r.per_cpu[1]!;
    expect(c1.softnet.received_rps).toBe(r.packets.sent); // CPU 1 is idle between packets: one kick each
    expect([c1.softirq_runs.irq_exit, c1.net_rx_softirqs, c1.ipi_cal]).toEqual([c1.softnet.received_rps, c1.softnet.received_rps, c1.softnet.received_rps]);
  });

  it("a polling idle target gets no IPI: its idle task runs rps_trigger_softirq and the softirq itself", () => {
    const { records, r } = traced({ workload: "udp-stream", rps_cpus: "2", rate_pps: 20_000, idle: "poll", duration_ms: 2 });
    expect(recs(records, "ipi:ipi_send_cpu")).toEqual([]);
    expect(recs(records, "irq:irq_handler_entry", 1)).toEqual([]);
    const c1 = r.per_cpu[1]!;
    expect(c1.ipi_cal).toBe(0);
    expect(c1.softnet.received_rps).toBe(r.packets.sent);
    expect(c1.softnet.processed).toBe(r.packets.sent);
    expect(c1.softirq_runs.idle).toBe(c1.softnet.received_rps);
    expect(recs(records, "irq:softirq_entry", 1).every((x) => x.comm === "swapper/1")).toBe(true);
    expect(r.packets.delivered).toBe(r.packets.sent);
  });
});
