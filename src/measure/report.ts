/**
 * The text table `softnet-lab measure` prints at the end: per configuration the median (and range) of
 * throughput and the per-packet counts, in the order the configurations were planned.
 */
import type { Row } from "./schema";

function fmt(v: unknown, digits: number): string {
  if (typeof v !== "number") return "-";
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  return v.toFixed(digits);
}

const COLS: [string, string, number][] = [
  ["received_pps", "pps", 0],
  ["net_rx_per_packet", "NET_RX/pkt", 3],
  ["cal_per_packet", "CAL/pkt", 3],
  ["res_per_packet", "RES/pkt", 3],
  ["received_rps_per_packet", "rps/pkt", 3],
  ["tool_switches_per_packet", "tool sw/pkt", 3],
  ["system_switches_per_packet", "sys sw/pkt", 3],
  ["latency_p50_us", "p50 us", 1],
];

/** One line per configuration; throughput shows median [min..max]. */
export function formatSummary(summary: readonly Row[]): string {
  const header = ["configuration", "runs", ...COLS.map((c) => c[1])];
  const lines = summary.map((s) => {
    const cells = COLS.map(([m, , d], i) => {
      const med = fmt(s[`${m}_median`], d);
      return i === 0 && typeof s[`${m}_median`] === "number" ? `${med} [${fmt(s[`${m}_min`], d)}..${fmt(s[`${m}_max`], d)}]` : med;
    });
    return [String(s.config_id), String(s.runs), ...cells];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const pad = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [pad(header), ...lines.map(pad)].join("\n") + "\n";
}
