/**
 * A threaded interrupt handler (kernel/irq/manage.c irq_thread, irq_forced_thread_fn): `irq/N-name`,
 * SCHED_FIFO 50, bound to the CPU that takes the interrupt. The hardirq only wakes it
 * (irq_default_primary_handler); the thread runs the real handler with BH disabled, so softirqs the
 * handler raised run when it re-enables BH, in this thread. Used for a non-NAPI device under
 * PREEMPT_RT (every device interrupt is force-threaded there) or with `nic_irq=threaded` (threadirqs).
 */
import type { Cpu } from "./cpu";
import type { Machine } from "./machine";
import { local_bh_disable, local_bh_enable } from "./softirq";
import { Task } from "./task";

/** The work a threaded handler does: its cost and its effect when the cost has been paid. */
export interface ThreadedHandler {
  threadFnCost(): number;
  threadFnEffect(cpu: Cpu): void;
}

const I_CHECK = 0;
const I_HANDLER = 1;
const I_AFTER = 2;

export class IrqThread extends Task {
  private readonly m: Machine;
  private readonly handler: ThreadedHandler;
  /** Interrupts taken whose thread function has not run yet (the line stays masked: IRQF_ONESHOT). */
  pending = 0;
  private pc = I_CHECK;

  constructor(m: Machine, cpu: number, name: string, handler: ThreadedHandler) {
    super(m.allocPid(), `irq/${cpu}-${name}`, "irq_thread", cpu);
    this.m = m;
    this.handler = handler;
    this.policy = "SCHED_FIFO";
    this.rtPrio = 50;
  }

  run(cpu: Cpu): void {
    const m = this.m;
    if (this.pc === I_AFTER) {
      this.pc = I_CHECK;
      if (m.sched.preemptPoint(cpu)) return;
    }
    if (this.pending === 0) {
      m.sched.block(cpu);
      return;
    }
    if (!local_bh_disable(m, cpu)) {
      m.sched.blockOnBh(cpu);
      return;
    }
    this.pending--;
    this.pc = I_HANDLER;
    cpu.exec(this.handler.threadFnCost(), "irq_forced_thread_fn");
  }

  done(cpu: Cpu): void {
    this.handler.threadFnEffect(cpu);
    this.pc = I_AFTER;
    if (local_bh_enable(this.m, cpu)) return; // NET_RX raised by netif_rx runs here, in the thread
    this.run(cpu);
  }
}
