/**
 * The PREEMPT_RT and ksoftirqd experiments of claims C3-C7 and C13 (notebook 04): where NET_RX runs
 * (IRQ thread, ksoftirqd, backlog thread, irq exit) for each kernel; the time a CPU hog loses to
 * softirq work done on its behalf; the RT idle-task warning; the 2016 vs v6.5 ksoftirqd policies on a
 * receiver sharing its CPU with a flood; and a SCHED_FIFO task's wakeup latency beside an RPS flow.
 */
import { makeConfig, type ConfigOverrides } from "../config/parse";
import { PUBLISHED_PROFILE } from "./published-profile";
import type { BacklogNapiMode, KsoftirqdPolicy, PreemptModel } from "../config/schema";
import type { SimResult, TraceRecord } from "../observe/types";
import type { Row } from "../measure/schema";
import { simulate } from "../sim/simulate";

export interface KernelVariant {
  label: string;
  preempt: PreemptModel;
  backlog_napi: BacklogNapiMode;
}

/** The kernels the RT claims compare. */
export const RT_KERNELS: KernelVariant[] = [
  { label: "v6.8, preempt none", preempt: "none", backlog_napi: "softirq" },
  { label: "v6.8-rt", preempt: "rt", backlog_napi: "softirq" },
  { label: "v6.10-rt (backlog threads)", preempt: "rt", backlog_napi: "threads" },
];

/** The RT scenario: an RPS flow steered to CPU 1, where a CPU hog and a cyclictest-like SCHED_FIFO task run. */
export function rtScenario(k: KernelVariant, extra: ConfigOverrides = {}): SimResult {
  return simulate(makeConfig({ profile: PUBLISHED_PROFILE,
    workload: "udp-stream", rate_pps: 200_000, receiver_cpu: 0, rps_cpus: "2", hog_cpus: "1",
    rt_task_cpu: 1, rt_task_period_us: 200, duration_ms: 100,
    preempt: k.preempt, backlog_napi: k.backlog_napi, ...extra,
  }));
}

export interface WhereRow {
  kernel: string;
  context: string;
  runs: number;
  /** ms of CPU 1 time by context */
  busy_ms: number;
}

/** Where NET_RX ran on the RPS target CPU (CPU 1), per kernel: __do_softirq runs and busy time. */
export function whereNetRxRuns(results: { kernel: KernelVariant; result: SimResult }[]): WhereRow[] {
  const out: WhereRow[] = [];
  for (const { kernel, result } of results) {
    const c = result.per_cpu[1]!;
    const runs = c.softirq_runs;
    out.push({ kernel: kernel.label, context: "at irq exit (on the hog's time)", runs: runs.irq_exit, busy_ms: 0 });
    out.push({ kernel: kernel.label, context: "ksoftirqd/1", runs: runs.ksoftirqd, busy_ms: c.busy_ns.ksoftirqd / 1e6 });
    out.push({ kernel: kernel.label, context: "backlog_napi/1", runs: runs.backlog_thread, busy_ms: c.busy_ns.backlog_thread / 1e6 });
    out[out.length - 3]!.busy_ms = c.busy_ns.softirq / 1e6;
  }
  return out;
}

/** The hog's CPU time and the time it lost to softirq work run on its behalf, per kernel. */
export function hogTime(result: SimResult): { own_ms: number; lost_ms: number } {
  const hog = result.tasks.find((t) => t.name.startsWith("hog/"))!;
  return { own_ms: hog.cpu_ns / 1e6, lost_ms: hog.softirq_ns / 1e6 };
}

/** C5: RPS IPIs to a polling idle CPU under RT: the idle task runs the callback and the kernel warns. */
export function idleWarning(preempt: PreemptModel, opts: { duration_ms?: number; seed?: number } = {}): string[] {
  const r = simulate(makeConfig({ profile: PUBLISHED_PROFILE, workload: "udp-stream", rate_pps: 100_000, rps_cpus: "2", receiver_cpu: 0, idle: "poll", preempt, backlog_napi: "softirq", duration_ms: opts.duration_ms ?? 20, seed: opts.seed ?? 1 }));
  return r.warnings.filter((w) => w.includes("do_softirq_post_smp_call_flush"));
}

export interface PolicyRow {
  policy: KsoftirqdPolicy;
  receiver: "same CPU as the flood" | "other CPU";
  received_pps: number;
}

/** C7: a receiver sharing its CPU with a non-NAPI flood (the FLOOD scenario), both policies, and on another CPU. */
export function ksoftirqdPolicies(opts: { duration_ms?: number; seed?: number } = {}): PolicyRow[] {
  const out: PolicyRow[] = [];
  for (const [policy, receiver_cpu] of POLICY_RUNS) {
    const r = simulate(makeConfig({ ...policyOverrides(policy, receiver_cpu), duration_ms: opts.duration_ms ?? 100, seed: opts.seed ?? 1 }));
    out.push(policyRow(policy, receiver_cpu, r));
  }
  return out;
}

/** ksoftirqdPolicies's runs, in order: each policy with the receiver on the flood's CPU (0), then on the other (1). */
export const POLICY_RUNS: ReadonlyArray<[KsoftirqdPolicy, number]> = [["2016", 0], ["2016", 1], ["since-6.5", 0], ["since-6.5", 1]];

/** The settings of one policy run: the policy's flood scenario, the published profile, the receiver's CPU. */
export function policyOverrides(policy: KsoftirqdPolicy, receiverCpu: number): ConfigOverrides {
  return { profile: PUBLISHED_PROFILE, scenario: policy === "2016" ? "ksoftirqd-2016" : "ksoftirqd-6.5", receiver_cpu: receiverCpu };
}

export function policyRow(policy: KsoftirqdPolicy, receiverCpu: number, r: SimResult): PolicyRow {
  return { policy, receiver: receiverCpu === 0 ? "same CPU as the flood" : "other CPU", received_pps: r.throughput_pps.received };
}

/**
 * C7's two published ratios beside the model's (notebook 04b's chart): 2016, the receiver on the
 * flood's CPU with the ksoftirqd policy on / off; 2023, after the revert, the receiver on another CPU /
 * on the same one. `published` are rows of datasets/published/claims-figures.csv (the caller reads them).
 */
export function floodRatios(policies: readonly PolicyRow[], published: readonly Row[]): { label: string; series: "published" | "model"; value: number }[] {
  const pub = published.filter((r) => r.claim === "C7");
  const modelSame = (pol: KsoftirqdPolicy) => policies.find((p) => p.policy === pol && p.receiver === "same CPU as the flood")!.received_pps;
  const modelOther = policies.find((p) => p.policy === "since-6.5" && p.receiver === "other CPU")!.received_pps;
  const fig = (text: string) => {
    const r = pub.find((x) => String(x.condition).includes(text));
    if (!r) throw new Error(`floodRatios: no C7 row whose condition contains "${text}"`);
    return r.value as number;
  };
  const l2016 = "2016: ksoftirqd policy on / off (same CPU)";
  const l2023 = "2023: other CPU / same CPU (after the revert)";
  return [
    { label: l2016, series: "published", value: fig("2016, with") / fig("2016, before") },
    { label: l2016, series: "model", value: modelSame("2016") / modelSame("since-6.5") },
    { label: l2023, series: "published", value: fig("receiver on another CPU") / fig("receiver on the same CPU") },
    { label: l2023, series: "model", value: modelOther / modelSame("since-6.5") },
  ];
}

/** The scenario of notebook 04's BH-lock timeline: a device on CPU 1, its backlog always handed to backlog_napi/1, RT, traced for 1 ms. */
export const BH_LOCK_SCENARIO: ConfigOverrides = {
  profile: PUBLISHED_PROFILE, workload: "nic-rx", nic_cpu: 1, receiver_cpu: 0, rate_pps: 1_000_000, nic_batch: 8,
  preempt: "rt", backlog_napi: "threads-always", duration_ms: 1, trace: true, trace_ns: 1_000_000,
};

/** Where a BH-lock boost shows in a trace: every boosted switch, and the timeline window around the first. */
export interface BhLockWindow {
  /** sched_switch records to the thread at a priority above a normal task's (prio < 120): PREEMPT_RT's BH lock lending it an IRQ thread's priority. */
  boosts: TraceRecord[];
  /** [from_ns, to_ns): 8 µs before the first boost, 40 µs long; null when the trace has no boost. */
  window: { from_ns: number; to_ns: number } | null;
}

/**
 * Finds the BH lock's priority inheritance in a traced run (notebook 04): on PREEMPT_RT
 * `local_bh_disable` takes a per-CPU lock, so an IRQ thread that needs it while `thread` holds it
 * boosts `thread` to its own priority (rt_mutex); the trace shows `thread` switched in with a
 * real-time prio. The window frames the first such switch for the per-CPU timeline.
 */
export function bhLockWindow(r: SimResult, thread = "backlog_napi/1"): BhLockWindow {
  if (!r.trace) throw new Error("bhLockWindow: the run has no trace (set trace=true)");
  const boosts = r.trace.records.filter((x) => x.event === "sched:sched_switch" && x.fields.next_comm === thread && Number(x.fields.next_prio) < 120);
  if (boosts.length === 0) return { boosts, window: null };
  const from = Math.max(0, boosts[0]!.ts - 8_000);
  return { boosts, window: { from_ns: from, to_ns: from + 40_000 } };
}
