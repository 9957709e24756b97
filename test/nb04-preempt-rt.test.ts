/**
 * What notebooks/04-preempt-rt-ksoftirqd.ipynb states (claims C3-C7, C13), asserted from the library.
 */
import { describe, expect, it } from "vitest";
import { makeConfig } from "../src/config/parse";
import { simulate } from "../src/sim/simulate";
import { hogTime, idleWarning, ksoftirqdPolicies, RT_KERNELS, rtScenario, whereNetRxRuns } from "../src/experiments/rt";
import { loadPublishedFigures } from "../src/measure/dataset";

describe("04 · PREEMPT_RT, ksoftirqd and the punished task", () => {
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

  it("C7: both published directions are reproduced, with ratios of the same order (hundreds)", () => {
    const p = ksoftirqdPolicies({ duration_ms: 50 });
    const same = (pol: string) => p.find((x) => x.policy === pol && x.receiver === "same CPU as the flood")!.received_pps;
    const other = (pol: string) => p.find((x) => x.policy === pol && x.receiver === "other CPU")!.received_pps;
    const pub = loadPublishedFigures("datasets/published/claims-figures.csv").rows.filter((r) => r.claim === "C7");
    const fig = (t: string) => pub.find((r) => String(r.condition).includes(t))!.value as number;
    const model2016 = same("2016") / same("since-6.5");
    const model2023 = other("since-6.5") / same("since-6.5");
    expect(model2016).toBeGreaterThan(10);
    expect(model2023).toBeGreaterThan(10);
    for (const [m, pubRatio] of [[model2016, fig("2016, with") / fig("2016, before")], [model2023, fig("receiver on another CPU") / fig("receiver on the same CPU")]]) {
      expect(Math.abs(Math.log10(m!) - Math.log10(pubRatio!))).toBeLessThan(1); // same order of magnitude
    }
    expect(other("2016")).toBe(other("since-6.5")); // exercise 2's reference answer
  });

  it("C13: the FIFO task's tail is long without RT and short on both RT kernels; threads do not improve on v6.8-rt", () => {
    const lat = RT_KERNELS.map((k) => rtScenario(k, { workload: "nic-rx", nic_cpu: 1, rate_pps: 1_000_000, nic_batch: 32, rps_cpus: "0", duration_ms: 50 }).wakeup_latency_ns!);
    expect(lat[0]!.p99).toBeGreaterThan(10 * lat[1]!.p99);
    expect(lat[2]!.p99).toBe(lat[1]!.p99);
  });
});
