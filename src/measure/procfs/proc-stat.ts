/**
 * Parser for /proc/stat: per-CPU time columns (in USER_HZ ticks) and the machine-wide context-switch
 * count `ctxt`. Softirq time here is tick-sampled unless the kernel has CONFIG_IRQ_TIME_ACCOUNTING.
 */

export const CPU_TIME_FIELDS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice"] as const;
export type CpuTimeField = (typeof CPU_TIME_FIELDS)[number];
export type CpuTimes = Record<CpuTimeField, number>;

export interface ProcStat {
  /** Keyed by CPU id; the aggregate "cpu" line is `total`. */
  cpus: Map<number, CpuTimes>;
  total: CpuTimes;
  ctxt: number;
  processes: number;
  procsRunning: number;
}

function times(fields: string[], line: string): CpuTimes {
  const v = fields.map(Number);
  if (v.length < 4 || v.some((x) => !Number.isSafeInteger(x))) throw new Error(`stat: bad cpu line "${line}"`);
  const t = {} as CpuTimes;
  CPU_TIME_FIELDS.forEach((f, i) => (t[f] = v[i] ?? 0));
  return t;
}

export function parseProcStat(text: string): ProcStat {
  const cpus = new Map<number, CpuTimes>();
  let total: CpuTimes | null = null;
  let ctxt: number | null = null;
  let processes = 0;
  let procsRunning = 0;
  for (const line of text.split("\n")) {
    const [key, ...fields] = line.trim().split(/\s+/);
    if (key === "cpu") total = times(fields, line);
    else if (/^cpu\d+$/.test(key)) cpus.set(Number(key.slice(3)), times(fields, line));
    else if (key === "ctxt") ctxt = Number(fields[0]);
    else if (key === "processes") processes = Number(fields[0]);
    else if (key === "procs_running") procsRunning = Number(fields[0]);
  }
  if (!total || ctxt === null || cpus.size === 0) throw new Error("stat: expected cpu, cpuN and ctxt lines");
  return { cpus, total, ctxt, processes, procsRunning };
}

/** Ticks the CPU did anything but idle, wait for I/O or be stolen. */
export function busyTicks(t: CpuTimes): number {
  return t.user + t.nice + t.system + t.irq + t.softirq;
}
