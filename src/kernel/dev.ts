/**
 * The per-CPU backlog and its enqueue side (net/core/dev.c, v6.8): `struct softnet_data`,
 * `netif_rx` -> `get_rps_cpu` -> `enqueue_to_backlog`, `napi_schedule_rps`, `____napi_schedule`,
 * the RPS IPI list and `net_rps_send_ipi`, and the IPI callback `rps_trigger_softirq`.
 * The consuming side (`net_rx_action`, `process_backlog`) is in net-rx-action.ts.
 */
import type { Cpu } from "./cpu";
import type { Machine } from "./machine";
import { IntRing } from "./ring";
import { __raise_softirq_irqoff, NET_RX_SOFTIRQ } from "./softirq";
import { CSD_RPS, smp_call_function_single_async } from "./smp";
import { TASK_SLEEPING } from "./task";

/** NAPI state bits (include/linux/netdevice.h). */
export const NAPI_STATE_SCHED = 1 << 0;
export const NAPI_STATE_THREADED = 1 << 9;
export const NAPI_STATE_SCHED_THREADED = 1 << 10;

/** struct softnet_data: one per CPU. The backlog NAPI is embedded (state, poll-list membership). */
export class SoftnetData {
  readonly cpu: number;
  /** Producers (any CPU) append here under the backlog lock. */
  readonly input_pkt_queue = new IntRing(64);
  /** Owned by this CPU: process_backlog splices input_pkt_queue here and consumes it lock-free. */
  readonly process_queue = new IntRing(64);
  /** sd->backlog.state */
  backlogState = 0;
  /** sd->backlog is on sd->poll_list (the only NAPI a CPU polls in this model). */
  backlogOnPollList = false;
  /** sd->rps_ipi_list: remote CPUs this CPU owes an IPI to (in push order). */
  readonly rps_ipi_list: number[] = [];
  in_net_rx_action = false;
  in_napi_threaded_poll = false;
  // /proc/net/softnet_stat columns
  processed = 0;
  dropped = 0;
  time_squeeze = 0;
  received_rps = 0;
  /** OpenWrt's backlog_threaded patch: times process_backlog took the lock to splice or complete. */
  process_queue_empty = 0;

  constructor(cpu: number) {
    this.cpu = cpu;
  }

  /** Packets waiting in both queues (what dev_cpu_dead would re-inject). */
  backlogLength(): number {
    return this.input_pkt_queue.length + this.process_queue.length;
  }
}

/**
 * netif_rx() / netif_rx_internal(): hand a packet to the stack from a non-NAPI context (the loopback
 * xmit path, a non-NAPI driver's hardirq). With RPS on, the flow hash picks the target CPU.
 * Returns false if the packet was dropped.
 */
export function netif_rx(m: Machine, cpu: Cpu, pkt: number): boolean {
  let target = cpu.id;
  if (m.rps.enabled) {
    const t = m.rps.get_rps_cpu(pkt);
    if (t >= 0) target = t;
  }
  if (m.rec !== null) m.rec.record(cpu, "net:netif_rx", { dev: m.devName(pkt), skbaddr: skbaddr(pkt), len: m.pool.len[pkt]! });
  return enqueue_to_backlog(m, cpu, pkt, target);
}

/**
 * enqueue_to_backlog(): append to the target CPU's input_pkt_queue unless it already holds more than
 * netdev_max_backlog packets (then drop, counted on the target). Only the packet that finds the queue
 * empty and the NAPI not scheduled kicks the NAPI: one kick per batch, not per packet.
 */
export function enqueue_to_backlog(m: Machine, cpu: Cpu, pkt: number, target: number): boolean {
  const sd = m.sd[target]!;
  const qlen = sd.input_pkt_queue.length;
  if (!m.cpus[target]!.online || qlen > m.cfg.netdev_max_backlog) {
    sd.dropped++;
    m.dropBacklog++;
    m.pool.release(pkt);
    return false;
  }
  if (qlen === 0 && (sd.backlogState & NAPI_STATE_SCHED) === 0) {
    sd.backlogState |= NAPI_STATE_SCHED;
    napi_schedule_rps(m, cpu, sd);
  }
  sd.input_pkt_queue.push(pkt);
  return true;
}

/**
 * napi_schedule_rps() (v6.8): a local backlog is scheduled at once; a remote one goes on this CPU's
 * rps_ipi_list and the local NET_RX softirq is raised so the IPI goes out at the end of net_rx_action
 * (or at the start of process_backlog).
 */
export function napi_schedule_rps(m: Machine, cpu: Cpu, sd: SoftnetData): void {
  const mysd = m.sd[cpu.id]!;
  if (m.backlogThreaded) {
    napi_schedule_rps_backlog_threaded(m, cpu, sd, mysd);
    return;
  }
  if (sd !== mysd) {
    if (m.cfg.backlog_napi !== "softirq") {
      // v6.10 with backlog threads: schedule the remote backlog NAPI directly (it wakes its thread)
      ____napi_schedule(m, cpu, sd);
      return;
    }
    mysd.rps_ipi_list.push(sd.cpu);
    if (!mysd.in_net_rx_action && !mysd.in_napi_threaded_poll) __raise_softirq_irqoff(m, cpu, NET_RX_SOFTIRQ);
    return;
  }
  ____napi_schedule(m, cpu, mysd);
}

/**
 * ____napi_schedule(): a threaded NAPI wakes its thread (SCHED_THREADED + wake_up_process), except
 * that with `thread_backlog_napi` a CPU's own backlog takes the local path (the `use_local_napi`
 * short-cut of the change; the 2023 RFC, `threads-always`, had none). The local path puts the
 * backlog on this CPU's poll list and raises NET_RX (unless inside net_rx_action).
 */
export function ____napi_schedule(m: Machine, cpu: Cpu, sd: SoftnetData): void {
  if ((sd.backlogState & NAPI_STATE_THREADED) !== 0) {
    const local = m.cfg.backlog_napi === "threads" && sd.cpu === cpu.id;
    if (!local) {
      sd.backlogState |= NAPI_STATE_SCHED_THREADED;
      const thread = m.backlogThreads[sd.cpu]!;
      const delay = m.cfg.backlog_wake_delay_ns;
      if (delay > 0) {
        // the claim C10 experiment: hand over after a while (a timer), letting a batch build up
        if (thread.state !== 0 && !thread.wakeArmed) {
          thread.wakeArmed = true;
          m.sim.at(m.sim.now + delay, m.EV_TIMER, thread.id);
        }
        return;
      }
      if (m.sched.tryToWakeUp(cpu, thread)) m.cpus[sd.cpu]!.backlogThreadWakeups++;
      return;
    }
  }
  sd.backlogOnPollList = true;
  if (!m.sd[cpu.id]!.in_net_rx_action) __raise_softirq_irqoff(m, cpu, NET_RX_SOFTIRQ);
}

/**
 * napi_schedule_rps() as OpenWrt's backlog_threaded patch leaves it (760-net-core-add-optional-
 * threading-for-backlog-processi.patch on 6.1/6.6): only a remote backlog *without* NAPI_STATE_THREADED
 * goes on the RPS IPI list; a THREADED remote backlog falls through to the line that schedules
 * the *sending* CPU's own backlog, __napi_schedule_irqoff(&mysd->backlog). The target keeps
 * NAPI_STATE_SCHED (enqueue_to_backlog set it) with nobody to poll it: later packets only queue
 * (one kick per batch) until netdev_max_backlog drops them. backlog-threaded-intent models what the
 * hunk evidently meant: schedule the target's backlog, which wakes its napi/backlog-<n>.
 */
function napi_schedule_rps_backlog_threaded(m: Machine, cpu: Cpu, sd: SoftnetData, mysd: SoftnetData): void {
  if (sd !== mysd && (sd.backlogState & NAPI_STATE_THREADED) === 0) {
    mysd.rps_ipi_list.push(sd.cpu);
    __raise_softirq_irqoff(m, cpu, NET_RX_SOFTIRQ);
    return;
  }
  const napi = m.cfg.backlog_napi === "backlog-threaded-intent" ? sd : mysd;
  // __napi_schedule_irqoff() does not test or set NAPI_STATE_SCHED: it assumes the caller did
  ____napi_schedule_6_1(m, cpu, napi);
}

/**
 * ____napi_schedule() of 6.1/6.6 for the backlog-threaded modes: a THREADED NAPI with a thread sets
 * NAPI_STATE_SCHED_THREADED only if the thread is not asleep (TASK_INTERRUPTIBLE: napi_thread_wait()
 * polls once after an explicit wakeup anyway) and wake_up_process()es it; there is no
 * use_local_napi short-cut (that came with v6.10). Without a thread: the poll list and NET_RX.
 */
export function ____napi_schedule_6_1(m: Machine, cpu: Cpu, sd: SoftnetData): void {
  const thread = m.napiBacklogThreads[sd.cpu];
  if ((sd.backlogState & NAPI_STATE_THREADED) !== 0 && thread !== undefined) {
    if (thread.state !== TASK_SLEEPING) sd.backlogState |= NAPI_STATE_SCHED_THREADED;
    if (m.sched.tryToWakeUp(cpu, thread)) m.cpus[sd.cpu]!.backlogThreadWakeups++;
    return;
  }
  sd.backlogOnPollList = true;
  __raise_softirq_irqoff(m, cpu, NET_RX_SOFTIRQ);
}

/** sd_has_rps_ipi_waiting() */
export function sd_has_rps_ipi_waiting(sd: SoftnetData): boolean {
  return sd.rps_ipi_list.length > 0;
}

/**
 * net_rps_action_and_irq_enable() -> net_rps_send_ipi(): one IPI per remote CPU on the list, to online
 * CPUs only. The send costs are owed by `cpu`.
 */
export function net_rps_send_ipi(m: Machine, cpu: Cpu, sd: SoftnetData): void {
  const list = sd.rps_ipi_list;
  if (list.length === 0) return; // (most calls: and a length set is a builtin call)
  for (let i = 0; i < list.length; i++) {
    const remote = m.cpus[list[i]!]!;
    if (remote.online) smp_call_function_single_async(m, cpu, remote, CSD_RPS);
  }
  list.length = 0;
}

/** rps_trigger_softirq(): the IPI callback on the remote CPU, in hardirq (or polling idle) context. */
export function rps_trigger_softirq(m: Machine, cpu: Cpu): void {
  const sd = m.sd[cpu.id]!;
  ____napi_schedule(m, cpu, sd);
  sd.received_rps++;
}

/** A stable fake skb address for trace records. */
export function skbaddr(pkt: number): string {
  return "0xffff8881" + (pkt * 256).toString(16).padStart(8, "0");
}
