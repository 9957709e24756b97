/**
 * Parser for /proc/net/softnet_stat: one line per online CPU, hex u32 columns. The column count grew
 * with the kernel, so the parser names each column by the count it sees (net/core/net-procfs.c):
 *   9  up to v2.6.34: processed, dropped, time_squeeze, 5 unused, cpu_collision
 *   10 v2.6.35: + received_rps (column 10)
 *   11 v3.11: + flow_limit_count
 *   13 v5.10 (7d58e6555870): + backlog length, CPU index; column 9 (cpu_collision) is now always 0
 *   15 v6.4 (59da2d7b0e99): + input_pkt_queue and process_queue lengths (column 12 stays their sum)
 * Without the CPU index column (< v5.10) rows are in CPU order but offline CPUs are skipped, so the
 * row number is only the CPU id when every CPU is online.
 */

export interface SoftnetRow {
  cpu: number;
  processed: number;
  dropped: number;
  time_squeeze: number;
  /** null on kernels that do not print the column. */
  received_rps: number | null;
  flow_limit_count: number | null;
  backlog_len: number | null;
  input_qlen: number | null;
  process_qlen: number | null;
}

export interface SoftnetStat {
  /** Columns per line (9, 10, 11, 13 or 15). */
  columns: number;
  /** True when CPU ids come from the index column rather than the row order. */
  cpuFromIndex: boolean;
  rows: SoftnetRow[];
}

const KNOWN_WIDTHS = [9, 10, 11, 13, 15];

export function parseSoftnetStat(text: string): SoftnetStat {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new Error("softnet_stat: no lines");
  let width = -1;
  const rows = lines.map((line, i) => {
    const cols = line.trim().split(/\s+/);
    if (!cols.every((c) => /^[0-9a-fA-F]{1,16}$/.test(c))) throw new Error(`softnet_stat line ${i + 1}: expected hex columns, got "${line}"`);
    if (width === -1) width = cols.length;
    if (cols.length !== width) throw new Error(`softnet_stat line ${i + 1}: ${cols.length} columns, line 1 has ${width}`);
    if (!KNOWN_WIDTHS.includes(width)) throw new Error(`softnet_stat line ${i + 1}: ${width} columns; known layouts have ${KNOWN_WIDTHS.join(", ")}`);
    const v = cols.map((c) => parseInt(c, 16));
    const at = (n: number) => (width >= n ? v[n - 1] : null);
    return {
      cpu: width >= 13 ? v[12] : i,
      processed: v[0],
      dropped: v[1],
      time_squeeze: v[2],
      received_rps: at(10),
      flow_limit_count: at(11),
      backlog_len: at(12),
      input_qlen: at(14),
      process_qlen: at(15),
    };
  });
  return { columns: width, cpuFromIndex: width >= 13, rows };
}
