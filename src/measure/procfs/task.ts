/**
 * Parsers for one task's files under /proc/<pid>: `stat` (comm, state, CPU times in ticks, last CPU),
 * `schedstat` (on-CPU ns, run-queue wait ns, timeslices; needs CONFIG_SCHED_INFO) and `status`
 * (voluntary / nonvoluntary context switches, allowed CPUs).
 */

export interface PidStat {
  pid: number;
  comm: string;
  state: string;
  /** Clock ticks (USER_HZ). */
  utime: number;
  stime: number;
  /** CPU the task last ran on. */
  processor: number;
  /** Start time after boot, ticks: with the pid it identifies a process across pid reuse. */
  starttime: number;
}

export function parsePidStat(text: string): PidStat {
  // comm may hold spaces and parentheses; it ends at the last ')'.
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`pid stat: no "(comm)" in "${text.trim()}"`);
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const f = (n: number) => {
    const v = Number(rest[n - 3]);
    if (!Number.isFinite(v)) throw new Error(`pid stat: field ${n} missing in "${text.trim()}"`);
    return v;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0],
    utime: f(14),
    stime: f(15),
    starttime: f(22),
    processor: f(39),
  };
}

export interface Schedstat {
  runNs: number;
  waitNs: number;
  timeslices: number;
}

export function parseSchedstat(text: string): Schedstat {
  const v = text.trim().split(/\s+/).map(Number);
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw new Error(`schedstat: expected 3 numbers, got "${text.trim()}"`);
  return { runNs: v[0], waitNs: v[1], timeslices: v[2] };
}

export interface TaskStatus {
  name: string;
  voluntary: number;
  involuntary: number;
  cpusAllowedList: string | null;
}

export function parseStatus(text: string): TaskStatus {
  const map = new Map<string, string>();
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) map.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const num = (k: string) => {
    const v = Number(map.get(k));
    if (!map.has(k) || !Number.isFinite(v)) throw new Error(`status: no numeric ${k}`);
    return v;
  };
  return {
    name: map.get("Name") ?? "",
    voluntary: num("voluntary_ctxt_switches"),
    involuntary: num("nonvoluntary_ctxt_switches"),
    cpusAllowedList: map.get("Cpus_allowed_list") ?? null,
  };
}
