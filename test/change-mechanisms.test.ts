/**
 * The change itself in the model (issue 4), one mechanism per test: v6.10 threads take the local
 * short-cut and wake no thread for a local enqueue; the 2023 RFC wakes the local thread and adds
 * switches; remote kicks wake backlog_napi/N instead of an RPS IPI; the thread loop has no
 * netdev_budget; PREEMPT_RT sends a hardirq-raised softirq to ksoftirqd (or, with threads, the kick
 * to backlog_napi/N); priority inheritance through the BH lock; hotplug plans are validated.
 */
import { describe, expect, it } from "vitest";
import { makeConfig, resolveConfig, type ConfigOverrides } from "../src/config/parse";
import { ConfigError } from "../src/config/errors";
import { parseHotplug } from "../src/kernel/hotplug";
import { NAPI_STATE_SCHED_THREADED, NAPI_STATE_THREADED } from "../src/kernel/dev";
import { Simulation, simulate } from "../src/sim/simulate";
import type { SimResult } from "../src/observe/types";

// the semantic tests run on the reference cost table (see test/helpers/model.ts)
const run = (o: ConfigOverrides) => simulate(makeConfig({ profile: "reference-published", ...o }));
const count = (r: SimResult, ev: string, pred: (f: Record<string, string | number>, comm: string) => boolean = () => true) =>
  r.trace!.records.filter((x) => x.event === ev && pred(x.fields, x.comm)).length;

describe("backlog threads", () => {
  it("threads + local enqueue: NET_RX inside sendto, no thread ever woken, no backlog_thread time", () => {
    const r = run({ workload: "udp-stream", backlog_napi: "threads", rate_pps: 100_000, duration_ms: 2, trace: true });
    expect(r.per_cpu.every((c) => c.backlog_thread_wakeups === 0 && c.busy_ns.backlog_thread === 0)).toBe(true);
    expect(count(r, "irq:softirq_entry", (_f, comm) => comm === "udp_tx/0")).toBe(count(r, "irq:softirq_entry"));
    expect(r.trace!.spans.some((s) => s.ctx === "backlog_thread")).toBe(false);
  });

  it("threads-always wakes backlog_napi/0 for the local backlog: a paced sender adds the thread's switch per packet", () => {
    const base = { workload: "udp-stream" as const, rate_pps: 50_000, duration_ms: 20 };
    const switches = (r: SimResult) => r.tasks.reduce((a, t) => a + t.voluntary_switches + t.involuntary_switches, 0);
    const v68 = run(base);
    const rfc = run({ ...base, backlog_napi: "threads-always" });
    const wakeups = rfc.per_cpu[0]!.backlog_thread_wakeups;
    expect(wakeups).toBeGreaterThan(0);
    // the sender sleeps until its next send anyway, so the switch to the thread replaces its switch
    // to idle; what is added is the thread's own switch away when it is done: one per packet
    expect((switches(rfc) - switches(v68)) / wakeups).toBeCloseTo(1, 1);
  });

  it("threads-always with a flat-out sender costs two switches per batch on the sender's CPU (out to the thread, back)", () => {
    const r = run({ workload: "udp-stream", backlog_napi: "threads-always", duration_ms: 20, trace: true, trace_ns: 20_000_000 });
    const onCpu0 = r.trace!.records.filter((x) => x.cpu === 0 && x.event === "sched:sched_switch" && (x.fields.prev_comm === "backlog_napi/0" || x.fields.next_comm === "backlog_napi/0")).length;
    expect(onCpu0 / r.per_cpu[0]!.backlog_thread_wakeups).toBeCloseTo(2, 0);
  });

  it("remote kicks wake backlog_napi/N instead of sending an RPS IPI; THREADED stays set, SCHED_THREADED only with work", () => {
    const cfg = makeConfig({ profile: "reference-published", workload: "udp-stream", backlog_napi: "threads", rps_cpus: "2", rate_pps: 100_000, duration_ms: 3, trace: true });
    const s = new Simulation(cfg);
    let sawIdle = false;
    for (let t = 37_000; t <= 3_000_000; t += 37_000) { // not in step with the 10 us sends
      s.runUntil(t);
      for (const sd of s.machine.sd) expect(sd.backlogState & NAPI_STATE_THREADED).toBe(NAPI_STATE_THREADED);
      const sd1 = s.machine.sd[1]!;
      if ((sd1.backlogState & NAPI_STATE_SCHED_THREADED) === 0) {
        sawIdle = true;
        expect(sd1.backlogLength()).toBe(0);
      }
    }
    expect(sawIdle).toBe(true);
    const r = s.finish(0);
    expect(count(r, "ipi:ipi_send_cpu", (f) => f.callback === "rps_trigger_softirq")).toBe(0);
    expect(r.per_cpu.every((c) => c.softnet.received_rps === 0)).toBe(true);
    expect(r.per_cpu[1]!.backlog_thread_wakeups).toBeGreaterThan(0);
    const v68 = run({ workload: "udp-stream", rps_cpus: "2", rate_pps: 100_000, duration_ms: 3 });
    expect(v68.per_cpu[1]!.softnet.received_rps).toBeGreaterThan(0);
  });

  it("the thread loop has no netdev_budget: one thread run polls far more than 300 packets without time_squeeze", () => {
    const r = run({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 0, rps_cpus: "2", rate_pps: 2_000_000, nic_batch: 64, backlog_napi: "threads", duration_ms: 5, trace: true });
    expect(r.per_cpu[1]!.softnet.time_squeeze).toBe(0);
    // consecutive napi_poll records of backlog/1 inside backlog_napi/1 without a switch away
    let run1 = 0;
    let best = 0;
    for (const x of r.trace!.records.filter((y) => y.cpu === 1)) {
      if (x.event === "napi:napi_poll" && x.comm === "backlog_napi/1") best = Math.max(best, (run1 += Number(x.fields.work)));
      if (x.event === "sched:sched_switch" && x.fields.prev_comm === "backlog_napi/1") run1 = 0;
    }
    expect(best).toBeGreaterThan(300);
  });
});

describe("PREEMPT_RT", () => {
  it("an RPS IPI's softirq wakes ksoftirqd (v6.8-rt); with threads the kick wakes backlog_napi/N and ksoftirqd stays idle", () => {
    const base = { workload: "udp-stream" as const, rps_cpus: "2", rate_pps: 100_000, receiver_cpu: 0, preempt: "rt" as const, duration_ms: 5 };
    const rt68 = run(base);
    expect(rt68.per_cpu[1]!.softirq_runs.ksoftirqd).toBeGreaterThan(0);
    expect(rt68.per_cpu[1]!.softirq_runs.irq_exit).toBe(0);
    const rt610 = run({ ...base, backlog_napi: "threads" });
    expect(rt610.per_cpu[1]!.busy_ns.ksoftirqd).toBe(0);
    expect(rt610.per_cpu[1]!.busy_ns.backlog_thread).toBeGreaterThan(0);
  });

  it("the BH lock: a SCHED_FIFO waiter boosts the owner, which drops the boost on unlock and wakes the waiter", () => {
    const s = new Simulation(makeConfig({ workload: "none", preempt: "rt", duration_ms: 1 }));
    const m = s.machine;
    s.runUntil(10_000);
    const cpu = m.cpus[0]!;
    const owner = m.ksoftirqd[0]!;
    const waiter = m.tasks.find((t) => t.comm === "ksoftirqd/1")!; // any task object will do as a waiter
    waiter.policy = "SCHED_FIFO";
    waiter.rtPrio = 50;
    cpu.bhOwner = owner;
    // make the waiter current to block it, as blockOnBh expects
    const saved = cpu.curr;
    cpu.curr = waiter;
    waiter.state = 0;
    waiter.cpu = 0;
    m.sched.blockOnBh(cpu);
    expect(owner.boost).toBe(50);
    expect(cpu.bhWaiters).toContain(waiter);
    cpu.curr = owner;
    m.sched.bhUnlock(cpu);
    expect(owner.boost).toBe(0);
    expect(cpu.bhOwner).toBeNull();
    expect(waiter.state).toBe(0); // woken
    void saved;
  });
});

describe("CPU hotplug plans", () => {
  it("accepts the documented forms and orders the events", () => {
    expect(parseHotplug("cpu1:off@5ms,on@9ms", 2)).toEqual([
      { cpu: 1, online: false, atNs: 5_000_000 },
      { cpu: 1, online: true, atNs: 9_000_000 },
    ]);
    expect(parseHotplug("cpu2:off@3ms;cpu1:off@1.5ms", 4).map((e) => e.cpu)).toEqual([1, 2]);
    expect(parseHotplug("", 2)).toEqual([]);
  });

  it("rejects bad plans with a message naming the problem", () => {
    expect(() => parseHotplug("cpu5:off@1ms", 2)).toThrow(/cpu5 does not exist/);
    expect(() => parseHotplug("cpu1:down@1ms", 2)).toThrow(/off@<time> or on@<time>/);
    expect(() => parseHotplug("cpu1:off@1ms,off@2ms", 2)).toThrow(/already offline/);
    expect(() => parseHotplug("cpu0:off@1ms;cpu1:off@2ms", 2)).toThrow(/last online CPU/);
    expect(() => parseHotplug("cpu0:off@1ms", 1)).toThrow(/last online CPU/);
  });

  it("the config refuses offlining the last CPU with a ConfigError on key hotplug", () => {
    let err: unknown;
    try {
      resolveConfig({ cpus: "2", hotplug: "cpu0:off@1ms;cpu1:off@2ms" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).key).toBe("hotplug");
    expect(String((err as Error).message)).toMatch(/last online CPU/);
  });
});
