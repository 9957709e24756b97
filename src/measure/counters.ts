/**
 * Snapshots of the kernel counters the model also reports (softnet_stat, NET_RX softirqs, CAL/RES/LOC
 * interrupts, Udp counters, ctxt, per-CPU time, ksoftirqd/N and backlog_napi/N CPU time and switches)
 * and their differences over a run. File access goes through a ProcFs so tests can feed captured text.
 */
import { readdirSync, readFileSync } from "node:fs";
import { interruptCounts, parseInterrupts, type Interrupts } from "./procfs/interrupts";
import { busyTicks, parseProcStat, type ProcStat } from "./procfs/proc-stat";
import { parseSnmp, type Snmp } from "./procfs/snmp";
import { parseSoftirqs, type Softirqs } from "./procfs/softirqs";
import { parseSoftnetStat, type SoftnetStat } from "./procfs/softnet-stat";
import { parsePidStat, parseSchedstat, parseStatus } from "./procfs/task";

export interface ProcFs {
  read(path: string): string;
  readdir(path: string): string[];
}

export const realProcFs: ProcFs = {
  read: (p) => readFileSync(p, "utf8"),
  readdir: (p) => readdirSync(p),
};

/** Per-CPU kernel threads whose CPU time the harness records: CPU id → pid. */
export interface KernelThreads {
  ksoftirqd: Map<number, number>;
  backlogNapi: Map<number, number>;
}

/** Finds ksoftirqd/N and backlog_napi/N (the latter exist only with thread_backlog_napi or PREEMPT_RT). */
export function findKernelThreads(fs: ProcFs = realProcFs): KernelThreads {
  const ksoftirqd = new Map<number, number>();
  const backlogNapi = new Map<number, number>();
  for (const name of fs.readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let comm: string;
    try {
      comm = fs.read(`/proc/${name}/comm`).trim();
    } catch {
      continue; // the process ended while we looked
    }
    const m = /^(ksoftirqd|backlog_napi)\/(\d+)$/.exec(comm);
    if (m) (m[1] === "ksoftirqd" ? ksoftirqd : backlogNapi).set(Number(m[2]), Number(name));
  }
  return { ksoftirqd, backlogNapi };
}

interface ThreadSample {
  runNs: number;
  switches: number;
}

export interface Snapshot {
  /** process.hrtime.bigint() when the snapshot began. */
  tNs: bigint;
  softnet: SoftnetStat;
  softirqs: Softirqs;
  interrupts: Interrupts;
  snmp: Snmp;
  stat: ProcStat;
  ksoftirqd: Map<number, ThreadSample>;
  backlogNapi: Map<number, ThreadSample>;
}

function sampleThread(fs: ProcFs, pid: number): ThreadSample {
  let runNs: number;
  try {
    runNs = parseSchedstat(fs.read(`/proc/${pid}/schedstat`)).runNs;
  } catch {
    // No CONFIG_SCHED_INFO: fall back to tick-based utime + stime (USER_HZ = 100 on Linux).
    const s = parsePidStat(fs.read(`/proc/${pid}/stat`));
    runNs = (s.utime + s.stime) * 1e7;
  }
  const st = parseStatus(fs.read(`/proc/${pid}/status`));
  return { runNs, switches: st.voluntary + st.involuntary };
}

/** Reads every counter file once. The files are read back to back, which takes well under a millisecond. */
export function takeSnapshot(threads: KernelThreads, fs: ProcFs = realProcFs): Snapshot {
  const tNs = process.hrtime.bigint();
  const sample = (m: Map<number, number>) => new Map([...m].map(([cpu, pid]) => [cpu, sampleThread(fs, pid)] as [number, ThreadSample]));
  return {
    tNs,
    softnet: parseSoftnetStat(fs.read("/proc/net/softnet_stat")),
    softirqs: parseSoftirqs(fs.read("/proc/softirqs")),
    interrupts: parseInterrupts(fs.read("/proc/interrupts")),
    snmp: parseSnmp(fs.read("/proc/net/snmp")),
    stat: parseProcStat(fs.read("/proc/stat")),
    ksoftirqd: sample(threads.ksoftirqd),
    backlogNapi: sample(threads.backlogNapi),
  };
}

/** The counter part of a run row: every field is a delta between two snapshots. */
export interface CounterDelta {
  window_s: number;
  udp_in_datagrams: number;
  udp_in_errors: number;
  udp_rcvbuf_errors: number;
  udp_no_ports: number;
  ctxt: number;
  softnet_processed: number[];
  softnet_dropped: number[];
  softnet_time_squeeze: number[];
  softnet_received_rps: number[];
  softnet_flow_limit_count: number[];
  net_rx_softirqs: number[];
  ipi_cal: number[];
  ipi_res: number[];
  timer_loc: number[];
  ksoftirqd_cpu_ns: number[];
  ksoftirqd_switches: number[];
  backlog_napi_cpu_ns: number[] | null;
  cpu_busy_ticks: number[];
  cpu_softirq_ticks: number[];
  cpu_steal_ticks: number[];
  cpu_idle_ticks: number[];
}

/** b - a for a counter; per-CPU softnet, softirq and interrupt counts are u32 in the kernel and wrap. */
export function counterDelta(a: number, b: number, what: string): number {
  if (b >= a) return b - a;
  if (a < 2 ** 32) return b + 2 ** 32 - a;
  throw new Error(`counter ${what} went backwards (${a} → ${b})`);
}

/** Spreads per-CPU values keyed by CPU id over an array of `cpus` entries (missing CPUs count 0). */
function byCpu(cpus: number, ids: readonly number[], a: readonly number[], b: readonly number[], what: string): number[] {
  const out = new Array<number>(cpus).fill(0);
  ids.forEach((cpu, i) => {
    if (cpu < cpus) out[cpu] = counterDelta(a[i], b[i], `${what}[cpu${cpu}]`);
  });
  return out;
}

/** Number of CPU slots: the highest CPU id any per-CPU file names, plus one. */
export function cpuSlots(s: Snapshot): number {
  return Math.max(...s.softirqs.cpus, ...s.interrupts.cpus, ...s.softnet.rows.map((r) => r.cpu), ...s.stat.cpus.keys()) + 1;
}

export function diffSnapshots(a: Snapshot, b: Snapshot, cpus = cpuSlots(b)): CounterDelta {
  const udp = (k: string) => {
    const x = a.snmp.Udp?.[k];
    const y = b.snmp.Udp?.[k];
    if (x === undefined || y === undefined) throw new Error(`/proc/net/snmp has no Udp ${k}`);
    return counterDelta(x, y, `Udp ${k}`);
  };
  const softnet = (k: "processed" | "dropped" | "time_squeeze" | "received_rps" | "flow_limit_count") => {
    const ids = b.softnet.rows.map((r) => r.cpu);
    const get = (s: Snapshot) => ids.map((cpu) => s.softnet.rows.find((r) => r.cpu === cpu)?.[k] ?? 0);
    return byCpu(cpus, ids, get(a), get(b), `softnet ${k}`);
  };
  const irq = (label: string) => byCpu(cpus, b.interrupts.cpus, interruptCounts(a.interrupts, label), interruptCounts(b.interrupts, label), label);
  const netRx = byCpu(cpus, b.softirqs.cpus, a.softirqs.counts.NET_RX ?? [], b.softirqs.counts.NET_RX ?? [], "NET_RX");
  const statIds = [...b.stat.cpus.keys()];
  const statField = (f: (t: NonNullable<ReturnType<typeof b.stat.cpus.get>>) => number) =>
    byCpu(cpus, statIds, statIds.map((c) => (a.stat.cpus.get(c) ? f(a.stat.cpus.get(c)!) : 0)), statIds.map((c) => f(b.stat.cpus.get(c)!)), "cpu time");
  const thread = (m1: Map<number, ThreadSample>, m2: Map<number, ThreadSample>, k: keyof ThreadSample) => {
    const out = new Array<number>(cpus).fill(0);
    for (const [cpu, s2] of m2) {
      const s1 = m1.get(cpu);
      if (s1 && cpu < cpus) out[cpu] = counterDelta(s1[k], s2[k], `thread ${k}`);
    }
    return out;
  };
  return {
    window_s: Number(b.tNs - a.tNs) / 1e9,
    udp_in_datagrams: udp("InDatagrams"),
    udp_in_errors: udp("InErrors"),
    udp_rcvbuf_errors: udp("RcvbufErrors"),
    udp_no_ports: udp("NoPorts"),
    ctxt: counterDelta(a.stat.ctxt, b.stat.ctxt, "ctxt"),
    softnet_processed: softnet("processed"),
    softnet_dropped: softnet("dropped"),
    softnet_time_squeeze: softnet("time_squeeze"),
    softnet_received_rps: softnet("received_rps"),
    softnet_flow_limit_count: softnet("flow_limit_count"),
    net_rx_softirqs: netRx,
    ipi_cal: irq("CAL"),
    ipi_res: irq("RES"),
    timer_loc: irq("LOC"),
    ksoftirqd_cpu_ns: thread(a.ksoftirqd, b.ksoftirqd, "runNs"),
    ksoftirqd_switches: thread(a.ksoftirqd, b.ksoftirqd, "switches"),
    backlog_napi_cpu_ns: b.backlogNapi.size > 0 ? thread(a.backlogNapi, b.backlogNapi, "runNs") : null,
    cpu_busy_ticks: statField(busyTicks),
    cpu_softirq_ticks: statField((t) => t.softirq),
    cpu_steal_ticks: statField((t) => t.steal),
    cpu_idle_ticks: statField((t) => t.idle + t.iowait),
  };
}
