/**
 * What notebooks/02-loopback-handoff.ipynb states (claims C9, C10, C11), asserted from the library.
 */
import { describe, expect, it } from "vitest";
import { delaySweep, handoffRuns, restoredRatios, rfcRegression } from "../src/experiments/handoff";

describe("02 · loopback and the thread hand-off", () => {
  const runs = handoffRuns({ duration_ms: 50 });
  const get = (w: string, m: string) => runs.find((r) => r.workload === w && r.mode === m)!;

  it("C9: the RFC lowers stream and ping-pong rates and doubles switches per transaction", () => {
    expect(get("udp-stream", "threads-always").rate).toBeLessThan(get("udp-stream", "softirq").rate);
    expect(get("udp-pingpong", "threads-always").rate).toBeLessThan(get("udp-pingpong", "softirq").rate);
    expect(get("udp-pingpong", "threads-always").switches_per_packet).toBeCloseTo(2 * get("udp-pingpong", "softirq").switches_per_packet, 1);
  });

  it("C9: every published figure's direction is reproduced by the model", () => {
    const reg = rfcRegression(runs, "datasets/published/claims-figures.csv");
    expect(reg).toHaveLength(3);
    for (const g of reg) expect(g.same_direction, g.metric).toBe(true);
  });

  it("on the stream too the RFC adds switches per packet", () => {
    expect(get("udp-stream", "threads-always").switches_per_packet).toBeGreaterThan(get("udp-stream", "softirq").switches_per_packet);
  });

  it("C10 under conditions: both workloads lose at every delay, but the delay moves each a lot, in opposite directions", () => {
    const sweep = delaySweep([0, 2_000, 10_000, 50_000], { duration_ms: 50 });
    const rr = sweep.filter((d) => d.workload === "udp-pingpong");
    for (const d of rr) expect(d.vs_in_call).toBeLessThan(1);
    for (let i = 1; i < rr.length; i++) expect(rr[i]!.rate).toBeLessThan(rr[i - 1]!.rate);
    const st = sweep.filter((d) => d.workload === "udp-stream");
    expect(st[0]!.vs_in_call).toBeLessThan(0.8);
    // section 4: the stream climbs steadily with the delay, by more than 20 points, and stays below in-call
    for (let i = 1; i < st.length; i++) expect(st[i]!.vs_in_call).toBeGreaterThan(st[i - 1]!.vs_in_call);
    expect(st[st.length - 1]!.vs_in_call - st[0]!.vs_in_call).toBeGreaterThan(0.2);
    for (const d of st) expect(d.vs_in_call).toBeLessThan(1);
  });

  it("C11: with RPS off v6.10's threads equal v6.8 (the local short-cut), event for event", () => {
    for (const r of restoredRatios(runs)) expect(r.ratio).toBe(1);
    expect(get("udp-stream", "threads").result.digest).toBe(get("udp-stream", "softirq").result.digest);
    expect(get("udp-stream", "threads").result.per_cpu.every((c) => c.backlog_thread_wakeups === 0)).toBe(true);
  });

  it("exercise reference answers: 4 switches per RFC transaction; with RPS to CPU 1 threads = threads-always", () => {
    expect(Math.round(get("udp-pingpong", "threads-always").switches_per_packet * 2)).toBe(4);
    const rps = handoffRuns({ duration_ms: 30, rps_cpus: "2" });
    const s = (m: string) => rps.find((r) => r.workload === "udp-stream" && r.mode === m)!.rate;
    expect(s("threads")).toBe(s("threads-always"));
  });
});
