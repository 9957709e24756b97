/**
 * Every combination of backlog_napi (3) x preempt (3) x ksoftirqd_policy (2) on two short workloads:
 * the machine's invariants and the change's state bits hold at every slice, packets are accounted for
 * at the end, and the few facts that define each mode hold (who may run NET_RX where, which threads
 * exist, whether RPS uses IPIs).
 */
import { describe, expect, it } from "vitest";
import type { BacklogNapiMode, KsoftirqdPolicy, PreemptModel } from "../src/config/schema";
import type { SimResult } from "../src/observe/types";
import { checkMachine } from "./helpers/machine-checks";
import { simulation, sum, type Overrides } from "./helpers/model";

const MODES: readonly BacklogNapiMode[] = ["softirq", "threads-always", "threads"];
const PREEMPTS: readonly PreemptModel[] = ["none", "full", "rt"];
const POLICIES: readonly KsoftirqdPolicy[] = ["since-6.5", "2016"];

const WORKLOADS: Array<[string, Overrides]> = [
  // two senders at 200 kpps each (CPU 0 and CPU 1), both flows steered to CPU 1, where a hog also runs
  ["loopback stream, RPS to CPU 1, a hog on CPU 1", { workload: "udp-stream", flows: 2, rps_cpus: "2", receiver_cpu: 0, hog_cpus: "1", rate_pps: 200_000 }],
  // a non-NAPI device on CPU 0, its two flows spread over both CPUs by RPS
  ["non-NAPI device, RPS over both CPUs", { workload: "nic-rx", nic_cpu: 0, flows: 2, rps_cpus: "3", receiver_cpu: 0, rate_pps: 500_000, nic_batch: 8 }],
];

const DURATION_NS = 3_000_000;
const SLICE_NS = 100_000;

function runChecked(over: Overrides): SimResult {
  const s = simulation({ ...over, hz: 1000, duration_ms: DURATION_NS / 1e6 });
  for (let t = SLICE_NS; t <= DURATION_NS; t += SLICE_NS) {
    s.runUntil(t);
    checkMachine(s.machine, ` at ${t} ns`);
  }
  return s.finish(0);
}

for (const [workloadName, workload] of WORKLOADS) {
  describe(workloadName, () => {
    for (const backlog_napi of MODES) {
      for (const preempt of PREEMPTS) {
        for (const ksoftirqd_policy of POLICIES) {
          it(`${backlog_napi} x preempt=${preempt} x ksoftirqd_policy=${ksoftirqd_policy}`, () => {
            const r = runChecked({ ...workload, backlog_napi, preempt, ksoftirqd_policy });
            const p = r.packets;
            expect(p.sent).toBe(p.delivered + sum(Object.values(p.dropped)) + p.in_flight);
            expect(p.delivered).toBeGreaterThan(0);
            const names = r.tasks.map((t) => t.name);
            if (backlog_napi === "softirq") {
              // no backlog threads exist; remote kicks are RPS IPIs, counted where they land
              expect(names.some((n) => n.startsWith("backlog_napi/"))).toBe(false);
              expect(r.per_cpu.every((c) => c.busy_ns.backlog_thread === 0 && c.backlog_thread_wakeups === 0)).toBe(true);
              expect(r.per_cpu[1]!.softnet.received_rps).toBeGreaterThan(0);
            } else {
              // one backlog_napi/N per CPU; no RPS IPI is ever received; remote kicks wake threads
              expect(names.filter((n) => n.startsWith("backlog_napi/")).sort()).toEqual(["backlog_napi/0", "backlog_napi/1"]);
              expect(r.per_cpu.map((c) => c.softnet.received_rps)).toEqual([0, 0]);
              expect(sum(r.per_cpu.map((c) => c.backlog_thread_wakeups))).toBeGreaterThan(0);
            }
            if (preempt === "rt") {
              // PREEMPT_RT never runs a softirq at irq exit; device interrupts are threaded
              expect(r.per_cpu.map((c) => c.softirq_runs.irq_exit)).toEqual([0, 0]);
              if (workload.workload === "nic-rx") expect(r.tasks.find((t) => t.name === "irq/0-nic0")?.policy).toBe("SCHED_FIFO");
            } else if (workload.workload === "nic-rx") {
              expect(names.some((n) => n.startsWith("irq/"))).toBe(false);
            }
            if (backlog_napi === "threads-always") {
              // the RFC has no local short-cut: NET_RX never runs a backlog at all
              expect(sum(r.per_cpu.map((c) => c.net_rx_softirqs))).toBe(0);
            }
          });
        }
      }
    }
  });
}
