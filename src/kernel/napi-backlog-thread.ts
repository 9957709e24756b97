/**
 * OpenWrt's unpinned backlog threads (760-net-core-add-optional-threading-for-backlog-processi.patch,
 * `net.core.backlog_threaded=1`, carried for 6.1 and 6.6): `backlog_set_threaded()` starts one
 * ordinary kthread `napi/backlog-<n>` per CPU with `kthread_run(napi_threaded_poll, ...)`, not bound
 * to CPU n, so the scheduler places and balances it like any task (and `taskset` can move it). The
 * thread runs 6.1's `napi_threaded_poll`: `napi_thread_wait` (return when NAPI_STATE_SCHED_THREADED
 * is set or after an explicit wakeup), then rounds of local_bh_disable, `__napi_poll` (which calls
 * process_backlog only while NAPI_STATE_SCHED is set), local_bh_enable, and cond_resched while the
 * poll used its whole weight. Taught in notebooks/10-unpinned-backlog-threads.ipynb.
 */
import type { Cpu } from "./cpu";
import { NAPI_STATE_SCHED, NAPI_STATE_SCHED_THREADED, type SoftnetData } from "./dev";
import type { Machine } from "./machine";
import type { ProcessBacklog } from "./process-backlog";
import { local_bh_disable, local_bh_enable } from "./softirq";
import { Task } from "./task";

const N_WAIT = 0; // napi_thread_wait()
const N_POLL = 1; // inside process_backlog
const N_EMPTY = 2; // __napi_poll found NAPI_STATE_SCHED clear: a round without process_backlog
const N_AFTER = 3; // after local_bh_enable: the preemption point
const N_RESUME = 4; // after cond_resched(): repoll or wait again

export class NapiBacklogThread extends Task {
  private readonly m: Machine;
  /** The backlog this thread polls: softnet_data of CPU `backlog`, wherever the thread runs. */
  readonly sd: SoftnetData;
  private readonly pb: ProcessBacklog;
  private pc = N_WAIT;
  private repoll = false;
  /**
   * napi_thread_wait()'s `woken`: set when schedule() returned after a wakeup. The thread is created
   * asleep inside napi_thread_wait (kthread_run, then TASK_INTERRUPTIBLE), so its first run was a wakeup.
   */
  private woken = true;
  /** Rounds of napi_threaded_poll whose __napi_poll found the backlog not scheduled. */
  emptyPolls = 0;
  /** Packets this thread processed on a CPU other than its backlog's. */
  remotePackets = 0;

  constructor(m: Machine, backlog: number, pid: number, allowed: number[]) {
    super(pid, `napi/backlog-${backlog}`, "backlog_thread", -1);
    this.m = m;
    this.sd = m.sd[backlog]!;
    this.pb = m.pb[backlog]!;
    // kthread_run() wakes the new thread on the CPU that created it; it first runs on CPU n here
    this.cpu = allowed.includes(backlog) ? backlog : allowed[0]!;
    this.allowed = allowed;
    this.balanced = true;
  }

  run(cpu: Cpu): void {
    const m = this.m;
    for (;;) {
      if (this.pc === N_AFTER) {
        this.pc = N_RESUME;
        // cond_resched() after a full poll; with full/rt preemption local_bh_enable() is a point too
        if ((this.repoll || m.cfg.preempt !== "none") && m.sched.preemptPoint(cpu)) return;
      }
      if (this.pc === N_RESUME) {
        // back from cond_resched() (perhaps on another CPU): the for (;;) loop repolls
        this.pc = N_WAIT;
        if (this.repoll) {
          this.startPoll(cpu);
          return;
        }
        continue;
      }
      // N_WAIT: napi_thread_wait()
      if ((this.sd.backlogState & NAPI_STATE_SCHED_THREADED) === 0 && !this.woken) {
        this.woken = true; // the next time this runs, schedule() has returned: it was woken
        m.sched.block(cpu);
        return;
      }
      this.woken = false;
      this.startPoll(cpu);
      return;
    }
  }

  /** One round: local_bh_disable, __napi_poll (process_backlog only if NAPI_STATE_SCHED). */
  private startPoll(cpu: Cpu): void {
    const m = this.m;
    if (!local_bh_disable(m, cpu)) {
      this.pc = N_WAIT;
      this.woken = true; // retry the poll once the BH lock is ours
      m.sched.blockOnBh(cpu);
      return;
    }
    if ((this.sd.backlogState & NAPI_STATE_SCHED) === 0) {
      // nothing to poll: the round still costs the loop's bookkeeping (priced as a process_backlog entry)
      this.emptyPolls++;
      this.pc = N_EMPTY;
      cpu.exec(m.charge.process_backlog_call.draw(), "napi_threaded_poll");
      return;
    }
    this.pc = N_POLL;
    if (this.pb.start(cpu, m.cfg.dev_rx_weight)) this.pollDone(cpu);
  }

  done(cpu: Cpu): void {
    if (this.pc === N_EMPTY) {
      this.pb.work = 0;
      this.finishRound(cpu, 0);
      return;
    }
    if (this.pc === N_POLL && this.pb.done(cpu)) this.pollDone(cpu);
  }

  private pollDone(cpu: Cpu): void {
    const work = this.pb.work;
    if (cpu.id !== this.sd.cpu) this.remotePackets += work;
    if (this.m.rec !== null) this.m.rec.record(cpu, "napi:napi_poll", { napi: `backlog/${this.sd.cpu}`, dev_name: "(backlog)", work, budget: this.pb.quota });
    this.finishRound(cpu, work);
  }

  /** __napi_poll's repoll decision (the whole weight used), local_bh_enable. */
  private finishRound(cpu: Cpu, work: number): void {
    this.repoll = work >= this.m.cfg.dev_rx_weight;
    this.pc = N_AFTER;
    if (local_bh_enable(this.m, cpu)) return; // softirqs raised meanwhile run here, in this thread
    this.run(cpu);
  }
}
