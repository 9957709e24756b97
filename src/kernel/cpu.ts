/**
 * A CPU and its execution contexts. Slot 0 of the frame stack is the current task; above it may sit
 * a softirq frame (`__do_softirq`) and a hardirq frame (an interrupt handler), never more: Linux does
 * not nest hardirqs and softirqs do not nest either. Work is a sequence of *segments* (a duration and
 * the kernel function it models); an interrupt cuts the running segment, saves what is left, and the
 * frame below resumes it when the interrupt (and any softirq run at its exit) is over.
 *
 * Elsewhere: busy-time accounting and its trace spans (cpu-account.ts), the idle states, halt or
 * polling (cpu-idle.ts), an interrupt's arrival (irq.ts irqArrive), the numbers naming contexts,
 * frames and interrupts (cpu-context.ts).
 */
import type { Simulator } from "../engine/sim";
import type { Recorder } from "../observe/recorder";
import type { Machine } from "./machine";
// Only type imports here (and cpu-context.ts, which imports nothing): cpu.ts sits under everything
// else, and a value import would close an import cycle (tslab's module loader recurses on such cycles).
import type { Frame, Task } from "./task";
import type { SoftirqRunner } from "./softirq";
import type { IrqRunner } from "./irq";


export {
  CTX_TASK, CTX_SOFTIRQ, CTX_HARDIRQ, CTX_KSOFTIRQD, CTX_BACKLOG, CTX_IDLE, CTX_NAMES,
  SWITCH_NONE, SWITCH_TO_RECORD, SWITCH_TAIL,
  FR_TASK, FR_SOFTIRQ, FR_HARDIRQ,
  IRQ_CAL, IRQ_RES, IRQ_TICK, IRQ_HRTIMER, IRQ_DEVICE,
} from "./cpu-context";
import { account, closeIdleSpan } from "./cpu-account";
import { CTX_HARDIRQ, CTX_IDLE, FR_HARDIRQ, FR_SOFTIRQ, FR_TASK, SWITCH_NONE } from "./cpu-context";

export class Cpu {
  readonly id: number;
  readonly m: Machine;
  online = true;
  // What every segment start and end reads, kept here rather than reached through `m`
  private readonly sim: Simulator;
  readonly rec: Recorder | null;
  private readonly evSegEnd: number;
  readonly irqTimeAccounting: boolean;

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
  readonly segPartEnd: number[] = [];
  readonly segPartFn: string[] = [];

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
  /** A switch to the idle task drew its polling window ahead, for an idle period starting at this time (cpu-idle.ts). */
  idlePredrawnFor = -1;
  /** Tracing: an idle period (no segment, the idle task halted or polling) is open since idleSince. */
  idleOpen = false;

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
    if (this.idleOpen) closeIdleSpan(this, now);
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

  /** Charges the running segment up to `now` (end of a run) without ending it. */
  closeAccounting(now: number): void {
    if (this.segActive) account(this, now);
    if (this.idleOpen) closeIdleSpan(this, now);
  }

  /** EV_SEG_END handler. */
  onSegEnd(gen: number): void {
    if (gen !== this.gen || !this.segActive) return; // the segment was cut by an interrupt
    account(this, this.sim.now);
    this.segActive = false;
    if (this.sp === 1 && this.switching) {
      this.m.sched.finishSwitch(this);
      return;
    }
    // one call site per frame kind, so each sees one class (the softirq and hardirq runners) or few
    const k = this.fkind[this.sp - 1];
    if (k === FR_SOFTIRQ) (this.frames[this.sp - 1] as SoftirqRunner).done(this);
    else if (k === FR_TASK) (this.frames[0] as Task).done(this);
    else (this.frames[this.sp - 1] as IrqRunner).done(this);
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
    account(this, now);
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
}
