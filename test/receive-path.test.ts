/**
 * The receive-path map (docs/receive-path.svg): the committed file is what the code draws, it names
 * every step of the path and where RPS, its IPI and the backlog threads cut in, no label runs out of
 * its box, and no two boxes overlap.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../scripts/lib/repo";
import { labelWidth, MAP_PADDING, receivePathBoxes, receivePathSvg } from "../src/charts/receive-path";

describe("the receive-path map", () => {
  const boxes = receivePathBoxes();
  it("the committed SVG is the generated one (node --import tsx scripts/receive-path-svg.ts)", () => {
    expect(fs.readFileSync(path.join(REPO, "docs", "receive-path.svg"), "utf8")).toBe(receivePathSvg());
  });

  it("names the path in order, and RPS, the IPI and the backlog threads", () => {
    const main = boxes.filter((b) => b.kind === "path").map((b) => b.lines.join(" "));
    const order = ["loopback_xmit", "netif_rx", "enqueue_to_backlog", "NET_RX", "process_backlog", "__netif_receive_skb", "ip_rcv", "udp_rcv", "socket receive queue", "recvmsg"];
    expect(order.map((w) => main.findIndex((l) => l.includes(w)))).toEqual(order.map((_, i) => i));
    const side = boxes.filter((b) => b.kind !== "path").map((b) => b.lines.join(" ")).join(" ");
    for (const w of ["get_rps_cpu", "enqueue_to_backlog", "net_rps_send_ipi", "rps_trigger_softirq", "backlog_napi/N", "thread_backlog_napi"]) expect(side).toContain(w);
  });

  it("every label fits its box, with its padding", () => {
    for (const b of boxes) for (const l of b.lines) expect(labelWidth(l) + 2 * MAP_PADDING, `${b.id}: ${l}`).toBeLessThanOrEqual(b.w);
  });

  it("no two boxes overlap, and all lie inside the figure", () => {
    const svg = receivePathSvg();
    const W = Number(/width="(\d+)"/.exec(svg)![1]), H = Number(/height="(\d+)"/.exec(svg)![1]);
    for (const a of boxes) {
      expect(a.x + a.w, a.id).toBeLessThanOrEqual(W);
      expect(a.y + a.h, a.id).toBeLessThanOrEqual(H);
      for (const b of boxes) {
        if (a === b) continue;
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        expect(apart, `${a.id} and ${b.id}`).toBe(true);
      }
    }
  });
});
