/**
 * The closing table of the course (notebook 08): a verdict for every claim C1-C15 of the commit
 * message and for the rival patch's claim R1, computed here from the experiments of the notebooks
 * (not typed in), with its evidence in one sentence, the counts its rule reads, and the notebook
 * whose chart shows it. Each claim is one entry of CLAIMS, evaluated at any run length and seed, so
 * robustness.ts can check that a verdict does not hang on either. Browser-safe (the book re-runs the
 * pass in the reader's browser): the published figures come in as rows; ./verdicts.ts reads them
 * from claims-figures.csv for Node.
 */
import { makeConfig } from "../config/parse";
import { PUBLISHED_PROFILE } from "./published-profile";
import type { SimResult } from "../observe/types";
import { simulate } from "../sim/simulate";
import { delaySweep, handoffRuns, restoredRatios, rfcRegressionRows, type HandoffRow } from "./handoff-runs";
import { C8_REAL_KERNEL, c8Evidence, c8Verdict, rivalVerdict, type C8Evidence } from "./c8";
import { hotplugRun } from "./hotplug";
import { c12Verdicts, rpsMatrix } from "./rps-matrix";
import type { Row } from "../measure/schema";
import { barsSpec } from "../charts/bars";
import type { VlSpec } from "../charts/spec";
import { hogTime, idleWarning, ksoftirqdPolicies, RT_KERNELS, rtScenario } from "./rt";

export type Verdict = "reproduced" | "reproduced under conditions" | "not reproduced" | "not testable in the model";
/** The verdicts in the order the charts list them. */
export const VERDICTS: readonly Verdict[] = ["reproduced", "reproduced under conditions", "not reproduced", "not testable in the model"];

/** The robustness grid (robustness.ts): run lengths as multiples of each claim's own, and seeds. */
export const ROBUSTNESS_SCALES: readonly number[] = [0.4, 1, 2];
export const ROBUSTNESS_SEEDS: readonly number[] = [1, 2, 3];

export interface ClaimVerdict {
  claim: string;
  statement: string;
  verdict: Verdict;
  evidence: string;
  notebook: string;
  /** The counts the verdict's rule reads. */
  counts: Record<string, number>;
  /** Simulated ms of the runs behind it, and their seed. */
  duration_ms: number;
  seed: number;
}

/** What one evaluation of a claim gives. */
export interface ClaimOutcome {
  verdict: Verdict;
  evidence: string;
  counts: Record<string, number>;
}

/** The published figures the rules read (rows of datasets/published/claims-figures.csv) and the file they came from (named in errors). */
export interface PublishedFigures {
  file: string;
  rows: readonly Row[];
}

/**
 * One evaluation: the run length and seed, the published figures, and a cache that lets claims
 * reading the same runs (C4, C6, C13; C8, R1; C9, C11) share them.
 */
export interface ClaimContext {
  duration_ms: number;
  seed: number;
  published: PublishedFigures;
  memo: Map<string, unknown>;
}

export interface ClaimSpec {
  claim: string;
  statement: string;
  notebook: string;
  /** The run length notebook 08 states its verdict at (the notebooks' own), ms. */
  base_ms: number;
  /** The shortest run the experiment makes sense at (e.g. the hotplug timeline), ms. */
  min_ms?: number;
  evaluate(ctx: ClaimContext): ClaimOutcome;
}

const countOf = (r: SimResult, ev: string) => r.trace!.records.filter((x) => x.event === ev).length;
const pct = (x: number) => `${x > 0 ? "+" : ""}${x.toFixed(1)}%`;
const yes = (b: boolean): Verdict => (b ? "reproduced" : "not reproduced");

function memo<T>(ctx: ClaimContext, key: string, f: () => T): T {
  const k = `${key}|${ctx.duration_ms}|${ctx.seed}`;
  if (!ctx.memo.has(k)) ctx.memo.set(k, f());
  return ctx.memo.get(k) as T;
}

const rtRuns = (ctx: ClaimContext) => memo(ctx, "rt", () => RT_KERNELS.map((k) => rtScenario(k, { duration_ms: ctx.duration_ms, seed: ctx.seed })));
const c8Runs = (ctx: ClaimContext): C8Evidence => memo(ctx, "c8", () => c8Evidence({ duration_ms: ctx.duration_ms, seed: ctx.seed }));
const handoff = (ctx: ClaimContext): HandoffRow[] => memo(ctx, "handoff", () => handoffRuns({ duration_ms: ctx.duration_ms, seed: ctx.seed }));

export const CLAIMS: ClaimSpec[] = [
  {
    claim: "C1", statement: "backlog NAPI: a per-CPU NAPI without device, fed by netif_rx (non-NAPI drivers, RPS, loopback)", notebook: "01-backlog-napi", base_ms: 10,
    evaluate(ctx) {
      const nic = simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 100_000, nic_batch: 16, duration_ms: ctx.duration_ms, seed: ctx.seed, trace: true }));
      const kicks = countOf(nic, "irq:softirq_raise") / countOf(nic, "net:netif_rx");
      const c = nic.per_cpu[0]!;
      return {
        verdict: yes(c.softirq_runs.irq_exit === c.net_rx_softirqs && Math.abs(kicks - 1 / 16) < 0.01),
        evidence: `a non-NAPI driver's packets run NET_RX at irq exit on its CPU; ${kicks.toFixed(3)} raises per packet for bursts of 16 (one kick per batch)`,
        counts: { raises_per_packet: kicks, net_rx_runs: c.net_rx_softirqs, at_irq_exit: c.softirq_runs.irq_exit },
      };
    },
  },
  {
    claim: "C2", statement: "RPS enqueues on a remote CPU, whose softirq must be started by an IPI", notebook: "03-rps-ipi-vs-threads", base_ms: 10,
    evaluate(ctx) {
      const rps = simulate(makeConfig({ workload: "udp-stream", rps_cpus: "2", rate_pps: 100_000, duration_ms: ctx.duration_ms, seed: ctx.seed }));
      const got = rps.per_cpu[1]!.softnet.received_rps;
      return {
        verdict: yes(got > 0 && rps.per_cpu[0]!.softnet.processed === 0),
        evidence: `${got} RPS IPIs received by CPU 1, which processed every packet`,
        counts: { rps_ipis_cpu1: got, processed_cpu0: rps.per_cpu[0]!.softnet.processed },
      };
    },
  },
  {
    claim: "C3", statement: "on PREEMPT_RT a softirq raised in an IRQ thread runs at the end of that thread", notebook: "04-preempt-rt", base_ms: 5,
    evaluate(ctx) {
      const r = simulate(makeConfig({ profile: PUBLISHED_PROFILE, workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 100_000, nic_batch: 4, preempt: "rt", duration_ms: ctx.duration_ms, seed: ctx.seed }));
      const s = r.per_cpu[0]!.softirq_runs;
      return {
        verdict: yes(s.irq_thread > 0 && s.irq_exit === 0),
        evidence: `${s.irq_thread} NET_RX runs in irq/0-nic0, none at irq exit`,
        counts: { in_irq_thread: s.irq_thread, at_irq_exit: s.irq_exit },
      };
    },
  },
  {
    claim: "C4", statement: "on PREEMPT_RT a softirq raised from hardirq (the RPS IPI) wakes ksoftirqd", notebook: "04-preempt-rt", base_ms: 50,
    evaluate(ctx) {
      const c = rtRuns(ctx)[1]!.per_cpu[1]!;
      return {
        verdict: yes(c.busy_ns.ksoftirqd > 0 && c.softirq_runs.irq_exit === 0),
        evidence: `v6.8-rt: NET_RX ran ${(c.busy_ns.ksoftirqd / 1e6).toFixed(1)} ms in ksoftirqd/1 and never at irq exit`,
        counts: { ksoftirqd_ms: c.busy_ns.ksoftirqd / 1e6, at_irq_exit: c.softirq_runs.irq_exit },
      };
    },
  },
  {
    claim: "C5", statement: "PREEMPT_RT warns when the softirq is raised in the idle task", notebook: "04-preempt-rt", base_ms: 20,
    evaluate(ctx) {
      const o = { duration_ms: ctx.duration_ms, seed: ctx.seed };
      const wr = idleWarning("rt", o);
      const none = idleWarning("none", o);
      return {
        verdict: yes(wr.length > 0 && none.length === 0),
        evidence: wr.length > 0 ? `polling idle target: ${wr[0]!.replace(/^cpu\d+: /, "")}` : "no warning",
        counts: { warnings_rt: wr.length, warnings_not_rt: none.length },
      };
    },
  },
  {
    claim: "C6", statement: "running the softirq in the interrupted task would punish a random task", notebook: "04-preempt-rt", base_ms: 50,
    evaluate(ctx) {
      const runs = rtRuns(ctx);
      const h0 = hogTime(runs[0]!);
      const h1 = hogTime(runs[1]!);
      return {
        verdict: yes(h0.lost_ms > 0 && h1.lost_ms === 0),
        evidence: `without RT a CPU hog lost ${h0.lost_ms.toFixed(1)} ms of ${ctx.duration_ms} to NET_RX at irq exit; on v6.8-rt it lost ${h1.lost_ms.toFixed(1)} ms`,
        counts: { hog_lost_ms: h0.lost_ms, hog_lost_ms_rt: h1.lost_ms },
      };
    },
  },
  {
    claim: "C7", statement: "once active, ksoftirqd took every later softirq (until v6.5)", notebook: "04b-ksoftirqd-policy", base_ms: 50,
    evaluate(ctx) {
      const pol = ksoftirqdPolicies({ duration_ms: ctx.duration_ms, seed: ctx.seed });
      const same = (p: string) => pol.find((x) => x.policy === p && x.receiver === "same CPU as the flood")!.received_pps;
      const other = pol.find((x) => x.policy === "since-6.5" && x.receiver === "other CPU")!.received_pps;
      return {
        verdict: yes(same("2016") > 10 * same("since-6.5") && other > 10 * same("since-6.5")),
        evidence: `receiver beside a flood: ${same("2016")} pps with the 2016 policy vs ${same("since-6.5")} since v6.5 (${other} on another CPU); published directions reproduced, ratios of the same order`,
        counts: { pps_2016: same("2016"), pps_since_6_5: same("since-6.5"), pps_other_cpu: other },
      };
    },
  },
  {
    // C8 against the design the commit turned down: OpenWrt's unpinned backlog threads (notebook 10)
    claim: "C8", statement: "threaded NAPI does not fit the backlog (unpinned, needs a device, hotplug); smpboot threads do", notebook: "10-unpinned-backlog-threads", base_ms: 50,
    evaluate(ctx) {
      const v = c8Verdict(c8Runs(ctx));
      return { verdict: v.verdict, evidence: `${v.evidence}. When each is better: ${v.conditions.join("; ")}. Real kernel: ${C8_REAL_KERNEL}`, counts: v.counts };
    },
  },
  {
    claim: "C9", statement: "UDP over loopback expects processing within the call; handing to a thread hurts", notebook: "02-loopback-handoff", base_ms: 50,
    evaluate(ctx) {
      const reg = rfcRegressionRows(handoff(ctx), ctx.published.rows, ctx.published.file);
      return {
        verdict: yes(reg.every((g) => g.same_direction)),
        evidence: `RFC vs v6.8 in the model: ${reg.map((g) => `${g.metric.split(" (")[0]} ${pct(g.model_percent)} (published ${pct(g.published_percent)}${g.published_high !== null ? ` to ${pct(g.published_high)}` : ""})`).join("; ")}; directions reproduced, magnitudes differ`,
        counts: { same_direction: reg.filter((g) => g.same_direction).length, of_figures: reg.length, stream_change_pct: reg[0]!.model_percent, rr_change_pct: reg[1]!.model_percent, switches_change_pct: reg[2]!.model_percent },
      };
    },
  },
  {
    claim: "C10", statement: "switching right after enqueue or after a small batch makes no difference to the outcome", notebook: "02-loopback-handoff", base_ms: 50,
    evaluate(ctx) {
      const sweep = delaySweep([0, 2_000, 10_000, 50_000], { duration_ms: ctx.duration_ms, seed: ctx.seed });
      const of = (w: string) => sweep.filter((d) => d.workload === w).map((d) => d.vs_in_call);
      const stream = of("udp-stream");
      const rr = of("udp-pingpong");
      const allLose = [...stream, ...rr].every((x) => x < 1);
      // "no difference to the outcome": the delay moves neither workload by more than 10 points
      const flat = [stream, rr].every((v) => Math.max(...v) - Math.min(...v) <= 0.1);
      const pctOf = (x: number) => `${(100 * x).toFixed(0)}%`;
      return {
        verdict: allLose ? (flat ? "reproduced" : "reproduced under conditions") : "not reproduced",
        evidence: `no delay beats in-call processing${allLose ? "" : " (not so here)"}, but the delay moves the outcome: a flat-out stream climbs from ${pctOf(stream[0]!)} to ${pctOf(Math.max(...stream))} of in-call throughput as batches build up, request/response falls from ${pctOf(rr[0]!)} to ${pctOf(Math.min(...rr))} as every delay adds to the round trip`,
        counts: { stream_spread: Math.max(...stream) - Math.min(...stream), rr_spread: Math.max(...rr) - Math.min(...rr), delays_beating_in_call: [...stream, ...rr].filter((x) => x >= 1).length },
      };
    },
  },
  {
    claim: "C11", statement: "using the local NAPI for a local backlog restores loopback throughput", notebook: "02-loopback-handoff", base_ms: 50,
    evaluate(ctx) {
      const ratios = restoredRatios(handoff(ctx));
      return {
        verdict: yes(ratios.every((r) => r.ratio === 1)),
        evidence: `v6.10 threads / v6.8 with RPS off: ${ratios.map((r) => `${r.workload} ${r.ratio.toFixed(3)}`).join(", ")} (event for event the same run)`,
        counts: Object.fromEntries(ratios.map((r) => [`${r.workload}_ratio`, r.ratio])),
      };
    },
  },
  {
    claim: "C12", statement: "with RPS on loopback, IPI and thread results drop to mostly the same value", notebook: "03-rps-ipi-vs-threads", base_ms: 100,
    evaluate(ctx) {
      const c12 = c12Verdicts(rpsMatrix({ duration_ms: ctx.duration_ms, seed: ctx.seed }), 0.1);
      const sameValue = c12.filter((c) => Math.abs(c.thread_vs_ipi - 1) <= 0.1);
      const spareSame = sameValue.filter((c) => c.spare).length;
      const spareAll = c12.filter((c) => c.spare).length;
      // the claim per condition is both parts at once: RPS lowers throughput, and thread and IPI end close
      const holds = c12.filter((c) => c.holds).length;
      const raises = c12.filter((c) => c.ipi_vs_off > 1 && c.thread_vs_off > 1).length;
      return {
        verdict: holds === c12.length ? "reproduced" : holds > 0 ? "reproduced under conditions" : "not reproduced",
        evidence: `both parts hold in ${holds} of ${c12.length} conditions: RPS raises loopback throughput with both kicks in ${raises} of ${c12.length} (as on the measured kernel); thread and IPI end within 10% in ${sameValue.length} of ${c12.length} (${spareSame} of the ${spareAll} with spare CPU time)`,
        counts: { both_hold: holds, rps_raises: raises, within_10pct: sameValue.length, of_conditions: c12.length },
      };
    },
  },
  {
    claim: "C13", statement: "backlog threads are optional (boot option) and mandatory on PREEMPT_RT", notebook: "04b-ksoftirqd-policy", base_ms: 50,
    evaluate(ctx) {
      const c = rtRuns(ctx)[2]!.per_cpu[1]!;
      return {
        verdict: yes(c.busy_ns.ksoftirqd === 0 && c.busy_ns.backlog_thread > 0),
        evidence: `the switch is a config key; its reason holds: with threads on RT the RPS kick wakes backlog_napi/1 (${(c.busy_ns.backlog_thread / 1e6).toFixed(1)} ms) and ksoftirqd does no receive work`,
        counts: { backlog_thread_ms: c.busy_ns.backlog_thread / 1e6, ksoftirqd_ms: c.busy_ns.ksoftirqd / 1e6 },
      };
    },
  },
  {
    claim: "C14", statement: "CPU hotplug: the dead CPU's backlog is re-injected; THREADED survives", notebook: "06-smpboot-hotplug", base_ms: 5, min_ms: 4,
    evaluate(ctx) {
      const hp = hotplugRun("threads", { duration_ms: ctx.duration_ms, seed: ctx.seed });
      const p = hp.result.packets;
      const balanced = p.sent === p.delivered + p.dropped.backlog + p.dropped.rcvbuf + p.dropped.nic + p.in_flight;
      return {
        verdict: yes(balanced && hp.reinjected > 0 && hp.samples.every((s) => s.threaded_bit)),
        evidence: `${hp.reinjected} packets re-injected by dev_cpu_dead, the accounting balances (${p.sent} sent), NAPI_STATE_THREADED set at every sample`,
        counts: { reinjected: hp.reinjected, balanced: balanced ? 1 : 0, samples_without_threaded: hp.samples.filter((s) => !s.threaded_bit).length },
      };
    },
  },
  {
    claim: "C15", statement: "thread mode has no softirq budget; the scheduler throttles", notebook: "07-overload-budgets", base_ms: 5,
    evaluate(ctx) {
      const flood = simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 0, rps_cpus: "2", rate_pps: 2_000_000, nic_batch: 64, backlog_napi: "threads", duration_ms: ctx.duration_ms, seed: ctx.seed, trace: true }));
      let run = 0;
      let best = 0;
      for (const x of flood.trace!.records.filter((y) => y.cpu === 1)) {
        if (x.event === "napi:napi_poll" && x.comm === "backlog_napi/1") best = Math.max(best, (run += Number(x.fields.work)));
        if (x.event === "sched:sched_switch" && x.fields.prev_comm === "backlog_napi/1") run = 0;
      }
      const squeeze = flood.per_cpu[1]!.softnet.time_squeeze;
      return {
        verdict: yes(best > 300 && squeeze === 0),
        evidence: `one backlog_napi/1 run polled ${best} packets (netdev_budget is 300) without time_squeeze; under a per-packet flood every kernel livelocks at some load`,
        counts: { longest_run_packets: best, time_squeeze: squeeze },
      };
    },
  },
  {
    // the rival patch's own claim (OpenWrt 760, net.core.backlog_threaded), not a claim of the commit
    claim: "R1", statement: "OpenWrt's backlog_threaded patch: threaded backlog NAPI lets the scheduler spread the load across idle CPUs", notebook: "10-unpinned-backlog-threads", base_ms: 50,
    evaluate(ctx) {
      const v = rivalVerdict(c8Runs(ctx));
      return { verdict: v.verdict, evidence: `${v.evidence}. ${v.conditions.join("; ")}. Real kernel: ${C8_REAL_KERNEL}`, counts: v.counts };
    },
  },
];

/** The claim `name` of CLAIMS; throws naming the known claims. */
export function claimSpec(name: string): ClaimSpec {
  const c = CLAIMS.find((x) => x.claim === name);
  if (!c) throw new RangeError(`no claim ${JSON.stringify(name)} (known: ${CLAIMS.map((x) => x.claim).join(", ")})`);
  return c;
}

/** The run length of `spec` at `scale` times its notebook's (robustness.ts's grid): whole ms, at least its minimum. */
export function durationAt(spec: Pick<ClaimSpec, "base_ms" | "min_ms">, scale: number): number {
  return Math.max(spec.min_ms ?? 1, Math.round(spec.base_ms * scale));
}

export interface EvaluateOptions {
  seed?: number;
  /** Run length per claim, ms (default: its base_ms). */
  durations?: Record<string, number>;
  claims?: string[];
}

/**
 * Evaluates `claims` (default all, in CLAIMS order), each at the run length `durations[claim]`
 * (default its base) and `seed`; `onClaim(done, total)` after each (the book's progress line).
 */
export function evaluateClaimsWith(published: PublishedFigures, opts: EvaluateOptions = {}, onClaim?: (done: number, total: number) => void): ClaimVerdict[] {
  const memoMap = new Map<string, unknown>();
  const seed = opts.seed ?? 1;
  const names = opts.claims ?? CLAIMS.map((c) => c.claim);
  return names.map((name, i) => {
    const spec = claimSpec(name);
    const duration_ms = opts.durations?.[name] ?? spec.base_ms;
    const o = spec.evaluate({ duration_ms, seed, published, memo: memoMap });
    onClaim?.(i + 1, names.length);
    return { claim: spec.claim, statement: spec.statement, verdict: o.verdict, evidence: o.evidence, notebook: spec.notebook, counts: o.counts, duration_ms, seed };
  });
}

/** A claim of the commit message (C1..C15), as opposed to the rival patch's R1. */
export const isCommitClaim = (claim: string): boolean => /^C\d+$/.test(claim);

/**
 * What a list of claims is, in words, for a chart's title: "The 15 claims of dad6b9770263 and the
 * rival patch's (R1)", "Claim C12 of dad6b9770263", "The rival patch's claim (R1)". The numbers are
 * counted from `items` (whatever list the chart counts: verdicts, a kernel's evidence).
 */
export function claimsCounted(items: readonly { claim: string }[]): string {
  const commit = items.filter((x) => isCommitClaim(x.claim)).map((x) => x.claim);
  const rival = items.filter((x) => !isCommitClaim(x.claim)).map((x) => x.claim);
  const ofCommit = commit.length === 1 ? `Claim ${commit[0]} of dad6b9770263` : `The ${commit.length} claims of dad6b9770263`;
  if (rival.length === 0) return ofCommit;
  const rivals = `the rival patch's (${rival.join(", ")})`;
  if (commit.length === 0) return `The rival patch's claim${rival.length > 1 ? "s" : ""} (${rival.join(", ")})`;
  return `${ofCommit} and ${rivals}`;
}

/** Notebook 08's first chart: how many claims got each verdict, titled with what it counts. */
export function verdictCountsSpec(verdicts: readonly ClaimVerdict[]): VlSpec {
  const counts = VERDICTS.map((k) => ({ label: k, series: "claims", value: verdicts.filter((v) => v.verdict === k).length }));
  return barsSpec(counts, { title: `${claimsCounted(verdicts)} in the model`, yTitle: "claims", xTitle: "verdict" });
}

/** Notebook 08's second chart: one bar per claim, coloured by its verdict. */
export function verdictPerClaimSpec(verdicts: readonly ClaimVerdict[]): VlSpec {
  return barsSpec(verdicts.map((v) => ({ label: v.claim, series: v.verdict, value: 1 })), { title: "Verdict per claim (hover for the verdict)", yTitle: "", xTitle: "claim", valueLabels: false, height: 120 });
}
