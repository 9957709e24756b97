/**
 * OpenWrt's unpinned backlog threads (backlog_napi=backlog-threaded and backlog-threaded-intent,
 * issue 18): exact traces of each modelled function of the patch (the skipped RPS IPI and what is
 * scheduled instead, 6.1's ____napi_schedule, process_backlog keeping THREADED and counting
 * process_queue_empty, dev_cpu_dead's early return), wakeup placement within a cpus_mask, newidle /
 * nohz / periodic balancing, taskset, and a property test over random configurations. Exact traces run
 * on the reference cost table (profiles/reference-published.json), so a new default table leaves them be.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, makeConfig, type ConfigOverrides } from "../src/config/parse";
import type { BacklogNapiMode, PreemptModel, WorkloadName } from "../src/config/schema";
import { hotplugDesigns } from "../src/experiments/c8";
import { ____napi_schedule_6_1, NAPI_STATE_SCHED, NAPI_STATE_SCHED_THREADED, NAPI_STATE_THREADED } from "../src/kernel/dev";
import { TASK_RUNNING, TASK_SLEEPING } from "../src/kernel/task";
import { simulate, Simulation } from "../src/sim/simulate";
import { checkMachine } from "./helpers/machine-checks";

const REF = "reference-published";
const KEEP = new Set(["net:netif_rx", "sched:sched_wakeup", "napi:napi_poll", "irq:softirq_raise", "ipi:ipi_send_cpu", "net:netif_receive_skb"]);

/** The first records of one ping-pong request with RPS to CPU 1, as "ts cpuN comm event detail". */
function firstRecords(mode: BacklogNapiMode, n: number): string[] {
  const r = simulate(makeConfig({ profile: REF, scenario: "loopback-pingpong-rps", backlog_napi: mode, duration_ms: 1, trace: true, trace_ns: 30_000 }));
  return r.trace!.records.filter((x) => KEEP.has(x.event)).slice(0, n).map((x) => {
    const f = x.fields;
    const detail = x.event === "sched:sched_wakeup" ? `${f.comm}->${f.target_cpu}` : x.event === "napi:napi_poll" ? `${f.napi} work ${f.work}` : x.event === "ipi:ipi_send_cpu" ? `cpu${f.cpu}` : "";
    return `${x.ts} cpu${x.cpu} ${x.comm} ${x.event}${detail ? ` ${detail}` : ""}`;
  });
}

describe("napi_schedule_rps as the patch leaves it", () => {
  it("a THREADED remote backlog skips the RPS IPI list and wakes the sending CPU's own backlog thread", () => {
    expect(firstRecords("backlog-threaded", 20)).toEqual([
      "1935 cpu0 rr_client/0 net:netif_rx",
      // __napi_schedule_irqoff(&mysd->backlog): napi/backlog-0, placed on idle CPU 1 (the IPI is the wakelist's)
      "1935 cpu0 rr_client/0 sched:sched_wakeup napi/backlog-0->1",
      "1935 cpu0 rr_client/0 ipi:ipi_send_cpu cpu1",
    ]);
  });

  it("the target stays NAPI_STATE_SCHED with its packet and nobody polls it; the woken thread polls nothing", () => {
    const s = new Simulation(makeConfig({ profile: REF, scenario: "loopback-pingpong-rps", backlog_napi: "backlog-threaded", duration_ms: 2 }));
    s.runUntil(2_000_000);
    const m = s.machine;
    const sd1 = m.sd[1]!;
    expect(sd1.backlogState).toBe(NAPI_STATE_THREADED | NAPI_STATE_SCHED);
    expect(sd1.backlogLength()).toBe(1);
    expect(m.sd[0]!.rps_ipi_list).toEqual([]);
    expect(m.napiBacklogThreads.map((t) => [t.comm, t.emptyPolls, t.remotePackets, t.state])).toEqual([
      ["napi/backlog-0", 1, 0, TASK_SLEEPING],
      ["napi/backlog-1", 0, 0, TASK_SLEEPING],
    ]);
    const r = s.finish(0);
    expect(r.packets.delivered).toBe(0);
    expect(r.per_cpu.map((c) => c.softnet.received_rps)).toEqual([0, 0]);
    expect(r.warnings.some((w) => w.startsWith("cpu1: backlog NAPI scheduled with 1 packets queued and napi/backlog-1 asleep"))).toBe(true);
  });

  it("as intended the kick wakes the target's thread, which polls wherever the scheduler put it", () => {
    expect(firstRecords("backlog-threaded-intent", 12)).toEqual([
      "1935 cpu0 rr_client/0 net:netif_rx",
      "1935 cpu0 rr_client/0 sched:sched_wakeup napi/backlog-1->1",
      "1935 cpu0 rr_client/0 ipi:ipi_send_cpu cpu1",
      // the wakelist's IPI leaves from inside try_to_wake_up (ttwu_queue_wakelist ns in, 0 in the
      // reference table), not after the 350 ns it owes: it lands ipi_latency after the waking
      "9425 cpu1 napi/backlog-1 net:netif_receive_skb",
      "9425 cpu1 napi/backlog-1 sched:sched_wakeup rr_server/0->1",
      "9425 cpu1 napi/backlog-1 napi:napi_poll backlog/1 work 1",
      // the server's reply is a local enqueue: no use_local_napi short-cut in 6.1, the thread is woken
      // and placed on CPU 0, idle since the client sleeps: CPU 1's backlog polled from CPU 0
      "12485 cpu1 rr_server/0 net:netif_rx",
      "12485 cpu1 rr_server/0 sched:sched_wakeup napi/backlog-1->0",
      "12485 cpu1 rr_server/0 ipi:ipi_send_cpu cpu0",
      "20125 cpu0 napi/backlog-1 net:netif_receive_skb",
      "20125 cpu0 napi/backlog-1 sched:sched_wakeup rr_client/0->0",
      "20125 cpu0 napi/backlog-1 napi:napi_poll backlog/1 work 1",
    ]);
  });

  it("v6.10's smpboot threads, for contrast: the reply takes the local softirq path", () => {
    expect(firstRecords("threads", 8).slice(6)).toEqual(["12485 cpu1 rr_server/0 net:netif_rx", "12485 cpu1 rr_server/0 irq:softirq_raise"]);
  });
});

describe("backlog_set_threaded and napi_threaded_poll of 6.1", () => {
  it("one ordinary kthread napi/backlog-<n> per CPU, bound to nothing (or to the taskset mask), THREADED on every backlog", () => {
    const s = new Simulation(makeConfig({ cpus: 3, workload: "none", backlog_napi: "backlog-threaded", duration_ms: 1 }));
    const m = s.machine;
    expect(m.napiBacklogThreads.map((t) => [t.comm, t.kind, t.pinned, t.allowed, t.balanced, t.sd.cpu])).toEqual([
      ["napi/backlog-0", "backlog_thread", -1, [0, 1, 2], true, 0],
      ["napi/backlog-1", "backlog_thread", -1, [0, 1, 2], true, 1],
      ["napi/backlog-2", "backlog_thread", -1, [0, 1, 2], true, 2],
    ]);
    expect(m.backlogThreads).toEqual([]);
    expect(m.sd.map((sd) => sd.backlogState)).toEqual([NAPI_STATE_THREADED, NAPI_STATE_THREADED, NAPI_STATE_THREADED]);
    const masked = new Simulation(makeConfig({ cpus: 3, workload: "none", backlog_napi: "backlog-threaded", backlog_thread_cpus: "1-2", duration_ms: 1 })).machine;
    expect(masked.napiBacklogThreads.map((t) => [t.allowed, t.cpu])).toEqual([[[1, 2], 1], [[1, 2], 1], [[1, 2], 2]]);
  });

  it("rounds of dev_rx_weight with cond_resched between, until a round does less; then napi_thread_wait sleeps", () => {
    const r = simulate(makeConfig({ profile: REF, workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 200_000, nic_batch: 200, backlog_napi: "backlog-threaded-intent", duration_ms: 2, trace: true, trace_ns: 1_100_000 }));
    const seq = r.trace!.records
      .filter((x) => x.event === "napi:napi_poll" || (x.event === "sched:sched_switch" && String(x.fields.prev_comm).startsWith("napi/")))
      .map((x) => `${x.ts} cpu${x.cpu} ${x.event === "napi:napi_poll" ? `poll ${x.fields.work}` : `${x.fields.prev_comm} ${x.fields.prev_state} -> ${x.fields.next_comm}`}`);
    expect(seq).toEqual([
      "123290 cpu0 poll 64",
      "171330 cpu0 poll 64",
      "219370 cpu0 poll 64",
      "225410 cpu0 poll 8",
      "225410 cpu0 napi/backlog-0 S -> swapper/0",
    ]);
  });
});

describe("____napi_schedule of 6.1 and process_backlog with the patch", () => {
  it("SCHED_THREADED is set only when the thread is not asleep; a sleeping thread is just woken", () => {
    const s = new Simulation(makeConfig({ workload: "none", backlog_napi: "backlog-threaded-intent", duration_ms: 1 }));
    s.runUntil(10_000);
    const m = s.machine;
    const sd = m.sd[1]!;
    const t = m.napiBacklogThreads[1]!;
    sd.backlogState |= NAPI_STATE_SCHED;
    expect(t.state).toBe(TASK_SLEEPING);
    ____napi_schedule_6_1(m, m.cpus[0]!, sd);
    expect(t.state).toBe(TASK_RUNNING);
    expect(sd.backlogState & NAPI_STATE_SCHED_THREADED).toBe(0);
    ____napi_schedule_6_1(m, m.cpus[0]!, sd);
    expect(sd.backlogState & NAPI_STATE_SCHED_THREADED).toBe(NAPI_STATE_SCHED_THREADED);
    expect(m.cpus[1]!.backlogThreadWakeups).toBe(1);
    expect(sd.backlogOnPollList).toBe(false);
    expect(m.cpus[0]!.softirqPending).toBe(0);
  });

  it("process_backlog keeps THREADED and counts process_queue_empty twice per one-packet poll (splice, complete)", () => {
    const s = new Simulation(makeConfig({ workload: "udp-stream", rate_pps: 10_000, backlog_napi: "backlog-threaded-intent", duration_ms: 5, trace: true }));
    s.runUntil(5_000_000);
    const m = s.machine;
    const r = s.finish(0);
    const polls = r.trace!.records.filter((x) => x.event === "napi:napi_poll");
    expect(polls.length).toBe(50);
    expect(polls.every((x) => x.fields.work === 1)).toBe(true);
    expect(m.sd[0]!.process_queue_empty).toBe(2 * polls.length);
    expect(m.sd.every((sd) => (sd.backlogState & NAPI_STATE_THREADED) !== 0)).toBe(true);
    const v610 = new Simulation(makeConfig({ workload: "udp-stream", rate_pps: 10_000, backlog_napi: "threads", duration_ms: 5 }));
    v610.runUntil(5_000_000);
    expect(v610.machine.sd.map((sd) => sd.process_queue_empty)).toEqual([0, 0]);
  });
});

describe("dev_cpu_dead with the patch", () => {
  const runs = hotplugDesigns({ profile: REF });
  const of = (m: BacklogNapiMode) => runs.find((r) => r.mode === m)!;

  it("returns early for a THREADED backlog: nothing re-injected, the queue is left to napi/backlog-1 on a live CPU", () => {
    const r = of("backlog-threaded-intent");
    expect(r.queued_at_offline).toBeGreaterThan(0);
    expect(r.reinjected).toBe(0);
    expect(r.polled_while_offline).toBeGreaterThan(0);
    const down = r.samples.filter((x) => !x.cpu1_online);
    expect(down.length).toBeGreaterThan(0);
    expect(down.every((x) => x.thread1_cpu !== 1)).toBe(true);
    expect(r.balanced).toBe(true);
  });

  it("the smpboot and softirq designs re-inject the whole queue; every design balances its accounting", () => {
    for (const m of ["softirq", "threads"] as const) expect(of(m).reinjected).toBe(of(m).queued_at_offline);
    expect(runs.every((r) => r.balanced)).toBe(true);
    expect(of("backlog-threaded").reinjected).toBe(0);
  });
});

describe("wakeup placement within a cpus_mask (select_task_rq_fair)", () => {
  /** 3 CPUs, hogs on CPUs 0 and 1 (running), CPU 2 idle. */
  function machine(hotplug = "") {
    const s = new Simulation(makeConfig({ cpus: 3, workload: "none", hog_cpus: "0,1", backlog_napi: "backlog-threaded-intent", hotplug, duration_ms: 1 }));
    s.runUntil(200_000);
    return s.machine;
  }

  it("the previous CPU when it is idle", () => {
    const m = machine();
    const t = m.napiBacklogThreads[2]!;
    expect(t.cpu).toBe(2);
    m.sched.tryToWakeUp(m.cpus[0]!, t);
    expect(t.cpu).toBe(2);
    expect(t.nrMigrations).toBe(0);
  });

  it("another idle CPU of the mask when the previous one and the waker's are busy", () => {
    const m = machine();
    const t = m.napiBacklogThreads[1]!;
    m.sched.tryToWakeUp(m.cpus[0]!, t);
    expect(t.cpu).toBe(2);
    expect(t.nrMigrations).toBe(1);
  });

  it("the previous CPU when no CPU of the mask is idle; a CPU of the mask when the previous one is not in it", () => {
    const m = machine();
    const a = m.napiBacklogThreads[1]!;
    a.allowed = [0, 1];
    m.sched.tryToWakeUp(m.cpus[0]!, a);
    expect(a.cpu).toBe(1);
    expect(m.cpus[1]!.rq.includes(a)).toBe(true);
    const b = m.napiBacklogThreads[0]!;
    b.allowed = [1];
    m.sched.tryToWakeUp(m.cpus[0]!, b);
    expect(b.cpu).toBe(1);
  });

  it("no CPU of the mask online: select_fallback_rq breaks the affinity", () => {
    const m = machine("cpu2:off@100us");
    const t = m.napiBacklogThreads[0]!;
    t.allowed = [2];
    m.sched.tryToWakeUp(m.cpus[0]!, t);
    expect(t.allowed).toEqual([0, 1, 2]);
    expect(m.cpus[t.cpu]!.online).toBe(true);
  });
});

describe("load balancing moves only the unpinned backlog threads", () => {
  const run = (o: ConfigOverrides) => {
    const s = new Simulation(makeConfig({ ...o, duration_ms: 50 }));
    s.runUntil(50_000_000);
    s.finish(0);
    return s.machine;
  };

  it("newidle_balance: CPU 0 going idle pulls napi/backlog-1 from behind the hog on CPU 1", () => {
    const m = run({ scenario: "hog-beside-rps", backlog_napi: "backlog-threaded-intent" });
    expect(m.sched.newidlePulls).toBeGreaterThan(0);
    const t = m.napiBacklogThreads[1]!;
    expect(t.cpu).toBe(0);
    expect(t.remotePackets).toBe(m.sd[0]!.processed);
  });

  it("nohz idle balance and the periodic load_balance each move a waiting thread somewhere", () => {
    // both are rare (a tick must find the imbalance): 200 ms gives each a few chances
    const long = (o: ConfigOverrides) => {
      const s = new Simulation(makeConfig({ ...o, duration_ms: 200 }));
      s.runUntil(200_000_000);
      return s.machine;
    };
    expect(long({ scenario: "loopback-pingpong", backlog_napi: "backlog-threaded-intent" }).sched.nohzPulls).toBeGreaterThan(0);
    expect(long({ scenario: "loopback-4cpu-4flows", backlog_napi: "backlog-threaded-intent" }).sched.periodicPulls).toBeGreaterThan(0);
  });

  it("the older modes have no balanced task and never balance, hotplug included", () => {
    for (const mode of ["softirq", "threads-always", "threads"] as const) {
      const m = run({ scenario: "hog-beside-rps", backlog_napi: mode, hotplug: "cpu1:off@5ms,on@9ms" });
      expect(m.tasks.some((t) => t.balanced || t.allowed !== null)).toBe(false);
      expect([m.sched.newidlePulls, m.sched.nohzPulls, m.sched.periodicPulls]).toEqual([0, 0, 0]);
    }
  });

  it("taskset: backlog_thread_cpus=0 keeps every napi/backlog-<n> on CPU 0", () => {
    const r = simulate(makeConfig({ scenario: "loopback-4cpu-4flows", backlog_napi: "backlog-threaded-intent", backlog_thread_cpus: "0", duration_ms: 20 }));
    expect(r.per_cpu.map((c) => c.busy_ns.backlog_thread > 0)).toEqual([true, false, false, false]);
    expect(r.per_cpu.map((c) => c.softnet.processed > 0)).toEqual([true, false, false, false]);
  });

  it("backlog_thread_cpus is refused with the smpboot modes, and names must exist", () => {
    expect(() => makeConfig({ backlog_napi: "threads", backlog_thread_cpus: "0" })).toThrow(ConfigError);
    expect(() => makeConfig({ backlog_napi: "threads", backlog_thread_cpus: "0" })).toThrow(/backlog_thread_cpus: "0".*only the backlog-threaded modes/);
    expect(() => makeConfig({ backlog_napi: "backlog-threaded", backlog_thread_cpus: "5" })).toThrow(/backlog_thread_cpus: "5".*CPU 5, which does not exist/);
    expect(() => makeConfig({ backlog_napi: "backlog-threaded", backlog_wake_delay_ns: 1000 })).toThrow(/backlog_wake_delay_ns/);
  });

  it("the era's defaults: ksoftirqd_policy 2016 unless given; preempt=rt is labelled hypothetical", () => {
    expect(makeConfig({ backlog_napi: "backlog-threaded" }).ksoftirqd_policy).toBe("2016");
    expect(makeConfig({ backlog_napi: "backlog-threaded", ksoftirqd_policy: "since-6.5" }).ksoftirqd_policy).toBe("since-6.5");
    expect(makeConfig({ backlog_napi: "threads" }).ksoftirqd_policy).toBe("since-6.5");
    const rt = simulate(makeConfig({ backlog_napi: "backlog-threaded-intent", preempt: "rt", duration_ms: 2 }));
    expect(rt.warnings.some((w) => w.includes("is hypothetical"))).toBe(true);
  });
});

describe("property: random configurations with the backlog-threaded modes", () => {
  const WORKLOADS: readonly WorkloadName[] = ["udp-stream", "udp-pingpong", "nic-rx"];
  const scenario = fc.record({
    cpus: fc.integer({ min: 2, max: 3 }),
    backlog_napi: fc.constantFrom<BacklogNapiMode>("backlog-threaded", "backlog-threaded-intent"),
    preempt: fc.constantFrom<PreemptModel>("none", "full", "rt"),
    workload: fc.constantFrom(...WORKLOADS),
    rate_pps: fc.constantFrom(0, 100_000, 400_000),
    rpsMask: fc.integer({ min: 0, max: 7 }),
    affinity: fc.integer({ min: 0, max: 7 }),
    sender: fc.nat(),
    receiver: fc.nat(),
    hog: fc.boolean(),
    off: fc.option(fc.integer({ min: 10, max: 250 }), { nil: undefined }),
    back: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    idle: fc.constantFrom("halt" as const, "poll" as const),
    seed: fc.integer({ min: 1, max: 1000 }),
  });

  it("machine checks at every 100-us slice, exact packet accounting, and the same seed gives the same digest", () => {
    let withHotplug = 0;
    let withMask = 0;
    fc.assert(
      fc.property(scenario, (sc) => {
        const n = sc.cpus;
        const mask = sc.affinity & ((1 << n) - 1);
        const cpusOf = (bits: number) => Array.from({ length: n }, (_, i) => i).filter((i) => bits & (1 << i));
        const hotplug = sc.off === undefined ? "" : `cpu${n - 1}:off@${sc.off * 10}us${sc.back !== undefined ? `,on@${sc.off * 10 + sc.back * 10}us` : ""}`;
        const over: ConfigOverrides = {
          cpus: n, workload: sc.workload, backlog_napi: sc.backlog_napi, preempt: sc.preempt,
          rate_pps: sc.workload === "nic-rx" && sc.rate_pps === 0 ? 400_000 : sc.rate_pps,
          rps_cpus: (sc.rpsMask & ((1 << n) - 1)).toString(16),
          sender_cpu: sc.sender % n, receiver_cpu: sc.receiver % n, nic_cpu: sc.sender % n, nic_batch: 8,
          hog_cpus: sc.hog ? String(sc.receiver % n) : "",
          backlog_thread_cpus: cpusOf(mask).join(","),
          hotplug, idle: sc.idle, seed: sc.seed, duration_ms: 3,
        };
        const digests: string[] = [];
        for (let k = 0; k < 2; k++) {
          const s = new Simulation(makeConfig(over));
          for (let t = 100_000; t <= 3_000_000; t += 100_000) {
            s.runUntil(t);
            if (k === 0) checkMachine(s.machine, ` at ${t} ns with ${JSON.stringify(over)}`);
          }
          const r = s.finish(0);
          const p = r.packets;
          if (p.sent !== p.delivered + p.dropped.backlog + p.dropped.rcvbuf + p.dropped.nic + p.in_flight) throw new Error(`accounting ${JSON.stringify(p)} with ${JSON.stringify(over)}`);
          digests.push(r.digest);
        }
        if (digests[0] !== digests[1]) throw new Error(`two runs, two digests with ${JSON.stringify(over)}`);
        if (hotplug !== "") withHotplug++;
        if (mask !== 0) withMask++;
      }),
      { seed: 20261206, numRuns: 120, endOnFailure: true },
    );
    expect(withHotplug).toBeGreaterThan(30);
    expect(withMask).toBeGreaterThan(30);
  });
});
