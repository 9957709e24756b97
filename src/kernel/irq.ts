/**
 * Hardirq context (kernel/irq, arch/x86 idtentry): the frame an interrupt pushes on its CPU. It runs
 * the handler (IPI callbacks, the timer tick, a task's hrtimer, a non-NAPI device's `netif_rx` calls),
 * then `irq_exit`: interrupts that waited are taken, pending softirqs run (`invoke_softirq`), and on
 * the way back a task interrupted in user mode (or the idle task) is preempted if need_resched is set
 * (with preempt=none, kernel code is never preempted here). Also here: an interrupt's arrival at a
 * CPU (taken at once, kept pending while interrupts are off, or re-routed from an offline CPU).
 */
import type { Cpu } from "./cpu";
import { CTX_IDLE, FR_HARDIRQ, IRQ_CAL, IRQ_DEVICE, IRQ_HRTIMER, IRQ_RES, IRQ_TICK } from "./cpu-context";
import { isPolling } from "./cpu-idle";
import { rps_trigger_softirq } from "./dev";
import type { Machine } from "./machine";
import { invoke_softirq } from "./softirq";
import { CSD_RPS } from "./smp";
import type { Frame } from "./task";

/** An interrupt arrives at `cpu` (the EV_IRQ handler). */
export function irqArrive(cpu: Cpu, type: number, arg: number): void {
  const m = cpu.m;
  if (!cpu.online) {
    // an interrupt in flight to a CPU that went offline: device interrupts follow their new
    // affinity, timers follow their task; IPIs to a dead CPU are moot
    if (type === IRQ_DEVICE) m.devices[arg]!.raiseNow();
    else if (type === IRQ_HRTIMER) {
      const t = m.tasks[arg]!;
      // A parked per-CPU thread (backlog_napi/N's delayed wake) stays on the dead CPU: its hrtimer
      // was migrated by hrtimers_cpu_dying() to a live CPU, fires there, and the wakeup of the
      // parked thread is ignored. Re-raising it on the thread's CPU would loop at this instant.
      if (t.cpu === cpu.id) irqArrive(m.cpus.find((c) => c.online)!, IRQ_HRTIMER, arg);
      else m.sim.at(m.sim.now, m.EV_TIMER, arg);
    }
    return;
  }
  if (cpu.irqsDisabled()) {
    cpu.pendingIrqType.push(type);
    cpu.pendingIrqArg.push(arg);
    return;
  }
  let wake = 0;
  if (cpu.isIdle() && !isPolling(cpu, m.sim.now)) wake = m.charge.idle_exit_halt.draw();
  const frame = m.irq[cpu.id]!;
  cpu.push(frame, FR_HARDIRQ);
  frame.enter(cpu, type, arg, wake);
}

/** Delivers the first interrupt that waited for interrupts to be enabled; false if none. */
export function deliverPendingIrq(cpu: Cpu): boolean {
  if (cpu.pendingIrqType.length === 0) return false;
  const type = cpu.pendingIrqType.shift()!;
  const arg = cpu.pendingIrqArg.shift()!;
  irqArrive(cpu, type, arg);
  return true;
}

const IR_WAKE = 0;
const IR_HANDLER = 1;
const IR_TAIL = 2;

const IRQ_NAMES = ["CAL", "RES", "LOC", "hrtimer", "nic"];
const IRQ_FN = [
  "generic_smp_call_function_single_interrupt",
  "sysvec_reschedule_ipi",
  "tick_sched_timer",
  "hrtimer_wakeup",
  "nic_interrupt",
];

export class IrqRunner implements Frame {
  private readonly m: Machine;
  private pc = IR_HANDLER;
  private type = 0;
  private arg = 0;
  /** CAL: the callbacks this IPI's handler took off the queue (llist_del_all at handler start). */
  private readonly batch: number[] = [];

  constructor(m: Machine) {
    this.m = m;
  }

  /** Called right after the CPU pushed this frame. `wakeNs` > 0: the CPU was halted and must wake first. */
  enter(cpu: Cpu, type: number, arg: number, wakeNs: number): void {
    this.type = type;
    this.arg = arg;
    if (wakeNs > 0) {
      this.pc = IR_WAKE;
      cpu.exec(wakeNs, "cpuidle_exit", false, CTX_IDLE);
      return;
    }
    this.handler(cpu);
  }

  private handler(cpu: Cpu): void {
    const m = this.m;
    let cost = m.charge.irq_entry_exit.draw();
    switch (this.type) {
      case IRQ_CAL: {
        cpu.ipiCal++;
        // flush_smp_call_function_queue() empties the queue at once; later callbacks need a new IPI
        // (a length set is a builtin call: skipped when there is nothing to clear)
        const b = this.batch;
        if (b.length !== 0) b.length = 0;
        const q = cpu.csdQueue;
        for (let i = 0; i < q.length; i++) {
          const csd = q[i]!;
          b.push(csd);
          cost += csd === CSD_RPS ? m.charge.rps_trigger_softirq.draw() : m.charge.try_to_wake_up.draw();
        }
        if (q.length !== 0) q.length = 0;
        cpu.csdIpiInFlight = false;
        break;
      }
      case IRQ_RES:
        cpu.ipiRes++;
        break;
      case IRQ_TICK:
        cpu.timerIrqs++;
        cost = m.charge.tick.draw();
        break;
      case IRQ_HRTIMER:
        cpu.timerIrqs++;
        break;
      case IRQ_DEVICE:
        cost = m.devices[this.arg]!.handlerCost(cpu);
        break;
    }
    if (m.rec !== null) m.rec.record(cpu, "irq:irq_handler_entry", { irq: this.type, name: IRQ_NAMES[this.type]! });
    this.pc = IR_HANDLER;
    cpu.exec(cost, IRQ_FN[this.type]!);
  }

  run(): void {
    throw new Error("hardirq handlers are never resumed at a step boundary");
  }

  done(cpu: Cpu): void {
    switch (this.pc) {
      case IR_WAKE:
        this.handler(cpu);
        return;
      case IR_HANDLER:
        this.effect(cpu);
        if (cpu.debtNs > 0) {
          this.pc = IR_TAIL;
          cpu.exec(0, IRQ_FN[this.type]!);
          return;
        }
        this.irqExit(cpu);
        return;
      case IR_TAIL:
        this.irqExit(cpu);
        return;
    }
  }

  /** What the handler did, applied when its time has passed. */
  private effect(cpu: Cpu): void {
    const m = this.m;
    switch (this.type) {
      case IRQ_CAL: {
        for (const csd of this.batch) {
          if (csd === CSD_RPS) rps_trigger_softirq(m, cpu);
          else m.sched.ttwuPending(cpu, m.tasks[csd]!);
        }
        break;
      }
      case IRQ_RES:
        break; // scheduler_ipi(): need_resched is already set; irq exit acts on it
      case IRQ_TICK:
        m.sched.tick(cpu);
        break;
      case IRQ_HRTIMER: {
        const t = m.tasks[this.arg]!;
        if (m.sched.tryToWakeUp(cpu, t) && t.kind === "backlog_thread") m.cpus[t.cpu]!.backlogThreadWakeups++;
        break;
      }
      case IRQ_DEVICE:
        m.devices[this.arg]!.handlerEffect(cpu);
        break;
    }
  }

  private irqExit(cpu: Cpu): void {
    if (this.m.rec !== null) this.m.rec.record(cpu, "irq:irq_handler_exit", { irq: this.type, ret: "handled" });
    cpu.pop();
    if (deliverPendingIrq(cpu)) return;
    if (invoke_softirq(this.m, cpu)) return;
    this.afterIrqExit(cpu);
  }

  /**
   * The return path of an interrupt (after any softirq it ran): preempt the interrupted task if
   * need_resched is set and it was in user mode or idle; otherwise resume what was interrupted.
   */
  afterIrqExit(cpu: Cpu): void {
    if (cpu.needResched && !cpu.switching && !cpu.stopPending) {
      const t = cpu.curr;
      const model = this.m.cfg.preempt;
      if (cpu.sp === 1 && t === cpu.idleTask) {
        // the interrupt returns to the idle loop, which leaves it through do_idle(): queued
        // cross-CPU callbacks are flushed (flush_smp_call_function_queue) before schedule_idle()
        cpu.resumeTop();
        return;
      }
      if (cpu.sp === 1) {
        // preempt=none: only user mode (or idle); full: kernel code too unless BH is disabled;
        // rt: BH-disabled code too (BH is a sleeping per-CPU lock there, kept while preempted)
        const userOrIdle = t === cpu.idleTask || cpu.remNs[0]! < 0 || cpu.remUser[0] === 1;
        const kernelOk = model === "rt" || (model === "full" && cpu.bhCount === 0);
        if (userOrIdle || kernelOk) {
          if (cpu.remNs[0]! >= 0) {
            t.rem = cpu.remNs[0]!;
            t.remFn = cpu.remFn[0]!;
            t.remUFrom = cpu.remUFrom[0]!;
            t.remUTo = cpu.remUTo[0]!;
            cpu.remNs[0] = -1;
          }
          this.m.sched.schedule(cpu, t !== cpu.idleTask);
          return;
        }
        // kernel code that may not be preempted here: if it returns to user mode later in this
        // segment, need_resched is checked there (exit_to_user_mode_loop)
        cpu.resumeTop();
        if (cpu.sp === 1 && cpu.segActive && cpu.curr === t && cpu.segUFrom > this.m.sim.now && cpu.segUTo > cpu.segUFrom) {
          this.m.sim.at(cpu.segUFrom, this.m.EV_USER_RETURN, cpu.id, cpu.gen);
        }
        return;
      } else if (model === "rt" && cpu.sp === 2 && t !== cpu.idleTask) {
        // PREEMPT_RT: softirq work runs in task context and is preemptible; the task keeps the BH
        // lock, so nobody else can enter the per-CPU softirq machinery until it resumes.
        cpu.stashSoftirq(t);
        this.m.sched.schedule(cpu, true);
        return;
      }
    }
    cpu.resumeTop();
  }

  /**
   * EV_USER_RETURN: the task that an interrupt found in kernel code, with need_resched set, reaches
   * user mode (the event was armed with its segment's generation; a later cut re-arms it at that
   * interrupt's exit). exit_to_user_mode_loop() calls schedule() if need_resched is still set.
   */
  exitToUserMode(cpu: Cpu, gen: number): void {
    if (gen !== cpu.gen || !cpu.segActive || cpu.sp !== 1 || cpu.switching || cpu.stopPending || !cpu.needResched) return;
    cpu.cutTaskSegment();
    this.m.sched.schedule(cpu, true);
  }
}
