/**
 * The scheduler (kernel/sched/core.c, fair.c, rt.c; v6.8), reduced to what decides who gets a CPU
 * around packet processing: per-CPU run queues, SCHED_FIFO before SCHED_OTHER, EEVDF for SCHED_OTHER
 * (base slice scaled by CPU count, eligibility, RUN_TO_PARITY, lag kept across sleep), wakeup
 * preemption, the tick, `try_to_wake_up` with the remote wakelist (a CAL IPI to an idle CPU) or a
 * reschedule IPI to a busy one, and context switches with their cost.
 * Not modelled: nice levels, SCHED_RR, cgroups. Load balancing exists only for tasks marked
 * `balanced` (OpenWrt's unpinned napi/backlog-<n>, backlog_napi=backlog-threaded*): their cpus_mask
 * (taskset), wakeup placement within it, newidle_balance when a CPU is about to idle, and the
 * periodic load_balance / nohz idle balance from the tick. Every other task is pinned, or placed on
 * an idle CPU at wakeup, and never moved by a balancer. With IRQ time accounting (as distribution
 * kernels build), softirq time run on behalf of a task does not advance its vruntime.
 */
import { isBacklogThreaded } from "../config/schema";
import type { Cpu } from "./cpu";
import { CTX_TASK, SWITCH_NONE, SWITCH_TAIL, SWITCH_TO_RECORD } from "./cpu-context";
import { predrawIdle } from "./cpu-idle";
import { deliverPendingIrq } from "./irq";
import type { Machine } from "./machine";
import { smp_call_function_single_async, smp_send_reschedule } from "./smp";
import { TASK_RUNNING, TASK_SLEEPING, type Task } from "./task";

export class Scheduler {
  private readonly m: Machine;
  /** sysctl_sched_base_slice after update_sysctl()'s log scaling: base * (1 + ilog2(min(ncpus, 8))). */
  readonly slice: number;
  /** The balancers run at all (a backlog-threaded mode); they still only move `balanced` tasks. */
  readonly balancing: boolean;
  /** Tasks moved by newidle_balance, by the nohz idle balance kick, and by the periodic load_balance. */
  newidlePulls = 0;
  nohzPulls = 0;
  periodicPulls = 0;

  constructor(m: Machine) {
    this.m = m;
    this.balancing = isBacklogThreaded(m.cfg.backlog_napi);
    const n = Math.min(m.cfg.cpus, 8);
    this.slice = m.cfg.sched_base_slice_ns * (1 + Math.floor(Math.log2(n)));
  }

  /** Gives the CPU to `t`: resumes its cut segment, or lets it take its next step. */
  runTask(cpu: Cpu, t: Task): void {
    if (t.savedSoftirqRem >= 0) cpu.unstashSoftirq(t, this.m.softirq[cpu.id]!);
    else if (t.rem >= 0) cpu.resumeTaskSeg(t);
    else t.run(cpu);
  }

  // ---------------------------------------------------------------- EEVDF helpers

  /** Fair entities counted by the last avgVruntime() call (cfs_rq->nr_running; all weights equal). */
  private avgCount = 0;

  private avgVruntime(cpu: Cpu): number {
    let sum = 0;
    let n = 0;
    const c = cpu.curr;
    if (c !== cpu.idleTask && c.policy === "SCHED_OTHER" && c.state === TASK_RUNNING) {
      sum += c.vruntime;
      n++;
    }
    const rq = cpu.rq;
    for (let i = 0; i < rq.length; i++) {
      const t = rq[i]!;
      if (t.policy === "SCHED_OTHER") {
        sum += t.vruntime;
        n++;
      }
    }
    this.avgCount = n;
    return n === 0 ? cpu.minVruntime : sum / n;
  }

  /** pick_eevdf(): the eligible entity with the earliest virtual deadline (RUN_TO_PARITY for curr). */
  private pickEevdf(cpu: Cpu): Task | null {
    const avg = this.avgVruntime(cpu);
    const c = cpu.curr;
    const currFair = c !== cpu.idleTask && effRtPrio(c) === 0 && c.state === TASK_RUNNING;
    if (currFair && c.vruntime <= avg && c.deadline === c.pickedDeadline) return c;
    let best: Task | null = null;
    let fallback: Task | null = null;
    if (currFair) {
      fallback = c;
      if (c.vruntime <= avg) best = c;
    }
    const rq = cpu.rq;
    for (let i = 0; i < rq.length; i++) {
      const t = rq[i]!;
      if (effRtPrio(t) > 0) continue;
      if (fallback === null || t.vruntime < fallback.vruntime) fallback = t;
      if (t.vruntime <= avg && (best === null || t.deadline < best.deadline)) best = t;
    }
    return best ?? fallback;
  }

  /** The highest-priority runnable real-time task (curr wins ties: FIFO does not round-robin). */
  private pickRt(cpu: Cpu): Task | null {
    const c = cpu.curr;
    let best: Task | null = c !== cpu.idleTask && effRtPrio(c) > 0 && c.state === TASK_RUNNING ? c : null;
    for (const t of cpu.rq) {
      const p = effRtPrio(t);
      if (p > 0 && (best === null || p > effRtPrio(best))) best = t;
    }
    return best;
  }

  /** pick_next_task(): rt class first, then fair, then idle. */
  private pickNext(cpu: Cpu): Task {
    return this.pickRt(cpu) ?? this.pickEevdf(cpu) ?? cpu.idleTask;
  }

  /**
   * place_entity(): a waking task keeps its lag. Joining the queue pulls the average towards it, so
   * the kernel inflates the lag by (W + w) / W first, and the lag after placement is the lag saved at
   * dequeue; with no other fair task (nr_running == 0) the lag is not applied.
   */
  private placeEntity(cpu: Cpu, t: Task): void {
    if (t.policy !== "SCHED_OTHER") return;
    const avg = this.avgVruntime(cpu);
    const load = this.avgCount;
    t.vruntime = load > 0 ? avg - (t.vlag * (load + 1)) / load : avg;
    t.deadline = t.vruntime + this.slice;
  }

  /** Saves the lag of a task leaving the queue (dequeue_entity -> update_entity_lag), clamped. */
  private saveLag(cpu: Cpu, t: Task): void {
    if (t.policy !== "SCHED_OTHER") return;
    const limit = Math.max(2 * this.slice, this.m.jiffyNs);
    const lag = this.avgVruntime(cpu) - t.vruntime;
    t.vlag = lag > limit ? limit : lag < -limit ? -limit : lag;
  }

  // ---------------------------------------------------------------- switching

  /**
   * __schedule(): picks the next task and switches to it. `preempt` marks an involuntary switch
   * (preemption at irq exit, syscall exit or cond_resched); a task that went to sleep calls block().
   */
  schedule(cpu: Cpu, preempt: boolean): void {
    const prev = cpu.curr;
    cpu.needResched = false;
    let next = this.pickNext(cpu);
    // pick_next_task_fair() found nothing: newidle_balance() tries to pull a waiting task first
    if (next === cpu.idleTask && this.balancing && this.newidleBalance(cpu)) next = this.pickNext(cpu);
    if (next === prev) {
      this.runTask(cpu, prev);
      return;
    }
    prev.bhCount = cpu.bhCount;
    cpu.bhCount = next.bhCount;
    cpu.ctxt++;
    if (prev !== cpu.idleTask) {
      if (prev.state === TASK_RUNNING) {
        prev.onRq = true;
        cpu.rq.push(prev);
      }
      if (preempt) prev.nivcsw++;
      else prev.nvcsw++;
    }
    if (next !== cpu.idleTask) {
      removeFrom(cpu.rq, next);
      next.onRq = false;
      next.pickedDeadline = next.deadline;
      if (next.vruntime > cpu.minVruntime && cpu.rq.length === 0) cpu.minVruntime = next.vruntime;
    }
    const prevState = prev.state === TASK_RUNNING ? (prev === cpu.idleTask ? "R" : "R+") : "S";
    cpu.curr = next;
    cpu.frames[0] = next;
    // __schedule() takes this CPU's rq lock: a remote try_to_wake_up that still holds it (while its
    // reschedule IPI leaves, a VM exit in a guest) makes the switch wait
    const lockWait = Math.max(0, cpu.rqLockFreeAt - (this.m.sim.now + cpu.debtNs));
    // A task going to sleep runs __schedule() up to the sched_switch record with interrupts off:
    // first still on its run queue (a waker takes ttwu_runnable() and waits for the rq lock), then,
    // from try_to_block_task(), dequeued but on_cpu (a waker queues it on this CPU's wakelist).
    // (A table without that path, like the reference one, records at once as before.)
    const sleeping = !preempt && prevState === "S";
    const queued = sleeping ? this.m.charge.schedule_queued.draw() : 0;
    const toRecord = sleeping ? lockWait + queued + this.m.charge.schedule_dequeued.draw() : 0;
    if (toRecord > lockWait) {
      const start = this.m.sim.now + cpu.debtNs;
      prev.blockQueuedUntil = start + lockWait + queued;
      cpu.switching = true;
      cpu.switchStage = SWITCH_TO_RECORD;
      cpu.switchPrev = prev;
      cpu.switchPrevState = prevState;
      cpu.switchTailNs = this.m.charge.context_switch.draw();
      cpu.switchEndAt = start + toRecord + cpu.switchTailNs;
      if (next === cpu.idleTask) predrawIdle(cpu, cpu.switchEndAt);
      cpu.exec(toRecord, "__schedule", false, CTX_TASK);
      return;
    }
    this.recordSwitch(cpu, prev, prevState, next);
    if (next === cpu.idleTask || cpu.pendingIrqType.length > 0) {
      // a segment of its own, with interrupts off until it ends
      cpu.switching = true;
      cpu.exec(this.m.charge.context_switch.draw() + lockWait, "__schedule", false, CTX_TASK);
      return;
    }
    // switching to a task: the switch cost rides at the front of the task's first segment
    // (an event saved per switch; an interrupt arriving in it is taken at once, not after it)
    cpu.owe(this.m.charge.context_switch.draw() + lockWait, "__schedule");
    this.runTask(cpu, next);
  }

  private recordSwitch(cpu: Cpu, prev: Task, prevState: string, next: Task): void {
    const rec = this.m.rec;
    if (rec === null) return;
    rec.record(cpu, "sched:sched_switch", {
      prev_comm: prev.comm, prev_pid: prev.pid, prev_prio: prioOf(prev), prev_state: prevState,
      next_comm: next.comm, next_pid: next.pid, next_prio: prioOf(next),
    }, prev);
  }

  /** End of a context switch's segment: the record and the tail of a sleeping task's switch, or interrupts on again. */
  finishSwitch(cpu: Cpu): void {
    if (cpu.switchStage === SWITCH_TO_RECORD) {
      const prev = cpu.switchPrev!;
      const next = cpu.curr;
      this.recordSwitch(cpu, prev, cpu.switchPrevState, next);
      prev.blockQueuedUntil = -1;
      if (next === cpu.idleTask || cpu.pendingIrqType.length > 0) {
        cpu.switchStage = SWITCH_TAIL;
        cpu.exec(cpu.switchTailNs, "__schedule", false, CTX_TASK);
        return;
      }
      cpu.owe(cpu.switchTailNs, "__schedule");
      this.endSwitch(cpu);
      this.runTask(cpu, next);
      this.wakeDeferred(cpu);
      return;
    }
    this.endSwitch(cpu);
    if (!deliverPendingIrq(cpu)) this.runTask(cpu, cpu.curr);
    this.wakeDeferred(cpu);
  }

  /** finish_task_switch(): interrupts on, the rq lock free (a deferred wakeup may go on: wakeDeferred). */
  private endSwitch(cpu: Cpu): void {
    cpu.switching = false;
    cpu.switchStage = SWITCH_NONE;
    cpu.switchPrev = null;
  }

  /** A waker that waited for the rq lock (ttwu_runnable) finds the task dequeued and wakes it as a sleeper. */
  private wakeDeferred(cpu: Cpu): void {
    const t = cpu.deferredWake;
    if (t === null) return;
    const waker = cpu.deferredWaker!;
    cpu.deferredWake = null;
    cpu.deferredWaker = null;
    this.ttwuQueue(waker, t, this.m.sim.now);
  }

  /** The current task goes to sleep (TASK_INTERRUPTIBLE + schedule()): a voluntary switch. */
  block(cpu: Cpu): void {
    const t = cpu.curr;
    this.saveLag(cpu, t);
    t.state = TASK_SLEEPING;
    this.schedule(cpu, false);
  }

  /** A preemption point (syscall exit, cond_resched): switches if a reschedule is pending. */
  preemptPoint(cpu: Cpu): boolean {
    if (!cpu.needResched) return false;
    this.schedule(cpu, true);
    return true;
  }

  // ---------------------------------------------------------------- wakeups

  /** select_task_rq(): pinned tasks stay; others go to their previous CPU if idle, else any idle CPU. */
  private selectCpu(waker: Cpu, t: Task): number {
    const cpus = this.m.cpus;
    if (t.allowed !== null) return this.selectAllowed(waker, t);
    if (t.pinned >= 0) {
      if (cpus[t.pinned]!.online) return t.pinned;
      t.pinned = -1; // select_fallback_rq(): the affinity is broken
    }
    const prev = cpus[t.cpu]!;
    if (prev.online && this.rqIdle(prev)) return prev.id;
    if (this.rqIdle(waker) && waker.online) return waker.id;
    for (const c of cpus) if (c.online && this.rqIdle(c)) return c.id;
    return prev.online ? prev.id : waker.id;
  }

  /**
   * select_task_rq_fair() for a task with a cpus_mask: the previous CPU if idle (select_idle_sibling),
   * else the waker's if idle (wake_affine), else the first idle CPU of the mask (select_idle_cpu),
   * else the previous CPU, all within the mask and online; if no CPU of the mask is online,
   * select_fallback_rq() breaks the affinity (every CPU allowed again).
   */
  private selectAllowed(waker: Cpu, t: Task): number {
    const cpus = this.m.cpus;
    const mask = t.allowed!;
    const ok = (c: Cpu) => c.online && mask.includes(c.id);
    const prev = cpus[t.cpu]!;
    if (ok(prev) && this.rqIdle(prev)) return prev.id;
    if (ok(waker) && this.rqIdle(waker)) return waker.id;
    for (const c of cpus) if (ok(c) && this.rqIdle(c)) return c.id;
    if (ok(prev)) return prev.id;
    for (const c of cpus) if (ok(c)) return c.id;
    t.allowed = cpus.map((c) => c.id);
    return prev.online ? prev.id : waker.id;
  }

  // ---------------------------------------------------------------- load balancing (balanced tasks only)

  /** A waiting task of `src` that may move to `dst`: balanced, allowed there, holding no per-CPU state. */
  private pullable(src: Cpu, dst: Cpu): Task | null {
    for (const t of src.rq) {
      if (!t.balanced || t.allowed === null || !t.allowed.includes(dst.id)) continue;
      // migrate_disable() holders (the PREEMPT_RT BH lock, a stashed softirq) and boosted tasks stay
      if (t.bhCount > 0 || t.savedSoftirqRem >= 0 || t.boost > 0 || src.bhOwner === t) continue;
      return t;
    }
    return null;
  }

  /** detach_task() + attach_task(): move a waiting task from `src`'s run queue to `dst`'s. */
  private migrate(src: Cpu, dst: Cpu, t: Task, payer: Cpu): void {
    this.saveLag(src, t);
    removeFrom(src.rq, t);
    t.cpu = dst.id;
    t.nrMigrations++;
    this.activate(dst, t);
    // the balancing CPU pays for the move (dequeue + enqueue, priced like a wakeup's enqueue_task)
    payer.owe(this.m.charge.try_to_wake_up.draw(), "load_balance");
  }

  /**
   * newidle_balance() (sched_balance_newidle since v6.10): a CPU about to run its idle task pulls a
   * balanced task that waits on another CPU's run queue behind the task running there.
   */
  private newidleBalance(cpu: Cpu): boolean {
    if (!cpu.online) return false;
    for (const src of this.m.cpus) {
      if (src === cpu || !src.online) continue;
      const t = this.pullable(src, cpu);
      if (t !== null) {
        this.migrate(src, cpu, t, cpu);
        this.newidlePulls++;
        return true;
      }
    }
    return false;
  }

  /**
   * From the tick of a busy CPU: nohz_balancer_kick() -> nohz_idle_balance() on an idle CPU that a
   * waiting balanced task may use (the task moves and the idle CPU is kicked by a reschedule IPI);
   * else load_balance() for this CPU: pull from the busiest CPU when it runs at least two tasks more.
   */
  private periodicBalance(cpu: Cpu): void {
    const cpus = this.m.cpus;
    if (cpu.rq.length > 0) {
      for (const dst of cpus) {
        if (dst === cpu || !dst.online || !dst.isIdle() || dst.rq.length > 0 || dst.csdQueue.length > 0) continue;
        const t = this.pullable(cpu, dst);
        if (t === null) continue;
        this.migrate(cpu, dst, t, cpu);
        this.nohzPulls++;
        this.reschedCurr(cpu, dst);
        return;
      }
    }
    const nr = (c: Cpu) => c.rq.length + (c.curr === c.idleTask ? 0 : 1);
    let busiest: Cpu | null = null;
    for (const c of cpus) if (c !== cpu && c.online && (busiest === null || nr(c) > nr(busiest))) busiest = c;
    if (busiest === null || nr(busiest) - nr(cpu) < 2) return;
    const t = this.pullable(busiest, cpu);
    if (t === null) return;
    this.migrate(busiest, cpu, t, cpu);
    this.periodicPulls++;
    if (this.wakeupPreempt(cpu, t)) cpu.needResched = true;
  }

  private rqIdle(cpu: Cpu): boolean {
    return cpu.curr === cpu.idleTask && cpu.rq.length === 0;
  }

  /**
   * try_to_wake_up() run on `waker`: a sleeping task becomes runnable. Local: enqueue and check
   * preemption. Remote idle CPU: queue on its wakelist (a CAL IPI, or none if it polls). Remote busy
   * CPU: enqueue there and, if the wakee should preempt, send a reschedule (RES) IPI.
   * Returns false if the task was not sleeping.
   */
  tryToWakeUp(waker: Cpu, t: Task): boolean {
    if (t.state === TASK_RUNNING || t.parked) return false;
    const m = this.m;
    t.state = TASK_RUNNING;
    t.wakeups++;
    // the waker runs try_to_wake_up once it has done the work it still owes
    const at = m.sim.now + waker.debtNs;
    const home = m.cpus[t.cpu]!;
    if (home.switchPrev === t && at < t.blockQueuedUntil) {
      // ttwu_runnable(): the task is still on its run queue, and __schedule() holds the rq lock until
      // the switch away is over; the waker spins for it, then finds the task gone and wakes it then
      waker.owe(m.charge.try_to_wake_up.draw() + Math.max(0, home.switchEndAt - at), "try_to_wake_up");
      home.deferredWake = t;
      home.deferredWaker = waker;
      return true;
    }
    waker.owe(m.charge.try_to_wake_up.draw(), "try_to_wake_up");
    this.ttwuQueue(waker, t, at);
    return true;
  }

  /**
   * The second half of try_to_wake_up(), begun by the waker at `at`: select_task_rq() and the
   * enqueue, or the remote wakelist, whose decision (IPI or a polling target) falls
   * `ttwu_queue_wakelist` ns into try_to_wake_up. A task still on_cpu (its CPU finishing the switch
   * away from it) goes on that CPU's wakelist (ttwu_queue_wakelist with WF_ON_CPU).
   */
  private ttwuQueue(waker: Cpu, t: Task, at: number): void {
    const m = this.m;
    const home = m.cpus[t.cpu]!;
    const target = home.switchPrev === t && this.rqIdle(home) ? home.id : this.selectCpu(waker, t);
    if (target !== t.cpu) t.nrMigrations++;
    t.cpu = target;
    if (m.rec !== null) {
      m.rec.record(waker, "sched:sched_wakeup", { comm: t.comm, pid: t.pid, prio: prioOf(t), target_cpu: target });
    }
    const tc = m.cpus[target]!;
    if (tc === waker) {
      this.activate(tc, t);
      if (this.wakeupPreempt(tc, t)) tc.needResched = true;
    } else if (this.rqIdle(tc)) {
      // ttwu_queue_wakelist(): the target activates the task itself, from its IPI (or idle poll).
      smp_call_function_single_async(m, waker, tc, t.id, at + m.charge.ttwu_queue_wakelist.draw());
    } else {
      // ttwu_queue(): rq_lock(target), ttwu_do_activate() (wakeup_preempt -> resched_curr, whose IPI
      // is sent with the lock held), rq_unlock: the target's rq lock is free once the waker is done
      this.activate(tc, t);
      if (this.wakeupPreempt(tc, t)) this.reschedCurr(waker, tc);
      tc.rqLockFreeAt = Math.max(tc.rqLockFreeAt, m.sim.now + waker.debtNs);
    }
  }

  /** CPU hotplug: a runnable task moved from a dying CPU joins `cpu`'s run queue. */
  enqueueMigrated(cpu: Cpu, t: Task): void {
    this.activate(cpu, t);
    if (this.wakeupPreempt(cpu, t)) this.reschedCurr(cpu, cpu);
    if (cpu.isIdle()) this.m.sim.at(this.m.sim.now, this.m.EV_POLL, cpu.id);
  }

  /** sched_ttwu_pending(): a task queued on this CPU's wakelist becomes runnable here. */
  ttwuPending(cpu: Cpu, t: Task): void {
    this.activate(cpu, t);
    if (this.wakeupPreempt(cpu, t)) cpu.needResched = true;
  }

  private activate(cpu: Cpu, t: Task): void {
    this.placeEntity(cpu, t);
    t.onRq = true;
    cpu.rq.push(t);
  }

  /** wakeup_preempt(): should the woken task take the CPU from curr? */
  private wakeupPreempt(cpu: Cpu, t: Task): boolean {
    const c = cpu.curr;
    if (c === cpu.idleTask) return true;
    const pt = effRtPrio(t);
    const pc = effRtPrio(c);
    if (pt > 0) return pt > pc;
    if (pc > 0) return false;
    this.updateDeadline(cpu);
    return this.pickEevdf(cpu) === t;
  }

  /** resched_curr() from another CPU: set need_resched and kick it (RES IPI unless it polls). */
  private reschedCurr(from: Cpu, cpu: Cpu): void {
    if (cpu.needResched) return;
    cpu.needResched = true;
    smp_send_reschedule(this.m, from, cpu);
  }

  /** update_deadline(): a task that used its slice gets a new deadline and, if others wait, a reschedule. */
  private updateDeadline(cpu: Cpu): void {
    const c = cpu.curr;
    if (c === cpu.idleTask || c.policy !== "SCHED_OTHER") return;
    if (c.vruntime < c.deadline) return;
    c.deadline = c.vruntime + this.slice;
    if (cpu.rq.length > 0) cpu.needResched = true;
  }

  /**
   * PREEMPT_RT: the current task must wait for this CPU's BH lock (an rt_mutex). The owner inherits
   * the waiter's priority if it is higher, and the waiter sleeps until the lock is released.
   */
  blockOnBh(cpu: Cpu): void {
    const t = cpu.curr;
    const owner = cpu.bhOwner!;
    cpu.bhWaiters.push(t);
    const p = effRtPrio(t);
    if (p > effRtPrio(owner)) {
      owner.boost = p;
      if (owner.onRq && owner.cpu === cpu.id) cpu.needResched = true;
    }
    this.block(cpu);
  }

  /** PREEMPT_RT: the BH lock is released: the owner drops any inherited priority, the waiters wake. */
  bhUnlock(cpu: Cpu): void {
    const owner = cpu.bhOwner;
    cpu.bhOwner = null;
    if (owner !== null && owner.boost > 0) {
      owner.boost = 0;
      if (cpu.rq.length > 0) cpu.needResched = true;
    }
    while (cpu.bhWaiters.length > 0) this.tryToWakeUp(cpu, cpu.bhWaiters.shift()!);
  }

  /** scheduler_tick() from the timer interrupt. */
  tick(cpu: Cpu): void {
    this.updateDeadline(cpu);
    if (this.balancing) this.periodicBalance(cpu);
  }
}

/** Removes `t` from a run queue keeping the others' order (no allocation, unlike splice). */
function removeFrom(rq: Task[], t: Task): void {
  const i = rq.indexOf(t);
  for (let j = i; j < rq.length - 1; j++) rq[j] = rq[j + 1]!;
  rq.pop(); // (not length--: a length set is a builtin call, pop is inlined)
}

/** Effective real-time priority: rt_priority of a SCHED_FIFO task or an inherited one; 0 for fair tasks. */
export function effRtPrio(t: Task): number {
  const own = t.policy === "SCHED_FIFO" ? t.rtPrio : 0;
  return t.boost > own ? t.boost : own;
}

/** The prio field printed by sched tracepoints: 120 for nice 0, 99 - rt_priority for real-time tasks. */
export function prioOf(t: Task): number {
  const p = effRtPrio(t);
  return p > 0 ? 99 - p : 120;
}

