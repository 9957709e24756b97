/**
 * Tasks (`struct task_struct`, reduced to what the receive path touches): scheduling class and
 * EEVDF state, where the task may run, its saved place when preempted, and its counters.
 * Every task is a `Frame`: the CPU calls `run()` to start its next piece of work and `done()` when
 * the piece it started has taken its CPU time. Workloads and kernel threads subclass it.
 */
import type { Cpu } from "./cpu";

/** Something a CPU executes: a task at the bottom, or a softirq or hardirq frame above it. */
export interface Frame {
  /** Start (or continue) work from the frame's current state. */
  run(cpu: Cpu): void;
  /** The segment this frame last started has ended: apply its effects and go on. */
  done(cpu: Cpu): void;
}

export const TASK_RUNNING = 0;
export const TASK_SLEEPING = 1;

export type Policy = "SCHED_OTHER" | "SCHED_FIFO";

/** What kind of thread a task is; decides how its CPU time is labelled. */
export type TaskKind = "user" | "idle" | "ksoftirqd" | "backlog_thread" | "irq_thread";

export abstract class Task implements Frame {
  /** Index in Machine.tasks. */
  id = -1;
  readonly pid: number;
  readonly comm: string;
  readonly kind: TaskKind;
  /**
   * The accounting context of the task's own work (cpu.ts CTX_TASK, CTX_IDLE, CTX_KSOFTIRQD,
   * CTX_BACKLOG: 0, 5, 3, 4) and of a softirq frame above it (CTX_SOFTIRQ 1, or the thread's own
   * context for ksoftirqd and backlog threads): read at every segment start, so a number, not `kind`.
   */
  readonly taskCtx: number;
  readonly softirqCtx: number;
  policy: Policy = "SCHED_OTHER";
  /** rt_priority for SCHED_FIFO (1..99, higher wins). */
  rtPrio = 0;
  /** The CPU the task is pinned to, or -1 for any online CPU. */
  pinned: number;
  /** The CPU whose run queue holds (or last held) the task. */
  cpu: number;
  /**
   * cpus_mask set by sched_setaffinity (taskset), for tasks that have one: the CPUs the task may run
   * on, ascending. null: the task follows `pinned` (every task of the smpboot modes and workloads).
   */
  allowed: number[] | null = null;
  /**
   * An ordinary kthread that the load balancer may move (OpenWrt's napi/backlog-<n>): newidle and
   * periodic balancing (sched.ts) only ever pull tasks that have this set, so every other mode keeps
   * today's placement exactly.
   */
  balanced = false;
  /** se.nr_migrations: times the task changed CPU (wakeup placement or balancing). */
  nrMigrations = 0;
  state = TASK_RUNNING;
  /**
   * On its way to sleep (__schedule() before try_to_block_task() dequeues it): until this time the
   * task is still on its run queue, so a waker takes ttwu_runnable() and waits for the rq lock.
   */
  blockQueuedUntil = -1;
  /** On its CPU's run queue (not counting being `curr`). */
  onRq = false;
  // EEVDF (kernel/sched/fair.c), nice 0 only: virtual time equals CPU time.
  vruntime = 0;
  deadline = 0;
  vlag = 0;
  /** Deadline when last picked: RUN_TO_PARITY keeps curr until its deadline moves. */
  pickedDeadline = -1;
  // Where the task stopped when it was preempted mid-segment (-1: at a step boundary).
  rem = -1;
  remFn = "";
  /** The cut segment's user-mode window relative to the cut (see Cpu.remUFrom). */
  remUFrom = 0;
  remUTo = 0;
  /** A per-CPU thread of an offline CPU (smpboot park): wakeups are ignored until unparked. */
  parked = false;
  /** local_bh_disable() depth while this task runs (saved and restored across switches). */
  bhCount = 0;
  /** Priority inherited through the PREEMPT_RT BH lock (0: none): runs as SCHED_FIFO at this priority. */
  boost = 0;
  /** PREEMPT_RT: a softirq frame this task was running when it was preempted (-1: none). */
  savedSoftirqRem = -1;
  savedSoftirqFn = "";
  savedSoftirqUFrom = 0;
  savedSoftirqUTo = 0;
  // Counters (/proc/<pid>/status, schedstat).
  cpuNs = 0;
  softirqNs = 0;
  nvcsw = 0;
  nivcsw = 0;
  wakeups = 0;

  constructor(pid: number, comm: string, kind: TaskKind, pinned: number) {
    this.pid = pid;
    this.comm = comm;
    this.kind = kind;
    this.taskCtx = kind === "idle" ? 5 : kind === "ksoftirqd" ? 3 : kind === "backlog_thread" ? 4 : 0;
    this.softirqCtx = kind === "ksoftirqd" ? 3 : kind === "backlog_thread" ? 4 : 1;
    this.pinned = pinned;
    this.cpu = pinned >= 0 ? pinned : 0;
  }

  abstract run(cpu: Cpu): void;
  abstract done(cpu: Cpu): void;
}
