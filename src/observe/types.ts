/**
 * What a run reports: the result object behind `softnet-lab simulate --json`, and the trace the model
 * records when `trace=true` (tracepoint records with the kernel's names, plus per-CPU spans for the
 * timeline chart). Counter names follow /proc/net/softnet_stat, /proc/softirqs, /proc/interrupts and
 * /proc/net/snmp, so a reader can compare with a real machine.
 */
import type { SimConfig } from "../config/schema";

/** CPU contexts as the timeline shows them. */
export type SpanContext =
  | "task" // a task in user or kernel mode (not in softirq)
  | "softirq" // softirq run inside a task (local_bh_enable, irq exit) or on the idle task
  | "hardirq" // interrupt handlers, IPIs included
  | "ksoftirqd" // softirqs run by ksoftirqd/N
  | "backlog_thread" // backlog_napi/N (issue 4)
  | "idle";

export interface Span {
  cpu: number;
  start: number; // ns
  end: number; // ns
  ctx: SpanContext;
  /** Task that owns the CPU time (comm, like sched_switch's prev_comm). */
  task: string;
  /** The kernel function the span models (e.g. "process_backlog", "udp_sendmsg"). */
  fn: string;
}

/** The tracepoints the model emits, named as in tracefs (`subsystem:event`). */
export type TraceEventName =
  | "irq:softirq_raise"
  | "irq:softirq_entry"
  | "irq:softirq_exit"
  | "irq:irq_handler_entry"
  | "irq:irq_handler_exit"
  | "napi:napi_poll"
  | "net:netif_rx"
  | "net:netif_receive_skb"
  | "ipi:ipi_send_cpu"
  | "sched:sched_switch"
  | "sched:sched_wakeup";

/** One tracepoint hit, with the fields the kernel's format prints (see /sys/kernel/tracing/events). */
export interface TraceRecord {
  ts: number; // ns
  cpu: number;
  /** comm-pid of the current task, as in the trace file's first column. */
  comm: string;
  pid: number;
  event: TraceEventName;
  fields: Record<string, string | number>;
}

export interface Trace {
  records: TraceRecord[];
  spans: Span[];
  /** Simulated time the trace covers, [0, end_ns). */
  end_ns: number;
}

export interface CpuBusy {
  task: number;
  softirq: number;
  hardirq: number;
  ksoftirqd: number;
  backlog_thread: number;
  idle: number;
}

export interface CpuResult {
  cpu: number;
  net_rx_softirqs: number;
  softnet: { processed: number; dropped: number; time_squeeze: number; received_rps: number };
  ipi_cal: number;
  ipi_res: number;
  /** Timer interrupts (LOC in /proc/interrupts). */
  timer_irqs: number;
  busy_ns: CpuBusy;
  /** Times __do_softirq ran out of restarts/time and woke ksoftirqd/N. */
  ksoftirqd_wakeups: number;
  /** Context switches on this CPU, to and from idle included, as /proc/stat's ctxt counts them. */
  context_switches: number;
  /** Times backlog_napi/N was woken to poll this CPU's backlog. */
  backlog_thread_wakeups: number;
  /** __do_softirq runs by where they ran: inside a task (local_bh_enable), at irq exit, in ksoftirqd, in a backlog thread, in an IRQ thread (PREEMPT_RT), in the idle task. */
  softirq_runs: { task: number; irq_exit: number; ksoftirqd: number; backlog_thread: number; irq_thread: number; idle: number };
}

export interface TaskResult {
  name: string;
  pid: number;
  cpu: number;
  policy: "SCHED_OTHER" | "SCHED_FIFO";
  cpu_ns: number;
  /** CPU time this task lost to softirq work run on its behalf (at irq exit or local_bh_enable). */
  softirq_ns: number;
  voluntary_switches: number;
  involuntary_switches: number;
}

export interface LatencySummary {
  /** Up to 2,000 samples, sorted, evenly spaced in rank (for distribution charts). */
  samples: number[];
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export type DropReason = "backlog" | "rcvbuf" | "nic";

export interface SimResult {
  config: SimConfig;
  simulated_ns: number;
  packets: {
    sent: number;
    delivered: number;
    dropped: Record<DropReason, number>;
    in_flight: number;
  };
  throughput_pps: { sent: number; received: number };
  udp: { InDatagrams: number; RcvbufErrors: number };
  per_cpu: CpuResult[];
  tasks: TaskResult[];
  /** Round-trip latency of udp-pingpong, ns; null for other workloads. */
  latency_ns: LatencySummary | null;
  /** Wakeup latency of the SCHED_FIFO latency task (rt_task_cpu), ns; null without one. */
  wakeup_latency_ns: LatencySummary | null;
  /** Per-packet ratios, the figures the claims talk about. */
  per_packet: {
    context_switches: number;
    ipis: number;
    net_rx_softirqs: number;
    cpu_ns: number;
  };
  events: number;
  /** Digest of every simulated event (time, kind, target): equal for the same seed and config. */
  digest: string;
  /** What the seed reached in this run; empty: every seed gives this same result. */
  seed_reached: string[];
  wall_ms: number;
  warnings: string[];
  trace?: Trace;
}
