/**
 * Backlog NAPI threads (dad6b9770263, v6.10) against v6.8 and the 2023 RFC, one rule per test:
 * `threads` keeps a local backlog on the softirq path (use_local_napi), `threads-always` hands every
 * kick to backlog_napi/N and pays context switches for it, remote kicks wake the target's thread
 * instead of sending an RPS IPI, the NAPI state bits follow the patch, and napi_threaded_poll_loop
 * has no budget but yields at cond_resched. Kernel facts: net/core/dev.c at v6.10 (src/notebook/sources.ts links it).
 */
import { describe, expect, it } from "vitest";
import { NAPI_STATE_SCHED_THREADED } from "../src/kernel/dev";
import type { SimResult, TraceRecord } from "../src/observe/types";
import { checkMachine } from "./helpers/machine-checks";
import { recs, run, shortTrace, simulation, sum, traced, type Overrides } from "./helpers/model";

const MODES = ["softirq", "threads-always", "threads"] as const;
const NOISE = ["net:netif_rx", "net:netif_receive_skb"] as const;

/** Records in [from, to) ns. */
const window = (records: TraceRecord[], from: number, to: number) => records.filter((x) => x.ts >= from && x.ts < to);
const taskSwitches = (r: SimResult) => sum(r.tasks.map((t) => t.voluntary_switches + t.involuntary_switches));
const ctxt = (r: SimResult) => sum(r.per_cpu.map((c) => c.context_switches));
const rpsIpis = (records: TraceRecord[]) => recs(records, "ipi:ipi_send_cpu").filter((x) => x.fields.callback === "rps_trigger_softirq");

// One paced packet every 100 us, RPS off: the sender on CPU 0 enqueues to its own backlog.
const PACED_LOCAL: Overrides = { workload: "udp-stream", rate_pps: 10_000, sender_cpu: 0, receiver_cpu: 1, duration_ms: 1 };
// the second packet's life on CPU 0 (it is sent at 100 us)
const PACKET_2 = [100_000, 200_000] as const;

describe("threads (v6.10): a local enqueue takes the use_local_napi short-cut", () => {
  it("NET_RX runs inside sendto on the sender's time; no backlog thread is ever woken or runs", () => {
    const { r, records, spans } = traced(PACED_LOCAL);
    expect(r.packets.sent).toBe(10);
    for (const c of r.per_cpu) {
      expect(c.backlog_thread_wakeups).toBe(0);
      expect(c.busy_ns.backlog_thread).toBe(0);
      expect(c.softirq_runs.backlog_thread).toBe(0);
    }
    expect(spans.some((s) => s.ctx === "backlog_thread")).toBe(false);
    const entries = recs(records, "irq:softirq_entry");
    expect(entries.length).toBe(10); // one kick per packet: each paced packet is its own batch
    expect(entries.every((x) => x.comm === "udp_tx/0" && x.cpu === 0)).toBe(true);
    expect(r.per_cpu[0]!.softirq_runs.task).toBe(10); // run at local_bh_enable, not at irq exit
    // the delivery work is softirq time charged to the sender, as in v6.8
    const delivery = spans.filter((s) => s.fn === "__netif_receive_skb");
    expect(delivery.length).toBeGreaterThan(0);
    expect(delivery.every((s) => s.ctx === "softirq" && s.task === "udp_tx/0")).toBe(true);
    expect(r.tasks.find((t) => t.name === "udp_tx/0")!.softirq_ns).toBeGreaterThan(0);
  });

  it("the packet's trace on the sender's CPU is v6.8's, event for event", () => {
    const expected = [
      "irq_entry:hrtimer", "wakeup:udp_tx/0", "irq_exit", "switch:swapper/0>udp_tx/0",
      "softirq_raise", "softirq_entry", "wakeup:udp_rx/0", "ipi:1:generic_smp_call_function_single_interrupt",
      "napi_poll:1", "softirq_exit", "switch:udp_tx/0>swapper/0",
    ];
    for (const backlog_napi of ["softirq", "threads"] as const) {
      const { records } = traced({ ...PACED_LOCAL, backlog_napi });
      expect(shortTrace(window(records, ...PACKET_2), 0, [...NOISE]), backlog_napi).toEqual(expected);
    }
  });

  it("restores v6.8 exactly with RPS off: same deliveries, switches and latency on a flat-out stream and on ping-pong", () => {
    for (const workload of ["udp-stream", "udp-pingpong"] as const) {
      const v68 = run({ workload, duration_ms: 5 });
      const v610 = run({ workload, duration_ms: 5, backlog_napi: "threads" });
      expect(v610.packets, workload).toEqual(v68.packets);
      expect(taskSwitches(v610), workload).toBe(taskSwitches(v68));
      expect(v610.per_cpu.map((c) => c.context_switches), workload).toEqual(v68.per_cpu.map((c) => c.context_switches));
      expect(v610.latency_ns?.p50, workload).toBe(v68.latency_ns?.p50);
      expect(sum(v610.per_cpu.map((c) => c.backlog_thread_wakeups)), workload).toBe(0);
    }
  });
});

describe("threads-always (the 2023 RFC): every kick wakes the target CPU's backlog_napi/N", () => {
  it("a local kick wakes backlog_napi/0, which runs process_backlog in its own context (no NET_RX softirq at all)", () => {
    const { r, records, spans } = traced({ ...PACED_LOCAL, backlog_napi: "threads-always" });
    expect(r.per_cpu[0]!.backlog_thread_wakeups).toBe(10);
    expect(recs(records, "irq:softirq_raise").length).toBe(0);
    expect(sum(r.per_cpu.map((c) => c.net_rx_softirqs))).toBe(0);
    expect(recs(records, "napi:napi_poll").every((x) => x.comm === "backlog_napi/0")).toBe(true);
    expect(spans.filter((s) => s.fn === "__netif_receive_skb").every((s) => s.ctx === "backlog_thread" && s.task === "backlog_napi/0")).toBe(true);
    expect(r.tasks.find((t) => t.name === "udp_tx/0")!.softirq_ns).toBe(0);
    // the sender sleeps after each send: it switches to the thread instead of to idle
    expect(shortTrace(window(records, ...PACKET_2), 0, [...NOISE])).toEqual([
      "irq_entry:hrtimer", "wakeup:udp_tx/0", "irq_exit", "switch:swapper/0>udp_tx/0",
      "wakeup:backlog_napi/0", "switch:udp_tx/0>backlog_napi/0",
      "wakeup:udp_rx/0", "ipi:1:generic_smp_call_function_single_interrupt", "napi_poll:1",
      "switch:backlog_napi/0>swapper/0",
    ]);
  });

  it("a sender that stays runnable pays two switches per batch: out to the thread and back", () => {
    // hz 1000: the tick that ends the sender's slice (and lets the woken thread in) comes every 1 ms
    const { r, records } = traced({ workload: "udp-stream", backlog_napi: "threads-always", hz: 1000, duration_ms: 8 });
    const wakeups = r.per_cpu[0]!.backlog_thread_wakeups;
    expect(wakeups).toBeGreaterThan(5);
    const sw = recs(records, "sched:sched_switch", 0);
    const withThread = sw.filter((x) => x.fields.prev_comm === "backlog_napi/0" || x.fields.next_comm === "backlog_napi/0");
    expect(withThread.length).toBe(sw.length - 1); // all but the first switch (idle to the sender)
    const into = withThread.filter((x) => x.fields.next_comm === "backlog_napi/0").length;
    const back = withThread.length - into;
    // every batch: one switch in, one back; the last wakeup may still wait for the CPU at the end
    expect(into === wakeups || into === wakeups - 1, `${into} runs for ${wakeups} wakeups`).toBe(true);
    expect(back === into || back === into - 1).toBe(true);
    // the sender is preempted (R+), the thread sleeps when the backlog is empty (S)
    for (const x of withThread) {
      if (x.fields.next_comm === "backlog_napi/0") expect(`${x.fields.prev_comm} ${x.fields.prev_state}`).toBe("udp_tx/0 R+");
      else expect(`${x.fields.next_comm} ${x.fields.prev_state}`).toBe("udp_tx/0 S");
    }
    const v68 = run({ workload: "udp-stream", hz: 1000, duration_ms: 8 });
    expect(v68.per_cpu[0]!.context_switches).toBe(1);
    expect(r.throughput_pps.received).toBeLessThan(v68.throughput_pps.received);
  });

  it("a paced sender that sleeps after each send: the thread's run adds one switch per packet (3 instead of 2)", () => {
    const over: Overrides = { workload: "udp-stream", rate_pps: 50_000, duration_ms: 10 };
    const v68 = run(over);
    const rfc = run({ ...over, backlog_napi: "threads-always" });
    expect(rfc.packets.delivered).toBe(v68.packets.delivered);
    const pkts = rfc.packets.sent;
    expect(rfc.per_cpu[0]!.backlog_thread_wakeups).toBe(pkts);
    // CPU 0 per packet: idle->sender, sender->idle (v6.8) vs idle->sender, sender->thread, thread->idle (RFC)
    expect(v68.per_cpu[0]!.context_switches).toBe(2 * pkts);
    expect(rfc.per_cpu[0]!.context_switches).toBe(3 * pkts);
    expect(taskSwitches(rfc) - taskSwitches(v68)).toBe(pkts);
  });

  it("ping-pong: each request and each reply is a batch of one, and each adds a thread run and one switch on its CPU", () => {
    const v68 = run({ workload: "udp-pingpong", duration_ms: 5 });
    const rfc = run({ workload: "udp-pingpong", duration_ms: 5, backlog_napi: "threads-always" });
    const rtts = (r: SimResult) => r.latency_ns!.count;
    // per round trip: 4 switches in v6.8 (each side sleeps and wakes), 6 with the RFC
    expect(Math.round(ctxt(v68) / rtts(v68))).toBe(4);
    expect(ctxt(rfc) / rtts(rfc)).toBeCloseTo(6, 1);
    const wakeups = sum(rfc.per_cpu.map((c) => c.backlog_thread_wakeups));
    expect(wakeups / rtts(rfc)).toBeCloseTo(2, 1);
    // fewer round trips in the same time: the thread hand-off is on the critical path
    expect(rtts(rfc)).toBeLessThan(rtts(v68));
    expect(rfc.latency_ns!.p50).toBeGreaterThan(v68.latency_ns!.p50);
  });
});

describe("RPS to another CPU: the remote backlog's thread is woken, no RPS IPI is sent", () => {
  const RPS: Overrides = { workload: "udp-stream", rps_cpus: "2", rate_pps: 20_000, sender_cpu: 0, receiver_cpu: 0, duration_ms: 2 };

  for (const backlog_napi of ["threads", "threads-always"] as const) {
    it(`${backlog_napi}: wake_up_process(backlog_napi/1) instead of the rps_ipi_list; received_rps stays 0`, () => {
      const { r, records } = traced({ ...RPS, backlog_napi });
      expect(rpsIpis(records)).toEqual([]);
      expect(r.per_cpu.map((c) => c.softnet.received_rps)).toEqual([0, 0]);
      expect(r.per_cpu[1]!.backlog_thread_wakeups).toBe(r.packets.sent);
      expect(r.per_cpu[1]!.net_rx_softirqs).toBe(0);
      expect(recs(records, "napi:napi_poll").every((x) => x.comm === "backlog_napi/1" && x.cpu === 1)).toBe(true);
      // the sender's CPU: no NET_RX raised to flush an IPI list; the only IPI is the scheduler's wakelist
      expect(recs(records, "irq:softirq_raise", 0)).toEqual([]);
      expect(shortTrace(window(records, 100_000, 150_000), 0, [...NOISE])).toEqual([
        "irq_entry:hrtimer", "wakeup:udp_tx/0", "irq_exit", "switch:swapper/0>udp_tx/0",
        "wakeup:backlog_napi/1", "ipi:1:generic_smp_call_function_single_interrupt", "switch:udp_tx/0>swapper/0",
        // the receiver, woken from CPU 1 through the wakelist
        "irq_entry:CAL", "irq_exit", "switch:swapper/0>udp_rx/0", "switch:udp_rx/0>swapper/0",
      ]);
      expect(shortTrace(window(records, 100_000, 150_000), 1, [...NOISE])).toEqual([
        "irq_entry:CAL", "irq_exit", "switch:swapper/1>backlog_napi/1",
        "wakeup:udp_rx/0", "ipi:0:generic_smp_call_function_single_interrupt", "napi_poll:1", "switch:backlog_napi/1>swapper/1",
      ]);
    });
  }

  it("v6.8 softirq mode, same scenario: the kick goes through rps_ipi_list, an IPI per batch, counted in received_rps", () => {
    const { r, records } = traced(RPS);
    const ipis = rpsIpis(records);
    expect(ipis.length).toBe(r.packets.sent);
    expect(ipis.every((x) => x.cpu === 0 && x.fields.cpu === 1)).toBe(true);
    expect(r.per_cpu[1]!.softnet.received_rps).toBe(ipis.length);
    expect(sum(r.per_cpu.map((c) => c.backlog_thread_wakeups))).toBe(0);
    // the sender raises NET_RX only to send the IPI at the end of net_rx_action
    expect(shortTrace(window(records, 100_000, 150_000), 0, [...NOISE])).toEqual([
      "irq_entry:hrtimer", "wakeup:udp_tx/0", "irq_exit", "switch:swapper/0>udp_tx/0",
      "softirq_raise", "softirq_entry", "ipi:1:rps_trigger_softirq", "softirq_exit", "switch:udp_tx/0>swapper/0",
      "irq_entry:CAL", "irq_exit", "switch:swapper/0>udp_rx/0", "switch:udp_rx/0>swapper/0",
    ]);
    expect(shortTrace(window(records, 100_000, 150_000), 1, [...NOISE])).toEqual([
      "irq_entry:CAL", "softirq_raise", "irq_exit", "softirq_entry", "wakeup:udp_rx/0",
      "ipi:0:generic_smp_call_function_single_interrupt", "napi_poll:1", "softirq_exit",
    ]);
  });

  for (const backlog_napi of MODES) {
    it(`${backlog_napi}: NAPI_STATE_THREADED on every backlog for the whole run${backlog_napi === "softirq" ? " is never set" : ", SCHED_THREADED only while the thread has work"}`, () => {
      const s = simulation({ ...RPS, rate_pps: 150_000, backlog_napi });
      const m = s.machine;
      let busy = 0;
      let quiet = 0;
      for (let t = 7_000; t <= 2_000_000; t += 7_000) { // out of step with the sends
        s.runUntil(t);
        // THREADED always (thread modes) or never (softirq); SCHED_THREADED only on a scheduled
        // backlog whose thread has been woken
        checkMachine(m, ` at ${t} ns`);
        if (backlog_napi === "softirq") continue;
        const sd1 = m.sd[1]!;
        // a remote kick never puts the backlog on a poll list; without SCHED_THREADED no packet waits
        if (sd1.backlogState & NAPI_STATE_SCHED_THREADED) expect(sd1.backlogOnPollList).toBe(false);
        else expect(sd1.backlogLength(), `cpu1 at ${t}: packets left without a thread to take them`).toBe(0);
        if (sd1.backlogState & NAPI_STATE_SCHED_THREADED) busy++;
        else quiet++;
      }
      if (backlog_napi !== "softirq") {
        expect(busy).toBeGreaterThan(0);
        expect(quiet).toBeGreaterThan(0);
      }
      const r = s.finish(0);
      expect(r.packets.sent).toBe(r.packets.delivered + r.packets.in_flight + sum(Object.values(r.packets.dropped)));
    });
  }
});

describe("napi_threaded_poll_loop: no budget, no time limit; cond_resched is the only throttle", () => {
  // a non-NAPI device on CPU 0 floods CPU 1 through RPS; a CPU hog competes with the backlog thread on CPU 1
  const FLOOD: Overrides = { workload: "nic-rx", nic_cpu: 0, receiver_cpu: 0, rps_cpus: "2", rate_pps: 2_000_000, nic_batch: 64, hog_cpus: "1", hz: 1000, duration_ms: 5 };

  it("one thread run polls thousands of packets in quota-64 rounds without time_squeeze or ksoftirqd, then yields to the hog at cond_resched", () => {
    const { r, records } = traced({ ...FLOOD, backlog_napi: "threads" });
    const cpu1 = records.filter((x) => x.cpu === 1 && (x.event === "napi:napi_poll" || x.event === "sched:sched_switch"));
    // the thread's runs: napi_poll series between switches to and away from it
    const runs: { polls: number[]; left: TraceRecord | null }[] = [];
    for (const x of cpu1) {
      if (x.event === "sched:sched_switch" && x.fields.next_comm === "backlog_napi/1") runs.push({ polls: [], left: null });
      else if (x.event === "napi:napi_poll") {
        expect(x.comm).toBe("backlog_napi/1");
        runs[runs.length - 1]!.polls.push(Number(x.fields.work));
      } else if (x.fields.prev_comm === "backlog_napi/1") runs[runs.length - 1]!.left = x;
    }
    const first = runs[0]!;
    const packets = sum(first.polls);
    expect(packets).toBeGreaterThan(r.config.netdev_budget);
    expect(packets).toBeGreaterThan(10 * r.config.dev_rx_weight); // past what __do_softirq's 10 restarts allow
    expect(new Set(first.polls)).toEqual(new Set([64]));
    // it left preempted (still runnable) right after a full-quota poll: the cond_resched() of the loop
    expect(first.left!.fields.prev_state).toBe("R+");
    expect(first.left!.fields.next_comm).toBe("hog/1");
    const c1 = r.per_cpu[1]!;
    expect(c1.softnet.time_squeeze).toBe(0);
    expect(c1.ksoftirqd_wakeups).toBe(0);
    expect(r.tasks.find((t) => t.name === "backlog_napi/1")!.involuntary_switches).toBeGreaterThan(0);
  });

  it("with preempt=none the thread is switched out only at cond_resched (after a full-quota poll) or when its backlog is empty", () => {
    const { records } = traced({ ...FLOOD, backlog_napi: "threads", duration_ms: 12 });
    const cpu1 = records.filter((x) => x.cpu === 1 && !x.event.startsWith("net:"));
    let yields = 0;
    cpu1.forEach((x, i) => {
      if (x.event !== "sched:sched_switch" || x.fields.prev_comm !== "backlog_napi/1") return;
      const before = cpu1[i - 1]!;
      if (x.fields.prev_state === "R+") {
        yields++;
        expect(`${before.event} ${before.fields.work}/${before.fields.budget}`).toBe("napi:napi_poll 64/64");
      } else expect(x.fields.prev_state).toBe("S");
    });
    expect(yields).toBeGreaterThan(1);
  });

  it("netdev_budget does not bind the thread: with netdev_budget=32 it still polls 64 at a time, while net_rx_action squeezes", () => {
    const over: Overrides = { ...FLOOD, hog_cpus: "", netdev_budget: 32, duration_ms: 3 };
    const { r, records } = traced({ ...over, backlog_napi: "threads" });
    const polls = recs(records, "napi:napi_poll", 1);
    expect(polls.length).toBeGreaterThan(5);
    expect(polls.filter((x) => x.fields.work === 64).length).toBeGreaterThan(polls.length / 2);
    expect(r.per_cpu[1]!.softnet.time_squeeze).toBe(0);
    const v68 = run(over);
    expect(v68.per_cpu[1]!.softnet.time_squeeze).toBeGreaterThan(0);
  });
});
