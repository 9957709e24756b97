/**
 * The rendered result paragraphs (src/notebook/summaries.ts) follow the rows they are given: the
 * same function writes the opposite sentence when the numbers turn, which is what keeps a
 * notebook's summary from going stale when the model changes.
 */
import { describe, expect, it } from "vitest";
import { backlogLimitSummary, c12Summary, delaySummary, hotplugSummary, switchesSummary } from "../src/notebook/summaries";
import type { DelayRow } from "../src/experiments/handoff";
import type { C12Row } from "../src/experiments/rps";
import type { HotplugRun } from "../src/experiments/hotplug";
import type { ComparisonRow } from "../src/calibrate/compare";

const delay = (workload: "udp-stream" | "udp-pingpong", delay_ns: number, vs_in_call: number): DelayRow =>
  ({ workload, delay_ns, vs_in_call, rate: vs_in_call * 1000, rtt_p50_ns: null, cpu_ns_per_packet: 1 });

describe("rendered summaries", () => {
  it("02: says no delay reaches in-call processing, or names the one that does (the 105 % case)", () => {
    const below = [delay("udp-stream", 0, 0.6), delay("udp-stream", 50_000, 0.95), delay("udp-pingpong", 0, 0.9), delay("udp-pingpong", 50_000, 0.2)];
    expect(delaySummary(below)).toMatch(/At no delay does either workload reach in-call processing: the best is 95\.0 %/);
    expect(delaySummary(below)).toMatch(/flat-out stream the rate rises/);
    expect(delaySummary(below)).toMatch(/ping-pong the rate falls/);
    const above = [delay("udp-stream", 0, 0.6), delay("udp-stream", 50_000, 1.05), delay("udp-pingpong", 0, 0.9), delay("udp-pingpong", 50_000, 0.2)];
    expect(delaySummary(above)).toMatch(/In-call processing is reached or passed by the flat-out stream at 50 µs \(105\.0 %\)/);
    expect(delaySummary(above)).not.toMatch(/At no delay/);
  });

  const cond = (cpus: number, receiver: "same" | "other", spare: boolean, ipi: number, thr: number): C12Row =>
    ({ cpus, receiver, spare, label: `${cpus} ${receiver} ${spare}`, ipi_vs_off: ipi, thread_vs_off: thr, thread_vs_ipi: thr / ipi, holds: ipi < 1 && thr < 1 && Math.abs(thr / ipi - 1) <= 0.1 } as C12Row);

  it("03: 'drops' nowhere vs somewhere, and C12 holding where it does", () => {
    const raise = [cond(2, "same", true, 1.3, 1.3), cond(2, "same", false, 1.2, 1.8)];
    expect(c12Summary(raise)).toMatch(/"drops"\*\* holds nowhere/);
    expect(c12Summary(raise)).toMatch(/not reproduced/);
    const drop = [cond(2, "same", true, 0.8, 0.82), cond(2, "same", false, 1.2, 1.8)];
    expect(c12Summary(drop)).toMatch(/lowers loopback throughput, with at least one kick, in 1 of 2 conditions/);
    expect(c12Summary(drop)).toMatch(/C12 holds in 1 of 2 conditions: 2 CPUs with the receiver on the sender's CPU, spare CPU time/);
  });

  it("01: the limit with the most and fewest backlog drops comes from the rows", () => {
    const rows = (l: string, b: number, s: number, r: number) => [
      { label: l, series: "dropped: backlog full", value: b }, { label: l, series: "dropped: socket buffer full", value: s }, { label: l, series: "read by the receiver", value: r }];
    const fewestAt10 = [...rows("10", 0.1, 0.5, 0.2), ...rows("100", 0.3, 0.3, 0.25), ...rows("1000", 0.3, 0.3, 0.25)];
    expect(backlogLimitSummary(fewestAt10)).toMatch(/drops the most packets at a limit of 100 .* and the fewest at 10/);
    expect(backlogLimitSummary(fewestAt10)).toMatch(/reads about the same share \(25\.0 %\)/);
  });

  it("06: hotplug losses and overload drops are told apart", () => {
    const run = (sent: number, delivered: number, backlog: number, inFlight: number) => ({ mode: "threads", reinjected: 5, samples: [], result: { packets: { sent, delivered, in_flight: inFlight, dropped: { backlog, rcvbuf: 0, nic: 0 } } } }) as unknown as HotplugRun;
    expect(hotplugSummary([run(100, 50, 40, 10)])).toMatch(/40 dropped by overload .* 0 unaccounted for[\s\S]*hotplug itself loses none/);
    expect(hotplugSummary([run(100, 50, 40, 5)])).toMatch(/5 unaccounted for[\s\S]*hotplug path lost them/);
  });

  it("08: the scheduler sentence follows the comparison's direction", () => {
    const row = (config: string, model: number, real: number): ComparisonRow => ({ config, metric: "switches_per_packet", model, real, real_min: real, real_max: real, ratio: model / real, within25: true });
    expect(switchesSummary([row("stream-64b-rps_off-recv_same", 1.28, 1.14)], "6.18")).toMatch(/switches more often than the measured kernel with 64 B datagrams \(model 1\.28, measured 1\.14/);
    expect(switchesSummary([row("stream-64b-rps_off-recv_same", 1.0, 1.14)], "6.18")).toMatch(/switches less often than/);
    const mixed = switchesSummary([row("stream-64b-rps_off-recv_same", 1.21, 1.14), row("stream-1024b-rps_off-recv_same", 1.2, 1.18)], "6.18");
    expect(mixed).toMatch(/more often than the measured kernel with 64 B datagrams .* and about as often as \(within 5 %\) the measured kernel with 1024 B/);
  });
});
