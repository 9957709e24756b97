/**
 * The derived columns of a run row (per-packet and per-second ratios), computed from its raw counter
 * deltas. The harness uses it to fill a row and the loader to check a stored row against its own counters.
 */
import { DERIVED_RATIOS, type Row } from "./schema";

export const DERIVED_COLUMNS = ["packets", ...DERIVED_RATIOS] as const;
export type DerivedColumn = (typeof DERIVED_COLUMNS)[number];

function sum(v: unknown): number {
  return Array.isArray(v) ? v.reduce((a: number, b: number) => a + b, 0) : typeof v === "number" ? v : 0;
}

function n(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

/** Computes every derived column from the raw ones. Per-packet ratios are null when no packet passed
 * and for the idle configuration, whose few stray datagrams would make them meaningless. */
export function deriveRunColumns(raw: Row): Record<DerivedColumn, number | null> {
  const packets = n(raw.udp_in_datagrams) + n(raw.udp_in_errors);
  const window = n(raw.window_s);
  const per = (x: number) => (packets > 0 && raw.mode !== "idle" ? x / packets : null);
  const perS = (x: number) => (window > 0 ? x / window : 0);
  const cal = sum(raw.ipi_cal);
  const res = sum(raw.ipi_res);
  const switchCols = ["sender_voluntary_switches", "sender_involuntary_switches", "receiver_voluntary_switches", "receiver_involuntary_switches"];
  const haveTools = switchCols.some((c) => typeof raw[c] === "number");
  const toolSwitches = switchCols.reduce((a, c) => a + n(raw[c]), 0);
  return {
    packets,
    net_rx_per_packet: per(sum(raw.net_rx_softirqs)),
    ipis_per_packet: per(cal + res),
    cal_per_packet: per(cal),
    res_per_packet: per(res),
    received_rps_per_packet: per(sum(raw.softnet_received_rps)),
    tool_switches_per_packet: haveTools ? per(toolSwitches) : null,
    system_switches_per_packet: per(n(raw.ctxt)),
    ksoftirqd_ns_per_packet: per(sum(raw.ksoftirqd_cpu_ns)),
    rcvbuf_drop_ratio: per(n(raw.udp_rcvbuf_errors)),
    net_rx_per_s: perS(sum(raw.net_rx_softirqs)),
    ipis_per_s: perS(cal + res),
    ctxt_per_s: perS(n(raw.ctxt)),
  };
}
