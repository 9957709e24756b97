/**
 * The readable summary `softnet-lab simulate` prints without `--json`: config highlights, packet
 * accounting, throughput, per-CPU counters named like /proc/net/softnet_stat, /proc/softirqs and
 * /proc/interrupts, busy time by context, the task table, latency, per-packet ratios and warnings.
 */
import { SEED_REACHES } from "../config/schema";
import type { SimResult } from "../observe/types";
import type { SimConfig } from "../config/schema";
import { configDiff } from "../config/parse";
import { group, magnitude, pct, table, us } from "./table";

export interface SummaryContext {
  scenario?: string;
  scenarioDescription?: string;
  /** Keys set on the command line (`--set`), to tell them apart from the scenario's. */
  setKeys?: ReadonlySet<string>;
  /** Keys the scenario sets. */
  scenarioKeys?: ReadonlySet<string>;
}

/** The keys every summary shows, whatever their value: what a reader needs to interpret the figures. */
const HIGHLIGHTS: ReadonlyArray<keyof SimConfig> = [
  "workload", "cpus", "flows", "sender_cpu", "receiver_cpu", "rate_pps", "payload_bytes", "rps_cpus",
  "hog_cpus", "hz", "ksoftirqd_policy", "backlog_napi", "preempt", "idle", "duration_ms", "seed",
];

function configLines(c: SimConfig, ctx: SummaryContext): string[] {
  const shown = HIGHLIGHTS.filter((k) => !(k === "hog_cpus" && c.hog_cpus === "")).map((k) => {
    const v = k === "rate_pps" && c.rate_pps === 0 ? "0 (flat out)" : String(c[k]);
    return `${k}=${v}`;
  });
  const lines = [`config    ${shown.join(" ")}`];
  const diff = configDiff(c).filter(([k]) => !HIGHLIGHTS.includes(k as keyof SimConfig));
  if (diff.length) {
    const from = (k: string) => (ctx.setKeys?.has(k) ? "" : ctx.scenarioKeys?.has(k) ? " (scenario)" : "");
    lines.push(`          also changed from the defaults: ${diff.map(([k, v]) => `${k}=${v}${from(k)}`).join(" ")}`);
  }
  return lines;
}

function packetLines(r: SimResult): string[] {
  const p = r.packets;
  const dropped = Object.values(p.dropped).reduce((a, b) => a + b, 0);
  const reasons = Object.entries(p.dropped).map(([k, v]) => `${k} ${group(v)}`).join(", ");
  const balance = p.delivered + dropped + p.in_flight;
  const check = balance === p.sent ? "sent = delivered + dropped + in flight" : `DOES NOT BALANCE: delivered + dropped + in flight = ${group(balance)}`;
  return [
    `packets   sent ${group(p.sent)}   delivered ${group(p.delivered)}   dropped ${group(dropped)} (${reasons})   in flight ${group(p.in_flight)}   [${check}]`,
    `rate      sent ${group(r.throughput_pps.sent)} pps   received ${group(r.throughput_pps.received)} pps`,
    `udp       InDatagrams ${group(r.udp.InDatagrams)}   RcvbufErrors ${group(r.udp.RcvbufErrors)}   (/proc/net/snmp)`,
  ];
}

function perCpuLines(r: SimResult): string[] {
  const counters = table(
    ["cpu", "processed", "dropped", "time_squeeze", "received_rps", "NET_RX", "CAL", "RES", "LOC", "ksoftirqd wakeups", "backlog_napi wakeups"],
    r.per_cpu.map((c) => [c.cpu, c.softnet.processed, c.softnet.dropped, c.softnet.time_squeeze, c.softnet.received_rps, c.net_rx_softirqs, c.ipi_cal, c.ipi_res, c.timer_irqs, c.ksoftirqd_wakeups, c.backlog_thread_wakeups]),
  );
  const runs = table(
    ["cpu", "in task (bh enable)", "irq exit", "ksoftirqd", "backlog thread", "irq thread", "idle"],
    r.per_cpu.map((c) => {
      const w = c.softirq_runs;
      return [c.cpu, w.task, w.irq_exit, w.ksoftirqd, w.backlog_thread, w.irq_thread, w.idle];
    }),
  );
  const busy = table(
    ["cpu", "task", "softirq", "hardirq", "ksoftirqd", "backlog_thread", "idle"],
    r.per_cpu.map((c) => {
      const b = c.busy_ns;
      return [c.cpu, ...[b.task, b.softirq, b.hardirq, b.ksoftirqd, b.backlog_thread, b.idle].map((x) => pct(x, r.simulated_ns))];
    }),
  );
  return [
    "per CPU   softnet_stat columns (/proc/net/softnet_stat), NET_RX (/proc/softirqs), CAL/RES/LOC (/proc/interrupts)",
    counters,
    "",
    "busy time by context, % of simulated time (softirq = run in a task's or the idle task's context)",
    busy,
    "",
    "softirq runs (__do_softirq, all vectors) by where they ran",
    runs,
  ];
}

function taskLines(r: SimResult): string[] {
  if (!r.tasks.length) return [];
  return [
    "tasks     CPU time, softirq work charged to the task, context switches (/proc/<pid>/status)",
    table(
      ["name", "pid", "cpu", "policy", "cpu ms", "% of run", "softirq ms", "voluntary", "involuntary"],
      r.tasks.map((t) => [t.name, t.pid, t.cpu, t.policy, ms(t.cpu_ns), pct(t.cpu_ns, r.simulated_ns), ms(t.softirq_ns), t.voluntary_switches, t.involuntary_switches]),
    ),
  ];
}

function ms(ns: number): string {
  return group(ns / 1e6, 3);
}

function latencyLines(r: SimResult): string[] {
  const out: string[] = [];
  const l = r.latency_ns;
  if (l) out.push(`latency   round trip: n=${group(l.count)}  mean ${us(l.mean)}  p50 ${us(l.p50)}  p90 ${us(l.p90)}  p99 ${us(l.p99)}  max ${us(l.max)}`);
  const w = r.wakeup_latency_ns;
  if (w) out.push(`latency   SCHED_FIFO wakeup (cpu${r.config.rt_task_cpu}): n=${group(w.count)}  mean ${us(w.mean)}  p50 ${us(w.p50)}  p90 ${us(w.p90)}  p99 ${us(w.p99)}  max ${us(w.max)}`);
  return out;
}

export function formatSummary(r: SimResult, ctx: SummaryContext = {}): string {
  const pp = r.per_packet;
  const wallS = r.wall_ms / 1000;
  const head = ctx.scenario ? `scenario  ${ctx.scenario}: ${ctx.scenarioDescription ?? ""}` : "scenario  (none: defaults and --set)";
  const lines = [
    head,
    ...configLines(r.config, ctx),
    "",
    ...packetLines(r),
    "",
    ...perCpuLines(r),
    "",
    ...taskLines(r),
    ...(r.latency_ns || r.wakeup_latency_ns ? ["", ...latencyLines(r)] : []),
    "",
    `per delivered packet  ${pp.context_switches.toFixed(3)} context switches   ${pp.ipis.toFixed(3)} IPIs   ${pp.net_rx_softirqs.toFixed(3)} NET_RX softirqs   ${group(pp.cpu_ns)} ns CPU`,
  ];
  if (r.warnings.length) lines.push("", "warnings", ...r.warnings.map((w) => `  - ${w}`));
  lines.push(
    "",
    r.seed_reached.length
      ? `seed      ${r.config.seed} reached: ${r.seed_reached.join(", ")} (another seed gives another run)`
      : `seed      ${r.config.seed} reached nothing random in this configuration: every seed gives this same result (${SEED_REACHES})`,
  );
  const perWall = (n: number) => (wallS > 0 ? `${magnitude(n / wallS)}/s` : "-");
  lines.push(
    "",
    `run       ${group(r.simulated_ns / 1e6, 3)} ms simulated in ${group(r.wall_ms, 0)} ms wall; ${group(r.events)} events (${perWall(r.events)}), ${group(r.packets.sent)} packets (${perWall(r.packets.sent)})`,
  );
  return lines.join("\n");
}
