/**
 * Notebook 05's real capture beside the model: the capture's spacing between datagrams (the median
 * gap between its net:netif_rx records), the model's run paced at that spacing, and the window of a
 * trace around its first datagram that both timelines draw. Browser-safe: the book's live chart
 * finds the window again in each new run with the same function the notebook cell uses.
 */
import type { ConfigOverrides } from "../config/parse";

/** The window starts this long before the first datagram's netif_rx... */
export const FIRST_DATAGRAM_LEAD_NS = 10_000;
/** ...and spans this long: the queueing, NET_RX in the sender's call, the IPI and the receiver's wakeup. */
export const FIRST_DATAGRAM_SPAN_NS = 180_000;

interface Rec {
  event: string;
  ts: number;
}

/** The median gap between consecutive net:netif_rx records (the upper median of an even count), in ns. */
export function medianSpacing(records: readonly Rec[]): number {
  const rx = records.filter((r) => r.event === "net:netif_rx").map((r) => r.ts);
  if (rx.length < 2) throw new Error("medianSpacing: fewer than two net:netif_rx records");
  const gaps = rx.slice(1).map((t, i) => t - rx[i]!).sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)]!;
}

/**
 * The model's run of the capture's workload: a UDP stream over lo, receiver on CPU 1, paced at the
 * measured spacing, traced for four spacings (the first datagram and the next ones' start).
 */
export function pacedModelOverrides(spacingNs: number): ConfigOverrides {
  const end = 4 * spacingNs;
  return { workload: "udp-stream", rate_pps: Math.round(1e9 / spacingNs), receiver_cpu: 1, duration_ms: Math.ceil(end / 1e6) + 1, trace: true, trace_ns: end };
}

/**
 * The window around a trace's first datagram: from FIRST_DATAGRAM_LEAD_NS before its first
 * net:netif_rx (not before 0), FIRST_DATAGRAM_SPAN_NS long; null when no datagram was received.
 */
export function firstDatagramWindow(records: readonly Rec[]): { from_ns: number; to_ns: number } | null {
  const first = records.find((r) => r.event === "net:netif_rx");
  if (!first) return null;
  const from = Math.max(0, first.ts - FIRST_DATAGRAM_LEAD_NS);
  return { from_ns: from, to_ns: from + FIRST_DATAGRAM_SPAN_NS };
}
