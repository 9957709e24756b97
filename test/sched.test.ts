/**
 * The scheduler around packet processing (kernel/sched, v6.8): voluntary and involuntary context
 * switches, EEVDF sharing of a CPU between SCHED_OTHER tasks with the lag a sleeper keeps across
 * its sleep, and the price of remote wakeups: a CAL IPI to a halted idle CPU (the wakelist), a RES
 * IPI to a busy CPU when the wakee should preempt, neither to a CPU polling in idle.
 */
import { describe, expect, it } from "vitest";
import { IRQ_HRTIMER, type Cpu } from "../src/kernel/cpu";
import { NAPI_STATE_SCHED } from "../src/kernel/dev";
import { CSD_RPS, smp_call_function_single_async } from "../src/kernel/smp";
import type { Task } from "../src/kernel/task";
import { CpuHog } from "../src/workloads/cpu-hog";
import type { SimResult } from "../src/observe/types";
import { recs, run, simulation, traced, type Overrides } from "./helpers/model";

const task = (r: SimResult, name: string) => r.tasks.find((t) => t.name === name)!;

/** A 20 kpps stream from CPU 0 to a reader on CPU 1: the reader sleeps between packets. */
const paced = (over: Overrides = {}): Overrides => ({ workload: "udp-stream", rate_pps: 20_000, duration_ms: 5, ...over });

describe("context switches", () => {
  it("sleeping in recvfrom is a voluntary switch, being preempted an involuntary one (counters = sched_switch records)", () => {
    const { records, r } = traced(paced({ hog_cpus: "1", duration_ms: 10 }));
    for (const t of r.tasks) {
      const out = recs(records, "sched:sched_switch").filter((x) => x.fields.prev_comm === t.name);
      const byState = (s: string) => out.filter((x) => x.fields.prev_state === s).length;
      expect([t.name, byState("S"), byState("R+")]).toEqual([t.name, t.voluntary_switches, t.involuntary_switches]);
    }
    expect(task(r, "udp_rx/0").voluntary_switches).toBeGreaterThan(20); // it blocks in recvfrom
    expect(task(r, "udp_rx/0").involuntary_switches).toBe(0); // it always finishes its packet first
    expect(task(r, "hog/1").voluntary_switches).toBe(0); // a hog never sleeps...
    expect(task(r, "hog/1").involuntary_switches).toBeGreaterThan(20); // ...it is preempted by the woken reader
  });

  it("a reader alone on its CPU sleeps once per packet and is never preempted", () => {
    const r = run(paced());
    const rx = task(r, "udp_rx/0");
    expect(rx.involuntary_switches).toBe(0);
    expect(rx.voluntary_switches).toBe(r.packets.delivered + 1); // + the first recvfrom on an empty socket
  });
});

describe("EEVDF sharing of a CPU", () => {
  it("a CPU-bound reader and a CPU hog on one CPU get about half of it each", () => {
    // the reader costs ~4 us per packet here, more than the sender's pace leaves it: it never sleeps
    const r = run({ workload: "udp-stream", hog_cpus: "1", costs: { user_recv_loop: 3000 }, duration_ms: 60 });
    const rx = task(r, "udp_rx/0").cpu_ns;
    const hog = task(r, "hog/1").cpu_ns;
    expect(rx + hog).toBeGreaterThan(0.95 * r.simulated_ns);
    expect(rx / hog).toBeGreaterThan(0.8);
    expect(rx / hog).toBeLessThan(1.25);
  });

  it("place_entity keeps a sleeper's lag: right after each wakeup, avg_vruntime - vruntime equals the vlag saved at sleep", () => {
    // sender and reader share CPU 0: the reader sleeps and wakes once per packet
    const s = simulation({ workload: "udp-stream", receiver_cpu: 0, duration_ms: 10 });
    const m = s.machine;
    const rx = m.tasks.find((t) => t.comm === "udp_rx/0")!;
    const avg = (cpu: Cpu) => {
      const fair = [cpu.curr, ...cpu.rq].filter((t) => t !== cpu.idleTask && t.state === 0 && t.policy === "SCHED_OTHER");
      return fair.reduce((a, t) => a + t.vruntime, 0) / fair.length;
    };
    const pairs: [number, number][] = [];
    const wake = m.sched.tryToWakeUp.bind(m.sched);
    m.sched.tryToWakeUp = (waker: Cpu, t: Task) => {
      const saved = t.vlag;
      const others = waker.curr !== waker.idleTask ? 1 : 0; // the sender, running
      const woke = wake(waker, t);
      if (woke && t === rx && others > 0) pairs.push([saved, avg(waker) - t.vruntime]);
      return woke;
    };
    s.runUntil(10e6);
    expect(pairs.length).toBeGreaterThan(100);
    expect(pairs.filter(([saved]) => Math.abs(saved) > 1000).length).toBeGreaterThan(10); // lags worth keeping
    for (const [saved, after] of pairs) expect(Math.abs(after - saved)).toBeLessThan(1e-3);
  });

  it("so a reader sharing the CPU with a flat-out sender reads most of what is sent", () => {
    // Each wakeup places the reader with its lag, so it preempts the sender until that lag is used
    // up (half of each packet's run time), then waits for the sender's deadline at a tick while the
    // socket overflows, and starts over with a new lag. Halving the lag at every wakeup (placing at
    // V - vlag without the (W + w) / W inflation) left it ~14% of the packets.
    const r = run({ workload: "udp-stream", receiver_cpu: 0, duration_ms: 60 });
    expect(r.packets.delivered / r.packets.sent).toBeGreaterThan(0.5);
    expect(r.packets.dropped.rcvbuf).toBeGreaterThan(0); // the overflows between lags are EEVDF's, not a bug
  });
});

describe("remote wakeups and their IPIs", () => {
  it("a wakeup on a remote halted idle CPU goes through the wakelist: one CAL IPI per wakeup, no RES", () => {
    const { records, r } = traced(paced());
    const wakeups = recs(records, "sched:sched_wakeup", 0).filter((x) => x.fields.comm === "udp_rx/0");
    expect(wakeups.length).toBe(r.packets.sent);
    expect(r.per_cpu[1]!.ipi_cal).toBe(wakeups.length);
    expect(r.per_cpu[1]!.ipi_res).toBe(0);
    // each wakeup is followed, on the waker's CPU and at once, by the IPI it sends
    const cpu0 = records.filter((x) => x.cpu === 0);
    for (const w of wakeups) {
      const next = cpu0[cpu0.indexOf(w) + 1]!;
      expect([next.event, next.ts, next.fields.cpu, next.fields.callback]).toEqual(["ipi:ipi_send_cpu", w.ts, 1, "generic_smp_call_function_single_interrupt"]);
    }
  });

  it("a wakeup on a remote busy CPU enqueues the task there and sends a RES IPI when it should preempt; never a CAL", () => {
    const { records, r } = traced(paced({ hog_cpus: "1" }));
    const c1 = r.per_cpu[1]!;
    expect(c1.ipi_cal).toBe(0);
    expect(c1.ipi_res).toBeGreaterThan(0);
    const sends = recs(records, "ipi:ipi_send_cpu");
    expect(sends.every((x) => x.fields.cpu === 1 && x.fields.callback === "scheduler_ipi")).toBe(true);
    expect(sends.length).toBeLessThanOrEqual(recs(records, "sched:sched_wakeup", 0).filter((x) => x.fields.comm === "udp_rx/0").length);
    // the RES IPIs are what lets the reader preempt the hog: one preemption of the hog per IPI at most
    expect(task(r, "hog/1").involuntary_switches).toBeLessThanOrEqual(c1.ipi_res + c1.timer_irqs);
  });

  it("idle=poll avoids both IPIs for an idle target, and the reader still gets every packet", () => {
    const r = run(paced({ idle: "poll" }));
    expect(r.per_cpu.map((c) => [c.ipi_cal, c.ipi_res])).toEqual([[0, 0], [0, 0]]);
    expect(r.packets.delivered).toBe(r.packets.sent);
    expect(task(r, "udp_rx/0").voluntary_switches).toBe(r.packets.delivered + 1);
  });

  it("polling only helps an idle CPU: a busy target still needs its RES IPI", () => {
    const r = run(paced({ idle: "poll", hog_cpus: "1" }));
    expect(r.per_cpu[1]!.ipi_res).toBeGreaterThan(0);
  });
});

describe("the idle loop and queued callbacks", () => {
  it("an idle CPU that an interrupt wakes still runs the callbacks queued for it without an IPI (polling idle)", () => {
    for (const idle of ["poll", "halt"] as const) {
      const s = simulation({ workload: "none", idle, duration_ms: 5 });
      const m = s.machine;
      const hog = new CpuHog(m, 1);
      const sleeper = new CpuHog(m, 1);
      m.addTask(hog, false);
      m.addTask(sleeper, false);
      s.runUntil(10_000);
      // CPU 0 queues a wakelist wakeup and an RPS kick for CPU 1; 50 ns later a timer wakes a hog there
      m.sd[1]!.backlogState |= NAPI_STATE_SCHED;
      expect(m.sched.tryToWakeUp(m.cpus[0]!, sleeper)).toBe(true); // CPU 1 is idle: the wakelist
      expect(m.cpus[1]!.csdQueue).toEqual([sleeper.id]);
      smp_call_function_single_async(m, m.cpus[0]!, m.cpus[1]!, CSD_RPS);
      m.raiseIrqAt(10_050, 1, IRQ_HRTIMER, hog.id);
      s.runUntil(2e6);
      expect([idle, m.cpus[1]!.csdQueue]).toEqual([idle, []]);
      expect(m.sd[1]!.received_rps).toBe(1);
      expect(sleeper.onRq || m.cpus[1]!.curr === sleeper).toBe(true);
      expect(m.cpus[1]!.ipiCal).toBe(idle === "poll" ? 0 : 1);
    }
  });
});

describe("a remote wakeup holds the target's rq lock while its reschedule IPI leaves (ttwu_queue)", () => {
  // ttwu_queue(): rq_lock(target); ttwu_do_activate() -> wakeup_preempt() -> resched_curr() sends the
  // RES IPI with the lock held; rq_unlock(). The target sees need_resched at once, but its
  // __schedule() takes the same lock, so the switch waits for the waker's IPI send (a VM exit).
  it("the woken reader starts its work on the busy CPU only after the waker has sent the IPI", async () => {
    const { traced: tr } = await import("./helpers/model");
    // a slow try_to_wake_up makes the lock's hold long and plain to see
    const ttwu = 20_000;
    const { records, spans } = tr({ workload: "udp-stream", rps_cpus: "2", sender_cpu: 0, receiver_cpu: 0, idle: "halt", duration_ms: 10, costs: { try_to_wake_up: ttwu } });
    const C = JSON.parse((await import("node:fs")).readFileSync(new URL("../profiles/reference-published.json", import.meta.url), "utf8")).costs;
    const wakes = records.filter((r) => r.event === "sched:sched_wakeup" && r.cpu === 1 && r.fields.comm === "udp_rx/0");
    expect(wakes.length).toBeGreaterThan(0);
    let checked = 0;
    for (const wake of wakes) {
      const sw = records.find((r) => r.event === "sched:sched_switch" && r.cpu === 0 && r.fields.next_comm === "udp_rx/0" && r.ts >= wake.ts);
      if (!sw) continue;
      const work = spans.find((s) => s.cpu === 0 && s.task === "udp_rx/0" && s.fn !== "__schedule" && s.start >= sw.ts);
      if (!work) continue;
      // the lock is free once the waker has done try_to_wake_up and sent the IPI
      expect(work.start, `wakeup at ${wake.ts}`).toBeGreaterThanOrEqual(wake.ts + ttwu + C.ipi_send);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
