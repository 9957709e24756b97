/**
 * Determinism: the same seed and config give the same event sequence (digest), the same result
 * JSON (wall_ms aside) and the same trace; the seed changes a run exactly where randomness enters
 * (Poisson arrivals, the RPS flow hash over several CPUs) and nowhere else; running in slices with
 * runUntil is the same run as running at once.
 */
import { describe, expect, it } from "vitest";
import type { SimResult } from "../src/observe/types";
import { run, simulation, traced, type Overrides } from "./helpers/model";

/** The result as JSON without the wall-clock time, the one field allowed to differ. */
const json = (r: SimResult) => JSON.stringify({ ...r, wall_ms: 0 });

const CASES: [string, Overrides][] = [
  ["loopback stream, RPS off", { duration_ms: 5 }],
  ["loopback stream, RPS to CPU 1", { rps_cpus: "2", duration_ms: 5 }],
  ["4 CPUs, 4 flows, RPS to all", { cpus: 4, flows: 4, rps_cpus: "f", duration_ms: 3 }],
  ["ping-pong, Poisson-paced stream with a hog", { workload: "udp-pingpong", hog_cpus: "1", duration_ms: 5 }],
  ["non-NAPI flood, Poisson arrivals, 2016 policy", { workload: "nic-rx", receiver_cpu: 0, rate_pps: 1_500_000, arrivals: "poisson", nic_batch: 16, ksoftirqd_policy: "2016", duration_ms: 5 }],
  ["PREEMPT_RT, backlog threads, hotplug", { preempt: "rt", backlog_napi: "threads", cpus: 3, flows: 3, rps_cpus: "6", hotplug: "cpu2:off@1ms,on@2ms", duration_ms: 3 }],
];

describe("the same seed and config", () => {
  it.each(CASES)("%s: identical digest and JSON (wall_ms aside), twice in one process", (_, over) => {
    const a = run({ seed: 7, ...over });
    const b = run({ seed: 7, ...over });
    expect(a.digest).toBe(b.digest);
    expect(json(a)).toBe(json(b));
    expect(a.events).toBeGreaterThan(1000);
  });

  it("identical trace: every record and span", () => {
    const over: Overrides = { rps_cpus: "2", workload: "udp-pingpong", idle: "haltpoll", duration_ms: 2, seed: 3 };
    const a = traced(over);
    const b = traced(over);
    expect(a.records.length).toBeGreaterThan(100);
    expect(JSON.stringify(a.records)).toBe(JSON.stringify(b.records));
    expect(JSON.stringify(a.spans)).toBe(JSON.stringify(b.spans));
  });

  it("tracing changes nothing that is simulated: same digest and counters with and without the trace", () => {
    const over: Overrides = { rps_cpus: "2", hog_cpus: "1", rate_pps: 300_000, arrivals: "poisson", duration_ms: 3 };
    const plain = run(over);
    const withTrace = traced(over).r;
    expect(withTrace.digest).toBe(plain.digest);
    const { trace, ...rest } = withTrace;
    expect(trace!.records.length).toBeGreaterThan(0);
    expect(json({ ...rest, config: plain.config } as SimResult)).toBe(json(plain));
  });

  it("running in slices with runUntil is the same run as running at once", () => {
    const over: Overrides = { cpus: 3, flows: 3, rps_cpus: "7", arrivals: "poisson", rate_pps: 400_000, duration_ms: 3 };
    const once = simulation(over);
    once.runUntil(3e6);
    const sliced = simulation(over);
    for (let t = 0; t <= 3e6; t += 12_345) sliced.runUntil(t);
    sliced.runUntil(3e6);
    expect(sliced.digest()).toBe(once.digest());
    expect(json(sliced.finish(0))).toBe(json(once.finish(0)));
  });
});

describe("a different seed", () => {
  it("changes Poisson-paced runs", () => {
    const over: Overrides = { rate_pps: 200_000, arrivals: "poisson", duration_ms: 3 };
    const digests = new Set([1, 2, 3].map((seed) => run({ ...over, seed }).digest));
    expect(digests.size).toBe(3);
  });

  it("changes where RPS puts several flows (the flow hash is seeded, like the kernel's hashrnd)", () => {
    const over: Overrides = { cpus: 4, flows: 4, rps_cpus: "f", rate_pps: 50_000, duration_ms: 2 };
    const placement = (seed: number) => run({ ...over, seed }).per_cpu.map((c) => c.softnet.processed > 0);
    const seen = new Set([1, 2, 3, 4, 5, 6].map((seed) => JSON.stringify(placement(seed))));
    expect(seen.size).toBeGreaterThan(1);
  });

  it("changes nothing where nothing is random: periodic pacing, and RPS off or to a single CPU", () => {
    for (const over of [{ duration_ms: 3 }, { rps_cpus: "2", flows: 3, duration_ms: 3 }, { workload: "udp-pingpong" as const, duration_ms: 3 }]) {
      const a = run({ ...over, seed: 1 });
      const b = run({ ...over, seed: 99 });
      expect(b.digest).toBe(a.digest);
      expect(json({ ...b, config: a.config })).toBe(json(a));
    }
  });
});
