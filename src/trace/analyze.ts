/**
 * Analyses that read only trace records, so they run unchanged on a simulated run and on a real
 * capture: where packets were received (CPU, task, context), packets per NET_RX softirq run and per
 * NAPI poll, IPIs and context switches per packet, and the delays softirq raise → entry, netif_rx →
 * netif_receive_skb and wakeup → running. All times are ns.
 */
import type { CpuBusy, LatencySummary, Span, SpanContext } from "../observe/types";
import type { KernelTraceRecord } from "./record";
import { taskName } from "./record";
import { recordContexts, TaskTracker } from "./context";
import { NET_RX_VEC, parseCpuList, softirqName } from "./events";
import { flattenSpans, spanContext } from "./spans";
import { summarizeLatency } from "../observe/report";

/** The model's latency summary (same percentiles, same samples for charts) plus the minimum. */
export interface Distribution extends LatencySummary {
  min: number;
}

/** count/min/mean/p50/p90/p99/max by nearest rank (observe/report.ts); all zero when empty. */
export function distribution(values: readonly number[]): Distribution {
  const s = summarizeLatency([...values]);
  if (s === null) return { samples: [], count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  return { ...s, min: s.samples[0] };
}

export interface AnalysisOptions {
  /** Count only packets of this device (the `dev` field of netif_* events), e.g. "lo". Default: all. */
  dev?: string;
}

function inc<K extends string | number>(m: Record<K, number>, k: K, by = 1): void {
  m[k] = (m[k] ?? 0) + by;
}

function isPacket(r: KernelTraceRecord, opts: AnalysisOptions): boolean {
  return r.event === "net:netif_receive_skb" && (opts.dev === undefined || r.fields.dev === opts.dev);
}

export interface ReceiveWhere {
  packets: number;
  perCpu: Record<number, number>;
  /** By task name (swapper/N for the idle task). */
  perTask: Record<string, number>;
  perContext: Partial<Record<SpanContext, number>>;
}

/** Where net:netif_receive_skb ran: on which CPU, in which task, in which context. */
export function receiveWhere(records: readonly KernelTraceRecord[], opts: AnalysisOptions = {}): ReceiveWhere {
  const ctxs = recordContexts(records);
  const out: ReceiveWhere = { packets: 0, perCpu: {}, perTask: {}, perContext: {} };
  records.forEach((r, i) => {
    if (!isPacket(r, opts)) return;
    out.packets++;
    inc(out.perCpu, r.cpu);
    const task = taskName(r.comm, r.pid, r.cpu);
    inc(out.perTask, task);
    inc(out.perContext as Record<string, number>, spanContext(ctxs[i].ctx, task, r.pid));
  });
  return out;
}

export interface NetRxRuns {
  /** Completed NET_RX softirq runs (softirq_entry → softirq_exit, vec 3). */
  runs: number;
  runsWithPackets: number;
  packets: number;
  /** Packets per run → number of runs. */
  histogram: Record<number, number>;
  mean: number;
  max: number;
  /** Runs by who ran them: softirq (in a task or idle), ksoftirqd, backlog_thread. */
  byContext: Partial<Record<SpanContext, number>>;
}

/** Packets received inside each NET_RX softirq run. */
export function packetsPerNetRxRun(records: readonly KernelTraceRecord[], opts: AnalysisOptions = {}): NetRxRuns {
  const open = new Map<number, number>(); // cpu → packets so far in the open run
  const out: NetRxRuns = { runs: 0, runsWithPackets: 0, packets: 0, histogram: {}, mean: 0, max: 0, byContext: {} };
  for (const r of records) {
    if (r.event === "irq:softirq_entry" && Number(r.fields.vec) === NET_RX_VEC) open.set(r.cpu, 0);
    else if (isPacket(r, opts) && open.has(r.cpu)) open.set(r.cpu, (open.get(r.cpu) as number) + 1);
    else if (r.event === "irq:softirq_exit" && Number(r.fields.vec) === NET_RX_VEC && open.has(r.cpu)) {
      const n = open.get(r.cpu) as number;
      open.delete(r.cpu);
      out.runs++;
      out.packets += n;
      if (n > 0) out.runsWithPackets++;
      inc(out.histogram, n);
      out.max = Math.max(out.max, n);
      inc(out.byContext as Record<string, number>, spanContext("softirq", taskName(r.comm, r.pid, r.cpu), r.pid));
    }
  }
  out.mean = out.runs ? out.packets / out.runs : 0;
  return out;
}

export interface NapiPolls {
  polls: number;
  /** Packets per poll (napi_poll's `work`) → number of polls. */
  histogram: Record<number, number>;
  work: number;
  mean: number;
  /** Polls that used their whole budget (the NAPI goes back on the poll list). */
  fullBudget: number;
  perDevice: Record<string, number>;
}

/** napi:napi_poll: how much each poll did (the backlog shows as device "(no_device)"). */
export function napiPolls(records: readonly KernelTraceRecord[]): NapiPolls {
  const out: NapiPolls = { polls: 0, histogram: {}, work: 0, mean: 0, fullBudget: 0, perDevice: {} };
  for (const r of records) {
    if (r.event !== "napi:napi_poll") continue;
    const work = Number(r.fields.work);
    out.polls++;
    out.work += work;
    inc(out.histogram, work);
    inc(out.perDevice, String(r.fields.dev_name));
    if (work >= Number(r.fields.budget)) out.fullBudget++;
  }
  out.mean = out.polls ? out.work / out.polls : 0;
  return out;
}

export interface IpiCount {
  ipis: number;
  packets: number;
  perPacket: number;
  /** By the function that sent it (callsite without offset), e.g. ttwu_queue_wakelist. */
  byCallsite: Record<string, number>;
  byTargetCpu: Record<number, number>;
}

/** IPIs sent (ipi_send_cpu, plus one per CPU of an ipi_send_cpumask) per received packet. */
export function ipisPerPacket(records: readonly KernelTraceRecord[], opts: AnalysisOptions = {}): IpiCount {
  const out: IpiCount = { ipis: 0, packets: 0, perPacket: 0, byCallsite: {}, byTargetCpu: {} };
  for (const r of records) {
    if (isPacket(r, opts)) out.packets++;
    let targets: number[] = [];
    if (r.event === "ipi:ipi_send_cpu") targets = [Number(r.fields.cpu)];
    else if (r.event === "ipi:ipi_send_cpumask") targets = parseCpuList(String(r.fields.cpumask));
    if (targets.length === 0) continue;
    out.ipis += targets.length;
    inc(out.byCallsite, symbolName(String(r.fields.callsite)), targets.length);
    for (const t of targets) inc(out.byTargetCpu, t);
  }
  out.perPacket = out.packets ? out.ipis / out.packets : 0;
  return out;
}

/** "on_each_cpu_cond_mask+0x20/0x60" → "on_each_cpu_cond_mask". */
export function symbolName(sym: string): string {
  return sym.replace(/\+0x[0-9a-f]+(\/0x[0-9a-f]+)?$/, "");
}

export interface SwitchCount {
  switches: number;
  packets: number;
  perPacket: number;
  /** prev_state R/R+: the task was preempted while runnable. */
  involuntary: number;
  /** Switches in which neither side is the idle task. */
  taskToTask: number;
  perCpu: Record<number, number>;
  /** Task changes the records show with no sched_switch (not in `switches`): the trace lost them. */
  missingFromTrace: number;
}

/** Context switches (sched_switch) per received packet. */
export function switchesPerPacket(records: readonly KernelTraceRecord[], opts: AnalysisOptions = {}): SwitchCount {
  const out: SwitchCount = { switches: 0, packets: 0, perPacket: 0, involuntary: 0, taskToTask: 0, perCpu: {}, missingFromTrace: 0 };
  const tasks = new TaskTracker();
  for (const r of records) {
    if (tasks.step(r)) out.missingFromTrace++;
    if (isPacket(r, opts)) out.packets++;
    if (r.event !== "sched:sched_switch") continue;
    out.switches++;
    inc(out.perCpu, r.cpu);
    if (String(r.fields.prev_state).startsWith("R")) out.involuntary++;
    if (Number(r.fields.prev_pid) !== 0 && Number(r.fields.next_pid) !== 0) out.taskToTask++;
  }
  out.perPacket = out.packets ? out.switches / out.packets : 0;
  return out;
}

export interface RaiseToEntry {
  vec: number;
  action: string;
  delay: Distribution;
  /** Where the pending softirq was raised: task, softirq (re-raise) or hardirq (e.g. an IPI). */
  raisedIn: Record<string, number>;
  /** Entries with no raise seen since the previous run (raised before the capture). */
  entriesWithoutRaise: number;
}

/**
 * Softirq raise → entry delay on the same CPU. A raise while the vector is already pending does not
 * restart the clock: the delay runs from the first raise after the previous entry.
 */
export function raiseToEntry(records: readonly KernelTraceRecord[], vec = NET_RX_VEC): RaiseToEntry {
  const ctxs = recordContexts(records);
  const pending = new Map<number, number>(); // cpu → ts of the first pending raise
  const delays: number[] = [];
  const out: RaiseToEntry = { vec, action: softirqName(vec), delay: distribution([]), raisedIn: {}, entriesWithoutRaise: 0 };
  records.forEach((r, i) => {
    if (Number(r.fields.vec) !== vec) return;
    if (r.event === "irq:softirq_raise") {
      if (!pending.has(r.cpu)) {
        pending.set(r.cpu, r.ts);
        inc(out.raisedIn, ctxs[i].ctx);
      }
    } else if (r.event === "irq:softirq_entry") {
      const t = pending.get(r.cpu);
      if (t === undefined) out.entriesWithoutRaise++;
      else delays.push(r.ts - t);
      pending.delete(r.cpu);
    }
  });
  out.delay = distribution(delays);
  return out;
}

export interface EnqueueToReceive {
  delay: Distribution;
  /** Packets received on another CPU than the one that enqueued them (RPS). */
  crossCpu: number;
  /** netif_receive_skb with no earlier netif_rx of the same skb (not via the backlog, or enqueued before the capture). */
  unmatched: number;
}

/**
 * netif_rx (enqueue_to_backlog) → netif_receive_skb (process_backlog) of the same skb, matched by
 * skbaddr: the time a packet waits in the backlog. skb addresses are reused, so each receive pairs
 * with the latest unmatched netif_rx of that address.
 */
export function enqueueToReceive(records: readonly KernelTraceRecord[], opts: AnalysisOptions = {}): EnqueueToReceive {
  const queued = new Map<string, KernelTraceRecord>();
  const delays: number[] = [];
  let crossCpu = 0;
  let unmatched = 0;
  for (const r of records) {
    if (opts.dev !== undefined && r.fields.dev !== opts.dev) continue;
    if (r.event === "net:netif_rx") queued.set(String(r.fields.skbaddr), r);
    else if (r.event === "net:netif_receive_skb") {
      const q = queued.get(String(r.fields.skbaddr));
      if (!q) {
        unmatched++;
        continue;
      }
      queued.delete(String(r.fields.skbaddr));
      delays.push(r.ts - q.ts);
      if (q.cpu !== r.cpu) crossCpu++;
    }
  }
  return { delay: distribution(delays), crossCpu, unmatched };
}

export interface WakeupLatency {
  delay: Distribution;
  /** Wakeups whose task did not run before the trace ended. */
  neverRan: number;
  /** Wakeups whose task was later seen running with no sched_switch in the trace (time unknown, left out of `delay`). */
  switchInMissing: number;
  /** Only wakeups of these tasks (comm), when the caller asked; else all. */
  tasks: string[] | null;
}

/** sched_wakeup → the sched_switch that runs the woken task (on its target CPU). */
export function wakeupLatency(records: readonly KernelTraceRecord[], only?: readonly string[]): WakeupLatency {
  const waiting = new Map<number, number>(); // pid → wakeup ts
  const delays: number[] = [];
  const tasks = new TaskTracker();
  let switchInMissing = 0;
  for (const r of records) {
    const implicit = tasks.step(r);
    if (implicit && waiting.delete(implicit.to.pid)) switchInMissing++;
    if (r.event === "sched:sched_wakeup") {
      if (only && !only.includes(String(r.fields.comm))) continue;
      const pid = Number(r.fields.pid);
      if (!waiting.has(pid)) waiting.set(pid, r.ts);
    } else if (r.event === "sched:sched_switch") {
      const pid = Number(r.fields.next_pid);
      const t = waiting.get(pid);
      if (t !== undefined) {
        delays.push(r.ts - t);
        waiting.delete(pid);
      }
    }
  }
  return { delay: distribution(delays), neverRan: waiting.size, switchInMissing, tasks: only ? [...only] : null };
}

/** Busy time per CPU and context from spans (nested or flat), like the model's CpuResult.busy_ns. */
export function busyByContext(spans: readonly Span[]): Record<number, CpuBusy> {
  const out: Record<number, CpuBusy> = {};
  for (const s of flattenSpans(spans)) {
    const b = (out[s.cpu] ??= { task: 0, softirq: 0, hardirq: 0, ksoftirqd: 0, backlog_thread: 0, idle: 0 });
    b[s.ctx] += s.end - s.start;
  }
  return out;
}

export interface TraceSummary {
  records: number;
  /** First and last timestamp, ns. */
  start: number;
  end: number;
  cpus: number[];
  events: Record<string, number>;
  packets: number;
  receive: ReceiveWhere;
  netRxRuns: NetRxRuns;
  napi: NapiPolls;
  ipis: IpiCount;
  switches: SwitchCount;
  raiseToEntry: RaiseToEntry;
  enqueueToReceive: EnqueueToReceive;
  wakeup: WakeupLatency;
}

/** Every analysis at once. */
export function summarize(records: readonly KernelTraceRecord[], opts: AnalysisOptions = {}): TraceSummary {
  const events: Record<string, number> = {};
  const cpus = new Set<number>();
  let start = Infinity;
  let end = -Infinity;
  for (const r of records) {
    inc(events, r.event);
    cpus.add(r.cpu);
    start = Math.min(start, r.ts);
    end = Math.max(end, r.ts);
  }
  const receive = receiveWhere(records, opts);
  return {
    records: records.length,
    start: records.length ? start : 0,
    end: records.length ? end : 0,
    cpus: [...cpus].sort((a, b) => a - b),
    events,
    packets: receive.packets,
    receive,
    netRxRuns: packetsPerNetRxRun(records, opts),
    napi: napiPolls(records),
    ipis: ipisPerPacket(records, opts),
    switches: switchesPerPacket(records, opts),
    raiseToEntry: raiseToEntry(records),
    enqueueToReceive: enqueueToReceive(records, opts),
    wakeup: wakeupLatency(records),
  };
}
