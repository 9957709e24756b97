/**
 * What notebooks/00-tour.ipynb tells the reader, asserted from the library (not from the notebook),
 * so a model change that breaks the tour's story fails here.
 */
import { describe, expect, it } from "vitest";
import { makeConfig } from "../src/config/parse";
import { simulate } from "../src/sim/simulate";

describe("00 · tour", () => {
  const stream = simulate(makeConfig({ workload: "udp-stream", duration_ms: 20 }));
  const four = simulate(makeConfig({ workload: "udp-stream", rate_pps: 100_000, duration_ms: 1, trace: true, trace_ns: 42_000 }));

  it("with RPS off every datagram is received on the sender's CPU (processed counts only on cpu0)", () => {
    expect(stream.per_cpu[0]!.softnet.processed).toBeGreaterThan(0);
    expect(stream.per_cpu[1]!.softnet.processed).toBe(0);
  });

  it("the four-packet trace shows four deliveries, all by the sender task on CPU 0, and IPIs to CPU 1", () => {
    const rx = four.trace!.records.filter((r) => r.event === "net:netif_receive_skb");
    expect(rx).toHaveLength(4);
    for (const r of rx) expect([r.cpu, r.comm]).toEqual([0, "udp_tx/0"]);
    const ipis = four.trace!.records.filter((r) => r.event === "ipi:ipi_send_cpu");
    expect(ipis.length).toBeGreaterThan(0);
    expect(new Set(ipis.map((r) => r.fields.cpu))).toEqual(new Set([1]));
  });

  it("the sender loses CPU time to softirq work inside its sendto() calls", () => {
    const tx = stream.tasks.find((t) => t.name === "udp_tx/0")!;
    expect(tx.softirq_ns).toBeGreaterThan(0);
    expect(stream.per_cpu[0]!.busy_ns.softirq).toBeGreaterThan(0);
  });

  it("exercise 2's reference answer: with rps_cpus=2 CPU 1 processes the packets", () => {
    const withRps = simulate(makeConfig({ workload: "udp-stream", duration_ms: 20, rps_cpus: "2" }));
    expect(withRps.per_cpu[1]!.softnet.processed).toBeGreaterThan(0);
    expect(withRps.per_cpu[0]!.softnet.processed).toBe(0);
    // exercise 3's premise: the sender sends more once the receive work moved away
    expect(withRps.throughput_pps.sent).toBeGreaterThan(stream.throughput_pps.sent);
  });
});
