/**
 * Invariants under random configurations (fast-check, fixed seed, bounded runs): packet accounting
 * (sent = delivered + dropped + in flight, in flight = queued + held), NAPI state vs poll list and
 * queued packets, queue bounds, frame depth, run-queue states, checked after every slice of
 * simulated time; busy time adds up per CPU; the THREADED bit stays on every backlog in thread
 * modes, also across CPU hotplug. Covers every backlog_napi mode, preemption model and ksoftirqd
 * policy. Plus determinism: the same seed and config give the same digest and the same JSON.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeConfig } from "../src/config/parse";
import { NAPI_STATE_THREADED } from "../src/kernel/dev";
import { Simulation, simulate } from "../src/sim/simulate";

const cpuMask = (cpus: number, bits: number) => (bits & ((1 << cpus) - 1)).toString(16);

const configArb = fc.record({
  cpus: fc.integer({ min: 1, max: 4 }),
  maskBits: fc.integer({ min: 0, max: 15 }),
  workload: fc.constantFrom("udp-stream", "udp-pingpong", "nic-rx", "none"),
  rate_pps: fc.constantFrom(0, 20_000, 300_000, 2_000_000),
  payload_bytes: fc.constantFrom(0, 64, 1400),
  flows: fc.integer({ min: 1, max: 4 }),
  netdev_max_backlog: fc.constantFrom(0, 5, 1000),
  netdev_budget: fc.constantFrom(1, 300),
  dev_rx_weight: fc.constantFrom(1, 64, 500),
  hz: fc.constantFrom(250, 1000),
  ksoftirqd_policy: fc.constantFrom("since-6.5", "2016"),
  backlog_napi: fc.constantFrom("softirq", "threads-always", "threads"),
  preempt: fc.constantFrom("none", "full", "rt"),
  idle: fc.constantFrom("halt", "poll", "haltpoll"),
  nic_batch: fc.constantFrom(1, 16),
  nic_irq: fc.constantFrom("plain", "threaded"),
  hog: fc.boolean(),
  rt: fc.boolean(),
  hotplugAt: fc.integer({ min: 0, max: 3000 }),
  hotplugBack: fc.integer({ min: 0, max: 3000 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

function toConfig(a: fc.Arbitrary<unknown> extends never ? never : any) {
  const cpus = a.cpus as number;
  const hot = cpus > 1 ? `cpu${cpus - 1}:off@${a.hotplugAt}us${a.hotplugBack > 0 ? `,on@${a.hotplugAt + a.hotplugBack}us` : ""}` : "";
  return makeConfig({
    cpus,
    rps_cpus: cpuMask(cpus, a.maskBits),
    workload: a.workload,
    sender_cpu: 0,
    receiver_cpu: cpus - 1,
    nic_cpu: 0,
    rate_pps: a.rate_pps,
    payload_bytes: a.payload_bytes,
    flows: a.flows,
    netdev_max_backlog: a.netdev_max_backlog,
    netdev_budget: a.netdev_budget,
    dev_rx_weight: a.dev_rx_weight,
    hz: a.hz,
    ksoftirqd_policy: a.ksoftirqd_policy,
    backlog_napi: a.backlog_napi,
    preempt: a.preempt,
    idle: a.idle,
    nic_batch: a.nic_batch,
    nic_irq: a.nic_irq,
    hog_cpus: a.hog ? Array.from({ length: cpus }, (_, i) => i).join(",") : "",
    rt_task_cpu: a.rt ? cpus - 1 : -1,
    rt_task_period_us: 100,
    hotplug: hot,
    duration_ms: 4,
    seed: a.seed,
  });
}

describe("model invariants under random configurations", () => {
  it("hold after every 100 us slice, and at the end, for every mode, model and policy", () => {
    fc.assert(
      fc.property(configArb, (a) => {
        const cfg = toConfig(a);
        const s = new Simulation(cfg);
        const threaded = cfg.backlog_napi !== "softirq";
        for (let t = 100_000; t <= cfg.duration_ms * 1e6; t += 100_000) {
          s.runUntil(t);
          s.machine.checkInvariants();
          if (threaded) for (const sd of s.machine.sd) expect(sd.backlogState & NAPI_STATE_THREADED).toBe(NAPI_STATE_THREADED);
        }
        const r = s.finish(0);
        expect(r.packets.sent).toBe(r.packets.delivered + r.packets.dropped.backlog + r.packets.dropped.rcvbuf + r.packets.dropped.nic + r.packets.in_flight);
        expect(r.packets.delivered).toBeLessThanOrEqual(r.packets.sent);
        for (const c of r.per_cpu) {
          const b = c.busy_ns;
          expect(b.task + b.softirq + b.hardirq + b.ksoftirqd + b.backlog_thread + b.idle).toBe(r.simulated_ns);
        }
        if (cfg.workload !== "udp-pingpong") expect(r.latency_ns).toBeNull();
        if (cfg.backlog_napi === "softirq") for (const c of r.per_cpu) expect(c.backlog_thread_wakeups).toBe(0);
        else for (const c of r.per_cpu) expect(c.softnet.received_rps).toBe(0);
      }),
      { numRuns: Number(process.env.SOFTNET_FC_RUNS ?? 150), seed: Number(process.env.SOFTNET_FC_SEED ?? 20261125) },
    );
  });
});

describe("hotplug", () => {
  it("a CPU going down mid-flow loses no packet and its backlog is re-injected; THREADED survives", () => {
    for (const backlog_napi of ["softirq", "threads"] as const) {
      const cfg = makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 0, rps_cpus: "2", rate_pps: 2_000_000, nic_batch: 64, backlog_napi, hotplug: "cpu1:off@2ms,on@3ms", duration_ms: 5 });
      const s = new Simulation(cfg);
      s.runUntil(2_500_000);
      s.machine.checkInvariants();
      expect(s.machine.cpus[1]!.online).toBe(false);
      expect(s.machine.hotplugReinjected).toBeGreaterThan(0);
      expect(s.machine.sd[1]!.backlogLength()).toBe(0);
      if (backlog_napi === "threads") expect(s.machine.sd[1]!.backlogState).toBe(NAPI_STATE_THREADED);
      s.runUntil(5_000_000);
      expect(s.machine.cpus[1]!.online).toBe(true);
      s.finish(0); // checks the accounting
    }
  });
});

describe("determinism", () => {
  const strip = (r: ReturnType<typeof simulate>) => JSON.stringify({ ...r, wall_ms: 0 });

  it("the same seed and config give the same digest and the same JSON, trace included", () => {
    for (const o of [
      { workload: "udp-stream" as const, rps_cpus: "2", duration_ms: 5, trace: true },
      { workload: "nic-rx" as const, arrivals: "poisson" as const, rate_pps: 500_000, flows: 3, rps_cpus: "3", duration_ms: 5 },
      { workload: "udp-pingpong" as const, preempt: "rt" as const, backlog_napi: "threads" as const, rt_task_cpu: 1, hog_cpus: "1", duration_ms: 5 },
    ]) {
      const a = simulate(makeConfig(o));
      const b = simulate(makeConfig(o));
      expect(a.digest).toBe(b.digest);
      expect(strip(a)).toBe(strip(b));
    }
  });

  it("another seed changes runs where randomness matters (Poisson arrivals, the RPS flow hash)", () => {
    const o = { workload: "nic-rx" as const, arrivals: "poisson" as const, rate_pps: 500_000, flows: 4, rps_cpus: "f", cpus: 4, duration_ms: 5 };
    const a = simulate(makeConfig({ ...o, seed: 1 }));
    const b = simulate(makeConfig({ ...o, seed: 2 }));
    expect(a.digest).not.toBe(b.digest);
    const spread = (r: typeof a) => r.per_cpu.map((c) => c.softnet.processed).join(",");
    expect(spread(a)).not.toBe(spread(b));
  });
});
