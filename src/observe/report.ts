/**
 * Turns a finished machine into the run's result: the counters a real machine shows
 * (/proc/net/softnet_stat, /proc/softirqs, /proc/interrupts, /proc/net/snmp), busy time by context,
 * per-task CPU time and switches, latency percentiles, and per-packet ratios.
 */
import { parseHotplug } from "../kernel/hotplug";
import type { Machine } from "../kernel/machine";
import type { CpuResult, LatencySummary, SimResult, TaskResult } from "./types";

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarizeLatency(samples: number[]): LatencySummary | null {
  if (samples.length === 0) return null;
  const s = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i]!;
  const keep: number[] = [];
  const step = Math.max(1, s.length / 2000);
  for (let r = 0; r < s.length; r += step) keep.push(s[Math.floor(r)]!);
  if (keep[keep.length - 1] !== s[s.length - 1]) keep.push(s[s.length - 1]!);
  return {
    samples: keep,
    count: s.length,
    mean: Math.round(sum / s.length),
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[s.length - 1]!,
  };
}

/** What the seed changed in this run (SEED_REACHES in config/describe.ts says it in words). */
function seedReached(m: Machine): string[] {
  const out: string[] = [];
  if (m.draw.draws > 0) out.push("cost draws");
  if (m.rng.draws > 0) out.push("poisson arrivals");
  if (m.rps.hashUsed) out.push("rps flow hash");
  return out;
}

/** What the run would have printed to the kernel log, and model caveats that apply to this config. */
function warningsOf(m: Machine): string[] {
  const w = m.warnings.slice();
  m.rtIdleSoftirqWarnings.forEach((n, cpu) => {
    if (n > 0) w.push(`cpu${cpu}: WARNING in do_softirq_post_smp_call_flush: an IPI callback run by the idle task raised a softirq (PREEMPT_RT), ${n} times`);
  });
  for (const e of parseHotplug(m.cfg.hotplug, m.cfg.cpus)) {
    if (e.atNs > m.cfg.duration_ms * 1e6) w.push(`hotplug: cpu${e.cpu} ${e.online ? "on" : "off"}@${e.atNs} ns comes after the end of the run (duration_ms=${m.cfg.duration_ms}) and never happened; lower its time or raise duration_ms`);
  }
  if (m.backlogThreaded) {
    if (m.rt) w.push(`preempt=rt with backlog_napi=${m.cfg.backlog_napi} is hypothetical: OpenWrt carried the backlog_threaded patch on non-RT 6.1/6.6 kernels, and no PREEMPT_RT kernel shipped it`);
    for (const sd of m.sd) {
      const t = m.napiBacklogThreads[sd.cpu]!;
      if ((sd.backlogState & 1) !== 0 && sd.backlogLength() > 0 && t.state !== 0 && (sd.backlogState & (1 << 10)) === 0) {
        w.push(`cpu${sd.cpu}: backlog NAPI scheduled with ${sd.backlogLength()} packets queued and ${t.comm} asleep with no wakeup pending: nobody will poll it${m.cfg.backlog_napi === "backlog-threaded" ? " (the patch's napi_schedule_rps woke the sending CPU's backlog thread instead)" : ""}`);
      }
    }
  }
  if (m.rt && m.cfg.backlog_napi === "softirq") {
    w.push("preempt=rt with backlog_napi=softirq models a v6.8 PREEMPT_RT kernel: since v6.10 PREEMPT_RT always uses backlog threads");
  }
  return w;
}

export function buildResult(m: Machine, simulatedNs: number, wallMs: number): Omit<SimResult, "trace"> {
  const perCpu: CpuResult[] = m.cpus.map((c) => {
    const sd = m.sd[c.id]!;
    const busy = {
      task: Math.round(c.busy[0]!),
      softirq: Math.round(c.busy[1]!),
      hardirq: Math.round(c.busy[2]!),
      ksoftirqd: Math.round(c.busy[3]!),
      backlog_thread: Math.round(c.busy[4]!),
      idle: 0,
    };
    busy.idle = Math.max(0, simulatedNs - busy.task - busy.softirq - busy.hardirq - busy.ksoftirqd - busy.backlog_thread);
    return {
      cpu: c.id,
      net_rx_softirqs: c.netRxSoftirqs,
      softnet: { processed: sd.processed, dropped: sd.dropped, time_squeeze: sd.time_squeeze, received_rps: sd.received_rps },
      ipi_cal: c.ipiCal,
      ipi_res: c.ipiRes,
      timer_irqs: c.timerIrqs,
      busy_ns: busy,
      ksoftirqd_wakeups: c.ksoftirqdWakeups,
      context_switches: c.ctxt,
      backlog_thread_wakeups: c.backlogThreadWakeups,
      softirq_runs: {
        task: c.softirqRuns[0]!,
        irq_exit: c.softirqRuns[1]!,
        ksoftirqd: c.softirqRuns[2]!,
        backlog_thread: c.softirqRuns[3]!,
        irq_thread: c.softirqRuns[4]!,
        idle: c.softirqRuns[5]!,
      },
    };
  });
  const tasks: TaskResult[] = m.tasks
    .filter((t) => t.kind !== "idle")
    .map((t) => ({
      name: t.comm,
      pid: t.pid,
      cpu: t.cpu,
      policy: t.policy,
      cpu_ns: Math.round(t.cpuNs),
      softirq_ns: Math.round(t.softirqNs),
      voluntary_switches: t.nvcsw,
      involuntary_switches: t.nivcsw,
    }));
  const received = m.delivered;
  const perPkt = (x: number) => (received > 0 ? x / received : 0);
  const switches = m.tasks.reduce((a, t) => a + t.nvcsw + t.nivcsw, 0);
  const ipis = perCpu.reduce((a, c) => a + c.ipi_cal + c.ipi_res, 0);
  const softirqs = perCpu.reduce((a, c) => a + c.net_rx_softirqs, 0);
  const busyNs = perCpu.reduce((a, c) => a + (simulatedNs - c.busy_ns.idle), 0);
  const seconds = simulatedNs / 1e9;
  return {
    config: m.cfg,
    simulated_ns: simulatedNs,
    packets: {
      sent: m.sent,
      delivered: m.delivered,
      dropped: { backlog: m.dropBacklog, rcvbuf: m.dropRcvbuf, nic: m.dropNic },
      in_flight: m.pool.live,
    },
    throughput_pps: { sent: Math.round(m.sent / seconds), received: Math.round(received / seconds) },
    udp: { InDatagrams: m.delivered, RcvbufErrors: m.dropRcvbuf },
    per_cpu: perCpu,
    tasks,
    latency_ns: summarizeLatency(m.latencies),
    wakeup_latency_ns: summarizeLatency(m.wakeupLatencies),
    per_packet: {
      context_switches: perPkt(switches),
      ipis: perPkt(ipis),
      net_rx_softirqs: perPkt(softirqs),
      cpu_ns: perPkt(busyNs),
    },
    events: m.sim.events,
    digest: m.sim.digest(),
    seed_reached: seedReached(m),
    wall_ms: Math.round(wallMs * 10) / 10,
    warnings: warningsOf(m),
  };
}
