/**
 * A UDP application over loopback as a small program of steps: user-space work, `sendto`, `recvfrom`,
 * pacing to a rate, and round-trip marks. The stream sender, the receiver and the ping-pong client and
 * server are all such programs (see udp-stream.ts, udp-pingpong.ts).
 *
 * `sendto` models the whole loopback transmit path on the sender's time: syscall + udp_sendmsg (+ copy),
 * then with BH disabled __dev_queue_xmit -> loopback_xmit -> netif_rx -> enqueue_to_backlog, and at
 * local_bh_enable the NET_RX softirq runs right there, inside the call, when the backlog is local.
 */
import type { CostSource } from "../kernel/cost-draw";
import { copyCost, type CostName } from "../kernel/costs";
import type { Cpu } from "../kernel/cpu";
import { netif_rx } from "../kernel/dev";
import type { Machine } from "../kernel/machine";
import { udpTruesize } from "../kernel/packet";
import { local_bh_disable, local_bh_enable } from "../kernel/softirq";
import { Task } from "../kernel/task";
import { udp_dequeue } from "../kernel/udp";

export const OP_USER = 0;
export const OP_SEND = 1;
export const OP_RECV = 2;
export const OP_PACE = 3;
export const OP_RTT_START = 4;
export const OP_RTT_END = 5;

export interface AppStep {
  op: number;
  /** OP_SEND / OP_RECV: socket id. */
  sock?: number;
  /** OP_USER: the cost-table entry of the user-space work. */
  cost?: CostName;
}

/** A step after fusing: user work right before a send or right after a receive rides in its segment. */
interface Step {
  op: number;
  sock: number;
  cost: CostSource | null;
  /** The user-space work before (OP_SEND) or after (OP_RECV) the system call, in the same segment (drawn per call). */
  userCost: CostSource | null;
}

/** Folds each OP_USER that directly precedes an OP_SEND or directly follows an OP_RECV into it. */
function fuseSteps(m: Machine, steps: AppStep[]): Step[] {
  const out: Step[] = steps.map((s) => ({ op: s.op, sock: s.sock ?? -1, cost: s.cost !== undefined ? m.charge[s.cost] : null, userCost: null }));
  for (let i = 0; i < out.length; i++) {
    const s = out[i]!;
    if (s.op !== OP_USER || out.length < 2) continue;
    const next = out[(i + 1) % out.length]!;
    const prev = out[(i - 1 + out.length) % out.length]!;
    if (next.op === OP_SEND && next.userCost === null) next.userCost = s.cost;
    else if (prev.op === OP_RECV && prev.userCost === null) prev.userCost = s.cost;
    else continue;
    out.splice(i, 1);
    i--;
  }
  return out;
}

export class UdpApp extends Task {
  private readonly m: Machine;
  private readonly steps: Step[];
  private si = 0;
  /** Phase inside the current step (0 = not started). */
  private pc = 0;
  private pkt = -1;
  private readonly payload: number;
  private readonly truesize: number;
  /** The part of a sendto or recvfrom that is not drawn per call: syscall entry/exit and the copy. */
  private readonly syscallCopyNs: number;
  // pacing
  private readonly intervalNs: number;
  private nextSendAt = 0;
  private rttStart = 0;

  constructor(m: Machine, comm: string, cpu: number, steps: AppStep[], ratePps = 0) {
    super(m.allocPid(), comm, "user", cpu);
    this.m = m;
    this.steps = fuseSteps(m, steps);
    const c = m.costs;
    this.payload = m.cfg.payload_bytes;
    this.truesize = udpTruesize(this.payload);
    this.syscallCopyNs = c.syscall + copyCost(c, this.payload);
    this.intervalNs = ratePps > 0 ? 1e9 / ratePps : 0;
  }

  /** Sets when the first paced send may happen (senders start staggered so flows do not align). */
  startAt(ns: number): void {
    this.nextSendAt = ns;
  }

  run(cpu: Cpu): void {
    const m = this.m;
    for (;;) {
      const st = this.steps[this.si]!;
      switch (st.op) {
        case OP_USER:
          this.pc = 1;
          cpu.exec(st.cost!.draw(), "user", true);
          return;
        case OP_SEND:
          if (this.pc === 0) {
            this.pc = 1;
            cpu.execSplit(this.syscallCopyNs + m.charge.udp_sendmsg.draw(), "udp_sendmsg", st.userCost === null ? 0 : st.userCost.draw(), true);
            return;
          }
          if (this.pc === 2) {
            // __dev_queue_xmit() holds rcu_read_lock_bh(): BH is off from here to local_bh_enable
            if (!local_bh_disable(m, cpu)) {
              m.sched.blockOnBh(cpu); // PREEMPT_RT: another task holds this CPU's BH lock
              return;
            }
            this.pc = 4;
            // __dev_queue_xmit + loopback_xmit, get_rps_cpu when RPS is on, enqueue_to_backlog
            cpu.exec(m.charge.dev_queue_xmit.draw() + (m.rps.enabled ? m.charge.get_rps_cpu.draw() : 0) + m.charge.enqueue_to_backlog.draw(), "loopback_xmit");
            return;
          }
          // pc 3: back from local_bh_enable (and the softirq it ran): syscall exit
          this.next();
          if (m.sched.preemptPoint(cpu)) return;
          continue;
        case OP_RECV: {
          if (this.pc === 0) {
            const sk = m.sockets[st.sock]!;
            const pkt = udp_dequeue(m, sk);
            if (pkt < 0) {
              sk.waiter = this; // __skb_wait_for_more_packets()
              m.sched.block(cpu);
              return;
            }
            this.pkt = pkt;
            m.held++;
            this.pc = 1;
            cpu.execSplit(this.syscallCopyNs + m.charge.udp_recvmsg.draw(), "udp_recvmsg", st.userCost === null ? 0 : st.userCost.draw(), false);
            return;
          }
          // pc 2: the datagram is copied out: syscall exit
          this.next();
          if (m.sched.preemptPoint(cpu)) return;
          continue;
        }
        case OP_PACE: {
          this.next();
          if (this.intervalNs > 0) {
            const gap = m.cfg.arrivals === "poisson" ? m.rng.exponentialNs(this.intervalNs) : this.intervalNs;
            this.nextSendAt += gap;
            const at = Math.round(this.nextSendAt);
            if (at > m.sim.now) {
              // hrtimer sleep (e.g. clock_nanosleep) until the next send is due
              m.sim.at(at, m.EV_TIMER, this.id);
              m.sched.block(cpu);
              return;
            }
          }
          continue;
        }
        case OP_RTT_START:
          this.rttStart = m.sim.now;
          this.next();
          continue;
        case OP_RTT_END:
          m.latencies.push(m.sim.now - this.rttStart);
          this.next();
          continue;
        default:
          throw new Error(`UdpApp: bad step ${st.op}`);
      }
    }
  }

  done(cpu: Cpu): void {
    const m = this.m;
    const st = this.steps[this.si]!;
    switch (st.op) {
      case OP_USER:
        this.next();
        this.run(cpu);
        return;
      case OP_SEND:
        if (this.pc === 1) {
          this.pc = 2;
          this.run(cpu);
          return;
        }
        {
          // pc 4: loopback_xmit -> netif_rx -> enqueue_to_backlog
          const pkt = m.pool.alloc(st.sock, this.payload, this.truesize, m.sim.now);
          m.sent++;
          netif_rx(m, cpu, pkt);
          this.pc = 3;
          if (local_bh_enable(m, cpu)) return; // NET_RX runs now, inside sendto
          this.run(cpu);
        }
        return;
      case OP_RECV:
        m.delivered++; // Udp InDatagrams
        m.held--;
        m.pool.release(this.pkt);
        this.pkt = -1;
        this.pc = 2;
        this.run(cpu);
        return;
    }
    throw new Error(`UdpApp: segment ended in step ${st.op}`);
  }

  private next(): void {
    this.pc = 0;
    this.si = this.si + 1 === this.steps.length ? 0 : this.si + 1;
  }
}
