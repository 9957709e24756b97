/**
 * A cyclictest-like SCHED_FIFO task: it sleeps on an hrtimer with a fixed period and records its
 * wakeup latency, from the timer's expiry to the moment it runs again (after the switch), like
 * cyclictest's `-p <prio> -i <interval>` loop. The latency-sensitive task of the PREEMPT_RT claims.
 */
import type { Cpu } from "../kernel/cpu";
import type { Machine } from "../kernel/machine";
import { Task } from "../kernel/task";

/** CPU time of one loop iteration after waking (clock_gettime, bookkeeping). */
const LOOP_NS = 1000;

export class RtLatencyTask extends Task {
  private readonly m: Machine;
  private readonly periodNs: number;
  private expiry = 0;
  private armed = false;

  constructor(m: Machine, cpu: number, prio: number, periodNs: number) {
    super(m.allocPid(), `cyclictest/${cpu}`, "user", cpu);
    this.m = m;
    this.policy = "SCHED_FIFO";
    this.rtPrio = prio;
    this.periodNs = periodNs;
  }

  run(cpu: Cpu): void {
    if (this.armed) {
      this.armed = false;
      // the switch into this task is still owed: count it, as cyclictest reads the clock after it
      this.m.wakeupLatencies.push(this.m.sim.now + cpu.debtNs - this.expiry);
    }
    cpu.exec(LOOP_NS, "user", true);
  }

  done(cpu: Cpu): void {
    const m = this.m;
    const now = m.sim.now;
    this.expiry += this.periodNs;
    while (this.expiry <= now) this.expiry += this.periodNs; // overruns skip periods
    m.sim.at(this.expiry, m.EV_TIMER, this.id);
    this.armed = true;
    m.sched.block(cpu);
  }
}
