/**
 * A CPU-bound SCHED_OTHER task that never sleeps: the "random task" that softirqs at irq exit steal
 * time from, and the competitor that ksoftirqd must share a CPU with.
 */
import type { Cpu } from "../kernel/cpu";
import type { Machine } from "../kernel/machine";
import { Task } from "../kernel/task";

/** Length of one user-mode stretch; interrupts cut it anyway, so it only sets the event rate. */
const CHUNK_NS = 1_000_000;

export class CpuHog extends Task {
  constructor(m: Machine, cpu: number) {
    super(m.allocPid(), `hog/${cpu}`, "user", cpu);
  }

  run(cpu: Cpu): void {
    cpu.exec(CHUNK_NS, "user", true);
  }

  done(cpu: Cpu): void {
    this.run(cpu);
  }
}
