/**
 * The parallel sweep runner: worker threads give exactly the results of running inline, in input
 * order, and progress is reported at fixed milestones.
 */
import { describe, expect, it, vi } from "vitest";
import { makeConfig } from "../src/config/parse";
import { sweep } from "../src/experiments/sweep";

describe("sweep", () => {
  it("parallel results equal inline results, in input order, with milestone progress lines", async () => {
    const configs = [50_000, 300_000, 700_000, 1_500_000, 100_000].map((rate) => makeConfig({ workload: "nic-rx", rate_pps: rate, duration_ms: 10 }));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const par = await sweep(configs, { parallel: 2, label: "t" });
    const lines = log.mock.calls.map((c) => String(c[0]));
    log.mockRestore();
    const inline = await sweep(configs, { parallel: 1 });
    expect(par.map((r) => r.digest)).toEqual(inline.map((r) => r.digest));
    expect(par.map((r) => r.config.rate_pps)).toEqual(configs.map((c) => c.rate_pps));
    expect(lines).toEqual(["t: 2/5 runs", "t: 3/5 runs", "t: 4/5 runs", "t: 5/5 runs"]);
  }, 60_000);
});
