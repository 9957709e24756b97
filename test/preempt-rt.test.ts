/**
 * PREEMPT_RT (and preempt=full) in the model, one rule per test: a softirq raised in hardirq context
 * (the RPS IPI) goes to ksoftirqd on a v6.8-rt kernel and the backlog thread takes its place with
 * v6.10; device interrupts are force-threaded and their NET_RX runs at the thread's local_bh_enable;
 * the idle task running an RPS callback trips the RT warning; a SCHED_FIFO task's wakeup latency and
 * a hog's stolen time follow the preemption model; the BH lock boosts its owner; ksoftirqd_policy
 * still applies. Kernel facts: kernel/softirq.c at v6.10 and the commit message (datasets/published/dad6b9770263-message.txt).
 */
import { describe, expect, it } from "vitest";
import type { PreemptModel } from "../src/config/schema";
import type { SimResult, TraceRecord } from "../src/observe/types";
import { recs, run, shortTrace, simulation, sum, traced, type Overrides } from "./helpers/model";

const NOISE = ["net:netif_rx", "net:netif_receive_skb"] as const;
const window = (records: TraceRecord[], from: number, to: number) => records.filter((x) => x.ts >= from && x.ts < to);
const task = (r: SimResult, name: string) => {
  const t = r.tasks.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no task ${name} in ${r.tasks.map((x) => x.name).join(", ")}`);
  return t;
};

// a paced sender on CPU 0 steers every packet to CPU 1 (RPS); the receiver is on CPU 0
const RPS_TO_1: Overrides = { workload: "udp-stream", rps_cpus: "2", rate_pps: 20_000, sender_cpu: 0, receiver_cpu: 0, duration_ms: 2 };
// a non-NAPI device whose interrupt goes to CPU 1, RPS off: its packets stay on CPU 1's backlog
const NIC_ON_1: Overrides = { workload: "nic-rx", nic_cpu: 1, receiver_cpu: 0, rate_pps: 20_000, nic_batch: 2, duration_ms: 2 };

describe("a softirq raised from hardirq context under PREEMPT_RT", () => {
  it("v6.8-rt: the RPS IPI's NET_RX cannot run at irq exit and wakes ksoftirqd/1, which runs it", () => {
    const { r, records } = traced({ ...RPS_TO_1, preempt: "rt" });
    const c1 = r.per_cpu[1]!;
    expect(c1.softnet.received_rps).toBe(r.packets.sent);
    expect(c1.softirq_runs.ksoftirqd).toBe(r.packets.sent);
    expect(c1.ksoftirqd_wakeups).toBe(r.packets.sent);
    expect(c1.busy_ns.ksoftirqd).toBeGreaterThan(0);
    // on RT no CPU ever runs a softirq at irq exit
    expect(r.per_cpu.map((c) => c.softirq_runs.irq_exit)).toEqual([0, 0]);
    expect(shortTrace(window(records, 100_000, 150_000), 1, [...NOISE])).toEqual([
      "irq_entry:CAL", "softirq_raise", "irq_exit", "wakeup:ksoftirqd/1", "switch:swapper/1>ksoftirqd/1",
      "softirq_entry", "wakeup:udp_rx/0", "ipi:0:generic_smp_call_function_single_interrupt", "napi_poll:1", "softirq_exit",
      "switch:ksoftirqd/1>swapper/1",
    ]);
    expect(r.warnings.join("\n")).toMatch(/models a v6\.8 PREEMPT_RT kernel/);
  });

  it("v6.10-rt (threads): the kick wakes backlog_napi/1 from the sender's context; ksoftirqd/1 never runs NET_RX", () => {
    const { r, records } = traced({ ...RPS_TO_1, preempt: "rt", backlog_napi: "threads" });
    const c1 = r.per_cpu[1]!;
    expect(c1.backlog_thread_wakeups).toBe(r.packets.sent);
    expect(c1.softnet.received_rps).toBe(0);
    expect(c1.softirq_runs.ksoftirqd).toBe(0);
    expect(c1.ksoftirqd_wakeups).toBe(0);
    expect(c1.busy_ns.ksoftirqd).toBe(0);
    expect(c1.busy_ns.backlog_thread).toBeGreaterThan(0);
    expect(recs(records, "irq:softirq_raise", 1)).toEqual([]); // nothing raised in hardirq context
    expect(recs(records, "sched:sched_wakeup").some((x) => String(x.fields.comm).startsWith("ksoftirqd"))).toBe(false);
    expect(shortTrace(window(records, 100_000, 150_000), 1, [...NOISE])).toEqual([
      "irq_entry:CAL", "irq_exit", "switch:swapper/1>backlog_napi/1",
      "wakeup:udp_rx/0", "ipi:0:generic_smp_call_function_single_interrupt", "napi_poll:1", "switch:backlog_napi/1>swapper/1",
    ]);
    expect(r.warnings).toEqual([]);
  });
});

describe("threaded device interrupts: irq/N-nic0, SCHED_FIFO 50, NET_RX at its local_bh_enable", () => {
  const threadedTrace = [
    "irq_entry:nic", "wakeup:irq/1-nic0", "irq_exit", "switch:swapper/1>irq/1-nic0",
    "softirq_raise", "softirq_entry", "wakeup:udp_rx/0", "ipi:0:generic_smp_call_function_single_interrupt", "napi_poll:2", "softirq_exit",
    "switch:irq/1-nic0>swapper/1",
  ];

  const cases: Array<[string, Overrides]> = [
    ["preempt=rt (forced threading), v6.8-rt", { preempt: "rt" }],
    ["preempt=rt, v6.10 threads (the local short-cut keeps NET_RX in the IRQ thread)", { preempt: "rt", backlog_napi: "threads" }],
    ["preempt=none with nic_irq=threaded (threadirqs)", { nic_irq: "threaded" }],
  ];
  for (const [what, over] of cases) {
    it(what, () => {
      const { r, records } = traced({ ...NIC_ON_1, ...over });
      const it1 = task(r, "irq/1-nic0");
      expect(it1.policy).toBe("SCHED_FIFO");
      expect(recs(records, "sched:sched_wakeup").find((x) => x.fields.comm === "irq/1-nic0")!.fields.prio).toBe(49); // 99 - 50
      const interrupts = recs(records, "irq:irq_handler_entry", 1).filter((x) => x.fields.name === "nic").length;
      expect(r.per_cpu[1]!.softirq_runs).toEqual({ task: 0, irq_exit: 0, ksoftirqd: 0, backlog_thread: 0, irq_thread: interrupts, idle: 0 });
      expect(recs(records, "irq:softirq_entry", 1).every((x) => x.comm === "irq/1-nic0")).toBe(true);
      expect(sum(r.per_cpu.map((c) => c.backlog_thread_wakeups))).toBe(0);
      expect(it1.softirq_ns).toBeGreaterThan(0);
      expect(shortTrace(window(records, 100_000, 150_000), 1, [...NOISE])).toEqual(threadedTrace);
    });
  }

  it("contrast, a plain interrupt without RT: the handler runs netif_rx in hardirq context and NET_RX runs at irq exit", () => {
    const { r, records } = traced(NIC_ON_1);
    expect(r.tasks.some((t) => t.name.startsWith("irq/"))).toBe(false);
    expect(r.per_cpu[1]!.softirq_runs.irq_exit).toBeGreaterThan(0);
    expect(r.per_cpu[1]!.softirq_runs.irq_thread).toBe(0);
    expect(shortTrace(window(records, 100_000, 150_000), 1, [...NOISE])).toEqual([
      "irq_entry:nic", "softirq_raise", "irq_exit", "softirq_entry", "wakeup:udp_rx/0",
      "ipi:0:generic_smp_call_function_single_interrupt", "napi_poll:2", "softirq_exit",
    ]);
  });
});

describe("the idle task runs an RPS callback (idle=poll target)", () => {
  const POLL: Overrides = { ...RPS_TO_1, idle: "poll" };
  const IDLE_WARNING = /^cpu1: WARNING in do_softirq_post_smp_call_flush: .* \(PREEMPT_RT\), (\d+) times$/;

  it("under rt (v6.8-rt) it warns once per callback that raised NET_RX and hands the softirq to ksoftirqd", () => {
    const r = run({ ...POLL, preempt: "rt" });
    const c1 = r.per_cpu[1]!;
    expect(c1.ipi_cal).toBe(0); // a polling CPU needs no IPI: it notices the queued callback
    expect(c1.softnet.received_rps).toBe(r.packets.sent);
    const line = r.warnings.find((w) => IDLE_WARNING.test(w));
    expect(line, r.warnings.join("\n")).toBeDefined();
    expect(Number(IDLE_WARNING.exec(line!)![1])).toBe(c1.softnet.received_rps);
    expect(c1.softirq_runs.idle).toBe(0);
    expect(c1.softirq_runs.ksoftirqd).toBe(r.packets.sent);
  });

  it("under none the idle task runs the softirq itself (do_softirq_post_smp_call_flush), without a warning", () => {
    const r = run(POLL);
    expect(r.warnings).toEqual([]);
    expect(r.per_cpu[1]!.softirq_runs.idle).toBe(r.packets.sent);
    expect(r.per_cpu[1]!.softirq_runs.ksoftirqd).toBe(0);
  });

  it("under rt with backlog threads there is no RPS callback, hence no warning", () => {
    const r = run({ ...POLL, preempt: "rt", backlog_napi: "threads" });
    expect(r.warnings).toEqual([]);
    expect(r.per_cpu[1]!.softnet.received_rps).toBe(0);
    expect(r.per_cpu[1]!.backlog_thread_wakeups).toBe(r.packets.sent);
  });
});

describe("who pays for the softirq on the RPS target CPU", () => {
  // flat-out sender on CPU 0, every packet steered to CPU 1, where a cyclictest-like SCHED_FIFO task
  // (every 200 us) and a CPU hog live
  const LOADED: Overrides = { workload: "udp-stream", rps_cpus: "2", receiver_cpu: 0, rt_task_cpu: 1, rt_task_period_us: 200, hog_cpus: "1", duration_ms: 6 };
  const latency = (over: Overrides) => {
    const w = run(over).wakeup_latency_ns!;
    expect(w.count).toBeGreaterThan(20);
    return w;
  };

  it("the SCHED_FIFO task's wakeup latency: under rt it stays at its unloaded value beside NET_RX in ksoftirqd; under none it waits for the softirq", () => {
    const unloaded = latency({ ...LOADED, workload: "none", preempt: "rt" });
    const none = latency(LOADED);
    const rt = latency({ ...LOADED, preempt: "rt" });
    expect(rt.max).toBeLessThanOrEqual(unloaded.max);
    expect(none.max).toBeGreaterThan(rt.max);
    expect(none.p50).toBeGreaterThan(rt.p50);
  });

  it("beside a backlog-thread load (v6.10 threads): rt preempts the thread inside its poll; full and none wait for the poll to end", () => {
    // a paced 300 kpps load: the thread often finds a few new packets after a poll
    const over: Overrides = { ...LOADED, backlog_napi: "threads", rate_pps: 300_000 };
    const unloaded = latency({ ...LOADED, workload: "none", preempt: "rt" });
    const rt = latency({ ...over, preempt: "rt" });
    const full = latency({ ...over, preempt: "full" });
    const none = latency(over);
    expect(rt.max).toBeLessThanOrEqual(unloaded.max);
    expect(full.max).toBeGreaterThan(rt.max);
    expect(none.max).toBeGreaterThan(rt.max);
  });

  /** For each wakeup of cyclictest/1 on CPU 1: who it interrupted, what happened until the switch to it, and how long it took. */
  const wakeups = (over: Overrides) => {
    const { records } = traced({ ...over, duration_ms: 6 });
    const cpu1 = records.filter((x) => x.cpu === 1 && !x.event.startsWith("net:"));
    const out: { waker: string; between: string[]; delay: number; sw: TraceRecord }[] = [];
    cpu1.forEach((x, i) => {
      if (x.event !== "sched:sched_wakeup" || x.fields.comm !== "cyclictest/1") return;
      const j = cpu1.findIndex((y, k) => k > i && y.event === "sched:sched_switch");
      const between = cpu1.slice(i + 1, j).map((y) => (y.event === "napi:napi_poll" ? `napi_poll:${y.fields.work}` : y.event.split(":")[1]!));
      out.push({ waker: x.comm, between, delay: cpu1[j]!.ts - x.ts, sw: cpu1[j]! });
    });
    expect(out.length).toBeGreaterThan(20);
    return out;
  };
  const THREAD_LOAD: Overrides = { ...LOADED, backlog_napi: "threads", rate_pps: 300_000 };

  it("preempt=full: a FIFO task woken during the thread's poll runs at that poll's local_bh_enable, full quota or not; preempt=none lets a partial poll end in sleep", () => {
    const full = wakeups({ ...THREAD_LOAD, preempt: "full" }).filter((w) => w.waker === "backlog_napi/1");
    expect(full.length).toBeGreaterThan(3);
    for (const w of full) {
      expect(w.between.filter((e) => e.startsWith("napi_poll")).length).toBe(1);
      expect(`${w.sw.fields.prev_comm}(${w.sw.fields.prev_state})>${w.sw.fields.next_comm}`).toBe("backlog_napi/1(R+)>cyclictest/1");
    }
    expect(full.some((w) => w.between.some((e) => e.startsWith("napi_poll:") && e !== "napi_poll:64"))).toBe(true);
    const none = wakeups(THREAD_LOAD).filter((w) => w.waker === "backlog_napi/1");
    expect(none.some((w) => w.sw.fields.prev_state === "S")).toBe(true);
    for (const w of none) {
      const lastPoll = w.between.filter((e) => e.startsWith("napi_poll")).pop();
      // preempted only at cond_resched() after a full-quota poll; otherwise it ran until it slept
      expect(w.sw.fields.prev_state).toBe(lastPoll === "napi_poll:64" ? "R+" : "S");
    }
  });

  it("preempt=none: a FIFO task woken while a user task runs kernel code (its switch-in tail) runs when that task returns to user mode, not at a later interrupt", () => {
    const ws = wakeups(THREAD_LOAD).filter((w) => w.waker === "hog/1");
    expect(ws.length).toBeGreaterThan(5);
    for (const w of ws) {
      expect(w.between).toEqual(["irq_handler_exit"]);
      expect(`${w.sw.fields.prev_comm}(${w.sw.fields.prev_state})>${w.sw.fields.next_comm}`).toBe("hog/1(R+)>cyclictest/1");
    }
    // some wakeups found the hog in user mode (preempted at irq exit), some in kernel code (later, at the return to user mode)
    const delays = new Set(ws.map((w) => w.delay));
    expect(delays.size).toBeGreaterThan(1);
  });

  it("a hog on the target CPU loses time to NET_RX at irq exit under none, and none under rt (ksoftirqd does it) or with backlog threads", () => {
    const over: Overrides = { ...LOADED, rt_task_cpu: -1, rate_pps: 100_000 };
    const none = run(over);
    expect(none.per_cpu[1]!.softirq_runs.irq_exit).toBeGreaterThan(0);
    expect(task(none, "hog/1").softirq_ns).toBeGreaterThan(0);
    const rt = run({ ...over, preempt: "rt" });
    expect(rt.per_cpu[1]!.softirq_runs.irq_exit).toBe(0);
    expect(task(rt, "hog/1").softirq_ns).toBe(0);
    expect(rt.per_cpu[1]!.busy_ns.ksoftirqd).toBeGreaterThan(0);
    const threads = run({ ...over, backlog_napi: "threads" });
    expect(task(threads, "hog/1").softirq_ns).toBe(0);
    expect(threads.per_cpu[1]!.busy_ns.backlog_thread).toBeGreaterThan(0);
  });
});

describe("the BH lock (softirq_ctrl.lock) and priority inheritance", () => {
  // the 2023 RFC under rt: the IRQ thread on CPU 1 wakes backlog_napi/1 for its own backlog, and the
  // next interrupt's thread finds that SCHED_OTHER thread holding the BH lock
  const RFC_NIC: Overrides = { workload: "nic-rx", nic_cpu: 1, receiver_cpu: 0, rate_pps: 500_000, nic_batch: 8, backlog_napi: "threads-always", preempt: "rt", duration_ms: 1 };
  const describeSwitch = (x: TraceRecord) => `${x.fields.prev_comm}/${x.fields.prev_prio}(${x.fields.prev_state})>${x.fields.next_comm}/${x.fields.next_prio}`;

  it("a SCHED_FIFO IRQ thread blocking on the lock boosts the owner to its priority; unlocking drops the boost and wakes it", () => {
    const { records } = traced(RFC_NIC);
    const cpu1 = records.filter((x) => x.cpu === 1 && (x.event === "sched:sched_switch" || x.event === "sched:sched_wakeup" || x.event === "napi:napi_poll"));
    const boosted = cpu1.findIndex((x) => x.event === "sched:sched_switch" && x.fields.next_comm === "backlog_napi/1" && x.fields.next_prio === 49);
    expect(boosted).toBeGreaterThan(0);
    const short = (x: TraceRecord) =>
      x.event === "sched:sched_switch" ? describeSwitch(x) : x.event === "sched:sched_wakeup" ? `wakeup:${x.fields.comm}/${x.fields.prio}` : `napi_poll:${x.fields.work}`;
    expect(cpu1.slice(boosted - 2, boosted + 5).map(short)).toEqual([
      // the interrupt wakes its thread, which preempts the lock owner in the middle of its poll (RT allows it)
      "wakeup:irq/1-nic0/49",
      "backlog_napi/1/120(R+)>irq/1-nic0/49",
      // irq_forced_thread_fn's local_bh_disable() blocks: the owner inherits prio 49 (rt_priority 50)
      "irq/1-nic0/49(S)>backlog_napi/1/49",
      // the boosted owner finishes its poll; local_bh_enable() releases the lock, drops the boost,
      // wakes the waiter and is preempted by it at once
      "napi_poll:8",
      "wakeup:irq/1-nic0/49",
      "backlog_napi/1/120(R+)>irq/1-nic0/49",
      // the IRQ thread delivers its batch (the backlog thread, still runnable, has work again) and sleeps
      "irq/1-nic0/49(S)>backlog_napi/1/120",
    ]);
    // boosts happen only to the lock owner, and only right after a SCHED_FIFO waiter blocked
    cpu1.forEach((x, i) => {
      if (x.event !== "sched:sched_switch" || x.fields.next_prio === 120 || x.fields.next_comm === "irq/1-nic0") return;
      expect(x.fields.next_comm).toBe("backlog_napi/1");
      expect(describeSwitch(x)).toBe("irq/1-nic0/49(S)>backlog_napi/1/49");
      expect(describeSwitch(cpu1[i - 1]!)).toBe("backlog_napi/1/120(R+)>irq/1-nic0/49");
    });
  });

  it("v6.10 threads on the same load: the IRQ thread takes the local short-cut, no backlog thread holds the lock, nobody is boosted", () => {
    const { r, records } = traced({ ...RFC_NIC, backlog_napi: "threads" });
    expect(sum(r.per_cpu.map((c) => c.backlog_thread_wakeups))).toBe(0);
    const boosts = recs(records, "sched:sched_switch").filter((x) => x.fields.next_comm !== "irq/1-nic0" && x.fields.next_prio !== 120);
    expect(boosts).toEqual([]);
    expect(r.per_cpu[1]!.softirq_runs.irq_thread).toBeGreaterThan(0);
  });
});

describe("ksoftirqd_policy under PREEMPT_RT", () => {
  // two flat-out senders (CPU 0 and CPU 1), every packet steered to CPU 1: CPU 0's RPS IPIs wake
  // ksoftirqd/1 while CPU 1's sender runs NET_RX at its own local_bh_enable (hz 1000: the tick lets
  // a woken ksoftirqd/1 in after 1 ms instead of 4)
  const MIXED: Overrides = { workload: "udp-stream", flows: 2, rps_cpus: "2", receiver_cpu: 0, preempt: "rt", hz: 1000, duration_ms: 6 };

  for (const backlog_napi of ["softirq", "threads"] as const) {
    for (const ksoftirqd_policy of ["since-6.5", "2016"] as const) {
      it(`${backlog_napi}, ${ksoftirqd_policy}: runs with the invariants holding at every 100 us`, () => {
        const s = simulation({ ...MIXED, backlog_napi, ksoftirqd_policy });
        for (let t = 100_000; t <= 6_000_000; t += 100_000) {
          s.runUntil(t);
          s.machine.checkInvariants();
        }
        const r = s.finish(0);
        expect(r.packets.sent).toBe(r.packets.delivered + r.packets.in_flight + sum(Object.values(r.packets.dropped)));
        expect(r.packets.delivered).toBeGreaterThan(0);
        expect(r.per_cpu.map((c) => c.softirq_runs.irq_exit)).toEqual([0, 0]);
      });
    }
  }

  it("the 2016 policy is honoured on RT (v5.12-v6.4 RT __local_bh_enable_ip skipped softirqs while ksoftirqd ran): CPU 1's sender leaves NET_RX to ksoftirqd/1", () => {
    const since = run({ ...MIXED, ksoftirqd_policy: "since-6.5" });
    const y2016 = run({ ...MIXED, ksoftirqd_policy: "2016" });
    expect(y2016.digest).not.toBe(since.digest);
    const inTask = (r: SimResult) => r.per_cpu[1]!.softirq_runs.task;
    expect(since.per_cpu[1]!.softirq_runs.ksoftirqd).toBeGreaterThan(0);
    // about a third as many in-task runs (178 against 552 with the reference costs): the sender still
    // runs NET_RX whenever ksoftirqd/1 is not runnable
    expect(inTask(y2016)).toBeLessThan(inTask(since) / 2.5);
  });

  it("with backlog threads there is no hardirq-raised NET_RX for ksoftirqd, so the policy changes nothing", () => {
    const since = run({ ...MIXED, backlog_napi: "threads", ksoftirqd_policy: "since-6.5" });
    const y2016 = run({ ...MIXED, backlog_napi: "threads", ksoftirqd_policy: "2016" });
    expect(y2016.digest).toBe(since.digest);
    expect(sum(since.per_cpu.map((c) => c.ksoftirqd_wakeups))).toBe(0);
  });
});
