/**
 * Invariants under random configurations and workloads (fast-check, fixed seed, bounded runs): the
 * model's own `checkInvariants()` (packet accounting, NAPI state vs poll list, queue bounds, frame
 * depth) after every slice of simulated time, plus the kernel rules a reader of softnet_stat relies
 * on: a listed backlog always has a NET_RX on its way, a backlog is kicked once until it completes,
 * socket memory is the truesize of what is queued, busy time adds up to the run, the result's
 * counters agree with each other.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCpuMask } from "../src/kernel/rps";
import { NAPI_STATE_SCHED, NAPI_STATE_SCHED_THREADED } from "../src/kernel/dev";
import type { Machine } from "../src/kernel/machine";
import { CSD_RPS } from "../src/kernel/smp";
import { NET_RX_SOFTIRQ } from "../src/kernel/softirq";
import type { SimResult } from "../src/observe/types";
import { Simulation } from "../src/sim/simulate";
import { config, sum, type Overrides } from "./helpers/model";

const NET_RX = 1 << NET_RX_SOFTIRQ;

/** A random run: every key the receive path reads, over 1-4 CPUs and 1-5 ms. */
const arbRun: fc.Arbitrary<Overrides> = fc.integer({ min: 1, max: 4 }).chain((cpus) => {
  const cpu = fc.integer({ min: 0, max: cpus - 1 });
  const mask = fc.integer({ min: 0, max: 2 ** cpus - 1 });
  return fc.record({
    cpus: fc.constant(cpus),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    duration_ms: fc.integer({ min: 1, max: 5 }),
    workload: fc.constantFrom("udp-stream", "udp-pingpong", "nic-rx", "none" as const),
    rps_cpus: fc.oneof(fc.constant(0), mask).map((x) => x.toString(16)),
    hog_cpus: mask.map((x) => parseCpuMask(x.toString(16)).join(",")),
    sender_cpu: cpu,
    receiver_cpu: cpu,
    nic_cpu: cpu,
    nic_batch: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 200 })),
    rate_pps: fc.oneof(fc.constant(0), fc.integer({ min: 1_000, max: 3_000_000 })),
    arrivals: fc.constantFrom("periodic", "poisson" as const),
    payload_bytes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 9000 })),
    flows: fc.integer({ min: 1, max: 4 }),
    netdev_max_backlog: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 500, max: 5000 })),
    netdev_budget: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(300)),
    netdev_budget_usecs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
    dev_rx_weight: fc.oneof(fc.integer({ min: 1, max: 128 }), fc.constant(64)),
    hz: fc.constantFrom(100, 250, 300, 1000),
    ksoftirqd_policy: fc.constantFrom("since-6.5", "2016" as const),
    idle: fc.constantFrom("halt", "poll", "haltpoll" as const),
    rcvbuf_bytes: fc.oneof(fc.constant(212_992), fc.integer({ min: 2_304, max: 20_000 })),
    backlog_napi: fc.constantFrom("softirq", "softirq", "threads", "threads-always" as const),
    preempt: fc.constantFrom("none", "none", "full", "rt" as const),
    nic_irq: fc.constantFrom("plain", "threaded" as const),
    irq_time_accounting: fc.boolean(),
    // one CPU goes offline for a while, sometimes for good (dev_cpu_dead re-injects its backlog)
    hotplug: cpus === 1 ? fc.constant("") : fc.oneof(
      { arbitrary: fc.constant(""), weight: 3 },
      { arbitrary: fc.tuple(cpu, fc.integer({ min: 100, max: 900 }), fc.option(fc.integer({ min: 1, max: 3000 }))).map(([c, off, on]) => `cpu${c}:off@${off}us${on === null ? "" : `,on@${off + on}us`}`), weight: 1 },
    ),
  });
});

/** The kernel's own consistency rules, beyond Machine.checkInvariants(). */
function checkKernelRules(m: Machine): void {
  const max = m.cfg.netdev_max_backlog;
  const listed = new Map<number, number>(); // remote CPU -> times it sits on some rps_ipi_list
  for (const sd of m.sd) for (const c of sd.rps_ipi_list) listed.set(c, (listed.get(c) ?? 0) + 1);
  for (const sd of m.sd) {
    const cpu = m.cpus[sd.cpu]!;
    const where = `cpu${sd.cpu}`;
    const sched = (sd.backlogState & NAPI_STATE_SCHED) !== 0;
    // process_backlog splices only into an empty process_queue: it never holds more than one input_pkt_queue
    expect(sd.process_queue.length, `${where}: process_queue`).toBeLessThanOrEqual(max + 1);
    // a listed backlog is polled soon: NET_RX is pending here, or net_rx_action is running
    if (sd.backlogOnPollList) expect((cpu.softirqPending & NET_RX) !== 0 || sd.in_net_rx_action, `${where}: backlog on poll_list, no NET_RX coming`).toBe(true);
    // an owed RPS IPI goes out at the end of a NET_RX run (or of a threaded poll) that is coming
    if (sd.rps_ipi_list.length > 0) {
      expect((cpu.softirqPending & NET_RX) !== 0 || sd.in_net_rx_action || sd.in_napi_threaded_poll, `${where}: rps_ipi_list without NET_RX`).toBe(true);
    }
    // one kick per NAPI_STATE_SCHED period: a backlog is owed at most one IPI, and only while scheduled.
    // Hotplug excepted: dev_cpu_dead resets a dead CPU's backlog while another CPU may still list it;
    // the kernel leaves that entry too and net_rps_send_ipi skips it with cpu_online().
    if (m.cfg.hotplug === "") {
      const owed = (listed.get(sd.cpu) ?? 0) + cpu.csdQueue.filter((c) => c === CSD_RPS).length;
      expect(owed, `${where}: RPS kicks owed`).toBeLessThanOrEqual(1);
      if (owed > 0) expect(sched && !sd.backlogOnPollList, `${where}: IPI owed to a backlog that is not waiting for it`).toBe(true);
    }
    if (m.cfg.backlog_napi === "softirq") expect(sd.backlogState & NAPI_STATE_SCHED_THREADED, `${where}: SCHED_THREADED in softirq mode`).toBe(0);
  }
  if (!m.rps.enabled) for (const sd of m.sd) expect(sd.rps_ipi_list).toEqual([]);
  // PREEMPT_RT: a task preempted inside its softirq keeps the BH lock of the CPU it runs on
  for (const t of m.tasks) if (t.savedSoftirqRem >= 0) expect(m.cpus[t.cpu]!.bhOwner, `${t.comm}: stashed softirq without the BH lock`).toBe(t);
  for (const sk of m.sockets) {
    // sk_rmem_alloc is the truesize of what is queued plus what was read and not yet released
    // (forward_deficit, below forward_threshold unless the reader queue emptied); the limit test
    // lets one datagram overshoot
    const queued = sk.queue.toArray();
    expect(sk.rmem, `socket ${sk.port}: rmem`).toBe(sum(queued.map((p) => m.pool.truesize[p]!)) + sk.forwardDeficit);
    expect(sk.forwardDeficit, `socket ${sk.port}: forward_deficit`).toBeLessThan(sk.forwardThreshold);
    expect(sk.readerLen, `socket ${sk.port}: reader queue`).toBeLessThanOrEqual(queued.length);
    expect(sk.rmem, `socket ${sk.port}: rmem over rcvbuf`).toBeLessThanOrEqual(sk.rcvbuf + sk.forwardDeficit + (queued.length > 0 ? Math.max(...queued.map((p) => m.pool.truesize[p]!)) : 0));
  }
  expect(m.delivered).toBeLessThanOrEqual(m.sent);
  expect(m.held).toBeGreaterThanOrEqual(0);
  expect(m.held).toBeLessThanOrEqual(m.cpus.length + m.tasks.length); // one packet per NET_RX run or reader
}

/** What the result must say about itself. */
function checkResult(r: SimResult): void {
  const cfg = r.config;
  const p = r.packets;
  const dropped = p.dropped.backlog + p.dropped.rcvbuf + p.dropped.nic;
  expect(p.sent).toBe(p.delivered + dropped + p.in_flight);
  expect(p.delivered).toBeLessThanOrEqual(p.sent);
  expect(r.udp).toEqual({ InDatagrams: p.delivered, RcvbufErrors: p.dropped.rcvbuf });
  expect(sum(r.per_cpu.map((c) => c.softnet.dropped))).toBe(p.dropped.backlog);
  const processed = sum(r.per_cpu.map((c) => c.softnet.processed));
  // every processed packet went to a socket: read, dropped there, or still queued / being read
  expect(processed).toBeGreaterThanOrEqual(p.delivered + p.dropped.rcvbuf);
  expect(processed).toBeLessThanOrEqual(p.sent - p.dropped.backlog - p.dropped.nic);
  if (cfg.workload === "none") expect(p.sent).toBe(0);
  for (const c of r.per_cpu) {
    const b = c.busy_ns;
    const busy = b.task + b.softirq + b.hardirq + b.ksoftirqd + b.backlog_thread;
    expect(busy, `cpu${c.cpu} busy`).toBeLessThanOrEqual(r.simulated_ns);
    expect(busy + b.idle, `cpu${c.cpu} busy + idle`).toBe(r.simulated_ns);
    expect(c.softnet.time_squeeze).toBeLessThanOrEqual(c.net_rx_softirqs);
    const rps = parseCpuMask(cfg.rps_cpus);
    if (rps.length === 0) expect(c.softnet.received_rps).toBe(0);
    // RPS steers every packet to a CPU of the mask (while all of them are online)
    if (rps.length > 0 && cfg.hotplug === "" && !rps.includes(c.cpu)) expect(c.softnet.processed, `cpu${c.cpu} outside rps_cpus`).toBe(0);
  }
  for (const t of r.tasks) expect(t.cpu_ns, t.name).toBeLessThanOrEqual(r.simulated_ns);
  // round-trip latency exists only for ping-pong, and then for every completed exchange
  if (r.latency_ns !== null) {
    expect(cfg.workload).toBe("udp-pingpong");
    expect(r.latency_ns.count).toBeGreaterThan(0);
    expect(r.latency_ns.p50).toBeLessThanOrEqual(r.latency_ns.p99);
    expect(r.latency_ns.p99).toBeLessThanOrEqual(r.latency_ns.max);
  }
  if (cfg.workload === "udp-pingpong" && cfg.hog_cpus === "" && cfg.preempt !== "rt") expect(r.latency_ns).not.toBeNull();
}

describe("invariants under random configurations (fast-check)", () => {
  it("the timeline's spans tile each CPU's time and add up, per context, to the result's busy_ns", () => {
    fc.assert(
      fc.property(arbRun, (over) => {
        const cfg = config({ ...over, hotplug: "", duration_ms: 1, trace: true });
        const s = new Simulation(cfg);
        s.runUntil(1e6);
        const r = s.finish(0);
        const spans = r.trace!.spans;
        for (const c of r.per_cpu) {
          let t = 0;
          const byCtx: Record<string, number> = { task: 0, softirq: 0, hardirq: 0, ksoftirqd: 0, backlog_thread: 0, idle: 0 };
          for (const x of spans.filter((y) => y.cpu === c.cpu)) {
            expect([c.cpu, x.start]).toEqual([c.cpu, t]); // no gap, no overlap
            expect(x.end).toBeGreaterThan(x.start);
            byCtx[x.ctx] = byCtx[x.ctx]! + x.end - x.start;
            t = x.end;
          }
          expect(t).toBe(r.simulated_ns);
          for (const k of Object.keys(byCtx)) expect([c.cpu, k, Math.round(byCtx[k]!)]).toEqual([c.cpu, k, c.busy_ns[k as keyof typeof c.busy_ns]]);
        }
        // tracepoint records come in time order, each from a CPU that exists
        for (let i = 1; i < r.trace!.records.length; i++) expect(r.trace!.records[i]!.ts).toBeGreaterThanOrEqual(r.trace!.records[i - 1]!.ts);
      }),
      { seed: Number(process.env.FC_SEED ?? 77), numRuns: Number(process.env.FC_RUNS ?? 15) },
    );
  });

  it("hold after every slice of simulated time and at the end", () => {
    fc.assert(
      fc.property(arbRun, fc.array(fc.integer({ min: 1, max: 999 }), { minLength: 3, maxLength: 12 }), (over, cuts) => {
        const cfg = config(over);
        const s = new Simulation(cfg);
        const end = cfg.duration_ms * 1e6;
        // slices end at random points (per mille of the run), then at the end
        for (const at of [...new Set(cuts)].sort((a, b) => a - b).map((c) => Math.round((c * end) / 1000))) {
          s.runUntil(at);
          s.machine.checkInvariants();
          checkKernelRules(s.machine);
        }
        s.runUntil(end);
        const r = s.finish(0);
        checkKernelRules(s.machine);
        checkResult(r);
      }),
      { seed: Number(process.env.FC_SEED ?? 424242), numRuns: Number(process.env.FC_RUNS ?? 100) },
    );
  });
});

describe("counterexamples the property tests found, kept as fixed cases", () => {
  it("PREEMPT_RT: a CPU does not go offline under a task preempted in its softirq (it holds the BH lock, migrate-disabled)", () => {
    // A SCHED_FIFO task on CPU 0 keeps preempting the sender inside its in-call softirq (RT softirqs
    // are preemptible; the sender keeps the BH lock and a stashed __do_softirq). Taking CPU 0 down
    // then migrated the sender, which resumed its stashed softirq on CPU 1's __do_softirq state
    // ("segment ended in state 1") and left CPU 0's BH lock owned for good.
    for (const off of [121, 142, 261]) {
      const s = new Simulation(config({ preempt: "rt", workload: "udp-stream", rt_task_cpu: 0, rt_task_period_us: 20, hotplug: `cpu0:off@${off}us`, duration_ms: 3 }));
      const m = s.machine;
      for (let t = 50_000; t <= 3e6; t += 50_000) {
        s.runUntil(t);
        m.checkInvariants();
        checkKernelRules(m);
        // a preempted softirq stays with the BH lock of the CPU it runs on
        for (const task of m.tasks) if (task.savedSoftirqRem >= 0) expect([task.comm, m.cpus[task.cpu]!.bhOwner?.comm]).toEqual([task.comm, task.comm]);
      }
      checkResult(s.finish(0));
      expect([off, m.cpus[0]!.online, m.cpus[0]!.bhOwner]).toEqual([off, false, null]);
    }
  });
});
