/**
 * UDP sockets on the receive side (net/ipv4/udp.c): `udp_rcv` -> `__udp_enqueue_schedule_skb` with the
 * receive-buffer limit (a datagram is dropped, counted as RcvbufErrors, when sk_rmem_alloc already
 * exceeds sk_rcvbuf), `sock_def_readable` waking the reader, and the dequeue `udp_recvmsg` does.
 * Udp InDatagrams counts datagrams the application has read, as the kernel counts it in udp_recvmsg.
 *
 * The receive memory is released lazily, as udp_rmem_release() does since UDP got its private reader
 * queue (2017; v6.8 and 6.18 alike): __skb_recv_udp() splices the whole receive queue into
 * reader_queue and reads from there; each read datagram adds its truesize to forward_deficit, and
 * sk_rmem_alloc only drops once the deficit reaches forward_threshold (sk_rcvbuf / 4) or the reader
 * queue is empty. Until then the enqueue side sees the memory as still in use.
 */
import type { Cpu } from "./cpu";
import type { Machine } from "./machine";
import { IntRing } from "./ring";
import type { Task } from "./task";

export class UdpSocket {
  readonly id: number;
  readonly queue = new IntRing(64);
  /** sk_rmem_alloc: truesize of the queued datagrams, plus what was read but not yet released. */
  rmem = 0;
  readonly rcvbuf: number;
  /** udp_sock.forward_deficit: truesize read since the last release. */
  forwardDeficit = 0;
  /** udp_sock.forward_threshold: sk_rcvbuf >> 2. */
  readonly forwardThreshold: number;
  /** Datagrams spliced into the reader queue and not read yet (the rest of `queue` is sk_receive_queue). */
  readerLen = 0;
  /** The task sleeping in recvfrom() on this socket, if any. */
  waiter: Task | null = null;
  drops = 0;
  /** Port number, for traces and the flow hash. */
  readonly port: number;

  constructor(id: number, rcvbuf: number, port: number) {
    this.id = id;
    this.rcvbuf = rcvbuf;
    this.forwardThreshold = rcvbuf >> 2;
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

/**
 * The dequeue half of udp_recvmsg() (__skb_recv_udp + udp_skb_destructor): returns a packet id or -1
 * if the queue is empty. With the reader queue empty it first splices the receive queue into it.
 */
export function udp_dequeue(m: Machine, sk: UdpSocket): number {
  if (sk.readerLen === 0) sk.readerLen = sk.queue.length;
  const pkt = sk.queue.shift();
  if (pkt < 0) return pkt;
  sk.readerLen--;
  udp_rmem_release(sk, m.pool.truesize[pkt]!);
  return pkt;
}

/**
 * udp_rmem_release(partial=1): the read datagram's memory joins forward_deficit; sk_rmem_alloc drops
 * by the whole deficit once it reaches forward_threshold or the reader queue is empty, and the
 * release splices what arrived meanwhile into the reader queue.
 */
function udp_rmem_release(sk: UdpSocket, truesize: number): void {
  sk.forwardDeficit += truesize;
  if (sk.forwardDeficit < sk.forwardThreshold && sk.readerLen > 0) return;
  sk.rmem -= sk.forwardDeficit;
  sk.forwardDeficit = 0;
  sk.readerLen = sk.queue.length;
}
