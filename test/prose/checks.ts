/**
 * The check behind every claim marker (`<!-- claim: id -->`) in the notebooks' markdown: each one
 * recomputes, from the library with the notebook's own settings, what the marked sentence states,
 * and fails when the sentence's direction or number no longer holds. Results shared by several
 * checks are computed once.
 */
import { expect } from "vitest";
import { makeConfig } from "../../src/config/parse";
import { simulate } from "../../src/sim/simulate";
import type { SimResult } from "../../src/observe/types";
import { handoffRuns, rfcRegression, restoredRatios, delaySweep } from "../../src/experiments/handoff";
import { ipiBatching, rpsMatrix, c12Verdicts, rpsRealVsModel } from "../../src/experiments/rps";
import { RT_KERNELS, rtScenario, hogTime, ksoftirqdPolicies } from "../../src/experiments/rt";
import { hotplugRun } from "../../src/experiments/hotplug";
import { OVERLOAD_VARIANTS, overloadSweep } from "../../src/experiments/overload";
import { realKernelEvidence } from "../../src/experiments/real-kernel";
import { realKernelClaims } from "../../src/experiments/real-kernels";
import { claimVerdicts } from "../../src/experiments/verdicts";
import { loadMeasurementDataset, loadPublishedFigures } from "../../src/measure/dataset";
import { compareDataset } from "../../src/calibrate/compare";
import { loadTraceDataset } from "../../src/trace/index";

const once = <T>(f: () => T): (() => T) => {
  let v: { value: T } | undefined;
  return () => (v ??= { value: f() }).value;
};

const PUBLISHED = "datasets/published/claims-figures.csv";
const LEAN = "datasets/real/kvm-guest-2cpu-epyc-linux6.18-lean-2026-12-06";
const countOf = (r: SimResult, event: string) => r.trace!.records.filter((x) => x.event === event).length;

// the notebooks' runs, with their settings
const tourFlat = once(() => simulate(makeConfig({ workload: "udp-stream", duration_ms: 20 })));
const tourFour = once(() => simulate(makeConfig({ workload: "udp-stream", rate_pps: 100_000, duration_ms: 1, trace: true, trace_ns: 45_000 })));
const loopback = once(() => simulate(makeConfig({ workload: "udp-stream", rate_pps: 200_000, duration_ms: 1, trace: true, trace_ns: 25_000 })));
const fate = once(() => [10, 100, 1000, 5000].map((limit) => simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rps_cpus: "2", rate_pps: 1_500_000, nic_batch: 16, netdev_max_backlog: limit, duration_ms: 50 }))));
const handoff = once(() => handoffRuns({ duration_ms: 100 }));
const delays = once(() => delaySweep([0, 2_000, 10_000, 50_000], { duration_ms: 100 }));
const batching = once(() => ipiBatching([20_000, 50_000, 100_000, 200_000, 400_000, 0], { duration_ms: 50 }));
const c12 = once(() => c12Verdicts(rpsMatrix({ duration_ms: 100 }), 0.1));
const matrix = once(() => rpsMatrix({ duration_ms: 100 }));
const lean = once(() => loadMeasurementDataset(LEAN));
const rtRuns = once(() => RT_KERNELS.map((kernel) => ({ kernel, result: rtScenario(kernel) })));
const policies = once(() => ksoftirqdPolicies({ duration_ms: 100 }));
const compared = once(() => compareDataset(lean(), { duration_ms: 50 }));
const overload = once(() => overloadSweep([100_000, 300_000, 500_000, 700_000, 1_000_000, 1_500_000, 2_000_000], { duration_ms: 50 }));
const series = (i: number) => overload().filter((r) => r.variant === OVERLOAD_VARIANTS[i]!.label);
const at = (i: number, rate: number) => series(i).find((r) => r.offered_pps === rate)!.delivered_pps;

export type ClaimCheck = (text: string) => void;

export const CHECKS: Record<string, ClaimCheck> = {
  "nb00-sender-cpu": () => {
    const r = tourFlat();
    expect(r.per_cpu[0]!.softnet.processed).toBe(r.packets.sent);
    expect(r.per_cpu[1]!.softnet.processed).toBe(0);
  },
  "nb00-four-packets": () => {
    const r = tourFour();
    const rx = r.trace!.records.filter((x) => x.event === "net:netif_receive_skb");
    expect(new Set(rx.map((x) => `${x.comm}@${x.cpu}`))).toEqual(new Set(["udp_tx/0@0"]));
    const ipis = r.trace!.records.filter((x) => x.event === "ipi:ipi_send_cpu");
    expect(ipis.length).toBeGreaterThan(0);
    expect(new Set(ipis.map((x) => String(x.fields.cpu)))).toEqual(new Set(["1"]));
  },
  "nb00-softirq-charged": () => {
    const tx = tourFlat().tasks.find((t) => t.name === "udp_tx/0")!;
    expect(tx.softirq_ns).toBeGreaterThan(0);
  },
  "nb01-loopback-in-call": () => {
    const lo = loopback();
    const rx = lo.trace!.records.filter((r) => r.event === "net:netif_receive_skb");
    expect(new Set(rx.map((r) => `${r.comm}@${r.cpu}`))).toEqual(new Set(["udp_tx/0@0"]));
    expect(lo.per_cpu[0]!.softirq_runs.irq_exit).toBe(0);
    expect(lo.per_cpu[0]!.softirq_runs.task).toBeGreaterThan(0);
  },
  "nb01-rfc-slower": () => {
    const s = (mode: string) => handoff().find((r) => r.workload === "udp-stream" && r.mode === mode)!;
    expect(s("threads-always").rate).toBeLessThan(s("softirq").rate);
    expect(s("threads-always").switches_per_packet).toBeGreaterThan(s("softirq").switches_per_packet);
  },
  "nb01-overload-reader": () => {
    for (const r of fate()) {
      expect(r.packets.delivered / r.packets.sent).toBeLessThan(0.5);
      expect(r.per_cpu[1]!.softirq_runs.irq_exit).toBeGreaterThan(0);
    }
  },
  "nb01-one-kick": () => {
    for (const b of [1, 4, 16]) {
      const r = simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 80_000, nic_batch: b, duration_ms: 10, trace: true }));
      expect(countOf(r, "irq:softirq_raise") / countOf(r, "net:netif_rx")).toBeCloseTo(1 / b, 2);
    }
  },
  "nb01-limit-capacity": () => {
    const read = fate().slice(1).map((r) => r.packets.delivered);
    expect(Math.max(...read) / Math.min(...read)).toBeLessThan(1.05); // "about the same" past a small size
    const drops = fate().slice(1).map((r) => r.packets.dropped.backlog + r.packets.dropped.rcvbuf);
    expect(Math.max(...drops)).toBeGreaterThan(0);
  },
  "nb02-rfc-directions": () => {
    const reg = rfcRegression(handoff(), PUBLISHED);
    expect(reg.length).toBeGreaterThan(0);
    for (const g of reg) expect(g.same_direction, g.metric).toBe(true);
    const s = (w: string, mode: string) => handoff().find((r) => r.workload === w && r.mode === mode)!;
    for (const w of ["udp-stream", "udp-pingpong"]) {
      expect(s(w, "threads-always").rate, w).toBeLessThan(s(w, "softirq").rate);
      expect(s(w, "threads-always").switches_per_packet, w).toBeGreaterThan(s(w, "softirq").switches_per_packet);
    }
  },
  "nb02-restored": () => {
    for (const r of restoredRatios(handoff())) expect(r.ratio, r.workload).toBe(1);
    const t = handoff().filter((r) => r.mode === "threads");
    for (const r of t) expect(r.switches_per_packet).toBe(handoff().find((b) => b.workload === r.workload && b.mode === "softirq")!.switches_per_packet);
  },
  "nb02-delay-summary": (text) => {
    // "does not rescue it ... batching helps the stream, hurts the round trip, and at no delay does either reach in-call processing"
    expect(text).toMatch(/at no delay does either reach in-call processing/);
    for (const d of delays()) expect(d.vs_in_call, `${d.workload} ${d.delay_ns}`).toBeLessThan(1);
    const v = (w: string) => delays().filter((d) => d.workload === w).sort((a, b) => a.delay_ns - b.delay_ns).map((d) => d.vs_in_call);
    const stream = v("udp-stream"), pp = v("udp-pingpong");
    expect(stream[stream.length - 1]!).toBeGreaterThan(stream[0]!); // batching helps the stream
    expect(pp[pp.length - 1]!).toBeLessThan(pp[0]!); // and hurts the round trip
  },
  "nb03-rps-kick": () => {
    const ipi = simulate(makeConfig({ workload: "udp-stream", rps_cpus: "2", rate_pps: 100_000, duration_ms: 1 }));
    expect(ipi.per_cpu[1]!.softnet.received_rps).toBeGreaterThan(0); // the IPI starts CPU 1's backlog
    expect(ipi.per_cpu[1]!.ipi_cal).toBeGreaterThan(0);
    const thr = simulate(makeConfig({ workload: "udp-stream", rps_cpus: "2", rate_pps: 100_000, backlog_napi: "threads", duration_ms: 1 }));
    expect(thr.per_cpu[1]!.softnet.received_rps).toBe(0); // the kick wakes backlog_napi/1 instead
    expect(thr.per_cpu[1]!.backlog_thread_wakeups).toBeGreaterThan(0);
  },
  "nb03-batching": () => {
    const b = batching();
    for (let i = 1; i < b.length; i++) expect(b[i]!.packets_per_ipi).toBeGreaterThanOrEqual(b[i - 1]!.packets_per_ipi);
    expect(b[b.length - 1]!.packets_per_ipi).toBeGreaterThan(b[0]!.packets_per_ipi);
  },
  "nb03-four-repeat-two": () => {
    for (const row of matrix().filter((r) => r.cpus === 4 && r.spare)) {
      const two = matrix().find((r) => r.cpus === 2 && r.spare && r.receiver === row.receiver && r.variant === row.variant)!;
      expect(row.received_pps / two.received_pps, `${row.receiver} ${row.variant}`).toBeCloseTo(1, 2);
    }
  },
  "nb03-real-vs-model": () => {
    const b = rpsRealVsModel(lean().summary);
    for (const recv of ["same", "other"] as const) {
      const off = b.find((x) => x.receiver === recv && x.rps === "off")!;
      const on = b.find((x) => x.receiver === recv && x.rps === "other")!;
      expect(on.real_pps, recv).toBeGreaterThan(off.real_pps);
      expect(on.model_pps, recv).toBeGreaterThan(off.model_pps);
      expect(1 / on.real_rps_ipis_per_packet).toBeGreaterThan(4); // "about one IPI per four to six datagrams"
      expect(1 / on.real_rps_ipis_per_packet).toBeLessThan(6);
      expect(Math.abs(on.model_rps_ipis_per_packet - on.real_rps_ipis_per_packet)).toBeLessThan(0.05);
    }
    const gap = (x: (typeof b)[number]) => x.model_pps / x.real_pps;
    for (const x of b) expect(gap(x)).toBeLessThan(1); // "the model is slower in absolute terms"
    const worst = b.reduce((w, x) => (gap(x) < gap(w) ? x : w));
    expect([worst.receiver, worst.rps]).toEqual(["other", "off"]);
  },
  "nb03-c12-summary": () => {
    const v = c12();
    const close = (c: (typeof v)[number]) => Math.abs(c.thread_vs_ipi - 1) <= 0.1;
    for (const c of v) expect(c.ipi_vs_off > 1 && c.thread_vs_off > 1, c.label).toBe(true);
    for (const c of v.filter((x) => x.spare)) expect(close(c), c.label).toBe(true);
    const hogs = v.filter((x) => !x.spare);
    expect(hogs.filter(close).length).toBeLessThan(hogs.length / 2); // "part in most conditions with hogs"
    expect(v.filter((c) => c.holds)).toHaveLength(0);
  },
  "nb04-rt-hog": () => {
    const [none, rt68, rt610] = rtRuns();
    expect(hogTime(none!.result).lost_ms).toBeGreaterThan(0);
    expect(hogTime(rt68!.result).lost_ms).toBe(0);
    expect(hogTime(rt610!.result).lost_ms).toBe(0);
  },
  "nb04-c7-ratios": () => {
    const p = policies();
    const same = (pol: string) => p.find((x) => x.policy === pol && x.receiver === "same CPU as the flood")!.received_pps;
    const other = p.find((x) => x.policy === "since-6.5" && x.receiver === "other CPU")!.received_pps;
    const pub = loadPublishedFigures(PUBLISHED).rows.filter((r) => r.claim === "C7");
    const fig = (t: string) => pub.find((r) => String(r.condition).includes(t))!.value as number;
    const ratios = [fig("2016, with") / fig("2016, before"), same("2016") / same("since-6.5"), fig("receiver on another CPU") / fig("receiver on the same CPU"), other / same("since-6.5")];
    for (const r of ratios) { expect(r).toBeGreaterThanOrEqual(100); expect(r).toBeLessThan(1000); } // "of the same order (hundreds)"
  },
  "nb04-latency": () => {
    const flood = { workload: "nic-rx", nic_cpu: 1, rate_pps: 1_000_000, nic_batch: 32, rps_cpus: "0" } as const;
    const [none, rt68, rt610] = RT_KERNELS.map((k) => rtScenario(k, flood as never).wakeup_latency_ns!);
    expect(none!.p99).toBeGreaterThan(10 * rt68!.p99); // "its tail is long"
    expect(rt610!.p99).toBeGreaterThanOrEqual(rt68!.p99); // "do not improve ... over v6.8-rt"
  },
  "nb05-mechanism-agree": () => {
    const rows = compared();
    const agree = (m: string) => rows.filter((r) => r.metric === m && r.within25).length;
    expect(agree("net_rx_per_packet")).toBeGreaterThan(agree("rate"));
    expect(agree("rps_ipis_per_packet")).toBeGreaterThan(agree("rate"));
    const off = rows.filter((r) => r.metric === "rate" && !r.within25);
    expect(off.filter((r) => r.model < r.real).length).toBeGreaterThan(off.length / 2); // "mostly the slower one"
  },
  "nb05-disagreements": () => {
    const rows = compared();
    const both = rows.filter((r) => r.config.includes("rps_both") && r.metric === "rate");
    const spread = (r: (typeof rows)[number]) => (r.real_max - r.real_min) / r.real;
    const widest = Math.max(...rows.filter((r) => r.metric === "rate").map(spread));
    expect(both.some((r) => spread(r) === widest)).toBe(true); // "their measured ranges are the widest of the dataset"
    const other = rows.filter((r) => /^stream-\d+b-rps_off-recv_other$/.test(r.config));
    for (const m of ["ipis_per_packet"]) for (const r of other.filter((x) => x.metric === m)) expect(r.model, r.config).toBeGreaterThan(r.real);
    for (const r of other.filter((x) => x.metric === "rate")) expect(r.model, r.config).toBeLessThan(r.real);
  },
  "nb05-trace-same": () => {
    const real = loadTraceDataset("lo-udp-other-cpu-paced");
    const rx = real.records.filter((r) => r.event === "net:netif_receive_skb");
    expect(new Set(rx.map((r) => r.cpu))).toEqual(new Set([0]));
    const sim = simulate(makeConfig({ workload: "udp-stream", rate_pps: 5_000, receiver_cpu: 1, duration_ms: 2, trace: true }));
    expect(new Set(sim.trace!.records.filter((r) => r.event === "net:netif_receive_skb").map((r) => r.cpu))).toEqual(new Set([0]));
  },
  "nb06-queue-empties": () => {
    for (const mode of ["softirq", "threads"] as const) {
      const r = hotplugRun(mode);
      const down = r.samples.filter((s) => !s.cpu1_online);
      expect(down.length).toBeGreaterThan(0);
      for (const s of down) expect(s.backlog1_queued, `${mode} ${s.t_us}`).toBe(0);
      const after = r.samples.filter((s) => s.cpu1_online && s.t_us > down[down.length - 1]!.t_us);
      expect(after.some((s) => s.backlog1_queued > 0), mode).toBe(true);
    }
  },
  "nb07-livelock": () => {
    for (let i = 0; i < OVERLOAD_VARIANTS.length; i++) {
      const s = series(i);
      const peak = Math.max(...s.map((r) => r.delivered_pps));
      expect(peak).toBeGreaterThan(0);
      expect(s[s.length - 1]!.delivered_pps).toBeLessThan(peak / 10);
    }
  },
  "nb07-v68": () => {
    for (const r of series(0).filter((x) => x.hardirq_share_cpu0 > 0.99)) expect(r.delivered_pps, String(r.offered_pps)).toBe(0);
  },
  "nb07-2016": () => {
    expect(at(1, 700_000)).toBeGreaterThan(at(0, 700_000));
  },
  "nb07-rt-earlier": () => {
    const peakRate = (i: number) => series(i).reduce((a, b) => (b.delivered_pps > a.delivered_pps ? b : a)).offered_pps;
    expect(peakRate(2)).toBeLessThan(peakRate(0));
  },
  "nb07-rps-thread": () => {
    expect(at(3, 500_000)).toBeGreaterThan(at(0, 500_000));
    expect(overload().every((r) => r.time_squeeze === 0)).toBe(true);
  },
  "nb08-real-status": (text) => {
    const m = /\*\*([^*]+)\*\*: ((?:[CR]\d+(?:, )?)+)/.exec(text);
    expect(m, "a status and its claims").not.toBeNull();
    const real = realKernelEvidence(lean());
    const listed = m![2]!.split(", ").map((s) => s.replace(/[^CR\d]/g, "")).filter((s) => s !== "");
    expect(listed).toEqual(real.filter((r) => r.status === m![1]).map((r) => r.claim));
  },
  "nb08-booted": (text) => {
    const booted = realKernelClaims();
    const m = /\*\*support\*\* ([^,]+(?:, [^,]+)*?) and (C\d+), show (C\d+) \*\*in part\*\*.*?do \*\*not\s+show\*\* (C\d+)/s.exec(text);
    expect(m).not.toBeNull();
    expect([...m![1]!.split(", "), m![2]]).toEqual(booted.filter((e) => e.verdict === "supports").map((e) => e.claim));
    expect([m![3]]).toEqual(booted.filter((e) => e.verdict === "partial").map((e) => e.claim));
    expect([m![4]]).toEqual(booted.filter((e) => e.verdict === "not-shown").map((e) => e.claim));
  },
  "nb08-c12": () => {
    const v = claimVerdicts(PUBLISHED).find((x) => x.claim === "C12")!;
    expect(v.verdict).toBe("not reproduced");
    for (const c of c12().filter((x) => x.spare)) expect(Math.abs(c.thread_vs_ipi - 1)).toBeLessThanOrEqual(0.1);
    expect(c12().some((c) => c.ipi_vs_off < 1 && c.thread_vs_off < 1)).toBe(false); // "but not the drop"
  },
};
