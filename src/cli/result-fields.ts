/**
 * The documented schema of `softnet-lab simulate --json` (a `SimResult`): every field path with its
 * unit and meaning. The type below forces the table to list exactly the fields `SimResult` has, so
 * when the result type gains, loses or renames a field, the type-check fails here until the docs
 * follow. docs/cli.md is generated from this table; a test compares it with real results.
 */
import type { SimResult } from "../observe/types";

type Leaf = string | number | boolean | null | undefined;
/** Documented as a whole rather than field by field. */
type Opaque = "config" | "trace.records[].fields";

type PathOf<T, P extends string> = P extends Opaque
  ? P
  : [T] extends [Leaf]
    ? P
    : T extends readonly (infer E)[]
      ? P | ([E] extends [Leaf] ? never : FieldsOf<E, `${P}[]`>)
      : P | FieldsOf<T, P>;
type FieldsOf<T, P extends string> = { [K in keyof T & string]-?: PathOf<NonNullable<T[K]>, `${P}.${K}`> }[keyof T & string];

/** Every path of a SimResult: `packets.dropped.backlog`, `per_cpu[].softnet.processed`... */
export type ResultPath = { [K in keyof SimResult & string]-?: PathOf<NonNullable<SimResult[K]>, K> }[keyof SimResult & string];

export interface FieldDoc {
  /** ns, pps, count, ms, bytes...; "" for objects and names. */
  unit: string;
  doc: string;
}

const CTX = "the CPU spent in this context, summed over the run";

/** In the order docs/cli.md lists them. */
export const RESULT_FIELDS: { readonly [P in ResultPath]: FieldDoc } = {
  config: { unit: "", doc: "the fully resolved configuration of the run: every key of the key table, `costs` holding every cost-table entry (ns); feeding it back (`makeConfig(result.config)`) repeats the run exactly" },
  simulated_ns: { unit: "ns", doc: "simulated time the run covered (duration_ms * 10^6 unless the run stopped early)" },
  packets: { unit: "", doc: "packet accounting over the whole run; the model checks sent = delivered + dropped (all reasons) + in_flight at the end" },
  "packets.sent": { unit: "packets", doc: "packets handed to the stack: sendto calls of every sender, or packets a device passed to netif_rx" },
  "packets.delivered": { unit: "packets", doc: "packets a receiving task read from its socket" },
  "packets.dropped": { unit: "", doc: "drops by reason" },
  "packets.dropped.backlog": { unit: "packets", doc: "dropped by enqueue_to_backlog because input_pkt_queue already held more than netdev_max_backlog (softnet_stat `dropped`)" },
  "packets.dropped.rcvbuf": { unit: "packets", doc: "dropped at the socket because its receive buffer was full (Udp RcvbufErrors)" },
  "packets.dropped.nic": { unit: "packets", doc: "nic-rx: arrived at the device but never handed to netif_rx, because the interrupt for their batch could not be taken in time (line masked while a threaded handler ran, or the CPU stuck in hardirqs): the device ring overflowed" },
  "packets.in_flight": { unit: "packets", doc: "packets still queued at the end: backlog queues, socket queues, not yet read" },
  throughput_pps: { unit: "", doc: "rates over the simulated time" },
  "throughput_pps.sent": { unit: "packets/s", doc: "packets.sent per simulated second" },
  "throughput_pps.received": { unit: "packets/s", doc: "packets.delivered per simulated second" },
  udp: { unit: "", doc: "UDP counters as /proc/net/snmp names them" },
  "udp.InDatagrams": { unit: "datagrams", doc: "datagrams the applications read: the kernel counts InDatagrams in udp_recvmsg, so it equals packets.delivered" },
  "udp.RcvbufErrors": { unit: "datagrams", doc: "datagrams dropped because the socket's receive buffer was full" },
  per_cpu: { unit: "", doc: "one entry per CPU, ordered by CPU number" },
  "per_cpu[].cpu": { unit: "", doc: "CPU number" },
  "per_cpu[].net_rx_softirqs": { unit: "count", doc: "NET_RX softirq runs on this CPU (the NET_RX row of /proc/softirqs)" },
  "per_cpu[].softnet": { unit: "", doc: "the counters of this CPU's line of /proc/net/softnet_stat" },
  "per_cpu[].softnet.processed": { unit: "packets", doc: "packets process_backlog handed up the stack on this CPU (column 1; with backlog_napi=backlog-threaded*, wherever napi/backlog-<n> ran)" },
  "per_cpu[].softnet.dropped": { unit: "packets", doc: "packets enqueue_to_backlog dropped on this CPU's backlog (column 2)" },
  "per_cpu[].softnet.time_squeeze": { unit: "count", doc: "net_rx_action runs that ended with work left because budget or time ran out (column 3)" },
  "per_cpu[].softnet.received_rps": { unit: "count", doc: "RPS IPIs this CPU received, counted by rps_trigger_softirq (column 10)" },
  "per_cpu[].ipi_cal": { unit: "count", doc: "function-call IPIs received (CAL in /proc/interrupts): RPS IPIs (rps_trigger_softirq) and remote wakeups through the wake list; one IPI serves every callback queued before it is handled; none when the CPU polls in idle" },
  "per_cpu[].ipi_res": { unit: "count", doc: "reschedule IPIs received (RES in /proc/interrupts): another CPU asked this one to re-check need_resched; none when it polls in idle" },
  "per_cpu[].timer_irqs": { unit: "count", doc: "timer interrupts (LOC in /proc/interrupts)" },
  "per_cpu[].busy_ns": { unit: "", doc: "this CPU's time by context; the six parts add up to simulated_ns" },
  "per_cpu[].busy_ns.task": { unit: "ns", doc: `${CTX}: tasks in user or kernel mode, softirq work excluded` },
  "per_cpu[].busy_ns.softirq": { unit: "ns", doc: `${CTX}: softirqs run inside a task or the idle task (local_bh_enable, irq exit)` },
  "per_cpu[].busy_ns.hardirq": { unit: "ns", doc: `${CTX}: interrupt handlers, IPIs included` },
  "per_cpu[].busy_ns.ksoftirqd": { unit: "ns", doc: `${CTX}: softirqs run by ksoftirqd/N` },
  "per_cpu[].busy_ns.backlog_thread": { unit: "ns", doc: `${CTX}: backlog_napi/N threads (the change, issue 4; 0 before)` },
  "per_cpu[].busy_ns.idle": { unit: "ns", doc: "time the CPU was idle (polling or halted)" },
  "per_cpu[].ksoftirqd_wakeups": { unit: "count", doc: "times __do_softirq gave up (2 ms, 10 restarts or need_resched) and woke ksoftirqd/N" },
  "per_cpu[].context_switches": { unit: "count", doc: "context switches on this CPU, switches to and from the idle task included, as /proc/stat's ctxt counts them (tasks[] counts only the switches of real tasks)" },
  "per_cpu[].backlog_thread_wakeups": { unit: "count", doc: "times backlog_napi/N was woken (from sleep) to poll this CPU's backlog; 0 with backlog_napi=softirq" },
  "per_cpu[].softirq_runs": { unit: "", doc: "__do_softirq runs on this CPU (all vectors) by where they ran; the parts add up to every run" },
  "per_cpu[].softirq_runs.task": { unit: "count", doc: "in a task, when it re-enabled BH (local_bh_enable, e.g. at the end of a loopback sendto)" },
  "per_cpu[].softirq_runs.irq_exit": { unit: "count", doc: "at irq exit (invoke_softirq), on the time of whatever task was interrupted" },
  "per_cpu[].softirq_runs.ksoftirqd": { unit: "count", doc: "in ksoftirqd/N" },
  "per_cpu[].softirq_runs.backlog_thread": { unit: "count", doc: "in backlog_napi/N, when it re-enabled BH after a poll" },
  "per_cpu[].softirq_runs.irq_thread": { unit: "count", doc: "in a threaded IRQ handler at its end (PREEMPT_RT)" },
  "per_cpu[].softirq_runs.idle": { unit: "count", doc: "in the idle task outside irq exit (a polling idle CPU running queued IPI callbacks itself)" },
  tasks: { unit: "", doc: "one entry per task: workload tasks, CPU hogs, ksoftirqd/N" },
  "tasks[].name": { unit: "", doc: "task name (comm), e.g. udp_tx/0, udp_rx/0, rr_client/0, rr_server/0, ksoftirqd/1" },
  "tasks[].pid": { unit: "", doc: "simulated pid, as trace records show it" },
  "tasks[].cpu": { unit: "", doc: "CPU the task is pinned to (flow i's sender runs on (sender_cpu + i) mod cpus, its receiver on (receiver_cpu + i) mod cpus)" },
  "tasks[].policy": { unit: "", doc: "scheduling policy: SCHED_OTHER or SCHED_FIFO" },
  "tasks[].cpu_ns": { unit: "ns", doc: "CPU time the task ran in its own context (user and kernel); softirq and hardirq work on its time is not included" },
  "tasks[].softirq_ns": { unit: "ns", doc: "softirq work run in this task's context (at irq exit or local_bh_enable), in addition to cpu_ns: e.g. NET_RX inside a sender's sendto, or the time a hog loses to NET_RX" },
  "tasks[].voluntary_switches": { unit: "count", doc: "switches away from the task because it blocked (voluntary_ctxt_switches in /proc/<pid>/status)" },
  "tasks[].involuntary_switches": { unit: "count", doc: "switches away from the task while it was runnable: preemption (nonvoluntary_ctxt_switches)" },
  latency_ns: { unit: "", doc: "round-trip latency of udp-pingpong, from the client's send to its receive of the response; null for other workloads" },
  "latency_ns.samples": { unit: "ns", doc: "up to 2,000 round-trip times, sorted, evenly spaced in rank (for distribution charts)" },
  "latency_ns.count": { unit: "round trips", doc: "completed round trips measured" },
  "latency_ns.mean": { unit: "ns", doc: "mean round-trip time" },
  "latency_ns.p50": { unit: "ns", doc: "median round-trip time" },
  "latency_ns.p90": { unit: "ns", doc: "90th percentile round-trip time" },
  "latency_ns.p99": { unit: "ns", doc: "99th percentile round-trip time" },
  "latency_ns.max": { unit: "ns", doc: "longest round trip" },
  wakeup_latency_ns: { unit: "", doc: "wakeup latency of the cyclictest-like SCHED_FIFO task (rt_task_cpu), from its timer's expiry to the moment it runs; null without one" },
  "wakeup_latency_ns.samples": { unit: "ns", doc: "up to 2,000 wakeup latencies, sorted, evenly spaced in rank" },
  "wakeup_latency_ns.count": { unit: "wakeups", doc: "wakeups measured" },
  "wakeup_latency_ns.mean": { unit: "ns", doc: "mean wakeup latency" },
  "wakeup_latency_ns.p50": { unit: "ns", doc: "median wakeup latency" },
  "wakeup_latency_ns.p90": { unit: "ns", doc: "90th percentile wakeup latency" },
  "wakeup_latency_ns.p99": { unit: "ns", doc: "99th percentile wakeup latency" },
  "wakeup_latency_ns.max": { unit: "ns", doc: "longest wakeup latency" },
  per_packet: { unit: "", doc: "ratios per delivered packet, the figures the claims talk about" },
  "per_packet.context_switches": { unit: "switches/packet", doc: "voluntary + involuntary switches of all tasks per delivered packet" },
  "per_packet.ipis": { unit: "IPIs/packet", doc: "IPIs of every kind (CAL + RES) per delivered packet" },
  "per_packet.net_rx_softirqs": { unit: "runs/packet", doc: "NET_RX softirq runs per delivered packet (1/x = packets per softirq)" },
  "per_packet.cpu_ns": { unit: "ns/packet", doc: "non-idle CPU time on all CPUs per delivered packet" },
  events: { unit: "count", doc: "simulation events processed (for speed figures: events per wall second)" },
  digest: { unit: "", doc: "digest of every simulated event (time, kind, target): equal for the same seed and config, so two runs can be compared byte for byte" },
  seed_reached: { unit: "", doc: "what the seed reached in this run: the cost draws (cost_spread=measured), the Poisson arrival times (arrivals=poisson with rate_pps > 0), the RPS flow hash (rps_cpus naming two or more CPUs); empty when nothing random was drawn, so every seed gives the same result" },
  wall_ms: { unit: "ms", doc: "wall-clock time the simulation took on this machine (the only non-deterministic field)" },
  warnings: { unit: "", doc: "sentences about the run worth reading before trusting the figures (e.g. a run too short for the rate)" },
  trace: { unit: "", doc: "present only when trace=true and no --trace-out FILE was given (with it, FILE holds the same records and spans as JSON lines, readTraceJsonl in src/trace/stream.ts reads them back into this object)" },
  "trace.records": { unit: "", doc: "tracepoint hits in time order, named as in tracefs" },
  "trace.records[].ts": { unit: "ns", doc: "simulated time of the hit" },
  "trace.records[].cpu": { unit: "", doc: "CPU the tracepoint fired on" },
  "trace.records[].comm": { unit: "", doc: "name of the task current on that CPU (the trace file's first column)" },
  "trace.records[].pid": { unit: "", doc: "pid of that task" },
  "trace.records[].event": { unit: "", doc: "subsystem:event, e.g. napi:napi_poll, ipi:ipi_send_cpu, sched:sched_switch" },
  "trace.records[].fields": { unit: "", doc: "the event's fields under the names its tracefs format uses (e.g. vec, work, budget, prev_comm)" },
  "trace.spans": { unit: "", doc: "per-CPU intervals for the timeline chart" },
  "trace.spans[].cpu": { unit: "", doc: "CPU number" },
  "trace.spans[].start": { unit: "ns", doc: "start of the interval" },
  "trace.spans[].end": { unit: "ns", doc: "end of the interval (exclusive)" },
  "trace.spans[].ctx": { unit: "", doc: "context: task, softirq, hardirq, ksoftirqd, backlog_thread or idle" },
  "trace.spans[].task": { unit: "", doc: "task that owns the CPU time (comm)" },
  "trace.spans[].fn": { unit: "", doc: "kernel function the span models, e.g. process_backlog, udp_sendmsg" },
  "trace.end_ns": { unit: "ns", doc: "end of the traced time; the trace covers [0, end_ns)" },
};

/** Fields that are absent or null in some runs (their sub-fields then too). */
export const OPTIONAL_FIELDS: readonly ResultPath[] = ["latency_ns", "wakeup_latency_ns", "trace"];

/**
 * The paths a JSON value actually has, in the same notation (`per_cpu[].softnet.processed`), for
 * comparing a real result with the documentation. Stops at the documented-as-a-whole paths.
 */
export function pathsOf(value: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (prefix === "config" || prefix === "trace.records[].fields") {
    out.add(prefix);
    return out;
  }
  if (Array.isArray(value)) {
    if (prefix) out.add(prefix);
    for (const v of value) if (v !== null && typeof v === "object") pathsOf(v, `${prefix}[]`, out);
    return out;
  }
  if (value !== null && typeof value === "object") {
    if (prefix && !prefix.endsWith("[]")) out.add(prefix);
    for (const [k, v] of Object.entries(value)) pathsOf(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  if (prefix) out.add(prefix);
  return out;
}
