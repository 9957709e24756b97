/**
 * process_backlog() (net/core/dev.c), the poll function of the per-CPU backlog NAPI: send this
 * CPU's pending RPS IPIs first, then deliver up to `quota` packets from process_queue, splicing
 * input_pkt_queue into it under the lock when it runs dry, and complete the NAPI (clear its state;
 * v6.10 keeps NAPI_STATE_THREADED) when both are empty. Used by net_rx_action (softirq) and by the
 * backlog threads' napi_threaded_poll_loop. Each packet is one segment of `netif_receive_skb` cost.
 */
import type { Cpu } from "./cpu";
import { net_rps_send_ipi, NAPI_STATE_THREADED, sd_has_rps_ipi_waiting, skbaddr, type SoftnetData } from "./dev";
import type { Machine } from "./machine";
import { udp_rcv } from "./udp";

export class ProcessBacklog {
  private readonly m: Machine;
  private readonly sd: SoftnetData;
  /** Packets done in this call, and the quota it was given. */
  work = 0;
  quota = 0;
  private pkt = -1;

  constructor(m: Machine, sd: SoftnetData) {
    this.m = m;
    this.sd = sd;
  }

  /** Calls process_backlog(napi, quota). Returns true if it returned at once (no segment started). */
  start(cpu: Cpu, quota: number): boolean {
    const m = this.m;
    const sd = this.sd;
    if (sd_has_rps_ipi_waiting(sd)) net_rps_send_ipi(m, cpu, sd); // better now than at net_rx_action's end
    cpu.owe(m.charge.process_backlog_call.draw(), "process_backlog");
    this.quota = quota;
    this.work = 0;
    return this.loop(cpu);
  }

  /** The packet segment ended: deliver it. Returns true when process_backlog has returned. */
  done(cpu: Cpu): boolean {
    const m = this.m;
    const pkt = this.pkt;
    m.held--;
    // __netif_receive_skb_core(): counted as processed on the CPU running it (this_cpu_inc; with
    // OpenWrt's unpinned backlog threads that need not be the backlog's CPU), then up through IP to UDP
    m.sd[cpu.id]!.processed++;
    if (m.rec !== null) m.rec.record(cpu, "net:netif_receive_skb", { dev: m.devName(pkt), skbaddr: skbaddr(pkt), len: m.pool.len[pkt]! });
    udp_rcv(m, cpu, pkt);
    if (++this.work >= this.quota) return true;
    return this.loop(cpu);
  }

  private loop(cpu: Cpu): boolean {
    const sd = this.sd;
    for (;;) {
      if (sd.process_queue.length > 0) {
        this.pkt = sd.process_queue.shift();
        this.m.held++;
        // napi/backlog-<n> running off CPU n (backlog-threaded modes): the queue's and the packet's
        // cache lines move to this CPU (costs.ts backlog_remote_packet)
        const remote = cpu.id !== sd.cpu ? this.m.costs.backlog_remote_packet : 0;
        cpu.exec(this.m.charge.netif_receive_skb.draw() + remote, "__netif_receive_skb");
        return false;
      }
      // OpenWrt's patch counts every time the lock is taken to refill or complete (process_queue_empty)
      if (this.m.backlogThreaded) sd.process_queue_empty++;
      if (sd.input_pkt_queue.length === 0) {
        // inline __napi_complete(): v6.8 clears every bit; with backlog threads THREADED survives
        // (OpenWrt's patch: state &= ~(SCHED | SCHED_THREADED), the same for the bits modelled)
        sd.backlogState &= NAPI_STATE_THREADED;
        return true;
      }
      sd.process_queue.spliceTailInit(sd.input_pkt_queue);
    }
  }
}
