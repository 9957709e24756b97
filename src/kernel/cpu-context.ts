/**
 * The numbers that say what a CPU is doing: the accounting context of its work (CTX_*), the kinds of
 * frame on its stack (FR_*), the interrupts it takes (IRQ_*) and the stages of a switch away from a
 * task going to sleep (SWITCH_*). cpu.ts re-exports them; this file imports nothing.
 */

/** Accounting contexts of busy time (Cpu.busy, the trace's spans). */
export const CTX_TASK = 0;
export const CTX_SOFTIRQ = 1;
export const CTX_HARDIRQ = 2;
export const CTX_KSOFTIRQD = 3;
export const CTX_BACKLOG = 4;
export const CTX_IDLE = 5;
export const CTX_NAMES = ["task", "softirq", "hardirq", "ksoftirqd", "backlog_thread", "idle"] as const;

/** Stages of a switch away from a task going to sleep (Cpu.switchStage). */
export const SWITCH_NONE = 0;
export const SWITCH_TO_RECORD = 1;
export const SWITCH_TAIL = 2;

/** Kinds of frame on a CPU's stack (Cpu.fkind): the task at slot 0, a softirq or hardirq frame above. */
export const FR_TASK = 0;
export const FR_SOFTIRQ = 1;
export const FR_HARDIRQ = 2;

/** Interrupt kinds a CPU can take (the hardirq frame dispatches on these). */
export const IRQ_CAL = 0; // call-function-single IPI: flushes the CPU's csd queue
export const IRQ_RES = 1; // reschedule IPI
export const IRQ_TICK = 2; // local timer tick
export const IRQ_HRTIMER = 3; // a task's hrtimer expired (arg: task id)
export const IRQ_DEVICE = 4; // a non-NAPI device interrupt (arg: device index)
