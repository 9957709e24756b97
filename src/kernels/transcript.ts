/**
 * Parses what a guest printed on its serial console (the `@@` blocks of src/kernels/guest-plan.ts)
 * into the kernel's facts, the threads that exist, and per case the counter deltas between the two
 * snapshots, the load tool's own lines and the kernel log's warnings. Pure text in, data out.
 */
import { KernelEnvError } from "./errors";

export interface TaskSample {
  comm: string;
  pid: number;
  run_ns: number;
  voluntary: number;
  involuntary: number;
}

export interface Snapshot {
  /** softnet_stat per CPU: the hex columns as numbers. */
  softnet: number[][];
  net_rx: number[];
  cal: number[];
  res: number[];
  loc: number[];
  udp: Record<string, number>;
  /** /proc/stat cpuN lines: [user, nice, system, idle, iowait, irq, softirq, steal]. */
  cpu: number[][];
  ctxt: number;
  loadavg1: number;
  tasks: TaskSample[];
}

export interface GuestCaseResult {
  params: Record<string, string>;
  id: string;
  repeat: number;
  before: Snapshot | null;
  after: Snapshot | null;
  client: Record<string, string>;
  server: Record<string, string>;
  window: { uptime_before: number; uptime_after: number } | null;
  hotplug: string[];
  threadsOffline: string[];
  warnings: string[];
  error: string | null;
}

export interface GuestTranscript {
  version: string | null;
  release: string | null;
  cmdline: string | null;
  cpus: string | null;
  realtime: boolean;
  /** /sys/kernel/debug/sched/preempt as printed (e.g. "none (voluntary) full"), or null. */
  preempt: string | null;
  threads: string[];
  threadsEnd: string[];
  bootWarnings: string[];
  cases: GuestCaseResult[];
  /** The device setup's report ("ok eth0=virtio0 irq=24 affinity=2" or "failed ..."), null without devices. */
  devices: string | null;
  done: boolean;
  /** Kernel lines outside the kit's blocks that look like trouble (WARNING, BUG, panic). */
  consoleWarnings: string[];
}

function nums(s: string): number[] {
  return s.trim().split(/\s+/).filter(Boolean).map(Number);
}

/** One `@@file` block's lines into the snapshot. */
function fillFile(snap: Snapshot, name: string, lines: string[]): void {
  switch (name) {
    case "softnet_stat":
      snap.softnet = lines.filter((l) => l.trim()).map((l) => l.trim().split(/\s+/).map((h) => parseInt(h, 16)));
      break;
    case "softirqs":
      for (const l of lines) {
        const m = /^\s*NET_RX:\s*(.*)$/.exec(l);
        if (m) snap.net_rx = nums(m[1]!);
      }
      break;
    case "interrupts":
      for (const l of lines) {
        const m = /^\s*(CAL|RES|LOC):\s*([\d\s]+)/.exec(l);
        if (m) {
          const n = nums(m[2]!).slice(0, snap.cpu.length || undefined);
          if (m[1] === "CAL") snap.cal = n;
          else if (m[1] === "RES") snap.res = n;
          else snap.loc = n;
        }
      }
      break;
    case "snmp": {
      const udp = lines.filter((l) => l.startsWith("Udp:"));
      if (udp.length >= 2) {
        const keys = udp[0]!.split(/\s+/).slice(1);
        const vals = udp[1]!.split(/\s+/).slice(1).map(Number);
        keys.forEach((k, i) => (snap.udp[k] = vals[i]!));
      }
      break;
    }
    case "stat":
      for (const l of lines) {
        const m = /^cpu(\d+)\s+(.*)$/.exec(l);
        if (m) snap.cpu[Number(m[1])] = nums(m[2]!);
        const c = /^ctxt\s+(\d+)/.exec(l);
        if (c) snap.ctxt = Number(c[1]);
      }
      break;
    case "loadavg":
      if (lines[0]) snap.loadavg1 = Number(lines[0].split(/\s+/)[0]);
      break;
    case "tasks":
      for (const l of lines) {
        const p = l.trim().split(/\s+/);
        if (p.length === 5) snap.tasks.push({ comm: p[0]!, pid: Number(p[1]), run_ns: Number(p[2]), voluntary: Number(p[3]), involuntary: Number(p[4]) });
      }
      break;
  }
}

function emptySnap(): Snapshot {
  return { softnet: [], net_rx: [], cal: [], res: [], loc: [], udp: {}, cpu: [], ctxt: 0, loadavg1: 0, tasks: [] };
}

function kv(lines: string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (const l of lines) {
    const m = /^([a-z_0-9]+)=(.*)$/.exec(l.trim());
    if (m) o[m[1]!] = m[2]!;
  }
  return o;
}

const TROUBLE = /(WARNING:|BUG:|Kernel panic|Oops|Call Trace)/;

/** Parses a whole serial transcript. Lines outside `@@` blocks (firmware, kernel messages) are kept
 * only when they look like a kernel warning. */
export function parseTranscript(text: string): GuestTranscript {
  const t: GuestTranscript = { version: null, release: null, cmdline: null, cpus: null, realtime: false, preempt: null, threads: [], threadsEnd: [], bootWarnings: [], cases: [], devices: null, done: false, consoleWarnings: [] };
  // Serial output may interleave kernel printk lines; strip terminal escapes.
  const lines = text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1bc/g, "").split("\n");
  let cur: GuestCaseResult | null = null;
  let snap: Snapshot | null = null;
  let file: string | null = null;
  let fileLines: string[] = [];
  let section: "client" | "server" | "dmesg" | "threads" | "threads-end" | "threads-offline" | null = null;
  let sectionLines: string[] = [];
  const closeFile = () => {
    if (snap && file) fillFile(snap, file, fileLines);
    file = null;
    fileLines = [];
  };
  const closeSection = () => {
    if (section === "threads") t.threads = sectionLines.map((l) => l.trim()).filter(Boolean);
    else if (section === "threads-end") t.threadsEnd = sectionLines.map((l) => l.trim()).filter(Boolean);
    else if (cur && section === "threads-offline") cur.threadsOffline = sectionLines.map((l) => l.trim()).filter(Boolean);
    else if (cur && section === "client") cur.client = kv(sectionLines);
    else if (cur && section === "server") cur.server = kv(sectionLines);
    else if (cur && section === "dmesg") cur.warnings = sectionLines.map((l) => l.replace(/^\[\s*[\d.]+\]\s*/, "").trim()).filter((l) => /WARNING|BUG/.test(l));
    section = null;
    sectionLines = [];
  };
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, "");
    const at = line.indexOf("@@");
    // Firmware output can share the first line ("Booting from ROM...@@softnet-lab-guest v1"): a marker
    // counts wherever it starts, except inside a data block where the whole line is data.
    if (at < 0 || (at > 0 && (file !== null || section !== null) && line.slice(0, at).trim() !== "")) {
      if (TROUBLE.test(line)) t.consoleWarnings.push(line.replace(/^\[\s*[\d.]+\]\s*/, "").trim());
      if (file) fileLines.push(line);
      else if (section) sectionLines.push(line);
      continue;
    }
    const m = line.slice(at + 2);
    const [word, ...restParts] = m.split(" ");
    const rest = restParts.join(" ");
    if (word === "file") {
      closeFile();
      file = rest.trim();
      continue;
    }
    if (word === "endsnap") {
      closeFile();
      snap = null;
      continue;
    }
    closeFile();
    if (section) closeSection();
    switch (word) {
      case "softnet-lab-guest":
        t.version = rest;
        break;
      case "uname":
        t.release = rest;
        break;
      case "cmdline":
        t.cmdline = rest;
        break;
      case "cpus":
        t.cpus = rest;
        break;
      case "realtime":
        t.realtime = rest.trim() === "1";
        break;
      case "preempt":
        t.preempt = rest.trim() === "unknown" ? null : rest.trim();
        break;
      case "bootwarn":
        t.bootWarnings.push(rest.replace(/^\[\s*[\d.]+\]\s*/, "").trim());
        break;
      case "threads":
        section = "threads";
        break;
      case "threads-end":
        section = "threads-end";
        break;
      case "threads-offline":
        section = "threads-offline";
        break;
      case "endthreads":
        break;
      case "case": {
        const params = kv(rest.split(" "));
        cur = { params, id: params.id ?? "?", repeat: Number(params.repeat ?? 0), before: null, after: null, client: {}, server: {}, window: null, hotplug: [], threadsOffline: [], warnings: [], error: null };
        t.cases.push(cur);
        break;
      }
      case "snap":
        snap = emptySnap();
        if (cur) {
          if (rest.trim() === "before") cur.before = snap;
          else cur.after = snap;
        }
        break;
      case "window": {
        const w = kv(rest.split(" "));
        if (cur) cur.window = { uptime_before: Number(w.uptime_before), uptime_after: Number(w.uptime_after) };
        break;
      }
      case "hotplug":
        if (cur) cur.hotplug.push(rest);
        break;
      case "client":
      case "server":
      case "dmesg":
        section = word;
        break;
      case "error":
        if (cur) cur.error = rest;
        break;
      case "endcase":
        cur = null;
        break;
      case "done":
        t.done = true;
        break;
      case "devices":
        t.devices = rest.trim();
        break;
    }
  }
  closeFile();
  if (section) closeSection();
  return t;
}

/** Throws a KernelEnvError when a transcript shows a guest that never reported or stopped midway. */
export function checkComplete(t: GuestTranscript, expectedCases: number, what: string): void {
  if (!t.version) throw new KernelEnvError(`${what}: the guest never reported (no '@@softnet-lab-guest' line on the serial console)`);
  if (!t.done) throw new KernelEnvError(`${what}: the guest stopped before the end (${t.cases.length} of ${expectedCases} cases reported)`);
}

/** The delta of two per-CPU lists. */
export function diff(a: readonly number[], b: readonly number[]): number[] {
  return b.map((v, i) => Math.max(0, v - (a[i] ?? 0)));
}

/** The task sample of `comm` in a snapshot (per-CPU threads are named `ksoftirqd/1`). */
function task(s: Snapshot, comm: string): TaskSample | undefined {
  return s.tasks.find((x) => x.comm === comm);
}

export interface CaseCounters {
  cpus: number;
  processed: number[];
  dropped: number[];
  time_squeeze: number[];
  received_rps: number[];
  flow_limit: number[];
  net_rx: number[];
  cal: number[];
  res: number[];
  loc: number[];
  udp: Record<string, number>;
  ctxt: number;
  busy_ticks: number[];
  softirq_ticks: number[];
  steal_ticks: number[];
  idle_ticks: number[];
  /** idle + iowait, as measure's cpu_idle_ticks. */
  idle_iowait_ticks: number[];
  ksoftirqd_ns: number[];
  ksoftirqd_switches: number[];
  /** null when the kernel runs no backlog_napi/N threads. */
  backlog_napi_ns: number[] | null;
  backlog_napi_switches: number[] | null;
  /** Switches and run time of the virtio devices' interrupt threads (forced-threaded or RT), summed. */
  irq_thread_switches: number;
  irq_thread_ns: number;
  loadavg1: number;
}

/** The counter deltas of one case (the softnet_stat columns as the kernel prints them in 6.1 and 6.12:
 * 1 processed, 2 dropped, 3 time_squeeze, 10 received_rps, 11 flow_limit_count). */
export function caseCounters(c: GuestCaseResult): CaseCounters | null {
  const a = c.before;
  const b = c.after;
  if (!a || !b || a.softnet.length === 0) return null;
  const cpus = b.softnet.length;
  const col = (s: Snapshot, k: number) => s.softnet.map((r) => r[k] ?? 0);
  const perThread = (prefix: string, f: (t: TaskSample) => number): number[] | null => {
    const out: number[] = [];
    let any = false;
    for (let i = 0; i < cpus; i++) {
      const x = task(a, `${prefix}/${i}`);
      const y = task(b, `${prefix}/${i}`);
      if (y) any = true;
      out.push(y ? Math.max(0, f(y) - (x ? f(x) : 0)) : 0);
    }
    return any ? out : null;
  };
  const ticks = (s: Snapshot, idx: number[]) => s.cpu.slice(0, cpus).map((r) => idx.reduce((acc, i) => acc + (r[i] ?? 0), 0));
  const udpDelta: Record<string, number> = {};
  for (const k of Object.keys(b.udp)) udpDelta[k] = (b.udp[k] ?? 0) - (a.udp[k] ?? 0);
  return {
    cpus,
    processed: diff(col(a, 0), col(b, 0)),
    dropped: diff(col(a, 1), col(b, 1)),
    time_squeeze: diff(col(a, 2), col(b, 2)),
    received_rps: diff(col(a, 9), col(b, 9)),
    flow_limit: diff(col(a, 10), col(b, 10)),
    net_rx: diff(a.net_rx, b.net_rx),
    cal: diff(a.cal, b.cal),
    res: diff(a.res, b.res),
    loc: diff(a.loc, b.loc),
    udp: udpDelta,
    ctxt: b.ctxt - a.ctxt,
    busy_ticks: diff(ticks(a, [0, 1, 2, 5, 6]), ticks(b, [0, 1, 2, 5, 6])),
    softirq_ticks: diff(ticks(a, [6]), ticks(b, [6])),
    steal_ticks: diff(ticks(a, [7]), ticks(b, [7])),
    idle_ticks: diff(ticks(a, [3]), ticks(b, [3])),
    idle_iowait_ticks: diff(ticks(a, [3, 4]), ticks(b, [3, 4])),
    ksoftirqd_ns: perThread("ksoftirqd", (t) => t.run_ns) ?? new Array(cpus).fill(0),
    ksoftirqd_switches: perThread("ksoftirqd", (t) => t.voluntary + t.involuntary) ?? new Array(cpus).fill(0),
    backlog_napi_ns: perThread("backlog_napi", (t) => t.run_ns),
    backlog_napi_switches: perThread("backlog_napi", (t) => t.voluntary + t.involuntary),
    irq_thread_switches: irqThreads(a, b, (t) => t.voluntary + t.involuntary),
    irq_thread_ns: irqThreads(a, b, (t) => t.run_ns),
    loadavg1: a.loadavg1,
  };
}

/** Delta summed over the virtio interrupt threads (`irq/24-virtio0-`, comm cut at 15 characters). */
function irqThreads(a: Snapshot, b: Snapshot, f: (t: TaskSample) => number): number {
  let sum = 0;
  for (const y of b.tasks.filter((t) => /^irq\/\d+-virtio/.test(t.comm))) {
    const x = a.tasks.find((t) => t.pid === y.pid);
    sum += Math.max(0, f(y) - (x ? f(x) : 0));
  }
  return sum;
}

export type WorkContext = "backlog_napi thread" | "backlog_napi thread + NET_RX" | "ksoftirqd" | "irq thread" | "softirq (irq exit / bh enable)" | "none";

/** All contexts, for validation. */
export const WORK_CONTEXTS: readonly WorkContext[] = ["backlog_napi thread", "backlog_napi thread + NET_RX", "ksoftirqd", "irq thread", "softirq (irq exit / bh enable)", "none"];

/**
 * Which context processed the packets on `cpu` (a rule over counters that do not depend on timing):
 * the backlog thread when backlog_napi/N switched and NET_RX ran there at most once per 20 of its
 * switches; both when both ran (a
 * ping-pong's local replies take the softirq path, v6.10's use_local_napi); ksoftirqd when ksoftirqd/N
 * switched at least once per two NET_RX runs there; else NET_RX at irq exit or local_bh_enable.
 */
export function workContext(k: CaseCounters, cpu: number): WorkContext {
  const processed = k.processed[cpu] ?? 0;
  if (processed === 0) return "none";
  const bn = k.backlog_napi_switches?.[cpu] ?? 0;
  const netRx = k.net_rx[cpu] ?? 0;
  // A stray NET_RX run (a timer-driven packet of another device) does not make the thread's work mixed.
  if (bn > 0 && netRx * 20 <= bn) return "backlog_napi thread";
  if (bn > 0 && bn * 2 >= netRx) return "backlog_napi thread + NET_RX";
  // A device's threaded interrupt handler (PREEMPT_RT, threadirqs) raised NET_RX and ran it at its
  // local_bh_enable: the interrupt threads used more CPU time than ksoftirqd/N there.
  if (netRx > 0 && k.irq_thread_ns > 0 && k.irq_thread_ns > (k.ksoftirqd_ns[cpu] ?? 0)) return "irq thread";
  const ks = k.ksoftirqd_switches[cpu] ?? 0;
  if (netRx > 0 && ks * 2 >= netRx) return "ksoftirqd";
  // A device flood: NET_RX ran fewer times than ksoftirqd switched per two runs, but ksoftirqd/N took
  // most of the CPU's busy time (USER_HZ ticks of 10 ms): its runs are long, it loops until the device is drained.
  if (netRx > 0 && (k.ksoftirqd_ns[cpu] ?? 0) * 2 > (k.busy_ticks[cpu] ?? 0) * 10_000_000) return "ksoftirqd";
  return "softirq (irq exit / bh enable)";
}
