/**
 * What notebooks/01-backlog-napi.ipynb states (claim C1 and the first half of C9), asserted from the
 * library with the notebook's own configurations.
 */
import { describe, expect, it } from "vitest";
import { makeConfig } from "../src/config/parse";
import { simulate } from "../src/sim/simulate";
import type { SimResult } from "../src/observe/types";

const countOf = (r: SimResult, event: string) => r.trace!.records.filter((x) => x.event === event).length;

describe("01 · backlog NAPI and processed within the call", () => {
  it("a non-NAPI driver's packets are processed by NET_RX at irq exit on the interrupted CPU", () => {
    const nic = simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 100_000, nic_batch: 4, duration_ms: 1 }));
    const c0 = nic.per_cpu[0]!;
    expect(c0.net_rx_softirqs).toBeGreaterThan(0);
    expect(c0.softirq_runs.irq_exit).toBe(c0.net_rx_softirqs);
    expect(nic.per_cpu[1]!.softnet.processed).toBe(0);
  });

  it("one kick per batch: NET_RX raises per packet = 1 / packets per interrupt", () => {
    for (const b of [1, 4, 16]) {
      const r = simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 20_000, nic_batch: b, duration_ms: 40, trace: true }));
      expect(countOf(r, "irq:softirq_raise") / countOf(r, "net:netif_rx")).toBeCloseTo(1 / b, 2);
    }
  });

  it("loopback with RPS off: NET_RX runs at local_bh_enable inside the sender task, never at irq exit", () => {
    const lo = simulate(makeConfig({ workload: "udp-stream", rate_pps: 200_000, duration_ms: 1, trace: true, trace_ns: 25_000 }));
    const rx = lo.trace!.records.filter((r) => r.event === "net:netif_receive_skb");
    expect(new Set(rx.map((r) => `${r.comm}@${r.cpu}`))).toEqual(new Set(["udp_tx/0@0"]));
    expect(lo.per_cpu[0]!.softirq_runs.task).toBeGreaterThan(0);
    expect(lo.per_cpu[0]!.softirq_runs.irq_exit).toBe(0);
  });

  it("under overload a tiny backlog drops bursts; past that a larger one adds no capacity, it only moves drops", () => {
    const runs = [10, 100, 1000, 5000].map((limit) =>
      simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rps_cpus: "2", rate_pps: 1_500_000, nic_batch: 16, netdev_max_backlog: limit, duration_ms: 50 })),
    );
    expect(runs[0]!.packets.delivered).toBeLessThan(runs[1]!.packets.delivered);
    for (let i = 2; i < runs.length; i++) {
      expect(runs[i]!.packets.dropped.backlog).toBeLessThanOrEqual(runs[i - 1]!.packets.dropped.backlog);
      expect(runs[i]!.packets.delivered).toBeLessThanOrEqual(runs[1]!.packets.delivered * 1.05);
    }
    // backlog drops are counted on the target CPU (CPU 1), not on the CPU that called netif_rx
    expect(runs[0]!.per_cpu[1]!.softnet.dropped).toBe(runs[0]!.packets.dropped.backlog);
    expect(runs[0]!.per_cpu[0]!.softnet.dropped).toBe(0);
    // the receiver on the overloaded CPU reads only a small share
    expect(runs[0]!.packets.delivered / runs[0]!.packets.sent).toBeLessThan(0.5);
  });

  it("exercise reference answers: one raise per burst of 32; netdev_max_backlog=0 holds one packet; the sender pays", () => {
    const burst = simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 32_000, nic_batch: 32, duration_ms: 1, trace: true, trace_ns: 900_000 }));
    expect(countOf(burst, "irq:softirq_raise") / (countOf(burst, "net:netif_rx") / 32)).toBe(1);
    const tiny = simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rps_cpus: "2", rate_pps: 8_000, nic_batch: 8, netdev_max_backlog: 0, duration_ms: 1 }));
    expect(8 - tiny.per_cpu[1]!.softnet.dropped).toBe(1);
    const lo = simulate(makeConfig({ workload: "udp-stream", rate_pps: 200_000, duration_ms: 1, trace: true, trace_ns: 25_000 }));
    expect(lo.trace!.records.find((r) => r.event === "net:netif_receive_skb")!.comm).toBe("udp_tx/0");
  });
});
