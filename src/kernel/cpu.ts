/**
 * A CPU and its execution contexts. Slot 0 of the frame stack is the current task; above it may sit
 * a softirq frame (`__do_softirq`) and a hardirq frame (an interrupt handler), never more: Linux does
 * not nest hardirqs and softirqs do not nest either. Work is a sequence of *segments* (a duration and
 * the kernel function it models); an interrupt cuts the running segment, saves what is left, and the
 * frame below resumes it when the interrupt (and any softirq run at its exit) is over.
 *
 * Also here: per-CPU busy-time accounting by context, and the idle states (halt / polling).
 */
import type { Simulator } from "../engine/sim";
import type { Recorder } from "../observe/recorder";
import type { Machine } from "./machine";
// Only type imports here: cpu.ts sits under everything else, and a value import would close an
// import cycle (tslab's module loader recurses on such cycles).
import type { Frame, Task } from "./task";


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

export const FR_TASK = 0;
export const FR_SOFTIRQ = 1;
export const FR_HARDIRQ = 2;

/** Interrupt kinds a CPU can take (the hardirq frame dispatches on these). */
export const IRQ_CAL = 0; // call-function-single IPI: flushes the CPU's csd queue
export const IRQ_RES = 1; // reschedule IPI
export const IRQ_TICK = 2; // local timer tick
export const IRQ_HRTIMER = 3; // a task's hrtimer expired (arg: task id)
export const IRQ_DEVICE = 4; // a non-NAPI device interrupt (arg: device index)

export class Cpu {
  readonly id: number;
  readonly m: Machine;
  online = true;
  // What every segment start and end reads, kept here rather than reached through `m`
  private readonly sim: Simulator;
  private readonly rec: Recorder | null;
  private readonly evSegEnd: number;
  private readonly irqTimeAccounting: boolean;

  // --- the frame stack ---
  readonly frames: Frame[] = [];
  readonly fkind = new Int8Array(3);
  sp = 0;
  /** Remaining ns of the segment cut at each slot (-1: the frame stopped at a step boundary). */
  readonly remNs = new Float64Array(3);
  readonly remFn: string[] = ["", "", ""];
  /** 1 if the cut segment was in user mode at the cut (decides preemption at irq exit). */
  readonly remUser = new Uint8Array(3);
  /** The cut segment's user-mode window, relative to the cut (ns; <= 0 means already past). */
  readonly remUFrom = new Float64Array(3);
  readonly remUTo = new Float64Array(3);

  // --- the running segment ---
  segActive = false;
  segStart = 0;
  segEnd = 0;
  segFn = "";
  /** The running segment is in user mode from segUFrom to segUTo (absolute ns); empty window: kernel only. */
  segUFrom = 0;
  segUTo = 0;
  segCtx = CTX_IDLE;
  segTask: Task;
  /** Generation of the running segment: a cut segment's end event finds a newer generation and is ignored. */
  gen = 0;
  /**
   * CPU time owed by work done at a step boundary (a wakeup, an IPI send, the entry of
   * __do_softirq / net_rx_action / process_backlog), added to the front of the next segment.
   * When tracing, each owed piece keeps its function name so the timeline still shows it.
   */
  debtNs = 0;
  private readonly debtPartNs: number[] = [];
  private readonly debtPartFn: string[] = [];
  /** The owed pieces at the front of the running segment: their function names and end times. */
  private readonly segPartEnd: number[] = [];
  private readonly segPartFn: string[] = [];

  // --- scheduler state (kernel/sched) ---
  curr: Task;
  readonly idleTask: Task;
  /** Runnable tasks other than curr. */
  readonly rq: Task[] = [];
  needResched = false;
  /**
   * When another CPU's try_to_wake_up releases this CPU's rq lock (ns): a remote wakeup activates the
   * task and sends the reschedule IPI with the target's rq lock held (ttwu_queue -> ttwu_do_activate
   * -> wakeup_preempt -> resched_curr), so a __schedule here waits for it (raw_spin_rq_lock).
   */
  rqLockFreeAt = 0;
  /** A context switch is in progress (interrupts are off until it ends). */
  switching = false;
  /**
   * A task going to sleep: `switchPrev` is on its way out (its __schedule runs up to the sched_switch
   * record, SWITCH_TO_RECORD, then the switch's tail, SWITCH_TAIL); `switchEndAt` is when the switch
   * will be over (finish_task_switch releases the rq lock); a waker that found the task still queued
   * (ttwu_runnable) left it in `deferredWake`, to be woken from `deferredWaker` then.
   */
  switchStage = SWITCH_NONE;
  switchPrev: Task | null = null;
  switchPrevState = "S";
  switchTailNs = 0;
  switchEndAt = 0;
  deferredWake: Task | null = null;
  deferredWaker: Cpu | null = null;
  minVruntime = 0;
  /** local_bh_disable() depth of the current task's context (saved on the task across switches). */
  bhCount = 0;
  /** PREEMPT_RT: the task holding this CPU's BH lock (softirq_ctrl.lock), and the tasks waiting for it. */
  bhOwner: Task | null = null;
  readonly bhWaiters: Task[] = [];

  /** CPU hotplug: an offline request waits for the CPU to return to task level. */
  stopPending = false;

  // --- idle ---
  idleSince = 0;
  /** End of do_idle()'s polling prologue for the current idle period (see goIdle). */
  idlePollUntil = 0;
  /** A switch to the idle task drew its polling window ahead, for an idle period starting at this time. */
  private idlePredrawnFor = -1;
  /** Tracing: an idle period (no segment, the idle task halted or polling) is open since idleSince. */
  private idleOpen = false;

  // --- softirqs ---
  softirqPending = 0;

  // --- interrupts ---
  /** Interrupts that arrived while interrupts were off, delivered in order afterwards. */
  readonly pendingIrqType: number[] = [];
  readonly pendingIrqArg: number[] = [];
  /** call_single_queue: callbacks waiting for a CAL IPI (-1: rps_trigger_softirq; >= 0: wake task id). */
  readonly csdQueue: number[] = [];
  /** A CAL IPI was sent for the callbacks on csdQueue and has not been handled yet. */
  csdIpiInFlight = false;

  // --- counters ---
  readonly busy = new Float64Array(6);
  netRxSoftirqs = 0;
  ipiCal = 0;
  ipiRes = 0;
  timerIrqs = 0;
  ksoftirqdWakeups = 0;
  backlogThreadWakeups = 0;
  /** Context switches on this CPU, to and from the idle task included (what /proc/stat ctxt counts). */
  ctxt = 0;
  /** __do_softirq invocations by where they ran (index: SOFTIRQ_WHERE in softirq.ts). */
  readonly softirqRuns = new Float64Array(6);

  constructor(m: Machine, id: number, idleTask: Task) {
    this.m = m;
    this.id = id;
    this.sim = m.sim;
    this.rec = m.rec;
    this.evSegEnd = m.EV_SEG_END;
    this.irqTimeAccounting = m.cfg.irq_time_accounting;
    this.idleTask = idleTask;
    this.curr = idleTask;
    this.segTask = idleTask;
    this.frames.push(idleTask);
    this.fkind[0] = FR_TASK;
    this.sp = 1;
    this.remNs.fill(-1);
  }

  /** Starts a segment of `ns` for the frame on top; its `done()` runs when the time has passed. */
  exec(ns: number, fn: string, user = false, ctx = -1): void {
    const d0 = this.debtNs;
    const start = this.sim.now;
    if (user) this.startSeg(ns, fn, ctx, start + d0, start + d0 + ns);
    else this.startSeg(ns, fn, ctx, 0, 0);
  }

  /**
   * Starts a segment made of kernel work and user-space work: the user part comes first (the user
   * loop before a sendto) or last (the user loop after a recvfrom returns). Fusing them saves an
   * event per packet; an interrupt still sees the right mode at the time it arrives.
   */
  execSplit(kernelNs: number, fn: string, userNs: number, userFirst: boolean): void {
    const start = this.sim.now + this.debtNs;
    if (userFirst) this.startSeg(kernelNs + userNs, fn, -1, start, start + userNs);
    else this.startSeg(kernelNs + userNs, fn, -1, start + kernelNs, start + kernelNs + userNs);
  }

  /** Continues a cut segment: `rem` ns left, its user window given relative to now. */
  private resumeSeg(rem: number, fn: string, uFrom: number, uTo: number): void {
    const now = this.sim.now + this.debtNs;
    if (uTo > 0) this.startSeg(rem, fn, -1, now + (uFrom > 0 ? uFrom : 0), now + uTo);
    else this.startSeg(rem, fn, -1, 0, 0);
  }

  /** Resumes a task's own cut segment (it was preempted mid-segment). */
  resumeTaskSeg(t: Task): void {
    const r = t.rem;
    t.rem = -1;
    this.resumeSeg(r, t.remFn, t.remUFrom, t.remUTo);
  }

  private startSeg(ns: number, fn: string, ctx: number, uFrom: number, uTo: number): void {
    const sim = this.sim;
    const now = sim.now;
    if (this.idleOpen) this.closeIdleSpan(now);
    let d = ns;
    if (this.debtNs > 0) {
      d += this.debtNs;
      this.debtNs = 0;
      if (this.rec !== null) {
        this.segPartEnd.length = 0;
        this.segPartFn.length = 0;
        let t = now;
        for (let i = 0; i < this.debtPartNs.length; i++) {
          t += this.debtPartNs[i]!;
          this.segPartEnd.push(t);
          this.segPartFn.push(this.debtPartFn[i]!);
        }
        this.debtPartNs.length = 0;
        this.debtPartFn.length = 0;
      }
    } else if (this.segPartEnd.length > 0) {
      this.segPartEnd.length = 0;
      this.segPartFn.length = 0;
    }
    const end = now + d;
    this.segActive = true;
    this.segStart = now;
    this.segEnd = end;
    this.segFn = fn;
    this.segUFrom = uFrom;
    this.segUTo = uTo;
    this.segCtx = ctx >= 0 ? ctx : this.ctxOfTop();
    this.segTask = this.curr;
    sim.at(end, this.evSegEnd, this.id, ++this.gen);
  }

  /** Adds CPU time for an effect already applied (e.g. the try_to_wake_up of a reader) to the next segment. */
  owe(ns: number, fn: string): void {
    if (ns <= 0) return;
    this.debtNs += ns;
    if (this.rec !== null) {
      this.debtPartNs.push(ns);
      this.debtPartFn.push(fn);
    }
  }

  /** The accounting context of work done by the frame on top. */
  ctxOfTop(): number {
    const k = this.fkind[this.sp - 1];
    if (k === FR_HARDIRQ) return CTX_HARDIRQ;
    // the task's numbers (task.ts taskCtx, softirqCtx): softirq work in ksoftirqd or a backlog
    // thread counts as that thread's, elsewhere as softirq
    return k === FR_SOFTIRQ ? this.curr.softirqCtx : this.curr.taskCtx;
  }

  /** Charges the running segment's elapsed time up to now. */
  private account(now: number): void {
    const dt = now - this.segStart;
    if (dt <= 0) return;
    const ctx = this.segCtx;
    this.busy[ctx]! += dt;
    const t = this.segTask;
    if (ctx === CTX_SOFTIRQ || ctx === CTX_HARDIRQ) {
      if (ctx === CTX_SOFTIRQ) t.softirqNs += dt;
      // without IRQ time accounting the interrupted task pays for the interrupt in its vruntime
      if (!this.irqTimeAccounting) t.vruntime += dt;
    } else if (ctx !== CTX_IDLE) {
      t.cpuNs += dt;
      t.vruntime += dt;
    }
    const rec = this.rec;
    if (rec !== null) {
      let from = this.segStart;
      const ends = this.segPartEnd;
      for (let i = 0; i < ends.length && from < now; i++) {
        const e = ends[i]! < now ? ends[i]! : now;
        if (e > from) {
          rec.span(this.id, from, e, ctx, t, this.segPartFn[i]!);
          from = e;
        }
      }
      if (now > from) this.spanMain(from, now, ctx, t);
    }
    this.segStart = now;
  }

  /** Charges the running segment up to `now` (end of a run) without ending it. */
  closeAccounting(now: number): void {
    if (this.segActive) this.account(now);
    if (this.idleOpen) this.closeIdleSpan(now);
  }

  /** Tracing: the idle period that ends now becomes an idle span (halted, or polling in idle). */
  private closeIdleSpan(now: number): void {
    this.idleOpen = false;
    if (now > this.idleSince && this.m.rec !== null) {
      const polled = this.m.cfg.idle === "poll" ? "poll_idle" : this.m.cfg.idle === "haltpoll" ? "haltpoll / default_idle" : "default_idle (hlt)";
      this.m.rec.span(this.id, this.idleSince, now, CTX_IDLE, this.idleTask, polled);
    }
  }

  /** Records [from, to) of the running segment, labelling its user-mode window "user". */
  private spanMain(from: number, to: number, ctx: number, t: Task): void {
    const rec = this.m.rec!;
    const uf = this.segUFrom > from ? this.segUFrom : from;
    const ut = this.segUTo < to ? this.segUTo : to;
    if (ut <= uf) {
      rec.span(this.id, from, to, ctx, t, this.segFn);
      return;
    }
    if (uf > from) rec.span(this.id, from, uf, ctx, t, this.segFn);
    rec.span(this.id, uf, ut, ctx, t, "user");
    if (to > ut) rec.span(this.id, ut, to, ctx, t, this.segFn);
  }

  /** EV_SEG_END handler. */
  onSegEnd(gen: number): void {
    if (gen !== this.gen || !this.segActive) return; // the segment was cut by an interrupt
    this.account(this.sim.now);
    this.segActive = false;
    if (this.sp === 1 && this.switching) {
      this.m.sched.finishSwitch(this);
      return;
    }
    this.frames[this.sp - 1]!.done(this);
  }

  /**
   * Cuts the running segment (if any) and remembers the rest at the current top slot. With no
   * segment running the slot keeps what it holds: a segment cut earlier (an interrupt taken at irq
   * exit, on top of the one that cut it) or -1 (the frame pushed the new one at a step boundary).
   */
  private saveTop(): void {
    if (!this.segActive) return;
    const slot = this.sp - 1;
    const now = this.sim.now;
    this.account(now);
    this.remNs[slot] = this.segEnd - now;
    this.remFn[slot] = this.segFn;
    this.remUser[slot] = now >= this.segUFrom && now < this.segUTo ? 1 : 0;
    this.remUFrom[slot] = this.segUFrom - now;
    this.remUTo[slot] = this.segUTo - now;
    this.segActive = false;
    this.gen++;
  }

  /** Pushes a softirq or hardirq frame on top (cutting the running segment, if any) and runs it. */
  push(frame: Frame, kind: number): void {
    this.saveTop();
    this.frames[this.sp] = frame;
    this.fkind[this.sp] = kind;
    this.sp++;
  }

  /**
   * CPU hotplug: the stopper preempts the current task at task level. Its cut segment is saved on
   * the task, and the CPU is left idle with nothing running.
   */
  preemptForStop(): void {
    const t = this.curr;
    this.cutTaskSegment();
    t.bhCount = this.bhCount;
    this.bhCount = 0;
    this.curr = this.idleTask;
    this.frames[0] = this.idleTask;
    this.debtNs = 0;
  }

  /** Cuts the current task's running segment (if any) and keeps what is left on the task. */
  cutTaskSegment(): void {
    const t = this.curr;
    this.saveTop();
    if (this.remNs[0]! >= 0 && t !== this.idleTask) {
      t.rem = this.remNs[0]!;
      t.remFn = this.remFn[0]!;
      t.remUFrom = this.remUFrom[0]!;
      t.remUTo = this.remUTo[0]!;
    }
    this.remNs[0] = -1;
  }

  /** Takes a frame off the top and remembers its cut segment on `t` (PREEMPT_RT: a preempted softirq). */
  stashSoftirq(t: Task): void {
    const slot = this.sp - 1;
    t.savedSoftirqRem = this.remNs[slot]!;
    t.savedSoftirqFn = this.remFn[slot]!;
    t.savedSoftirqUFrom = this.remUFrom[slot]!;
    t.savedSoftirqUTo = this.remUTo[slot]!;
    this.remNs[slot] = -1;
    this.sp--;
  }

  /** Puts a stashed softirq frame back on top of `t` and resumes its segment. */
  unstashSoftirq(t: Task, frame: Frame): void {
    this.frames[this.sp] = frame;
    this.fkind[this.sp] = FR_SOFTIRQ;
    this.sp++;
    const rem = t.savedSoftirqRem;
    t.savedSoftirqRem = -1;
    this.resumeSeg(rem, t.savedSoftirqFn, t.savedSoftirqUFrom, t.savedSoftirqUTo);
  }

  /** Pops the top frame; the caller decides what runs next (see resumeTop). */
  pop(): void {
    this.sp--;
  }

  /** Continues the frame now on top: its cut segment if it had one, else its next step. */
  resumeTop(): void {
    const slot = this.sp - 1;
    if (slot === 0 && this.stopPending && !this.switching && this.m.stopCpu(this)) return;
    const rem = this.remNs[slot]!;
    if (rem >= 0) {
      this.remNs[slot] = -1;
      this.resumeSeg(rem, this.remFn[slot]!, this.remUFrom[slot]!, this.remUTo[slot]!);
      return;
    }
    if (slot === 0) this.m.sched.runTask(this, this.curr);
    else this.frames[slot]!.run(this);
  }

  /** True when interrupts are off: inside a hardirq handler or a context switch. */
  irqsDisabled(): boolean {
    return this.switching || this.fkind[this.sp - 1] === FR_HARDIRQ;
  }

  /** in_interrupt(): hardirq, softirq, or BH disabled in task context. */
  inInterrupt(): boolean {
    return this.sp > 1 || this.bhCount > 0;
  }

  /** In softirq context (serving softirqs) or hardirq above one. */
  inServingSoftirq(): boolean {
    for (let i = 1; i < this.sp; i++) if (this.fkind[i] === FR_SOFTIRQ) return true;
    return false;
  }

  /** Idle with nothing running: the idle task at a step boundary. */
  isIdle(): boolean {
    return this.curr === this.idleTask && this.sp === 1 && !this.segActive && !this.switching;
  }

  /**
   * Idle and polling (TIF_POLLING_NRFLAG) at time `at` (now, or when a sender reaches its check, a
   * little later): a wakeup or IPI then needs no interrupt. A CPU still switching to its idle task
   * polls from the end of the switch, for the window that switch drew ahead.
   */
  isPolling(at: number): boolean {
    let since: number;
    if (this.isIdle()) since = this.idleSince;
    else if (this.switching && this.curr === this.idleTask && this.sp === 1 && this.idlePredrawnFor >= 0 && at >= this.idlePredrawnFor) since = this.idlePredrawnFor;
    else return false;
    const mode = this.m.cfg.idle;
    if (mode === "poll") return true;
    // do_idle()'s prologue polls before the cpuidle state halts (idle_entry_poll); haltpoll keeps polling longer
    if (at < this.idlePollUntil) return true;
    if (mode === "haltpoll") return at - since < this.m.cfg.haltpoll_ns;
    return false;
  }

  /** A switch to the idle task that will end at `endAt` draws the idle period's polling window now. */
  predrawIdle(endAt: number): void {
    this.idlePredrawnFor = endAt;
    this.idlePollUntil = this.m.cfg.idle === "poll" ? 0 : endAt + this.m.charge.idle_entry_poll.draw();
  }

  /** An interrupt arrives (EV_IRQ handler). */
  irqArrive(type: number, arg: number): void {
    if (!this.online) {
      // an interrupt in flight to a CPU that went offline: device interrupts follow their new
      // affinity, timers follow their task; IPIs to a dead CPU are moot
      if (type === IRQ_DEVICE) this.m.devices[arg]!.raiseNow();
      else if (type === IRQ_HRTIMER) {
        const t = this.m.tasks[arg]!;
        // A parked per-CPU thread (backlog_napi/N's delayed wake) stays on the dead CPU: its hrtimer
        // was migrated by hrtimers_cpu_dying() to a live CPU, fires there, and the wakeup of the
        // parked thread is ignored. Re-raising it on the thread's CPU would loop at this instant.
        if (t.cpu === this.id) this.m.cpus.find((c) => c.online)!.irqArrive(IRQ_HRTIMER, arg);
        else this.m.sim.at(this.m.sim.now, this.m.EV_TIMER, arg);
      }
      return;
    }
    if (this.irqsDisabled()) {
      this.pendingIrqType.push(type);
      this.pendingIrqArg.push(arg);
      return;
    }
    let wake = 0;
    if (this.isIdle() && !this.isPolling(this.m.sim.now)) wake = this.m.charge.idle_exit_halt.draw();
    this.push(this.m.irq[this.id]!, FR_HARDIRQ);
    this.m.irq[this.id]!.enter(this, type, arg, wake);
  }

  /** Delivers the first interrupt that waited for interrupts to be enabled; false if none. */
  deliverPendingIrq(): boolean {
    if (this.pendingIrqType.length === 0) return false;
    const type = this.pendingIrqType.shift()!;
    const arg = this.pendingIrqArg.shift()!;
    this.irqArrive(type, arg);
    return true;
  }

  /** The idle loop has nothing to do: halt (or poll) until an interrupt or a polled wakeup. */
  goIdle(): void {
    const now = this.m.sim.now;
    this.idleSince = now;
    // do_idle(): TIF_POLLING_NRFLAG is set through the prologue (tick_nohz_idle_enter, the governor,
    // maybe stopping the tick) until the cpuidle state's HLT; a wakeup meanwhile needs no IPI. The
    // switch that brought the idle task in may have drawn the window already (see predrawIdle).
    if (this.idlePredrawnFor !== now) this.idlePollUntil = this.m.cfg.idle === "poll" ? 0 : now + this.m.charge.idle_entry_poll.draw();
    this.idlePredrawnFor = -1;
    this.segCtx = CTX_IDLE;
    if (this.m.rec !== null) this.idleOpen = true;
  }
}
