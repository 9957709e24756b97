/**
 * The backlog NAPI threads of the change (dad6b9770263, v6.10): per-CPU smpboot threads
 * `backlog_napi/N`, SCHED_OTHER and bound to their CPU. `thread_should_run` is the
 * NAPI_STATE_SCHED_THREADED bit; `thread_fn` runs `napi_threaded_poll_loop`: with BH disabled, poll
 * the backlog once (process_backlog, quota dev_rx_weight), enable BH (pending softirqs run here),
 * stop if the poll did not use its whole quota, else cond_resched() and poll again. There is no
 * 300-packet budget and no time limit: the scheduler is the only throttle.
 */
import type { Cpu } from "./cpu";
import { NAPI_STATE_SCHED, NAPI_STATE_SCHED_THREADED, type SoftnetData } from "./dev";
import type { Machine } from "./machine";
import type { ProcessBacklog } from "./process-backlog";
import { local_bh_disable, local_bh_enable } from "./softirq";
import { Task } from "./task";

const T_CHECK = 0; // smpboot_thread_fn: should we run?
const T_POLL = 1; // inside process_backlog
const T_AFTER = 2; // after local_bh_enable: repoll or stop

export class BacklogThread extends Task {
  private readonly m: Machine;
  private readonly sd: SoftnetData;
  private readonly pb: ProcessBacklog;
  private pc = T_CHECK;
  private repoll = false;
  /** backlog_wake_delay_ns: a delayed wakeup is pending. */
  wakeArmed = false;

  constructor(m: Machine, cpu: number, pid: number) {
    super(pid, `backlog_napi/${cpu}`, "backlog_thread", cpu);
    this.m = m;
    this.sd = m.sd[cpu]!;
    this.pb = m.pb[cpu]!;
  }

  run(cpu: Cpu): void {
    const m = this.m;
    for (;;) {
      if (this.pc === T_AFTER) {
        if (!this.repoll) {
          this.pc = T_CHECK;
          continue;
        }
        this.pc = T_CHECK;
        if (m.sched.preemptPoint(cpu)) return; // cond_resched()
        this.startPoll(cpu);
        return;
      }
      // T_CHECK: backlog_napi_should_run()
      this.wakeArmed = false;
      if ((this.sd.backlogState & NAPI_STATE_SCHED_THREADED) === 0) {
        m.sched.block(cpu);
        return;
      }
      this.startPoll(cpu);
      return;
    }
  }

  /** One round of napi_threaded_poll_loop: local_bh_disable, __napi_poll. */
  private startPoll(cpu: Cpu): void {
    if (!local_bh_disable(this.m, cpu)) {
      this.pc = T_CHECK;
      this.m.sched.blockOnBh(cpu);
      return;
    }
    this.sd.in_napi_threaded_poll = true;
    this.pc = T_POLL;
    if (this.pb.start(cpu, this.m.cfg.dev_rx_weight)) this.pollDone(cpu);
  }

  done(cpu: Cpu): void {
    if (this.pc === T_POLL && this.pb.done(cpu)) this.pollDone(cpu);
  }

  private pollDone(cpu: Cpu): void {
    const m = this.m;
    const sd = this.sd;
    const work = this.pb.work;
    if (m.rec !== null) m.rec.record(cpu, "napi:napi_poll", { napi: `backlog/${sd.cpu}`, dev_name: "(backlog)", work, budget: this.pb.quota });
    this.repoll = work >= this.pb.quota && (sd.backlogState & NAPI_STATE_SCHED) !== 0;
    sd.in_napi_threaded_poll = false;
    this.pc = T_AFTER;
    if (local_bh_enable(m, cpu)) return; // softirqs raised meanwhile run here, in this thread
    this.run(cpu);
  }
}
