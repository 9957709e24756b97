/**
 * What notebooks/04-preempt-rt.ipynb states (claims C3-C6), asserted from the library; C7 and C13
 * (notebook 04b) are in nb04b-ksoftirqd-policy.test.ts.
 */
import { describe, expect, it } from "vitest";
import { makeConfig } from "../src/config/parse";
import { simulate } from "../src/sim/simulate";
import { BH_LOCK_SCENARIO, bhLockWindow, hogTime, idleWarning, RT_KERNELS, rtScenario, whereNetRxRuns } from "../src/experiments/rt";

describe("04 · PREEMPT_RT mechanics", () => {
  it("C3: under rt a non-NAPI device's NET_RX runs in its IRQ thread, never at irq exit", () => {
    const r = simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 100_000, nic_batch: 4, preempt: "rt", duration_ms: 1 }));
    expect(r.per_cpu[0]!.softirq_runs.irq_thread).toBeGreaterThan(0);
    expect(r.per_cpu[0]!.softirq_runs.irq_exit).toBe(0);
    expect(r.tasks.some((t) => t.name === "irq/0-nic0" && t.policy === "SCHED_FIFO")).toBe(true);
  });

  const runs = RT_KERNELS.map((kernel) => ({ kernel, result: rtScenario(kernel, { duration_ms: 50 }) }));
  const where = whereNetRxRuns(runs);
  const busy = (k: string, ctx: string) => where.find((w) => w.kernel === k && w.context.startsWith(ctx))!.busy_ms;

  it("C4: NET_RX runs at irq exit on v6.8, in ksoftirqd on v6.8-rt, in backlog_napi on v6.10-rt", () => {
    expect(busy("v6.8, preempt none", "at irq exit")).toBeGreaterThan(0);
    expect(busy("v6.8, preempt none", "ksoftirqd")).toBe(0);
    expect(busy("v6.8-rt", "ksoftirqd")).toBeGreaterThan(0);
    expect(busy("v6.8-rt", "at irq exit")).toBe(0);
    expect(busy("v6.10-rt (backlog threads)", "backlog_napi")).toBeGreaterThan(0);
    expect(busy("v6.10-rt (backlog threads)", "ksoftirqd")).toBe(0);
  });

  it("C6: the hog loses time to softirq work only without RT", () => {
    expect(hogTime(runs[0]!.result).lost_ms).toBeGreaterThan(0);
    expect(hogTime(runs[1]!.result).lost_ms).toBe(0);
    expect(hogTime(runs[2]!.result).lost_ms).toBe(0);
    // exercise 1's reference answer
    expect(runs[0]!.result.tasks.filter((t) => t.cpu === 1).sort((a, b) => b.softirq_ns - a.softirq_ns)[0]!.name).toBe("hog/1");
  });

  it("C5: the idle-task warning appears under rt with a polling target, not under none", () => {
    expect(idleWarning("rt").length).toBe(1);
    expect(idleWarning("none").length).toBe(0);
  });
});

describe("04 · the BH lock's priority inheritance (section 4)", () => {
  it("the IRQ thread blocks on the BH lock and backlog_napi/1 runs at its priority (49 = SCHED_FIFO 50), not at 120", () => {
    const pi = simulate(makeConfig(BH_LOCK_SCENARIO));
    const { boosts, window } = bhLockWindow(pi);
    expect(boosts.length).toBeGreaterThan(0);
    // the timeline's window opens 8 µs before the first boost, 40 µs long
    expect(window).toEqual({ from_ns: Math.max(0, boosts[0]!.ts - 8_000), to_ns: Math.max(0, boosts[0]!.ts - 8_000) + 40_000 });
    for (const r of boosts) {
      expect(r.fields.prev_comm).toBe("irq/1-nic0");
      expect(r.fields.next_prio).toBe(49);
      expect(r.fields.prev_prio).toBe(49);
    }
    // its own priority, outside the boosts, is a SCHED_OTHER task's
    expect(pi.trace!.records.some((r) => r.event === "sched:sched_switch" && r.fields.next_comm === "backlog_napi/1" && r.fields.next_prio === 120)).toBe(true);
  });

  it("without PREEMPT_RT there is no BH lock to inherit through: no boost, no window", () => {
    const none = bhLockWindow(simulate(makeConfig({ ...BH_LOCK_SCENARIO, preempt: "full" })));
    expect(none).toEqual({ boosts: [], window: null });
  });
});
