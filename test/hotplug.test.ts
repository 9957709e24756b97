/**
 * CPU hotplug (dev_cpu_dead in net/core/dev.c, v6.10): the `hotplug` plan is parsed and refused with messages that
 * name the problem; taking a CPU offline mid-flow loses no packet (dev_cpu_dead re-injects both of
 * its queues with netif_rx) and keeps NAPI_STATE_THREADED; and a property test throws random plans at
 * every backlog mode, preemption model and workload, checking the machine between slices.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main";
import { ConfigError } from "../src/config/errors";
import { makeConfig, resolveConfig } from "../src/config/parse";
import type { BacklogNapiMode, IdleMode, PreemptModel, WorkloadName } from "../src/config/schema";
import { NAPI_STATE_THREADED } from "../src/kernel/dev";
import { parseHotplug } from "../src/kernel/hotplug";
import type { SimResult } from "../src/observe/types";
import { checkMachine } from "./helpers/machine-checks";
import { recs, simulation, sum, traced, type Overrides } from "./helpers/model";

const dropped = (r: SimResult) => sum(Object.values(r.packets.dropped));
const accounted = (r: SimResult) => r.packets.sent === r.packets.delivered + dropped(r) + r.packets.in_flight;

describe("parseHotplug: the documented forms", () => {
  it("cpuN:off@<time>[,on@<time>], several CPUs separated by ';', events in time order", () => {
    expect(parseHotplug("cpu1:off@5ms,on@9ms", 2)).toEqual([
      { cpu: 1, online: false, atNs: 5_000_000 },
      { cpu: 1, online: true, atNs: 9_000_000 },
    ]);
    expect(parseHotplug("cpu2:off@3ms;cpu1:off@1.5ms,on@4ms", 4)).toEqual([
      { cpu: 1, online: false, atNs: 1_500_000 },
      { cpu: 2, online: false, atNs: 3_000_000 },
      { cpu: 1, online: true, atNs: 4_000_000 },
    ]);
  });

  it("every unit (ns, us, ms, s), decimals, spaces, an offline CPU that stays offline, an empty plan", () => {
    const at = (spec: string) => parseHotplug(spec, 2).map((e) => e.atNs);
    expect(at("cpu1:off@250us,on@1500000ns")).toEqual([250_000, 1_500_000]);
    expect(at("cpu1:off@0.002s")).toEqual([2_000_000]);
    expect(at(" cpu1 : off @ 2.5 ms , on @ 3 ms ")).toEqual([2_500_000, 3_000_000]);
    expect(parseHotplug("cpu0:off@1ms", 2)).toEqual([{ cpu: 0, online: false, atNs: 1_000_000 }]);
    expect(parseHotplug("", 2)).toEqual([]);
    expect(parseHotplug("   ", 2)).toEqual([]);
  });

  it("a CPU may leave when another has come back: cpu0 down 1-2 ms, cpu1 down from 3 ms", () => {
    expect(parseHotplug("cpu0:off@1ms,on@2ms;cpu1:off@3ms", 2).map((e) => `${e.cpu}${e.online ? "+" : "-"}`)).toEqual(["0-", "0+", "1-"]);
  });
});

describe("parseHotplug: bad plans are refused with a message naming the problem", () => {
  const refusals: Array<[string, string, number, RegExp]> = [
    ["an unknown CPU", "cpu2:off@1ms", 2, /^cpu2 does not exist \(cpus=2: CPUs 0-1 exist\)$/],
    ["a time without a unit", "cpu1:off@5", 2, /^"off@5" is not off@<time> or on@<time> \(.*units ns, us, ms, s\)$/],
    ["an unknown unit", "cpu1:off@5min", 2, /"off@5min" is not off@<time> or on@<time>/],
    ["a negative time", "cpu1:off@-1ms", 2, /"off@-1ms" is not off@<time> or on@<time>/],
    ["a time that is no number", "cpu1:off@soonms", 2, /"off@soonms" is not off@<time>/],
    ["an unknown action", "cpu1:down@1ms", 2, /"down@1ms" is not off@<time> or on@<time>/],
    ["an action missing", "cpu1:", 2, /"cpu1:" is not of the form cpuN:off@<time>\[,on@<time>\]/],
    ["a CPU not written cpuN", "1:off@1ms", 2, /"1:off@1ms" is not of the form cpuN:off@<time>/],
    ["offline twice", "cpu1:off@1ms,off@2ms", 2, /^cpu1 is already offline at 2000000 ns$/],
    ["online while online", "cpu1:on@1ms", 2, /^cpu1 is already online at 1000000 ns$/],
    ["the last online CPU", "cpu0:off@1ms;cpu1:off@2ms", 2, /^taking cpu1 offline at 2000000 ns would leave no CPU online: the last online CPU cannot go offline$/],
    ["the only CPU", "cpu0:off@1ms", 1, /the last online CPU cannot go offline/],
    ["three CPUs, all off at some moment", "cpu0:off@1ms,on@5ms;cpu1:off@2ms;cpu2:off@3ms", 3, /taking cpu2 offline at 3000000 ns would leave no CPU online/],
  ];
  for (const [what, spec, cpus, message] of refusals) {
    it(`${what}: ${JSON.stringify(spec)}`, () => {
      expect(() => parseHotplug(spec, cpus)).toThrow(message);
    });
  }
});

describe("the config and the CLI refuse a bad plan on key hotplug", () => {
  const configError = (f: () => unknown): ConfigError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return e as ConfigError;
    }
    throw new Error("no ConfigError");
  };

  it("makeConfig and resolveConfig throw a ConfigError on key hotplug, with the problem and the allowed form", () => {
    const last = configError(() => makeConfig({ hotplug: "cpu0:off@1ms;cpu1:off@2ms" }));
    expect(last.key).toBe("hotplug");
    expect(last.message).toMatch(/last online CPU/);
    expect(last.message).toContain("cpuN:off@<time>[,on@<time>]");
    const missing = configError(() => resolveConfig({ cpus: "4", hotplug: "cpu4:off@1ms" }));
    expect(missing.key).toBe("hotplug");
    expect(missing.message).toMatch(/cpu4 does not exist \(cpus=4: CPUs 0-3 exist\)/);
    // the check follows the CPU count, whichever key comes first
    expect(resolveConfig([["hotplug", "cpu3:off@1ms"], ["cpus", "4"]]).hotplug).toBe("cpu3:off@1ms");
  });

  it("softnet-lab simulate exits 2 when the plan would offline the last CPU, and prints nothing on stdout", async () => {
    let out = "";
    let err = "";
    const code = await main(["simulate", "--set", "hotplug=cpu0:off@1ms;cpu1:off@2ms"], { out: (t) => void (out += t), err: (t) => void (err += t) });
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain("hotplug");
    expect(err).toContain("the last online CPU cannot go offline");
  });
});

describe("a CPU going offline mid-flow", () => {
  // a non-NAPI device on CPU 0 hands 64 packets every 320 us to CPU 1 (RPS): CPU 1's backlog holds
  // packets for ~50 us after each interrupt. Offline at a moment it holds some, online at 3 ms.
  const FLOW: Overrides = { workload: "nic-rx", nic_cpu: 0, receiver_cpu: 0, rps_cpus: "2", rate_pps: 200_000, nic_batch: 64, duration_ms: 4 };
  const ON_AT = 3_000_000;

  /** The first 5-us step after 1.9 ms at which CPU 1's backlog holds packets (found by running without hotplug). */
  const busyMoment = (over: Overrides): { at: number; queued: number } => {
    const s = simulation(over);
    for (let t = 1_900_000; t < 2_300_000; t += 5_000) {
      s.runUntil(t - 1);
      const queued = s.machine.sd[1]!.backlogLength();
      if (queued > 0) return { at: t, queued };
    }
    throw new Error("CPU 1's backlog never held packets");
  };

  const modes: Array<[BacklogNapiMode, PreemptModel]> = [
    ["softirq", "none"], ["threads-always", "none"], ["threads", "none"],
    ["softirq", "rt"], ["threads-always", "rt"], ["threads", "rt"],
  ];
  for (const [backlog_napi, preempt] of modes) {
    it(`${backlog_napi}, preempt=${preempt}: its packets are re-injected on the survivor and none is lost${backlog_napi === "softirq" ? "" : "; THREADED survives offline and online"}`, () => {
      const over: Overrides = { ...FLOW, backlog_napi, preempt };
      const { at, queued } = busyMoment(over);
      const s = simulation({ ...over, hotplug: `cpu1:off@${at}ns,on@${ON_AT}ns` });
      const m = s.machine;
      let wentDown = -1;
      for (let t = at; t <= 4_000_000; t += 10_000) {
        s.runUntil(t);
        checkMachine(m, ` at ${t} ns`);
        if (wentDown < 0 && !m.cpus[1]!.online) {
          wentDown = t;
          expect(m.hotplugReinjected).toBeGreaterThan(0);
          if (t === at) expect(m.hotplugReinjected).toBe(queued); // down at once: exactly what it held
          if (backlog_napi !== "softirq") expect(m.sd[1]!.backlogState).toBe(NAPI_STATE_THREADED);
        }
        if (t === ON_AT - 10_000) expect(m.cpus[1]!.online).toBe(false);
      }
      expect(wentDown).toBeGreaterThan(0);
      expect(m.cpus[1]!.online).toBe(true);
      const processedWhileDown = m.sd[1]!.processed;
      s.runUntil(4_000_000);
      const r = s.finish(0);
      expect(accounted(r)).toBe(true);
      expect(dropped(r)).toBe(0);
      expect(r.packets.in_flight).toBeLessThanOrEqual(64); // at most the last batch: nothing stuck
      // back online, CPU 1 takes its RPS share again (through its thread in thread modes)
      expect(r.per_cpu[1]!.softnet.processed).toBeGreaterThanOrEqual(processedWhileDown);
      if (backlog_napi !== "softirq") expect(m.sd[1]!.backlogState & NAPI_STATE_THREADED).toBe(NAPI_STATE_THREADED);
    });
  }

  it("while CPU 1 is offline RPS skips it: no IPI and no wakeup go to it, the survivor takes every packet", () => {
    for (const backlog_napi of ["softirq", "threads"] as const) {
      const { r, records } = traced({ ...FLOW, backlog_napi, hotplug: "cpu1:off@1ms,on@3ms" });
      const during = records.filter((x) => x.ts > 1_100_000 && x.ts < 3_000_000);
      expect(recs(during, "ipi:ipi_send_cpu").filter((x) => x.fields.cpu === 1), backlog_napi).toEqual([]);
      expect(during.filter((x) => x.cpu === 1), backlog_napi).toEqual([]);
      expect(recs(during, "napi:napi_poll").every((x) => x.cpu === 0), backlog_napi).toBe(true);
      expect(recs(during, "napi:napi_poll").length, backlog_napi).toBeGreaterThan(0);
      expect(accounted(r)).toBe(true);
    }
  });

  it("no wakeup is lost when the CPU goes away while its wakelist has a task queued (IPI in flight) or its polling idle task is activating one", () => {
    // ping-pong between CPU 0 and CPU 1: each request and reply wakes the other side through its wakelist
    for (const idle of ["halt", "poll"] as const) {
      const base: Overrides = { workload: "udp-pingpong", backlog_napi: "threads", idle, duration_ms: 2 };
      // find a moment when CPU 1 has a wakeup queued (halt: the CAL IPI is on its way) or is activating
      // one in its idle task (poll: flush_smp_call_function_queue), and take CPU 1 down right then
      const probe = simulation(base);
      const c1 = probe.machine.cpus[1]!;
      let at = -1;
      for (let t = 100_000; t < 600_000 && at < 0; t += 25) {
        probe.runUntil(t);
        const flushing = c1.curr === c1.idleTask && c1.segActive && c1.segFn === "flush_smp_call_function_queue";
        if (idle === "halt" ? c1.csdQueue.length > 0 : flushing) at = t + 1;
      }
      expect(at, idle).toBeGreaterThan(0);
      const s = simulation({ ...base, hotplug: `cpu1:off@${at}ns` });
      for (let t = 10_000; t <= 2_000_000; t += 10_000) {
        s.runUntil(t);
        checkMachine(s.machine, ` at ${t} ns, idle=${idle}, cpu1 off at ${at} ns`);
      }
      const r = s.finish(0);
      expect(accounted(r)).toBe(true);
      // both tasks now share CPU 0 and go on exchanging until the end
      const before = simulation(base);
      before.runUntil(at);
      expect(r.latency_ns!.count, idle).toBeGreaterThan(before.machine.latencies.length + 100);
    }
  });

  const midWork: Array<[string, Overrides, string]> = [
    ["ksoftirqd/1 in NET_RX, holding the RT BH lock (v6.8-rt)", { backlog_napi: "softirq", preempt: "rt" }, "ksoftirqd/1"],
    ["backlog_napi/1 in the middle of a poll (v6.10)", { backlog_napi: "threads" }, "backlog_napi/1"],
    ["backlog_napi/1 in the middle of a poll, holding the RT BH lock (v6.10-rt)", { backlog_napi: "threads", preempt: "rt" }, "backlog_napi/1"],
  ];
  for (const [what, over, comm] of midWork) {
    it(`a per-CPU thread parked in the middle of its work finishes it once the CPU is back: ${what}`, () => {
      const base: Overrides = { ...FLOW, ...over };
      const probe = simulation(base);
      const c1 = probe.machine.cpus[1]!;
      let at = -1;
      for (let t = 1_900_000; t < 2_300_000 && at < 0; t += 1_000) {
        probe.runUntil(t);
        if (c1.curr.comm === comm && c1.segActive) at = t + 1;
      }
      expect(at).toBeGreaterThan(0);
      const s = simulation({ ...base, hotplug: `cpu1:off@${at}ns,on@${ON_AT}ns` });
      const sd1 = s.machine.sd[1]!;
      let processedAtOn = -1;
      for (let t = at; t <= 4_000_000; t += 10_000) {
        s.runUntil(t);
        checkMachine(s.machine, ` at ${t} ns, cpu1 off at ${at} ns`);
        if (t === ON_AT) processedAtOn = sd1.processed;
      }
      const r = s.finish(0);
      expect(accounted(r)).toBe(true);
      expect(dropped(r)).toBe(0);
      expect(r.packets.in_flight).toBeLessThanOrEqual(64); // nothing stuck behind the parked thread
      // back online, CPU 1 takes its RPS share again (~200 packets in the last millisecond)
      expect(sd1.processed - processedAtOn).toBeGreaterThan(100);
    });
  }

  it("the receiver pinned to the CPU that goes away moves to the survivor and keeps receiving", () => {
    const s = simulation({ ...FLOW, receiver_cpu: 1, rps_cpus: "0", backlog_napi: "threads", hotplug: "cpu1:off@1ms" });
    s.runUntil(1_500_000);
    const rx = s.machine.tasks.find((t) => t.comm === "udp_rx/0")!;
    expect(rx.cpu).toBe(0);
    const before = s.machine.delivered;
    s.runUntil(4_000_000);
    const r = s.finish(0);
    expect(r.packets.delivered).toBeGreaterThan(before);
    expect(accounted(r)).toBe(true);
  });
});

describe("property: random hotplug plans never lose a packet, a wakeup or the THREADED bit", () => {
  const DURATION_NS = 3_000_000;
  const SLICE_NS = 100_000;
  const WORKLOADS: readonly WorkloadName[] = ["udp-stream", "udp-pingpong", "nic-rx"];

  /** Per CPU: stays up, goes down for good, or goes down and comes back (times on a 10-us grid). */
  const cpuPlan = fc.oneof(
    fc.constant(null),
    fc.record({ off: fc.integer({ min: 10, max: 280 }), back: fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }) }),
  );
  const scenario = fc.record({
    cpus: fc.integer({ min: 2, max: 3 }),
    keeper: fc.nat(), // one CPU that never leaves, so some CPU is always online
    plans: fc.array(cpuPlan, { minLength: 3, maxLength: 3 }),
    backlog_napi: fc.constantFrom<BacklogNapiMode>("softirq", "threads-always", "threads"),
    preempt: fc.constantFrom<PreemptModel>("none", "full", "rt"),
    workload: fc.constantFrom(...WORKLOADS),
    rate_pps: fc.constantFrom(0, 100_000, 400_000),
    rpsMask: fc.integer({ min: 0, max: 7 }),
    sender: fc.nat(),
    receiver: fc.nat(),
    hog: fc.boolean(),
    idle: fc.constantFrom<IdleMode>("halt", "poll"),
    seed: fc.integer({ min: 1, max: 1000 }),
  });

  it("checkInvariants, the state bits and reachable tasks at every 100-us slice; packet accounting at the end", () => {
    let withHotplug = 0;
    let reinjected = 0;
    fc.assert(
      fc.property(scenario, (sc) => {
        const n = sc.cpus;
        const keeper = sc.keeper % n;
        const parts: string[] = [];
        for (let c = 0; c < n; c++) {
          const p = sc.plans[c];
          if (c === keeper || p === null || p === undefined) continue;
          const off = p.off * 10;
          parts.push(`cpu${c}:off@${off}us${p.back !== undefined ? `,on@${off + p.back * 10}us` : ""}`);
        }
        const hotplug = parts.join(";");
        const over: Overrides = {
          cpus: n,
          workload: sc.workload,
          backlog_napi: sc.backlog_napi,
          preempt: sc.preempt,
          // a flat-out ping-pong is the same as any ping-pong; nic-rx flat out is a livelock: keep it paced
          rate_pps: sc.workload === "nic-rx" && sc.rate_pps === 0 ? 400_000 : sc.rate_pps,
          rps_cpus: (sc.rpsMask & ((1 << n) - 1)).toString(16),
          sender_cpu: sc.sender % n,
          receiver_cpu: sc.receiver % n,
          nic_cpu: sc.sender % n,
          nic_batch: 8,
          hog_cpus: sc.hog ? String(sc.receiver % n) : "",
          hotplug,
          idle: sc.idle,
          seed: sc.seed,
          duration_ms: DURATION_NS / 1e6,
        };
        const s = simulation(over);
        const m = s.machine;
        for (let t = SLICE_NS; t <= DURATION_NS; t += SLICE_NS) {
          s.runUntil(t);
          checkMachine(m, ` at ${t} ns with ${JSON.stringify(over)}`);
        }
        const r = s.finish(0);
        if (!accounted(r)) throw new Error(`packet accounting: ${JSON.stringify(r.packets)} with ${JSON.stringify(over)}`);
        if (hotplug !== "") withHotplug++;
        reinjected += m.hotplugReinjected;
      }),
      { seed: 20261125, numRuns: 200, endOnFailure: true },
    );
    // the generator did exercise hotplug, and some offlined CPUs had packets to hand over
    expect(withHotplug).toBeGreaterThan(30);
    expect(reinjected).toBeGreaterThan(0);
  });
});
