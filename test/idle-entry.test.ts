// How an idle CPU is woken (src/calibrate/idle-entry.ts): the committed captures give the cost
// entry idle_entry_poll and its spread, wakeups without an IPI fall between the end of the switch
// and the cpuidle entry, and the model charges the window: a wakeup inside it sends no IPI.
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { deriveIdleEntry } from "../src/calibrate/idle-entry";
import { COST_SPREAD, COSTS } from "../src/kernel/costs";
import { makeConfig } from "../src/config/parse";
import { simulate } from "../src/sim/simulate";

const DIR = join(resolve(__dirname, ".."), "datasets/traces/idle-entry-kvm-guest-2cpu-epyc-linux6.18-2026-12-06");

describe("the idle loop's polling prologue, measured", () => {
  const r = deriveIdleEntry(DIR);
  it("the cost entry and its spread are the captures' window", () => {
    expect(COSTS.idle_entry_poll.ns).toBe(r.poll_window.p50);
    expect(COST_SPREAD.idle_entry_poll).toEqual({ p10: r.poll_window.p10, p50: r.poll_window.p50, p90: r.poll_window.p90 });
    expect(COSTS.idle_entry_poll.source).toContain(`${r.switch_tail_ns} ns`);
    expect(COSTS.idle_entry_poll.source).toContain(`over ${r.poll_window.n} samples`);
  });
  it("every capture converts cycles at the machine's TSC rate and shows wakeups of all three kinds", () => {
    expect(r.captures).toHaveLength(3);
    for (const c of r.captures) {
      expect(c.cycles_per_ns).toBeGreaterThan(2.55);
      expect(c.cycles_per_ns).toBeLessThan(2.65);
      expect(c.woken_without_ipi.length).toBeGreaterThan(1000);
      expect(c.ipi_before_halt.length).toBeGreaterThan(100);
      expect(c.ipi_after_halt.length).toBeGreaterThan(100);
    }
    // about half of the idle reader's wakeups needed no IPI in these traced runs
    expect(r.share_without_ipi).toBeGreaterThan(0.4);
    expect(r.share_without_ipi).toBeLessThan(0.7);
  });
  it("IPI-less wakeups come after the switch's tail; IPIs before the halt come within it", () => {
    const all = (f: (c: (typeof r.captures)[number]) => number[]) => r.captures.flatMap(f).sort((a, b) => a - b);
    const med = (v: number[]) => v[Math.floor(v.length / 2)]!;
    expect(med(all((c) => c.ipi_before_halt))).toBeLessThan(r.switch_tail_ns);
    expect(med(all((c) => c.woken_without_ipi))).toBeGreaterThan(r.switch_tail_ns);
  });
});

describe("the way to sleep and the wakelist's decision, measured", () => {
  const r = deriveIdleEntry(DIR);
  it("the cost entries are the captures' figures", () => {
    expect(COSTS.schedule_dequeued.ns).toBe(r.block_path.dequeued_ns);
    expect(COSTS.schedule_queued.ns).toBe(r.block_path.queued_ns);
    expect(COSTS.schedule_queued.source).toContain(`${r.block_path.samples - r.block_path.with_ipi} of ${r.block_path.samples} wakings`);
    expect(COSTS.schedule_dequeued.source).toContain(`over ${r.block_path.samples} wakings on the way to sleep (${r.block_path.with_ipi} with an IPI)`);
    expect(COSTS.ttwu_queue_wakelist.ns).toBe(r.waking_to_decision.p50);
    expect(COST_SPREAD.ttwu_queue_wakelist).toEqual({ p10: r.waking_to_decision.p10, p50: r.waking_to_decision.p50, p90: r.waking_to_decision.p90 });
    // context_switch is the slept recvfrom's extra less the way to sleep, halved (trace-costs.ts)
    expect(COSTS.context_switch.source).toContain(`${r.block_path.queued_ns + r.block_path.dequeued_ns} ns`);
  });
  it("wakings on the way to sleep split by their lead on the switch: late ones send an IPI, early ones none", () => {
    const b = r.captures.flatMap((c) => c.block_path);
    const late = b.filter((x) => x.gap < r.block_path.dequeued_ns);
    const early = b.filter((x) => x.gap >= r.block_path.dequeued_ns);
    expect(late.filter((x) => x.ipi).length / late.length).toBeGreaterThan(0.9);
    expect(early.filter((x) => !x.ipi).length / early.length).toBeGreaterThan(0.75);
    // a waking that stops the sleep outright (before __schedule takes the rq lock) is rare
    expect(r.block_path.absorbed / r.block_path.samples).toBeLessThan(0.05);
  });
});

describe("the model polls through the window", () => {
  it("with idle_entry_poll a halting CPU takes some wakeups without an IPI; with 0 it takes none", () => {
    const run = (poll: number) =>
      simulate(makeConfig({ workload: "udp-pingpong", sender_cpu: 0, receiver_cpu: 1, idle: "halt", duration_ms: 20, cost_spread: "none", costs: { idle_entry_poll: poll } }));
    const off = run(0);
    const wide = run(1_000_000); // a window longer than any round trip: never halted when woken
    const ipis = (x: ReturnType<typeof run>) => x.per_cpu.reduce((a, c) => a + c.ipi_cal + c.ipi_res, 0);
    expect(ipis(off)).toBeGreaterThan(0);
    expect(ipis(wide)).toBe(0);
  });
});
