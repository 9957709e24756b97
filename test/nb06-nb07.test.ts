/**
 * What notebooks 06 (smpboot threads, hotplug: C8, C14) and 07 (overload: C15) state, asserted from
 * the library.
 */
import { describe, expect, it } from "vitest";
import { makeConfig } from "../src/config/parse";
import { simulate } from "../src/sim/simulate";
import { hotplugRun } from "../src/experiments/hotplug";
import { OVERLOAD_VARIANTS, overloadSweep } from "../src/experiments/overload";

describe("06 · smpboot threads and hotplug", () => {
  it("C8: one backlog_napi/N per CPU, bound to it", () => {
    const r = simulate(makeConfig({ workload: "udp-stream", rps_cpus: "2", backlog_napi: "threads", duration_ms: 5 }));
    const t = r.tasks.filter((x) => x.name.startsWith("backlog_napi/"));
    expect(t.map((x) => [x.name, x.cpu])).toEqual([["backlog_napi/0", 0], ["backlog_napi/1", 1]]);
  });

  it("C14: offline mid-flow re-injects the backlog, the accounting balances, THREADED survives, the thread is parked", () => {
    for (const mode of ["softirq", "threads"] as const) {
      const r = hotplugRun(mode);
      const p = r.result.packets;
      expect(r.reinjected).toBeGreaterThan(0);
      expect(p.sent).toBe(p.delivered + p.dropped.backlog + p.dropped.rcvbuf + p.dropped.nic + p.in_flight);
      const down = r.samples.filter((s) => !s.cpu1_online);
      expect(down.length).toBeGreaterThan(0);
      expect(r.samples[r.samples.length - 1]!.cpu1_online).toBe(true);
      if (mode === "threads") {
        expect(r.samples.every((s) => s.threaded_bit)).toBe(true);
        expect(down.every((s) => s.thread_parked)).toBe(true);
        expect(r.samples.filter((s) => s.cpu1_online).every((s) => s.thread_parked === false)).toBe(true);
      }
    }
  });
});

describe("07 · overload", () => {
  const rates = [100_000, 300_000, 500_000, 700_000, 1_000_000, 1_500_000, 2_000_000];
  const sweep = overloadSweep(rates, { duration_ms: 30 });
  const series = (i: number) => sweep.filter((r) => r.variant === OVERLOAD_VARIANTS[i]!.label);

  it("every variant livelocks: delivered collapses past a peak, and nothing is delivered at 2 Mpps", () => {
    for (let i = 0; i < OVERLOAD_VARIANTS.length; i++) {
      const s = series(i);
      const peak = Math.max(...s.map((r) => r.delivered_pps));
      expect(peak).toBeGreaterThan(0);
      expect(s[s.length - 1]!.delivered_pps).toBeLessThan(peak / 10);
    }
  });

  it("the 2016 policy keeps the receiver alive longer than v6.8; RT collapses earlier; RPS + thread moves the peak up", () => {
    const at = (i: number, rate: number) => series(i).find((r) => r.offered_pps === rate)!.delivered_pps;
    expect(at(1, 700_000)).toBeGreaterThan(at(0, 700_000));
    expect(at(2, 300_000)).toBeLessThan(at(0, 300_000));
    expect(at(3, 500_000)).toBeGreaterThan(at(0, 500_000));
  });

  it("no time_squeeze with one backlog NAPI at weight 64; v6.8's peak is the exercise's reference answer", () => {
    expect(sweep.every((r) => r.time_squeeze === 0)).toBe(true);
    const v68 = series(0);
    expect(v68.reduce((a, b) => (b.delivered_pps > a.delivered_pps ? b : a)).offered_pps).toBe(300_000);
  });
});
