/**
 * Checks on a live machine that tests run between slices of simulated time, beyond what
 * Machine.checkInvariants() keeps: the backlog NAPI state bits of the change (dad6b9770263), tasks
 * that are runnable but reachable by nobody, and offline CPUs that still hold work.
 */
import { FR_HARDIRQ, IRQ_CAL, type Cpu } from "../../src/kernel/cpu";
import { NAPI_STATE_SCHED, NAPI_STATE_SCHED_THREADED, NAPI_STATE_THREADED } from "../../src/kernel/dev";
import type { Machine } from "../../src/kernel/machine";
import { TASK_RUNNING } from "../../src/kernel/task";

/**
 * Thread modes: NAPI_STATE_THREADED on every backlog, always (backlog_napi_setup, and dev_cpu_dead
 * keeps it); SCHED_THREADED only on a scheduled NAPI whose thread has been woken and is runnable
 * (unless a delayed wakeup was asked for). Softirq mode: neither bit, ever.
 */
export function checkBacklogBits(m: Machine, where = ""): void {
  const threads = m.cfg.backlog_napi !== "softirq";
  if (m.backlogThreaded) {
    checkBacklogThreadedBits(m, where);
    return;
  }
  for (const sd of m.sd) {
    const st = sd.backlogState;
    const at = `cpu${sd.cpu} backlog state ${st}${where}`;
    if (!threads) {
      if (st & (NAPI_STATE_THREADED | NAPI_STATE_SCHED_THREADED)) throw new Error(`${at}: THREADED bits in softirq mode`);
      continue;
    }
    if ((st & NAPI_STATE_THREADED) === 0) throw new Error(`${at}: NAPI_STATE_THREADED lost`);
    if ((st & NAPI_STATE_SCHED_THREADED) === 0) continue;
    if ((st & NAPI_STATE_SCHED) === 0) throw new Error(`${at}: SCHED_THREADED without SCHED`);
    const t = m.backlogThreads[sd.cpu]!;
    if (m.cfg.backlog_wake_delay_ns === 0 && t.state !== TASK_RUNNING) throw new Error(`${at}: SCHED_THREADED but ${t.comm} sleeps`);
  }
}

/**
 * OpenWrt's backlog-threaded modes (6.1 ____napi_schedule): THREADED on every backlog, always;
 * SCHED_THREADED is only set while napi/backlog-<n> is awake (it is never set on a sleeping thread,
 * and napi_thread_wait does not sleep while it is set), except while the thread waits for a PREEMPT_RT
 * BH lock. SCHED_THREADED without SCHED is allowed: the patch's napi_schedule_rps can set it on the
 * sending CPU's own idle backlog.
 */
function checkBacklogThreadedBits(m: Machine, where: string): void {
  for (const sd of m.sd) {
    const st = sd.backlogState;
    const at = `cpu${sd.cpu} backlog state ${st}${where}`;
    if ((st & NAPI_STATE_THREADED) === 0) throw new Error(`${at}: NAPI_STATE_THREADED lost`);
    if (sd.backlogOnPollList) throw new Error(`${at}: a THREADED backlog on a poll list`);
    if ((st & NAPI_STATE_SCHED_THREADED) === 0) continue;
    const t = m.napiBacklogThreads[sd.cpu]!;
    const waitsForBh = m.cpus.some((c) => c.bhWaiters.includes(t));
    if (t.state !== TASK_RUNNING && !waitsForBh) throw new Error(`${at}: SCHED_THREADED but ${t.comm} sleeps`);
  }
}

/**
 * Wakelist entries a CPU has taken off its queue and is activating right now: the batch of a CAL
 * handler in progress, or of the idle task's flush_smp_call_function_queue segment. (Private fields
 * of IrqRunner and IdleTask, read here so that a wakeup in flight is not mistaken for a lost one.)
 */
function wakeupsInFlight(m: Machine, cpu: Cpu): number[] {
  if (cpu.fkind[cpu.sp - 1] === FR_HARDIRQ) {
    const irq = m.irq[cpu.id] as unknown as { type: number; batch: number[] };
    return irq.type === IRQ_CAL ? irq.batch : [];
  }
  if (cpu.curr === cpu.idleTask && cpu.segActive && cpu.segFn === "flush_smp_call_function_queue") {
    return (cpu.idleTask as unknown as { batch: number[] }).batch;
  }
  return [];
}

/**
 * A runnable task is somewhere a CPU will find it: current on its CPU, on its CPU's run queue,
 * queued for activation on an online CPU's wakelist (or being activated from it), or held by a waker
 * until the CPU switching away from it lets go of its rq lock. A runnable task
 * nobody will pick is a lost wakeup.
 */
export function checkRunnableReachable(m: Machine, where = ""): void {
  for (const t of m.tasks) {
    if (t.kind === "idle" || t.state !== TASK_RUNNING) continue;
    const cpu = m.cpus[t.cpu]!;
    const queued = (c: Cpu) => c.online && (c.csdQueue.includes(t.id) || wakeupsInFlight(m, c).includes(t.id));
    // or held by a waker that waits for the rq lock of the CPU still switching away from it (ttwu_runnable)
    const deferred = m.cpus.some((c) => c.deferredWake === t && c.switching);
    const reachable = cpu.curr === t || cpu.rq.includes(t) || m.cpus.some(queued) || deferred;
    if (!reachable) throw new Error(`${t.comm} is runnable but current nowhere, on no run queue and on no wakelist${where}`);
    if (t.parked) throw new Error(`${t.comm} is parked but runnable${where}`);
  }
}

/**
 * PREEMPT_RT: only the owner releases a CPU's BH lock (softirq_ctrl.lock), so on an online CPU the
 * owner is runnable (running, or preempted with the lock held); an owner asleep holds it forever,
 * and the softirqs raised on that CPU meanwhile wait for a release that never comes.
 */
export function checkBhOwner(m: Machine, where = ""): void {
  for (const cpu of m.cpus) {
    const owner = cpu.bhOwner;
    if (cpu.online && owner !== null && owner.state !== TASK_RUNNING) throw new Error(`cpu${cpu.id}: BH lock held by ${owner.comm}, which sleeps${where}`);
  }
}

/** An offline CPU runs nothing and holds nothing: no task, no queued callback, no packet, no pending softirq. */
export function checkOfflineQuiet(m: Machine, where = ""): void {
  for (const cpu of m.cpus) {
    if (cpu.online) continue;
    const sd = m.sd[cpu.id]!;
    const busy: string[] = [];
    if (cpu.curr !== cpu.idleTask) busy.push(`curr ${cpu.curr.comm}`);
    if (cpu.rq.length > 0) busy.push(`run queue ${cpu.rq.map((t) => t.comm).join(",")}`);
    if (cpu.csdQueue.length > 0) busy.push("queued callbacks");
    if (cpu.softirqPending !== 0) busy.push("pending softirqs");
    // OpenWrt's backlog_threaded: dev_cpu_dead returns early and leaves the queue to napi/backlog-<n>
    if (sd.backlogLength() > 0 && !m.backlogThreaded) busy.push(`${sd.backlogLength()} packets`);
    if (sd.backlogState & ~NAPI_STATE_THREADED && !m.backlogThreaded) busy.push(`backlog state ${sd.backlogState}`);
    if (busy.length > 0) throw new Error(`offline cpu${cpu.id}: ${busy.join("; ")}${where}`);
  }
}

/** Everything above plus the machine's own invariants. */
export function checkMachine(m: Machine, where = ""): void {
  m.checkInvariants();
  checkBacklogBits(m, where);
  checkRunnableReachable(m, where);
  checkBhOwner(m, where);
  checkOfflineQuiet(m, where);
}
