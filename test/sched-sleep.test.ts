// The way to sleep (sched.ts schedule/finishSwitch, tryToWakeUp): a task going to sleep runs
// __schedule() for schedule_queued + schedule_dequeued before the sched_switch record, then the
// switch's tail. A waking in the first part (task still queued: ttwu_runnable) waits for the rq lock
// and wakes the task once the switch is over, with no IPI; one in the second part (dequeued, on_cpu:
// ttwu_queue_wakelist) sends the IPI. The wakelist decides ttwu_queue_wakelist ns into try_to_wake_up.
import { describe, expect, it } from "vitest";
import { recs, run, traced } from "./helpers/model";

const Q = 400;
const D = 700;
const TAIL = 550; // the reference table's context_switch
const base = { workload: "udp-stream", cpus: 2, sender_cpu: 0, receiver_cpu: 1, rate_pps: 0, duration_ms: 2, idle: "halt" } as const;
// with every charge at its median the sender's wakeups land at one point of the way to sleep each
// time; drawn costs spread them over it (context_switch keeps its median: TAIL below is exact only
// without its spread, so the checks on the tail use the run without draws)

describe("a task on its way to sleep", () => {
  // a polling window after the switch (the reference table has none), for the deferred wakeup to find
  const { records, spans } = traced({ ...base, costs: { schedule_queued: Q, schedule_dequeued: D, idle_entry_poll: 1000 } });
  const drawn = traced({ ...base, cost_spread: "measured", costs: { schedule_queued: Q, schedule_dequeued: D, idle_entry_poll: 1000 } });
  const toIdle = recs(records, "sched:sched_switch", 1).filter((r) => r.fields.prev_comm === "udp_rx/0");

  it("runs __schedule for the way to sleep before the sched_switch record, then the tail", () => {
    expect(toIdle.length).toBeGreaterThan(20);
    for (const r of toIdle) {
      expect(r.comm).toBe("udp_rx/0"); // the task switching away traces its own sched_switch
      // one __schedule span (the two segments join) from the way to sleep to the end of the tail
      const sched = spans.find((s) => s.cpu === 1 && s.fn === "__schedule" && s.start <= r.ts - Q - D && s.end === r.ts + TAIL);
      expect(sched, `__schedule around the record at ${r.ts}`).toBeDefined();
    }
  });

  it("a waking while still queued waits for the switch and needs no IPI; a later one sends it", () => {
    const { records, spans } = drawn;
    const wakes = recs(records, "sched:sched_wakeup", 0).filter((r) => r.fields.comm === "udp_rx/0");
    const ipiAt = new Set(recs(records, "ipi:ipi_send_cpu", 0).map((r) => r.ts));
    // the end of each switch away: the end of the __schedule span that holds the record
    const switchEnds = new Set(recs(records, "sched:sched_switch", 1).filter((r) => r.fields.prev_comm === "udp_rx/0").map((r) => spans.find((s) => s.cpu === 1 && s.fn === "__schedule" && s.start < r.ts && s.end > r.ts)!.end));
    const deferred = wakes.filter((w) => switchEnds.has(w.ts));
    const withIpi = wakes.filter((w) => ipiAt.has(w.ts));
    expect(deferred.length).toBeGreaterThan(0);
    expect(withIpi.length).toBeGreaterThan(0);
    for (const w of deferred) expect(ipiAt.has(w.ts)).toBe(false);
    // the waker spun on the rq lock: its try_to_wake_up span reaches the end of the switch
    for (const w of deferred) {
      const spin = spans.find((s) => s.cpu === 0 && s.fn === "try_to_wake_up" && s.start < w.ts && s.end >= w.ts);
      expect(spin, `waker spinning until ${w.ts}`).toBeDefined();
    }
  });

  it("without the queued part no waking is deferred", () => {
    const t = traced({ ...base, costs: { schedule_queued: 0, schedule_dequeued: D, idle_entry_poll: 1000 } });
    const ends = new Set(recs(t.records, "sched:sched_switch", 1).filter((r) => r.fields.prev_comm === "udp_rx/0").map((r) => r.ts + TAIL));
    const w = recs(t.records, "sched:sched_wakeup", 0).filter((r) => r.fields.comm === "udp_rx/0");
    expect(w.filter((x) => ends.has(x.ts))).toHaveLength(0);
  });
});

describe("the wakelist decides inside try_to_wake_up", () => {
  it("a later decision finds the target polling more often: fewer IPIs", () => {
    const ipis = (off: number) => {
      const r = run({ ...base, duration_ms: 5, costs: { idle_entry_poll: 1500, schedule_dequeued: D, ttwu_queue_wakelist: off } });
      return r.per_cpu.reduce((a, c) => a + c.ipi_cal + c.ipi_res, 0) / Math.max(1, r.per_cpu.reduce((a, c) => a + c.softnet.processed, 0));
    };
    // decided after the switch's end (D + TAIL after the waking at most) instead of at the waking
    expect(ipis(D + TAIL)).toBeLessThan(ipis(0));
  });
});
