/**
 * UDP sockets on the receive side (net/ipv4/udp.c): `udp_rcv` -> `__udp_enqueue_schedule_skb` with the
 * receive-buffer limit (a datagram is dropped, counted as RcvbufErrors, when sk_rmem_alloc already
 * exceeds sk_rcvbuf), `sock_def_readable` waking the reader, and the dequeue `udp_recvmsg` does.
 * Udp InDatagrams counts datagrams the application has read, as the kernel counts it in udp_recvmsg.
 */
import type { Cpu } from "./cpu";
import type { Machine } from "./machine";
import { IntRing } from "./ring";
import type { Task } from "./task";

export class UdpSocket {
  readonly id: number;
  readonly queue = new IntRing(64);
  /** sk_rmem_alloc: truesize of the queued datagrams. */
  rmem = 0;
  readonly rcvbuf: number;
  /** The task sleeping in recvfrom() on this socket, if any. */
  waiter: Task | null = null;
  drops = 0;
  /** Port number, for traces and the flow hash. */
  readonly port: number;

  constructor(id: number, rcvbuf: number, port: number) {
    this.id = id;
    this.rcvbuf = rcvbuf;
    this.port = port;
  }
}

/** udp_rcv() for a datagram whose destination socket is pkt's flow. */
export function udp_rcv(m: Machine, cpu: Cpu, pkt: number): void {
  const sk = m.sockets[m.pool.flow[pkt]!]!;
  if (sk.rmem > sk.rcvbuf) {
    sk.drops++;
    m.dropRcvbuf++;
    m.pool.release(pkt);
    return;
  }
  sk.rmem += m.pool.truesize[pkt]!;
  sk.queue.push(pkt);
  // sock_def_readable(): wake the reader
  const t = sk.waiter;
  if (t !== null) {
    sk.waiter = null;
    m.sched.tryToWakeUp(cpu, t);
  }
}

/** The dequeue half of udp_recvmsg(): returns a packet id or -1 if the queue is empty. */
export function udp_dequeue(m: Machine, sk: UdpSocket): number {
  const pkt = sk.queue.shift();
  if (pkt >= 0) sk.rmem -= m.pool.truesize[pkt]!;
  return pkt;
}
