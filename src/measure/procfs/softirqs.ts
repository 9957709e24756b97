/**
 * Parser for /proc/softirqs: a header naming the CPUs (`CPU0 CPU1 ...`), then one line per softirq
 * vector (`NET_RX: 9616 12579`) with a count per CPU of how often that vector ran.
 */
import { parseCpuHeader } from "./cpu-header";

export interface Softirqs {
  /** CPU ids of the columns, from the header. */
  cpus: number[];
  /** Vector name (HI, TIMER, NET_TX, NET_RX, ...) → count per column. */
  counts: Record<string, number[]>;
}

export function parseSoftirqs(text: string): Softirqs {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new Error("softirqs: empty");
  const cpus = parseCpuHeader(lines[0], "softirqs");
  const counts: Record<string, number[]> = {};
  for (const line of lines.slice(1)) {
    const m = /^\s*([A-Z_]+):\s*(.*)$/.exec(line);
    if (!m) throw new Error(`softirqs: unexpected line "${line}"`);
    const values = m[2].trim().split(/\s+/).map(Number);
    if (values.length !== cpus.length || values.some((x) => !Number.isSafeInteger(x))) {
      throw new Error(`softirqs ${m[1]}: expected ${cpus.length} counts, got "${m[2].trim()}"`);
    }
    counts[m[1]] = values;
  }
  return { cpus, counts };
}
