/**
 * The closing table of the course (notebook 08): a verdict for every claim C1-C15 of the commit
 * message, computed here from the experiments of the notebooks (not typed in), with its evidence in
 * one sentence and the notebook whose chart shows it.
 */
import { makeConfig } from "../config/parse";
import { PUBLISHED_PROFILE } from "./published-profile";
import type { SimResult } from "../observe/types";
import { simulate } from "../sim/simulate";
import { delaySweep, handoffRuns, restoredRatios, rfcRegression } from "./handoff";
import { C8_REAL_KERNEL, c8Evidence, c8Verdict, rivalVerdict } from "./c8";
import { hotplugRun } from "./hotplug";
import { c12Verdicts, rpsMatrix } from "./rps";
import { hogTime, idleWarning, ksoftirqdPolicies, RT_KERNELS, rtScenario } from "./rt";

export type Verdict = "reproduced" | "reproduced under conditions" | "not reproduced" | "not testable in the model";

export interface ClaimVerdict {
  claim: string;
  statement: string;
  verdict: Verdict;
  evidence: string;
  notebook: string;
}

const countOf = (r: SimResult, ev: string) => r.trace!.records.filter((x) => x.event === ev).length;
const pct = (x: number) => `${x > 0 ? "+" : ""}${x.toFixed(1)}%`;

/** Computes every verdict (a few seconds of simulation). `publishedCsv`: claims-figures.csv. */
export function claimVerdicts(publishedCsv: string): ClaimVerdict[] {
  const out: ClaimVerdict[] = [];
  const add = (claim: string, statement: string, ok: boolean | Verdict, evidence: string, notebook: string) =>
    out.push({ claim, statement, verdict: typeof ok === "string" ? ok : ok ? "reproduced" : "not reproduced", evidence, notebook });

  const nic = simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 100_000, nic_batch: 16, duration_ms: 10, trace: true }));
  const kicks = countOf(nic, "irq:softirq_raise") / countOf(nic, "net:netif_rx");
  add("C1", "backlog NAPI: a per-CPU NAPI without device, fed by netif_rx (non-NAPI drivers, RPS, loopback)",
    nic.per_cpu[0]!.softirq_runs.irq_exit === nic.per_cpu[0]!.net_rx_softirqs && Math.abs(kicks - 1 / 16) < 0.01,
    `a non-NAPI driver's packets run NET_RX at irq exit on its CPU; ${kicks.toFixed(3)} raises per packet for bursts of 16 (one kick per batch)`, "01-backlog-napi");

  const rps = simulate(makeConfig({ workload: "udp-stream", rps_cpus: "2", rate_pps: 100_000, duration_ms: 10 }));
  add("C2", "RPS enqueues on a remote CPU, whose softirq must be started by an IPI",
    rps.per_cpu[1]!.softnet.received_rps > 0 && rps.per_cpu[0]!.softnet.processed === 0,
    `${rps.per_cpu[1]!.softnet.received_rps} RPS IPIs received by CPU 1, which processed every packet`, "03-rps-ipi-vs-threads");

  const rtNic = simulate(makeConfig({ profile: PUBLISHED_PROFILE, workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 100_000, nic_batch: 4, preempt: "rt", duration_ms: 5 }));
  add("C3", "on PREEMPT_RT a softirq raised in an IRQ thread runs at the end of that thread",
    rtNic.per_cpu[0]!.softirq_runs.irq_thread > 0 && rtNic.per_cpu[0]!.softirq_runs.irq_exit === 0,
    `${rtNic.per_cpu[0]!.softirq_runs.irq_thread} NET_RX runs in irq/0-nic0, none at irq exit`, "04-preempt-rt");

  const rtRuns = RT_KERNELS.map((k) => rtScenario(k, { duration_ms: 50 }));
  add("C4", "on PREEMPT_RT a softirq raised from hardirq (the RPS IPI) wakes ksoftirqd",
    rtRuns[1]!.per_cpu[1]!.busy_ns.ksoftirqd > 0 && rtRuns[1]!.per_cpu[1]!.softirq_runs.irq_exit === 0,
    `v6.8-rt: NET_RX ran ${(rtRuns[1]!.per_cpu[1]!.busy_ns.ksoftirqd / 1e6).toFixed(1)} ms in ksoftirqd/1 and never at irq exit`, "04-preempt-rt");

  const wr = idleWarning("rt");
  add("C5", "PREEMPT_RT warns when the softirq is raised in the idle task", wr.length > 0 && idleWarning("none").length === 0,
    wr.length > 0 ? `polling idle target: ${wr[0]!.replace(/^cpu\d+: /, "")}` : "no warning", "04-preempt-rt");

  const h0 = hogTime(rtRuns[0]!);
  const h1 = hogTime(rtRuns[1]!);
  add("C6", "running the softirq in the interrupted task would punish a random task", h0.lost_ms > 0 && h1.lost_ms === 0,
    `without RT a CPU hog lost ${h0.lost_ms.toFixed(1)} ms of 50 to NET_RX at irq exit; on v6.8-rt it lost ${h1.lost_ms.toFixed(1)} ms`, "04-preempt-rt");

  const pol = ksoftirqdPolicies({ duration_ms: 50 });
  const same = (p: string) => pol.find((x) => x.policy === p && x.receiver === "same CPU as the flood")!.received_pps;
  const other = pol.find((x) => x.policy === "since-6.5" && x.receiver === "other CPU")!.received_pps;
  add("C7", "once active, ksoftirqd took every later softirq (until v6.5)", same("2016") > 10 * same("since-6.5") && other > 10 * same("since-6.5"),
    `receiver beside a flood: ${same("2016")} pps with the 2016 policy vs ${same("since-6.5")} since v6.5 (${other} on another CPU); published directions reproduced, ratios of the same order`, "04b-ksoftirqd-policy");

  // C8 against the design the commit turned down: OpenWrt's unpinned backlog threads (notebook 10)
  const c8e = c8Evidence();
  const c8v = c8Verdict(c8e);
  add("C8", "threaded NAPI does not fit the backlog (unpinned, needs a device, hotplug); smpboot threads do", c8v.verdict,
    `${c8v.evidence}. When each is better: ${c8v.conditions.join("; ")}. Real kernel: ${C8_REAL_KERNEL}`, "10-unpinned-backlog-threads");

  const runs = handoffRuns({ duration_ms: 50 });
  const reg = rfcRegression(runs, publishedCsv);
  add("C9", "UDP over loopback expects processing within the call; handing to a thread hurts", reg.every((g) => g.same_direction),
    `RFC vs v6.8 in the model: ${reg.map((g) => `${g.metric.split(" (")[0]} ${pct(g.model_percent)} (published ${pct(g.published_percent)}${g.published_high !== null ? ` to ${pct(g.published_high)}` : ""})`).join("; ")}; directions reproduced, magnitudes differ`, "02-loopback-handoff");

  const sweep = delaySweep([0, 2_000, 10_000, 50_000], { duration_ms: 50 });
  const of = (w: string) => sweep.filter((d) => d.workload === w).map((d) => d.vs_in_call);
  const stream = of("udp-stream");
  const rr = of("udp-pingpong");
  const allLose = [...stream, ...rr].every((x) => x < 1);
  // "no difference to the outcome": the delay moves neither workload by more than 10 points
  const flat = [stream, rr].every((v) => Math.max(...v) - Math.min(...v) <= 0.1);
  const pctOf = (x: number) => `${(100 * x).toFixed(0)}%`;
  add("C10", "switching right after enqueue or after a small batch makes no difference to the outcome",
    allLose ? (flat ? "reproduced" : "reproduced under conditions") : "not reproduced",
    `no delay beats in-call processing${allLose ? "" : " (not so here)"}, but the delay moves the outcome: a flat-out stream climbs from ${pctOf(stream[0]!)} to ${pctOf(Math.max(...stream))} of in-call throughput as batches build up, request/response falls from ${pctOf(rr[0]!)} to ${pctOf(Math.min(...rr))} as every delay adds to the round trip`, "02-loopback-handoff");

  const ratios = restoredRatios(runs);
  add("C11", "using the local NAPI for a local backlog restores loopback throughput", ratios.every((r) => r.ratio === 1),
    `v6.10 threads / v6.8 with RPS off: ${ratios.map((r) => `${r.workload} ${r.ratio.toFixed(3)}`).join(", ")} (event for event the same run)`, "02-loopback-handoff");

  const c12 = c12Verdicts(rpsMatrix({ duration_ms: 100 }), 0.1);
  const sameValue = c12.filter((c) => Math.abs(c.thread_vs_ipi - 1) <= 0.1);
  const spareSame = sameValue.filter((c) => c.spare).length;
  const spareAll = c12.filter((c) => c.spare).length;
  // the claim per condition is both parts at once: RPS lowers throughput, and thread and IPI end close
  const holds = c12.filter((c) => c.holds).length;
  const raises = c12.filter((c) => c.ipi_vs_off > 1 && c.thread_vs_off > 1).length;
  add("C12", "with RPS on loopback, IPI and thread results drop to mostly the same value",
    holds === c12.length ? "reproduced" : holds > 0 ? "reproduced under conditions" : "not reproduced",
    `both parts hold in ${holds} of ${c12.length} conditions: RPS raises loopback throughput with both kicks in ${raises} of ${c12.length} (as on the measured kernel); thread and IPI end within 10% in ${sameValue.length} of ${c12.length} (${spareSame} of the ${spareAll} with spare CPU time)`, "03-rps-ipi-vs-threads");

  add("C13", "backlog threads are optional (boot option) and mandatory on PREEMPT_RT",
    rtRuns[2]!.per_cpu[1]!.busy_ns.ksoftirqd === 0 && rtRuns[2]!.per_cpu[1]!.busy_ns.backlog_thread > 0,
    `the switch is a config key; its reason holds: with threads on RT the RPS kick wakes backlog_napi/1 (${(rtRuns[2]!.per_cpu[1]!.busy_ns.backlog_thread / 1e6).toFixed(1)} ms) and ksoftirqd does no receive work`, "04b-ksoftirqd-policy");

  const hp = hotplugRun("threads");
  const p = hp.result.packets;
  add("C14", "CPU hotplug: the dead CPU's backlog is re-injected; THREADED survives",
    p.sent === p.delivered + p.dropped.backlog + p.dropped.rcvbuf + p.dropped.nic + p.in_flight && hp.reinjected > 0 && hp.samples.every((s) => s.threaded_bit),
    `${hp.reinjected} packets re-injected by dev_cpu_dead, the accounting balances (${p.sent} sent), NAPI_STATE_THREADED set at every sample`, "06-smpboot-hotplug");

  const flood = simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 0, rps_cpus: "2", rate_pps: 2_000_000, nic_batch: 64, backlog_napi: "threads", duration_ms: 5, trace: true }));
  let run = 0;
  let best = 0;
  for (const x of flood.trace!.records.filter((y) => y.cpu === 1)) {
    if (x.event === "napi:napi_poll" && x.comm === "backlog_napi/1") best = Math.max(best, (run += Number(x.fields.work)));
    if (x.event === "sched:sched_switch" && x.fields.prev_comm === "backlog_napi/1") run = 0;
  }
  add("C15", "thread mode has no softirq budget; the scheduler throttles", best > 300 && flood.per_cpu[1]!.softnet.time_squeeze === 0,
    `one backlog_napi/1 run polled ${best} packets (netdev_budget is 300) without time_squeeze; under a per-packet flood every kernel livelocks at some load`, "07-overload-budgets");

  // the rival patch's own claim (OpenWrt 760, net.core.backlog_threaded), not a claim of the commit
  const rv = rivalVerdict(c8e);
  add("R1", "OpenWrt's backlog_threaded patch: threaded backlog NAPI lets the scheduler spread the load across idle CPUs", rv.verdict,
    `${rv.evidence}. ${rv.conditions.join("; ")}. Real kernel: ${C8_REAL_KERNEL}`, "10-unpinned-backlog-threads");
  return out;
}
