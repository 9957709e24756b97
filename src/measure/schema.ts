/**
 * The columns of softnet-lab's dataset tables: real measurement runs (`runs.csv`), their per-configuration
 * aggregates (`summary.csv`) and published figures (`datasets/published/*.csv`). Data only: the loader,
 * the writer, the docs test and the notebooks all read this one list. `datasets/README.md` explains them.
 */

export type ColumnType =
  | { kind: "int"; min: number }
  | { kind: "number"; min?: number }
  | { kind: "string"; pattern?: RegExp; format?: string }
  | { kind: "enum"; values: readonly string[] }
  /** One non-negative integer per CPU, `;`-separated, CPU 0 first (length = metadata `cpu.count`). */
  | { kind: "int-list" }
  /** An ISO 8601 UTC timestamp such as 2026-11-25T06:35:48.000Z. */
  | { kind: "date" };

export interface Column {
  name: string;
  type: ColumnType;
  /** An empty cell means "does not apply" (e.g. latency of a stream run). */
  nullable?: boolean;
  unit: string;
  doc: string;
  /** The dataset format version that added the column; older datasets lack it and read `before` instead. */
  since?: { version: number; before: Cell };
}

export interface TableSchema {
  /** What the table is, for error messages. */
  name: string;
  columns: readonly Column[];
}

const int = (min = 0): ColumnType => ({ kind: "int", min });
const num = (min?: number): ColumnType => ({ kind: "number", min });
const list: ColumnType = { kind: "int-list" };

export const MODES = ["stream", "pingpong", "idle"] as const;
export type Mode = (typeof MODES)[number];

/** Columns that say which configuration a row belongs to (runs and summary share them). */
export const CONFIG_COLUMNS: readonly Column[] = [
  { name: "tool", type: { kind: "enum", values: ["lean", "sockperf"] }, unit: "", doc: "the load tool that produced the row: lean (tools/udp-blast: one sendto/recv per datagram, no timing in the loop) or sockperf; format 1 datasets were all sockperf", since: { version: 2, before: "sockperf" } },
  { name: "config_id", type: { kind: "string", pattern: /^[a-z0-9_.-]+$/, format: "lower-case letters, digits, '_', '.', '-'" }, unit: "", doc: "name of the configuration, unique within a dataset" },
  { name: "mode", type: { kind: "enum", values: MODES }, unit: "", doc: "stream: one-way UDP flood (udp-blast send/recv, or sockperf throughput); pingpong: UDP request/response, one datagram in flight (udp-blast ping/pong, or sockperf ping-pong); idle: no traffic, the background rate of every counter" },
  { name: "payload_bytes", type: int(1), nullable: true, unit: "B", doc: "UDP payload per message (sockperf -m); empty for idle" },
  { name: "rps", type: { kind: "string", pattern: /^(off|other|sender|both|[0-9a-f,]+)$/, format: "off, other, sender, both or a hex CPU mask" }, unit: "", doc: "what was asked: off, other (the CPU that is not the sender's), sender (the sender's CPU), both (the sender's and the other) or an explicit mask" },
  { name: "rps_cpus", type: { kind: "string", pattern: /^[0-9a-f,]+$/, format: "a hex CPU mask as in sysfs" }, unit: "hex mask", doc: "the value written to /sys/class/net/lo/queues/rx-0/rps_cpus for the run (0 = RPS off)" },
  { name: "sender_cpu", type: int(), nullable: true, unit: "CPU", doc: "CPU the client (stream sender / ping-pong client) is pinned to (sched_setaffinity in udp-blast, taskset for sockperf)" },
  { name: "receiver_cpu", type: int(), nullable: true, unit: "CPU", doc: "CPU the server (stream receiver / ping-pong server) is pinned to" },
  { name: "receiver", type: { kind: "enum", values: ["same", "other"] }, nullable: true, unit: "", doc: "receiver on the sender's CPU (same) or another one (other)" },
  { name: "seconds", type: num(0), unit: "s", doc: "test length asked of the tool (udp-blast --seconds, sockperf -t), or the idle window" },
];

/** Run columns computed from the counters of the same row (see derive.ts), besides `packets`. */
export const DERIVED_RATIOS = [
  "net_rx_per_packet",
  "ipis_per_packet",
  "cal_per_packet",
  "res_per_packet",
  "received_rps_per_packet",
  "tool_switches_per_packet",
  "system_switches_per_packet",
  "ksoftirqd_ns_per_packet",
  "rcvbuf_drop_ratio",
  "net_rx_per_s",
  "ipis_per_s",
  "ctxt_per_s",
] as const;

/** Per-run metrics the summary aggregates (median, min, max over the repeats). */
export const SUMMARY_METRICS = ["received_pps", "sent_pps", "round_trips_per_s", "latency_p50_us", "latency_p99_us", ...DERIVED_RATIOS] as const;
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

/** One row per run (one repeat of one configuration). */
export const RUN_COLUMNS: readonly Column[] = [
  ...CONFIG_COLUMNS,
  { name: "repeat", type: int(1), unit: "", doc: "1-based repeat number; repeats of all configurations are interleaved in time" },
  { name: "started_at", type: { kind: "date" }, unit: "UTC", doc: "when the run started" },
  { name: "loadavg_1m_before", type: num(0), unit: "", doc: "1-minute load average just before the run (other work on the machine)" },
  { name: "window", type: { kind: "enum", values: ["tool-markers", "process-lifetime", "idle-sleep"] }, unit: "", doc: "what bounds the counter window: the tool's own start and end lines (udp-blast's ready/end around its loop, sockperf's 'Starting test' / 'Test end'), the client's whole life (markers not seen), or the idle sleep" },
  { name: "window_s", type: num(0), unit: "s", doc: "time between the two counter snapshots" },
  { name: "tool_sent", type: int(), nullable: true, unit: "messages", doc: "messages the client sent in its test period (the tool's count)" },
  { name: "tool_received", type: int(), nullable: true, unit: "messages", doc: "stream: messages the server received in its life (warm-up included); pingpong: replies the client received" },
  { name: "tool_runtime_s", type: num(0), nullable: true, unit: "s", doc: "the test period the tool reports (udp-blast: clock_gettime before and after its loop)" },
  { name: "sent_pps", type: num(0), nullable: true, unit: "msg/s", doc: "tool_sent / tool_runtime_s" },
  { name: "received_pps", type: num(0), nullable: true, unit: "packets/s", doc: "UDP datagrams delivered per second: stream, server messages / tool_runtime_s; pingpong, 2 x round trips / tool_runtime_s (request and reply)" },
  { name: "round_trips_per_s", type: num(0), nullable: true, unit: "1/s", doc: "pingpong only: replies received / tool_runtime_s" },
  { name: "latency_avg_us", type: num(0), nullable: true, unit: "us", doc: "pingpong only: average one-way latency, half the round trip (udp-blast reads the clock around each round trip; sockperf reports half the round trip)" },
  { name: "latency_p50_us", type: num(0), nullable: true, unit: "us", doc: "pingpong only: median one-way latency" },
  { name: "latency_p90_us", type: num(0), nullable: true, unit: "us", doc: "pingpong only: 90th percentile" },
  { name: "latency_p99_us", type: num(0), nullable: true, unit: "us", doc: "pingpong only: 99th percentile" },
  { name: "latency_max_us", type: num(0), nullable: true, unit: "us", doc: "pingpong only: largest observation" },
  { name: "sender_cpu_s", type: num(0), nullable: true, unit: "s", doc: "client user + system CPU time over its life (udp-blast: its own getrusage at exit; sockperf: wait4 rusage via GNU time, 10 ms resolution)" },
  { name: "receiver_cpu_s", type: num(0), nullable: true, unit: "s", doc: "server user + system CPU time over its life" },
  { name: "sender_voluntary_switches", type: int(), nullable: true, unit: "", doc: "client voluntary context switches (ru_nvcsw, all threads)" },
  { name: "sender_involuntary_switches", type: int(), nullable: true, unit: "", doc: "client involuntary context switches (ru_nivcsw)" },
  { name: "receiver_voluntary_switches", type: int(), nullable: true, unit: "", doc: "server voluntary context switches" },
  { name: "receiver_involuntary_switches", type: int(), nullable: true, unit: "", doc: "server involuntary context switches" },
  { name: "udp_in_datagrams", type: int(), unit: "datagrams", doc: "delta of Udp InDatagrams (/proc/net/snmp), whole machine" },
  { name: "udp_in_errors", type: int(), unit: "datagrams", doc: "delta of Udp InErrors (includes RcvbufErrors)" },
  { name: "udp_rcvbuf_errors", type: int(), unit: "datagrams", doc: "delta of Udp RcvbufErrors: dropped because the receiver's socket buffer was full" },
  { name: "udp_no_ports", type: int(), unit: "datagrams", doc: "delta of Udp NoPorts" },
  { name: "ctxt", type: int(), unit: "switches", doc: "delta of ctxt in /proc/stat: every context switch on the machine" },
  { name: "softnet_processed", type: list, unit: "packets per CPU", doc: "delta of softnet_stat column 1 (packets through __netif_receive_skb on that CPU)" },
  { name: "softnet_dropped", type: list, unit: "packets per CPU", doc: "delta of column 2: backlog drops (netdev_max_backlog)" },
  { name: "softnet_time_squeeze", type: list, unit: "per CPU", doc: "delta of column 3: net_rx_action ran out of budget or time" },
  { name: "softnet_received_rps", type: list, unit: "per CPU", doc: "delta of column 10: RPS IPIs that scheduled this CPU's backlog" },
  { name: "softnet_flow_limit_count", type: list, unit: "per CPU", doc: "delta of column 11: flow-limit drops" },
  { name: "net_rx_softirqs", type: list, unit: "per CPU", doc: "delta of NET_RX in /proc/softirqs (softirq runs)" },
  { name: "ipi_cal", type: list, unit: "per CPU", doc: "delta of CAL (function call IPIs, the RPS IPI among them) in /proc/interrupts" },
  { name: "ipi_res", type: list, unit: "per CPU", doc: "delta of RES (rescheduling IPIs: remote wakeups)" },
  { name: "timer_loc", type: list, unit: "per CPU", doc: "delta of LOC (local timer interrupts)" },
  { name: "ksoftirqd_cpu_ns", type: list, unit: "ns per CPU", doc: "CPU time of ksoftirqd/N (/proc/<pid>/schedstat field 1)" },
  { name: "ksoftirqd_switches", type: list, unit: "per CPU", doc: "voluntary + involuntary switches of ksoftirqd/N (/proc/<pid>/status)" },
  { name: "backlog_napi_cpu_ns", type: list, nullable: true, unit: "ns per CPU", doc: "CPU time of backlog_napi/N threads; empty when the kernel runs no backlog threads" },
  { name: "cpu_busy_ticks", type: list, unit: "USER_HZ ticks per CPU", doc: "delta of user+nice+system+irq+softirq in /proc/stat (all tasks, other users' too)" },
  { name: "cpu_softirq_ticks", type: list, unit: "USER_HZ ticks per CPU", doc: "delta of the softirq column of /proc/stat (tick-sampled unless CONFIG_IRQ_TIME_ACCOUNTING)" },
  { name: "cpu_steal_ticks", type: list, unit: "USER_HZ ticks per CPU", doc: "delta of steal: time the hypervisor ran something else" },
  { name: "cpu_idle_ticks", type: list, nullable: true, unit: "USER_HZ ticks per CPU", doc: "delta of idle + iowait in /proc/stat: time the CPU had nothing to run", since: { version: 2, before: null } },
  { name: "packets", type: int(), unit: "datagrams", doc: "the per-packet denominator: udp_in_datagrams + udp_in_errors (UDP datagrams that reached the socket layer); per-packet ratios are empty for idle runs" },
  { name: "net_rx_per_packet", type: num(0), nullable: true, unit: "", doc: "sum of net_rx_softirqs / packets" },
  { name: "ipis_per_packet", type: num(0), nullable: true, unit: "", doc: "sum of ipi_cal + ipi_res / packets" },
  { name: "cal_per_packet", type: num(0), nullable: true, unit: "", doc: "sum of ipi_cal / packets" },
  { name: "res_per_packet", type: num(0), nullable: true, unit: "", doc: "sum of ipi_res / packets" },
  { name: "received_rps_per_packet", type: num(0), nullable: true, unit: "", doc: "sum of softnet_received_rps / packets" },
  { name: "tool_switches_per_packet", type: num(0), nullable: true, unit: "", doc: "all four sender/receiver switch counts / packets (process lifetimes)" },
  { name: "system_switches_per_packet", type: num(0), nullable: true, unit: "", doc: "ctxt / packets (whole machine)" },
  { name: "ksoftirqd_ns_per_packet", type: num(0), nullable: true, unit: "ns", doc: "sum of ksoftirqd_cpu_ns / packets" },
  { name: "rcvbuf_drop_ratio", type: num(0), nullable: true, unit: "", doc: "udp_rcvbuf_errors / packets" },
  { name: "net_rx_per_s", type: num(0), unit: "1/s", doc: "sum of net_rx_softirqs / window_s" },
  { name: "ipis_per_s", type: num(0), unit: "1/s", doc: "sum of ipi_cal + ipi_res / window_s" },
  { name: "ctxt_per_s", type: num(0), unit: "1/s", doc: "ctxt / window_s" },
];

/** One row per configuration: median, min and max of each summary metric over its runs. */
export const SUMMARY_COLUMNS: readonly Column[] = [
  ...CONFIG_COLUMNS,
  { name: "runs", type: int(1), unit: "", doc: "number of runs aggregated" },
  ...SUMMARY_METRICS.flatMap((m): Column[] => {
    const base = RUN_COLUMNS.find((c) => c.name === m);
    if (!base) throw new Error(`schema: summary metric ${m} is not a run column`);
    return (["median", "min", "max"] as const).map((s) => ({
      name: `${m}_${s}`,
      type: num(),
      nullable: true,
      unit: base.unit,
      doc: `${s} of ${m} over the runs (empty when no run has it)`,
    }));
  }),
];

/** Published figures and reference points (datasets/published/claims-figures.csv). */
export const PUBLISHED_COLUMNS: readonly Column[] = [
  { name: "claim", type: { kind: "string", pattern: /^(C([1-9]|1[0-5])|ref)$/, format: "C1 .. C15 or ref (a reference point)" }, unit: "", doc: "the claim of the commit message (C1-C15) the figure belongs to, or ref for the reference points" },
  { name: "metric", type: { kind: "string", pattern: /\S/, format: "a non-empty name" }, unit: "", doc: "what was measured" },
  { name: "value", type: num(), unit: "", doc: "the figure (the low end of a range)" },
  { name: "value_high", type: num(), nullable: true, unit: "", doc: "the high end when the source gives a range; empty otherwise" },
  { name: "unit", type: { kind: "string", pattern: /\S/, format: "a non-empty unit" }, unit: "", doc: "unit of value and value_high" },
  { name: "approx", type: { kind: "enum", values: ["exact", "approx"] }, unit: "", doc: "exact: the number as published; approx: the source says 'about' or the number was derived" },
  { name: "condition", type: { kind: "string", pattern: /\S/, format: "a non-empty description" }, unit: "", doc: "workload and kernel the figure holds for" },
  { name: "machine", type: { kind: "string", pattern: /\S/, format: "a non-empty description" }, unit: "", doc: "hardware, as far as the source says" },
  { name: "source", type: { kind: "string", pattern: /\S/, format: "a non-empty citation" }, unit: "", doc: "where the number comes from" },
];

export const RUNS_TABLE: TableSchema = { name: "runs", columns: RUN_COLUMNS };
export const SUMMARY_TABLE: TableSchema = { name: "summary", columns: SUMMARY_COLUMNS };
export const PUBLISHED_TABLE: TableSchema = { name: "published figures", columns: PUBLISHED_COLUMNS };

/** A table row as the loader returns it: numbers, strings, per-CPU arrays, or null for an empty cell. */
export type Cell = number | string | number[] | null;
export type Row = Record<string, Cell>;
