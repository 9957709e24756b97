/**
 * The idle task swapper/N (kernel/sched/idle.c): schedules when work appears, else halts or polls.
 * A polling idle CPU gets no IPIs: when it notices queued cross-CPU callbacks it runs them itself
 * (flush_smp_call_function_queue in the idle task) and then any softirq they raised
 * (do_softirq_post_smp_call_flush), still in the idle task.
 */
import type { Cpu } from "./cpu";
import { CTX_TASK } from "./cpu-context";
import { goIdle } from "./cpu-idle";
import { rps_trigger_softirq } from "./dev";
import type { Machine } from "./machine";
import { CSD_RPS } from "./smp";
import { do_softirq, wakeup_softirqd } from "./softirq";
import { Task } from "./task";

export class IdleTask extends Task {
  private readonly m: Machine;
  private readonly batch: number[] = [];
  /** Times the idle task ran an IPI callback that raised a softirq (the PREEMPT_RT warning's trigger). */
  softirqFromIdleCallbacks = 0;

  constructor(m: Machine, cpu: number) {
    super(0, `swapper/${cpu}`, "idle", cpu);
    this.m = m;
  }

  run(cpu: Cpu): void {
    const m = this.m;
    // do_idle() flushes queued callbacks when it leaves the idle loop (need_resched, which a polled
    // wakeup sets through set_nr_if_polling), not when a CPU enters idle: callbacks whose CAL IPI is
    // still in flight wait for it (flush_smp_call_function_queue in the IPI handler, irq.ts).
    if (cpu.csdQueue.length > 0 && (!cpu.csdIpiInFlight || cpu.needResched)) {
      let cost = 0;
      if (this.batch.length !== 0) this.batch.length = 0;
      for (const csd of cpu.csdQueue) {
        this.batch.push(csd);
        cost += csd === CSD_RPS ? m.charge.rps_trigger_softirq.draw() : m.charge.try_to_wake_up.draw();
      }
      cpu.csdQueue.length = 0;
      cpu.exec(cost, "flush_smp_call_function_queue", false, CTX_TASK);
      return;
    }
    if (cpu.needResched || cpu.rq.length > 0) {
      m.sched.schedule(cpu, false);
      return;
    }
    goIdle(cpu);
  }

  done(cpu: Cpu): void {
    const m = this.m;
    const before = cpu.softirqPending;
    for (const csd of this.batch) {
      if (csd === CSD_RPS) rps_trigger_softirq(m, cpu);
      else m.sched.ttwuPending(cpu, m.tasks[csd]!);
    }
    // do_softirq_post_smp_call_flush(): softirqs the callbacks raised run here, in the idle task
    const raised = cpu.softirqPending !== 0 && cpu.softirqPending !== before;
    if (raised) this.softirqFromIdleCallbacks++;
    if (m.rt) {
      // PREEMPT_RT warns (WARN_ON_ONCE(was_pending != local_softirq_pending())) and hands the
      // softirq to ksoftirqd: the idle task must not run it
      if (raised) {
        m.rtIdleSoftirqWarnings[cpu.id] = (m.rtIdleSoftirqWarnings[cpu.id] ?? 0) + 1;
        wakeup_softirqd(m, cpu);
      }
      this.run(cpu);
      return;
    }
    if (do_softirq(m, cpu)) return;
    this.run(cpu);
  }
}
