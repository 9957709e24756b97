/**
 * Softirqs (kernel/softirq.c, v6.8, non-RT): the pending mask, raising, the three places they run
 * (irq exit: `invoke_softirq`; `local_bh_enable`: `do_softirq`; the per-CPU `ksoftirqd/N` thread),
 * `__do_softirq` with its restart rules (2 ms, 10 rounds, need_resched; past them ksoftirqd is woken),
 * and the two ksoftirqd policies:
 *  - "since-6.5" (d15121be7485 reverted the 2016 change): softirqs run at irq exit and BH enable
 *    even while ksoftirqd is runnable;
 *  - "2016" (4cd13c21b207, v4.9 to v6.4): while ksoftirqd is runnable, irq exit and BH enable run
 *    nothing, so ksoftirqd takes every later softirq until it sleeps.
 * Only NET_RX has a handler in the model; other vectors are not raised.
 */
import type { Cpu } from "./cpu";
import { FR_SOFTIRQ } from "./cpu-context";
import type { Machine } from "./machine";
import { Task, TASK_RUNNING, type Frame } from "./task";

export const NET_TX_SOFTIRQ = 2;
export const NET_RX_SOFTIRQ = 3;
export const SOFTIRQ_NAMES = ["HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"] as const;

const NET_RX_BIT = 1 << NET_RX_SOFTIRQ;

/** Where __do_softirq ran, for the per-CPU `softirq_runs` counters. */
export const SOFTIRQ_WHERE = ["task", "irq_exit", "ksoftirqd", "backlog_thread", "irq_thread", "idle"] as const;
/** MAX_SOFTIRQ_RESTART */
export const MAX_SOFTIRQ_RESTART = 10;
/** MAX_SOFTIRQ_TIME, ms */
export const MAX_SOFTIRQ_TIME_MS = 2;

/** __raise_softirq_irqoff(): marks the vector pending on this CPU (no ksoftirqd wakeup). */
export function __raise_softirq_irqoff(m: Machine, cpu: Cpu, nr: number): void {
  cpu.softirqPending |= 1 << nr;
  if (m.rec !== null) m.rec.record(cpu, "irq:softirq_raise", { vec: nr, action: SOFTIRQ_NAMES[nr]! });
}

/** raise_softirq_irqoff(): outside interrupt context nobody will run it soon, so wake ksoftirqd. */
export function raise_softirq_irqoff(m: Machine, cpu: Cpu, nr: number): void {
  __raise_softirq_irqoff(m, cpu, nr);
  if (!cpu.inInterrupt()) wakeup_softirqd(m, cpu);
}

/** ksoftirqd_running() of the 2016 policy: ksoftirqd/N is runnable or running. */
export function ksoftirqd_running(m: Machine, cpu: Cpu): boolean {
  return m.ksoftirqd[cpu.id]!.state === TASK_RUNNING;
}

export function wakeup_softirqd(m: Machine, cpu: Cpu): void {
  const k = m.ksoftirqd[cpu.id]!;
  if (k.state === TASK_RUNNING) return;
  cpu.ksoftirqdWakeups++;
  m.sched.tryToWakeUp(cpu, k);
}

/**
 * local_bh_enable() in task context: when the count drops to zero and a softirq is pending, run it
 * now (do_softirq). Returns true if a softirq frame was pushed: the caller's next step waits for it.
 */
export function local_bh_enable(m: Machine, cpu: Cpu): boolean {
  cpu.bhCount--;
  if (do_softirq(m, cpu)) return true; // on PREEMPT_RT the lock is released when the softirq ends
  if (m.rt && cpu.bhCount === 0 && cpu.bhOwner === cpu.curr) m.sched.bhUnlock(cpu);
  return false;
}

/** __local_bh_enable(cnt, unlock) without running softirqs (ksoftirqd_run_end on PREEMPT_RT). */
export function local_bh_enable_no_softirq(m: Machine, cpu: Cpu): void {
  cpu.bhCount--;
  if (m.rt && cpu.bhCount === 0 && cpu.bhOwner === cpu.curr) m.sched.bhUnlock(cpu);
}

/**
 * do_softirq(): run pending softirqs now unless in interrupt context (or, under the 2016 policy,
 * ksoftirqd is runnable). Returns true if a softirq frame was pushed.
 */
export function do_softirq(m: Machine, cpu: Cpu): boolean {
  if (cpu.softirqPending === 0 || cpu.inInterrupt()) return false;
  if (m.cfg.ksoftirqd_policy === "2016" && ksoftirqd_running(m, cpu)) return false;
  m.softirq[cpu.id]!.begin(cpu, false);
  return true;
}

/**
 * local_bh_disable(). On PREEMPT_RT it takes the per-CPU BH lock: returns false when another task
 * holds it (the caller must then wait with sched.blockOnBh and retry).
 */
export function local_bh_disable(m: Machine, cpu: Cpu): boolean {
  if (m.rt) {
    const owner = cpu.bhOwner;
    if (owner !== null && owner !== cpu.curr) return false;
    cpu.bhOwner = cpu.curr;
  }
  cpu.bhCount++;
  return true;
}

/**
 * invoke_softirq() at irq exit (after the hardirq frame is popped): runs pending softirqs unless the
 * interrupted context already is in softirq or has BH disabled. Returns true if a frame was pushed.
 */
export function invoke_softirq(m: Machine, cpu: Cpu): boolean {
  if (cpu.softirqPending === 0 || cpu.inInterrupt()) return false;
  if (m.rt) {
    // PREEMPT_RT: a softirq raised in hardirq context cannot run at irq exit: ksoftirqd runs it,
    // unless a task holds the BH lock (it runs pending softirqs when it releases BH)
    if (cpu.bhOwner === null) wakeup_softirqd(m, cpu);
    return false;
  }
  if (m.cfg.ksoftirqd_policy === "2016" && ksoftirqd_running(m, cpu)) return false;
  m.softirq[cpu.id]!.begin(cpu, true);
  return true;
}

const DS_ROUND = 1;
const DS_NETRX = 2;
const DS_AFTER = 3;
const DS_TAIL = 4;

/** __do_softirq(): one per CPU, pushed as the softirq frame. */
export class SoftirqRunner implements Frame {
  private readonly m: Machine;
  private pc = DS_ROUND;
  /** Invoked at irq exit (then the irq-exit preemption check follows it). */
  private fromIrqExit = false;
  private endJiffies = 0;
  private restart = 0;

  constructor(m: Machine) {
    this.m = m;
  }

  begin(cpu: Cpu, fromIrqExit: boolean): void {
    this.fromIrqExit = fromIrqExit;
    const kind = cpu.curr.kind;
    const where = fromIrqExit ? 1 : kind === "ksoftirqd" ? 2 : kind === "backlog_thread" ? 3 : kind === "irq_thread" ? 4 : kind === "idle" ? 5 : 0;
    cpu.softirqRuns[where]!++;
    cpu.push(this, FR_SOFTIRQ);
    // the entry cost is owed to the first segment of the first handler
    cpu.owe(this.m.charge.do_softirq.draw(), "__do_softirq");
    this.endJiffies = this.m.jiffies() + this.m.maxSoftirqJiffies;
    this.restart = MAX_SOFTIRQ_RESTART;
    this.pc = DS_ROUND;
    this.run(cpu);
  }

  run(cpu: Cpu): void {
    const m = this.m;
    for (;;) {
      switch (this.pc) {
        case DS_ROUND: {
          const pending = cpu.softirqPending;
          cpu.softirqPending = 0;
          if (pending & NET_RX_BIT) {
            cpu.netRxSoftirqs++;
            if (m.rec !== null) m.rec.record(cpu, "irq:softirq_entry", { vec: NET_RX_SOFTIRQ, action: "NET_RX" });
            this.pc = DS_NETRX;
            if (!m.netrx[cpu.id]!.start(cpu)) return; // a segment is running
            this.netRxFinished(cpu);
            continue;
          }
          this.pc = DS_AFTER;
          continue;
        }
        case DS_AFTER: {
          if (cpu.debtNs > 0) {
            // pay for what the last handler did (a wakeup, IPIs) first: in the kernel that work is
            // inside the handler (net_rx_action -> net_rps_send_ipi, try_to_wake_up), before
            // __do_softirq reads local_softirq_pending() again, so an interrupt that raises a softirq
            // meanwhile is seen by the restart check below and not left pending on an idle CPU
            this.pc = DS_TAIL;
            cpu.exec(0, "__do_softirq");
            return;
          }
          if (cpu.softirqPending !== 0) {
            if (m.jiffies() < this.endJiffies && !cpu.needResched && --this.restart > 0) {
              this.pc = DS_ROUND;
              continue;
            }
            wakeup_softirqd(m, cpu);
          }
          this.exit(cpu);
          return;
        }
        default:
          throw new Error(`__do_softirq: bad state ${this.pc}`);
      }
    }
  }

  done(cpu: Cpu): void {
    switch (this.pc) {
      case DS_NETRX:
        if (this.m.netrx[cpu.id]!.done(cpu)) {
          this.netRxFinished(cpu);
          this.run(cpu);
        }
        return;
      case DS_TAIL:
        // the owed work is paid: now the restart check (DS_AFTER, no debt left)
        this.pc = DS_AFTER;
        this.run(cpu);
        return;
      default:
        throw new Error(`__do_softirq: segment ended in state ${this.pc}`);
    }
  }

  private netRxFinished(cpu: Cpu): void {
    if (this.m.rec !== null) this.m.rec.record(cpu, "irq:softirq_exit", { vec: NET_RX_SOFTIRQ, action: "NET_RX" });
    this.pc = DS_AFTER;
  }

  private exit(cpu: Cpu): void {
    cpu.pop();
    const m = this.m;
    if (m.rt && cpu.bhCount === 0 && cpu.bhOwner === cpu.curr) m.sched.bhUnlock(cpu);
    if (this.fromIrqExit) m.irq[cpu.id]!.afterIrqExit(cpu);
    else cpu.resumeTop();
  }
}

const K_LOOP = 0;
const K_AFTER = 1;

/** ksoftirqd/N (smpboot thread): runs __do_softirq while softirqs are pending, with cond_resched between. */
export class Ksoftirqd extends Task {
  private readonly m: Machine;
  private pc = K_LOOP;

  constructor(m: Machine, cpu: number, pid: number) {
    super(pid, `ksoftirqd/${cpu}`, "ksoftirqd", cpu);
    this.m = m;
  }

  run(cpu: Cpu): void {
    if (this.pc === K_AFTER) {
      // ksoftirqd_run_end(), then cond_resched()
      local_bh_enable_no_softirq(this.m, cpu);
      this.pc = K_LOOP;
      if (this.m.sched.preemptPoint(cpu)) return;
    }
    if (cpu.softirqPending !== 0) {
      // ksoftirqd_run_begin(): on PREEMPT_RT this takes the BH lock
      if (!local_bh_disable(this.m, cpu)) {
        this.m.sched.blockOnBh(cpu);
        return;
      }
      this.pc = K_AFTER;
      this.m.softirq[cpu.id]!.begin(cpu, false);
      return;
    }
    this.m.sched.block(cpu);
  }

  done(): void {
    throw new Error("ksoftirqd runs no segments of its own");
  }
}
