/**
 * The receive-path map, drawn once as an SVG laid out by hand in code: from a loopback or non-NAPI
 * driver through `netif_rx`, the per-CPU backlog, NET_RX and `process_backlog` to the socket and
 * `recvmsg`, with where RPS, its IPI and the backlog threads cut in. Box widths follow the labels'
 * widths in DejaVu Sans (src/charts/text-metrics.ts), so no label is cut.
 */
import { textWidth } from "./text-metrics";

export interface MapBox {
  id: string;
  lines: string[];
  x: number;
  y: number;
  w: number;
  h: number;
  kind: "path" | "rps" | "thread" | "note";
}

const FONT = 13;
const LINE = 17;
const PAD = 10;
/** Width of a label in px at FONT, in DejaVu Sans (the font the SVG asks for first), rounded up. */
export function labelWidth(text: string, size = FONT): number {
  return Math.ceil(textWidth(text, size));
}
export const MAP_PADDING = PAD;

function box(id: string, lines: string[], x: number, y: number, kind: MapBox["kind"], minW = 0): MapBox {
  const w = Math.max(minW, ...lines.map((l) => labelWidth(l))) + 2 * PAD;
  return { id, lines, x, y, w, h: lines.length * LINE + 2 * PAD - 4, kind };
}

/** The boxes of the map, in layout order. */
export function receivePathBoxes(): MapBox[] {
  const X = 40, W = 330, G = 26;
  const main: [string, string[]][] = [
    ["driver", ["loopback_xmit (lo) or a non-NAPI", "driver's interrupt handler"]],
    ["netif_rx", ["netif_rx()"]],
    ["enqueue", ["enqueue_to_backlog(): per-CPU backlog", "softnet_data.input_pkt_queue"]],
    ["netrx", ["NET_RX softirq: net_rx_action()", "(irq exit, local_bh_enable, ksoftirqd)"]],
    ["poll", ["process_backlog()", "the backlog NAPI's poll function"]],
    ["receive", ["__netif_receive_skb()"]],
    ["ip", ["ip_rcv(): IP"]],
    ["udp", ["udp_rcv(): UDP"]],
    ["socket", ["socket receive queue", "(__udp_enqueue_schedule_skb, wakes reader)"]],
    ["recvmsg", ["the reader's recvmsg() / udp_recvmsg()"]],
  ];
  const out: MapBox[] = [];
  let y = 60;
  for (const [id, lines] of main) {
    const b = box(id, lines, X, y, "path", W - 2 * PAD);
    out.push(b);
    y += b.h + G;
  }
  const at = (id: string) => out.find((b) => b.id === id)!;
  const side = X + W + 90;
  out.push(box("rps", ["RPS (rps_cpus set): get_rps_cpu()", "picks the target CPU; enqueue_to_backlog()", "on that CPU's backlog"], side, at("netif_rx").y - 6, "rps"));
  out.push(box("ipi", ["remote CPU: rps_ipi_list, then", "net_rps_send_ipi() at the end of NET_RX", "→ CAL IPI → rps_trigger_softirq()"], side, at("enqueue").y + 34, "rps"));
  out.push(box("threads", ["v6.10 thread_backlog_napi (always on", "PREEMPT_RT): ____napi_schedule() wakes", "backlog_napi/N, which runs the poll loop", "instead of NET_RX (own CPU: use_local_napi)"], side, at("netrx").y + 52, "thread"));
  out.push(box("note", ["RPS off: everything runs on the sending CPU,", "for loopback inside the sender's sendto()"], side, at("receive").y + 34, "note"));
  return out;
}

const COLORS: Record<MapBox["kind"], { fill: string; stroke: string }> = {
  path: { fill: "#eef3fb", stroke: "#2f5d9e" },
  rps: { fill: "#fdf1e3", stroke: "#b35c00" },
  thread: { fill: "#e9f6ec", stroke: "#1f7a3a" },
  note: { fill: "#f4f4f4", stroke: "#777777" },
};

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The map as a standalone SVG document (deterministic: same code, same bytes). */
export function receivePathSvg(): string {
  const boxes = receivePathBoxes();
  const width = Math.max(...boxes.map((b) => b.x + b.w)) + 30;
  const height = Math.max(...boxes.map((b) => b.y + b.h)) + 30;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="${FONT}">`);
  parts.push(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="40" y="32" font-size="16" font-weight="bold">The receive path of the backlog NAPI (Linux v6.8 / v6.10)</text>`);
  const main = boxes.filter((b) => b.kind === "path");
  for (let i = 1; i < main.length; i++) {
    const a = main[i - 1]!, b = main[i]!;
    const cx = a.x + a.w / 2;
    parts.push(`<line x1="${cx}" y1="${a.y + a.h}" x2="${cx}" y2="${b.y}" stroke="#333" stroke-width="1.5" marker-end="url(#arrow)"/>`);
  }
  const by = (id: string) => boxes.find((b) => b.id === id)!;
  const link = (from: MapBox, to: MapBox, dashed: boolean) => {
    const x1 = to.x, y1 = to.y + to.h / 2, x2 = from.x + from.w, y2 = from.y + from.h / 2;
    parts.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#555" stroke-width="1.2"${dashed ? ' stroke-dasharray="5,4"' : ""} marker-end="url(#arrow)"/>`);
  };
  link(by("netif_rx"), by("rps"), true);
  link(by("enqueue"), by("ipi"), true);
  link(by("netrx"), by("threads"), true);
  link(by("receive"), by("note"), true);
  for (const b of boxes) {
    const c = COLORS[b.kind];
    parts.push(`<g id="${b.id}"><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6" fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.4"/>`);
    b.lines.forEach((l, i) => parts.push(`<text x="${b.x + PAD}" y="${b.y + PAD + 12 + i * LINE}">${esc(l)}</text>`));
    parts.push(`</g>`);
  }
  parts.push(`</svg>`);
  return parts.join("\n") + "\n";
}

/** A one-line description of the map, for text outputs and alt texts. */
export function receivePathDescription(): string {
  const main = receivePathBoxes().filter((b) => b.kind === "path").slice(1).map((b) => b.lines[0]!.split(":")[0]!);
  return `The receive path: loopback_xmit or a non-NAPI driver → ${main.join(" → ")}; RPS cuts in at netif_rx (get_rps_cpu, enqueue_to_backlog on another CPU, the RPS IPI from net_rps_send_ipi) and v6.10's backlog threads replace NET_RX with backlog_napi/N.`;
}
