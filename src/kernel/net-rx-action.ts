/**
 * The consuming side of the backlog (net/core/dev.c, v6.8): `net_rx_action`, the NET_RX softirq
 * handler, with its budget (netdev_budget packets) and time limit (netdev_budget_usecs, checked in
 * jiffies), `time_squeeze` and re-raise; `napi_poll` with the repoll rule; and `process_backlog`,
 * the backlog NAPI's poll function (quota dev_rx_weight, splice of input_pkt_queue into
 * process_queue, completion that clears the NAPI state).
 * A per-CPU state machine: each delivered packet is one segment of `netif_receive_skb` cost.
 */
import type { Cpu } from "./cpu";
import { net_rps_send_ipi, NAPI_STATE_SCHED, NAPI_STATE_THREADED, sd_has_rps_ipi_waiting, skbaddr, type SoftnetData } from "./dev";
import type { Machine } from "./machine";
import { __raise_softirq_irqoff, NET_RX_SOFTIRQ } from "./softirq";
import { udp_rcv } from "./udp";

// Entry costs (net_rx_action, process_backlog) are owed to the next segment rather than run as
// segments of their own: fewer events, the same CPU time; traces still name them.
const S_PB_PKT = 2; // one packet through __netif_receive_skb
const S_FINAL = 3; // paying for the RPS IPIs sent at the end

export class NetRxAction {
  private readonly m: Machine;
  private readonly sd: SoftnetData;
  private pc = S_FINAL;
  private budget = 0;
  private timeLimit = 0;
  /** The backlog NAPI is on net_rx_action's private `list` / `repoll` list. */
  private inList = false;
  private inRepoll = false;
  /** process_backlog(): packets done this call, and its quota. */
  private work = 0;
  private quota = 0;
  private pkt = -1;

  constructor(m: Machine, sd: SoftnetData) {
    this.m = m;
    this.sd = sd;
  }

  /**
   * Enter net_rx_action. Returns true if it returned without starting a segment (its cost is then
   * still owed by the CPU), false if a segment is running and `done` will be called.
   */
  start(cpu: Cpu): boolean {
    const m = this.m;
    cpu.owe(m.costs.net_rx_action, "net_rx_action");
    const usecs = m.cfg.netdev_budget_usecs > 0 ? m.cfg.netdev_budget_usecs : Math.floor(2_000_000 / m.cfg.hz);
    this.timeLimit = m.jiffies() + Math.ceil((usecs * 1000) / m.jiffyNs); // usecs_to_jiffies rounds up
    this.budget = m.cfg.netdev_budget;
    this.inRepoll = false;
    this.spliceStart(this.sd);
    return this.loop(cpu);
  }

  /** The last segment ended. Returns true when net_rx_action has returned. */
  done(cpu: Cpu): boolean {
    const m = this.m;
    const sd = this.sd;
    switch (this.pc) {
      case S_PB_PKT: {
        // __netif_receive_skb_core(): counted as processed on this CPU, then up to UDP.
        const pkt = this.pkt;
        m.held--;
        sd.processed++;
        if (m.rec !== null) m.rec.record(cpu, "net:netif_receive_skb", { dev: m.devName(pkt), skbaddr: skbaddr(pkt), len: m.pool.len[pkt]! });
        udp_rcv(m, cpu, pkt);
        if (++this.work >= this.quota) return this.napiPollDone(cpu);
        return this.pbLoop(cpu);
      }
      case S_FINAL:
        return true;
    }
    throw new Error(`net_rx_action: bad state ${this.pc}`);
  }

  /** `start:` label: mark in_net_rx_action and take the poll list private. */
  private spliceStart(sd: SoftnetData): void {
    sd.in_net_rx_action = true;
    if (sd.backlogOnPollList) {
      sd.backlogOnPollList = false;
      this.inList = true;
    }
  }

  /** The for(;;) loop of net_rx_action over its private list. */
  private loop(cpu: Cpu): boolean {
    const m = this.m;
    const sd = this.sd;
    for (;;) {
      if (!this.inList) {
        if (!this.inRepoll) {
          sd.in_net_rx_action = false;
          // ____napi_schedule() may have refilled poll_list while in_net_rx_action was true
          if (sd.backlogOnPollList) {
            this.spliceStart(sd);
            continue;
          }
          if (!sd_has_rps_ipi_waiting(sd)) return true; // goto end
        }
        return this.final(cpu);
      }
      // napi_poll(n, &repoll) -> process_backlog(n, weight)
      this.inList = false;
      this.quota = m.cfg.dev_rx_weight;
      this.work = 0;
      if (sd_has_rps_ipi_waiting(sd)) net_rps_send_ipi(m, cpu, sd); // send pending IPIs first
      cpu.owe(m.costs.process_backlog_call, "process_backlog");
      return this.pbLoop(cpu);
    }
  }

  /** process_backlog()'s loop: drain process_queue, else splice input_pkt_queue, else complete. */
  private pbLoop(cpu: Cpu): boolean {
    const sd = this.sd;
    for (;;) {
      if (sd.process_queue.length > 0) {
        this.pkt = sd.process_queue.shift();
        this.m.held++;
        this.pc = S_PB_PKT;
        cpu.exec(this.m.costs.netif_receive_skb, "__netif_receive_skb");
        return false;
      }
      if (sd.input_pkt_queue.length === 0) {
        // inline __napi_complete(): v6.8 clears every bit; with backlog threads THREADED survives
        sd.backlogState &= NAPI_STATE_THREADED;
        return this.napiPollDone(cpu);
      }
      sd.process_queue.spliceTailInit(sd.input_pkt_queue);
    }
  }

  /** napi_poll()'s epilogue and net_rx_action's budget / time check. */
  private napiPollDone(cpu: Cpu): boolean {
    const m = this.m;
    const sd = this.sd;
    const work = this.work;
    if (m.rec !== null) m.rec.record(cpu, "napi:napi_poll", { napi: `backlog/${sd.cpu}`, dev_name: "(backlog)", work, budget: this.quota });
    if (work >= this.quota && (sd.backlogState & NAPI_STATE_SCHED) !== 0) this.inRepoll = true;
    this.budget -= work;
    if (this.budget <= 0 || m.jiffies() >= this.timeLimit) {
      sd.time_squeeze++;
      return this.final(cpu);
    }
    return this.loop(cpu);
  }

  /** After the loop: put leftovers back on poll_list (re-raising NET_RX), then send RPS IPIs. */
  private final(cpu: Cpu): boolean {
    const m = this.m;
    const sd = this.sd;
    if (this.inList || this.inRepoll) sd.backlogOnPollList = true;
    this.inList = false;
    this.inRepoll = false;
    if (sd.backlogOnPollList) __raise_softirq_irqoff(m, cpu, NET_RX_SOFTIRQ);
    else sd.in_net_rx_action = false;
    // when re-raised, in_net_rx_action stays set until the next round's loop clears it (as in v6.8)
    net_rps_send_ipi(m, cpu, sd);
    if (cpu.debtNs > 0) {
      this.pc = S_FINAL;
      cpu.exec(0, "net_rps_action_and_irq_enable");
      return false;
    }
    return true;
  }
}
