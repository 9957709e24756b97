/**
 * What notebooks/04b-ksoftirqd-policy.ipynb states (claims C7, C13), asserted from the library.
 */
import { describe, expect, it } from "vitest";
import { floodRatios, ksoftirqdPolicies, RT_KERNELS, rtScenario } from "../src/experiments/rt";
import { loadPublishedFigures } from "../src/measure/dataset";

describe("04b · ksoftirqd's policy history and the FIFO latency", () => {
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
    // the chart's rows (floodRatios) are these ratios, published then model, 2016 then 2023
    expect(floodRatios(p, pub).map((r) => r.value)).toEqual([fig("2016, with") / fig("2016, before"), model2016, fig("receiver on another CPU") / fig("receiver on the same CPU"), model2023]);
    expect(other("2016")).toBe(other("since-6.5")); // exercise 2's reference answer
  });

  it("C13: the FIFO task's tail is long without RT and short on both RT kernels; threads do not improve on v6.8-rt", () => {
    const lat = RT_KERNELS.map((k) => rtScenario(k, { workload: "nic-rx", nic_cpu: 1, rate_pps: 1_000_000, nic_batch: 32, rps_cpus: "0", duration_ms: 50 }).wakeup_latency_ns!);
    expect(lat[0]!.p99).toBeGreaterThan(10 * lat[1]!.p99);
    expect(lat[2]!.p99).toBe(lat[1]!.p99);
  });
});
