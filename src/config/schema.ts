/**
 * The run configuration: every key a simulation accepts, its type, default and allowed values.
 * Keys use the kernel's sysctl / sysfs names where one exists (`netdev_max_backlog`, `rps_cpus`...).
 * Parsing and validation live in `parse.ts`; this module is data only, so the CLI, the notebooks and
 * the docs all read one list.
 */
import { COSTS, type CostName } from "../kernel/costs";

export type KsoftirqdPolicy = "since-6.5" | "2016";
export type WorkloadName = "udp-stream" | "udp-pingpong" | "nic-rx" | "none";
export type IdleMode = "halt" | "poll" | "haltpoll";
export type BacklogNapiMode = "softirq" | "threads-always" | "threads" | "backlog-threaded" | "backlog-threaded-intent";
export type PreemptModel = "none" | "full" | "rt";

/** OpenWrt's `net.core.backlog_threaded` (unpinned napi/backlog-<n> kthreads), as patched or as intended. */
export function isBacklogThreaded(mode: BacklogNapiMode): boolean {
  return mode === "backlog-threaded" || mode === "backlog-threaded-intent";
}

/** A fully resolved configuration. All times are integer nanoseconds unless the name says otherwise. */
export interface SimConfig {
  seed: number;
  cpus: number;
  duration_ms: number;
  /** Hex CPU mask as in /sys/class/net/lo/queues/rx-0/rps_cpus; "0" = RPS off. */
  rps_cpus: string;
  netdev_max_backlog: number;
  netdev_budget: number;
  /** 0 means the kernel default 2 * USEC_PER_SEC / HZ. */
  netdev_budget_usecs: number;
  dev_rx_weight: number;
  hz: number;
  ksoftirqd_policy: KsoftirqdPolicy;
  /** How the backlog NAPI runs: v6.8 softirq, the 2023 RFC's threads, v6.10's threads, or OpenWrt's unpinned `backlog_threaded`. */
  backlog_napi: BacklogNapiMode;
  /** backlog-threaded modes: the CPUs every napi/backlog-<n> may run on (taskset); "" = all CPUs. */
  backlog_thread_cpus: string;
  /** Thread modes: wake the backlog thread this long after the kick instead of at once (claim C10). */
  backlog_wake_delay_ns: number;
  /** Preemption model; "none" is CONFIG_PREEMPT_NONE. */
  preempt: PreemptModel;
  idle: IdleMode;
  /** haltpoll: how long an idle CPU polls (TIF_POLLING_NRFLAG set) before it halts. */
  haltpoll_ns: number;
  workload: WorkloadName;
  sender_cpu: number;
  receiver_cpu: number;
  payload_bytes: number;
  flows: number;
  /** Packets per second per sender (stream) or per device (nic-rx); 0 = flat out. */
  rate_pps: number;
  /** Arrival process for rate-limited senders: fixed spacing or Poisson (seeded). */
  arrivals: "periodic" | "poisson";
  /** SO_RCVBUF of the receiving socket, bytes (net.core.rmem_default = 212992). */
  rcvbuf_bytes: number;
  /** nic-rx: packets the non-NAPI driver hands to netif_rx per hardirq. */
  nic_batch: number;
  /** nic-rx: CPU that takes the device interrupt. */
  nic_cpu: number;
  /** CPUs that run a CPU-bound SCHED_OTHER competing task ("" = none), comma separated. */
  hog_cpus: string;
  /** nic-rx: the device interrupt runs its handler in hardirq context (plain) or in irq/N-nic0 (threaded). */
  nic_irq: "plain" | "threaded";
  /** CPU of a cyclictest-like SCHED_FIFO task recording its wakeup latency (-1: none). */
  rt_task_cpu: number;
  rt_task_prio: number;
  rt_task_period_us: number;
  /** A cost profile fitted to a machine (profiles/<name>.json); "" = the default cost table. */
  profile: string;
  /** CPU hotplug plan, e.g. "cpu1:off@5ms,on@9ms" ("" = none). */
  hotplug: string;
  /** Record tracepoint records and per-CPU spans (slower; for timelines and small runs). */
  trace: boolean;
  /** Stop tracing after this many ns of simulated time (keeps traces small). 0 = whole run. */
  trace_ns: number;
  /** EEVDF base slice before scaling by 1 + ilog2(min(cpus, 8)) (kernel default 750 us). */
  sched_base_slice_ns: number;
  /** CONFIG_IRQ_TIME_ACCOUNTING: irq and softirq time is not charged to the interrupted task's vruntime. */
  irq_time_accounting: boolean;
  /** measured: each charge of a cost draws from its measured spread (cost-draw.ts); none: always the median. */
  cost_spread: "measured" | "none";
  costs: Record<CostName, number>;
}

export type ScalarKey = Exclude<keyof SimConfig, "costs">;

interface KeySpecBase {
  doc: string;
}
export interface IntSpec extends KeySpecBase {
  kind: "int";
  default: number;
  min: number;
  max: number;
}
export interface EnumSpec extends KeySpecBase {
  kind: "enum";
  default: string;
  values: readonly string[];
}
export interface BoolSpec extends KeySpecBase {
  kind: "bool";
  default: boolean;
}
export interface StringSpec extends KeySpecBase {
  kind: "string";
  default: string;
  /** What the value must look like, said in words for error messages. */
  format: string;
}
export type KeySpec = IntSpec | EnumSpec | BoolSpec | StringSpec;

const MAX_INT = Number.MAX_SAFE_INTEGER;

/** Where the seed reaches, in words (the `seed` key's doc, the CLI's help and its summary say it). */
export const SEED_REACHES =
  "the seed reaches the cost draws (cost_spread=measured, the default: each charge of a measured cost draws its duration), the Poisson arrival times (arrivals=poisson with rate_pps > 0) and the RPS flow hash (which CPU of an rps_cpus mask naming two or more CPUs a flow lands on)";

/** Every scalar key, in the order the docs and `--json` print them. */
export const KEYS: { readonly [K in ScalarKey]: KeySpec } = {
  seed: { kind: "int", default: 1, min: 0, max: 2 ** 31 - 1, doc: `PRNG seed; same seed and config give the same trace, byte for byte; ${SEED_REACHES}; with cost_spread=none and none of the others every seed gives the same result (--json seed_reached says what it reached)` },
  cpus: { kind: "int", default: 2, min: 1, max: 64, doc: "number of CPUs" },
  duration_ms: { kind: "int", default: 100, min: 1, max: 600_000, doc: "simulated time to run, ms" },
  rps_cpus: { kind: "string", default: "0", format: "a hex CPU mask like the sysfs file (e.g. 0, 2, 0x3, f), naming only existing CPUs", doc: "RPS target CPUs of lo's rx queue; 0 = RPS off" },
  netdev_max_backlog: { kind: "int", default: 1000, min: 0, max: 1_000_000, doc: "net.core.netdev_max_backlog: enqueue drops once input_pkt_queue holds more" },
  netdev_budget: { kind: "int", default: 300, min: 1, max: 1_000_000, doc: "net.core.netdev_budget: packets per net_rx_action" },
  netdev_budget_usecs: { kind: "int", default: 0, min: 0, max: 10_000_000, doc: "net.core.netdev_budget_usecs; 0 = 2*10^6/HZ" },
  dev_rx_weight: { kind: "int", default: 64, min: 1, max: 100_000, doc: "net.core.dev_weight: backlog quota per process_backlog call" },
  hz: { kind: "enum", default: "250", values: ["100", "250", "300", "1000"], doc: "CONFIG_HZ: jiffy length for the net_rx_action time limit and the tick (250: Debian's and the measured machine's)" },
  ksoftirqd_policy: { kind: "enum", default: "since-6.5", values: ["since-6.5", "2016"], doc: "since-6.5: softirqs run at irq exit / BH enable even while ksoftirqd is runnable; 2016 (4cd13c21b207, v4.9 to v6.4): ksoftirqd takes every softirq while runnable" },
  backlog_napi: { kind: "enum", default: "softirq", values: ["softirq", "threads-always", "threads", "backlog-threaded", "backlog-threaded-intent"], doc: "softirq: v6.8 (backlog in NET_RX, RPS kicks by IPI); threads-always: the 2023 RFC (every kick wakes the target CPU's backlog_napi/N thread); threads: v6.10 with thread_backlog_napi (remote kicks wake the thread, a local backlog takes the softirq path); backlog-threaded: OpenWrt's net.core.backlog_threaded=1 patch on 6.1/6.6 (unpinned napi/backlog-<n> kthreads the scheduler may move; an RPS kick to another CPU wakes the sender's own backlog thread, as the patch's napi_schedule_rps does, which strands the target's backlog); backlog-threaded-intent: the same with the kick waking the target's thread (the patch's evident intent). The backlog-threaded modes default to ksoftirqd_policy=2016 (6.1, the kernel OpenWrt first carried it on) unless ksoftirqd_policy is given; with preempt=rt they are hypothetical (no kernel shipped that)" },
  backlog_thread_cpus: { kind: "string", default: "", format: "a comma-separated list of existing CPU numbers (ranges like 0-3 allowed), or empty for all CPUs; only with backlog_napi=backlog-threaded or backlog-threaded-intent", doc: "taskset on every napi/backlog-<n> kthread of the backlog-threaded modes: the CPUs it may run on (\"\" = all, kthread_run's default); the smpboot threads of backlog_napi=threads cannot be moved (PF_NO_SETAFFINITY)" },
  backlog_wake_delay_ns: { kind: "int", default: 0, min: 0, max: 100_000_000, doc: "experiment for claim C10 (not a kernel knob): with backlog threads, wake backlog_napi/N this many ns after the kick (a timer) instead of at once, so packets batch up; 0 = at once, as the kernel does" },
  preempt: { kind: "enum", default: "none", values: ["none", "full", "rt"], doc: "preemption model: none (CONFIG_PREEMPT_NONE: tasks are preempted only in user mode or at explicit points), full (CONFIG_PREEMPT: kernel code too, unless BH is disabled), rt (PREEMPT_RT: threaded device interrupts, BH as a per-CPU sleeping lock, softirqs raised in hardirq context go to ksoftirqd; with backlog_napi=softirq this is a v6.8-rt kernel, before the change)" },
  idle: { kind: "enum", default: "halt", values: ["halt", "poll", "haltpoll"], doc: "idle CPU: halt (needs an IPI to wake), poll (never needs one), haltpoll (polls haltpoll_ns, then halts)" },
  haltpoll_ns: { kind: "int", default: 200_000, min: 0, max: 1_000_000_000, doc: "haltpoll: polling window before halting (guest_halt_poll_ns default 200 us)" },
  workload: { kind: "enum", default: "udp-stream", values: ["udp-stream", "udp-pingpong", "nic-rx", "none"], doc: "traffic: UDP stream over lo, UDP request/response over lo, a non-NAPI driver's hardirq feeding the backlog, or none" },
  sender_cpu: { kind: "int", default: 0, min: 0, max: 63, doc: "CPU the sender (or ping-pong client) is pinned to" },
  receiver_cpu: { kind: "int", default: 1, min: 0, max: 63, doc: "CPU the receiver (or ping-pong server) is pinned to" },
  payload_bytes: { kind: "int", default: 64, min: 0, max: 65_507, doc: "UDP payload size, bytes" },
  flows: { kind: "int", default: 1, min: 1, max: 1024, doc: "number of flows (UDP source ports); each has its own sender and receiver pair" },
  rate_pps: { kind: "int", default: 0, min: 0, max: 100_000_000, doc: "offered packets per second per sender / device; 0 = flat out" },
  arrivals: { kind: "enum", default: "periodic", values: ["periodic", "poisson"], doc: "spacing of rate-limited sends" },
  rcvbuf_bytes: { kind: "int", default: 212_992, min: 2_304, max: 1 << 30, doc: "SO_RCVBUF of each receiving socket (net.core.rmem_default)" },
  nic_batch: { kind: "int", default: 1, min: 1, max: 4096, doc: "nic-rx: packets per device interrupt" },
  nic_cpu: { kind: "int", default: 0, min: 0, max: 63, doc: "nic-rx: CPU that takes the device interrupt" },
  nic_irq: { kind: "enum", default: "plain", values: ["plain", "threaded"], doc: "nic-rx: interrupt handler in hardirq context, or force-threaded (threadirqs; always threaded under preempt=rt)" },
  rt_task_cpu: { kind: "int", default: -1, min: -1, max: 63, doc: "CPU of a cyclictest-like SCHED_FIFO task that records its wakeup latency; -1 = none" },
  rt_task_prio: { kind: "int", default: 80, min: 1, max: 99, doc: "rt_priority of the latency task (IRQ threads run at 50)" },
  rt_task_period_us: { kind: "int", default: 1000, min: 10, max: 1_000_000, doc: "wakeup period of the latency task, us" },
  hog_cpus: { kind: "string", default: "", format: "a comma-separated list of existing CPU numbers, or empty", doc: "CPUs that each run a CPU-bound SCHED_OTHER task" },
  profile: { kind: "string", default: "", format: "the name of a profile in profiles/ (made by softnet-lab calibrate), or empty", doc: "cost profile fitted to a machine: its costs replace the defaults; cost.<name> settings still win" },
  hotplug: { kind: "string", default: "", format: "cpuN:off@<time>[,on@<time>] with units ns/us/ms/s, several CPUs separated by ';' (e.g. cpu1:off@5ms,on@9ms); never all CPUs offline at once", doc: "CPU hotplug plan: take CPUs offline and online at simulated times" },
  trace: { kind: "bool", default: false, doc: "record tracepoint records and per-CPU spans" },
  trace_ns: { kind: "int", default: 0, min: 0, max: MAX_INT, doc: "stop recording the trace after this much simulated time; 0 = whole run" },
  irq_time_accounting: { kind: "bool", default: false, doc: "CONFIG_IRQ_TIME_ACCOUNTING (off in Debian's and the measured machine's kernel): when on, softirq/hardirq time no longer advances the interrupted task's vruntime" },
  cost_spread: { kind: "enum", default: "measured", values: ["measured", "none"], doc: "measured: every charge of a cost-table entry draws its duration from the spread measured in real traces (10th/50th/90th percentiles around the run's median; costs.ts COST_SPREAD), from a generator seeded by seed; none: every charge takes the median (the published reference profile sets none)" },
  sched_base_slice_ns: { kind: "int", default: 750_000, min: 100_000, max: 100_000_000, doc: "EEVDF base slice (sysctl_sched_base_slice), before log scaling by CPU count" },
};

export const DEFAULT_CONFIG: SimConfig = (() => {
  const c: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(KEYS) as [ScalarKey, KeySpec][]) {
    c[k] = spec.kind === "enum" && k === "hz" ? Number(spec.default) : spec.default;
  }
  // built in one go: a record filled key by key in a loop is left in V8's slow dictionary mode
  c.costs = Object.fromEntries((Object.keys(COSTS) as CostName[]).map((name) => [name, COSTS[name].ns])) as Record<CostName, number>;
  return c as unknown as SimConfig;
})();
