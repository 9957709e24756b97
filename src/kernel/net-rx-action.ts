/**
 * net_rx_action() (net/core/dev.c, v6.8), the NET_RX softirq handler: take the poll list private,
 * poll each NAPI once with its weight (`napi_poll` -> process_backlog), put a NAPI that used its whole
 * weight on the repoll list, stop on the budget (netdev_budget packets) or the time limit
 * (netdev_budget_usecs, checked in jiffies) with `time_squeeze++`, re-raise NET_RX for what is left,
 * and always end by sending the pending RPS IPIs.
 * Entry costs are owed to the next segment rather than run as segments of their own: fewer events,
 * the same CPU time, and traces still name them.
 */
import type { Cpu } from "./cpu";
import { net_rps_send_ipi, NAPI_STATE_SCHED, sd_has_rps_ipi_waiting, type SoftnetData } from "./dev";
import type { Machine } from "./machine";
import type { ProcessBacklog } from "./process-backlog";
import { __raise_softirq_irqoff, NET_RX_SOFTIRQ } from "./softirq";

const S_POLL = 0; // inside process_backlog
const S_FINAL = 1; // paying for the RPS IPIs sent at the end

export class NetRxAction {
  private readonly m: Machine;
  private readonly sd: SoftnetData;
  private readonly pb: ProcessBacklog;
  private pc = S_FINAL;
  private budget = 0;
  private timeLimit = 0;
  /** The backlog NAPI is on net_rx_action's private `list` / `repoll` list. */
  private inList = false;
  private inRepoll = false;

  /** usecs_to_jiffies(netdev_budget_usecs), rounded up: the time limit of one run. */
  private readonly limitJiffies: number;

  constructor(m: Machine, sd: SoftnetData, pb: ProcessBacklog) {
    this.m = m;
    this.sd = sd;
    this.pb = pb;
    const usecs = m.cfg.netdev_budget_usecs > 0 ? m.cfg.netdev_budget_usecs : Math.floor(2_000_000 / m.cfg.hz);
    this.limitJiffies = Math.ceil((usecs * 1000) / m.jiffyNs);
  }

  /**
   * Enter net_rx_action. Returns true if it returned without starting a segment (its cost is then
   * still owed by the CPU), false if a segment is running and `done` will be called.
   */
  start(cpu: Cpu): boolean {
    const m = this.m;
    cpu.owe(m.charge.net_rx_action.draw(), "net_rx_action");
    this.timeLimit = m.jiffies() + this.limitJiffies;
    this.budget = m.cfg.netdev_budget;
    this.inRepoll = false;
    this.spliceStart(this.sd);
    return this.loop(cpu);
  }

  /** The last segment ended. Returns true when net_rx_action has returned. */
  done(cpu: Cpu): boolean {
    if (this.pc === S_FINAL) return true;
    if (this.pb.done(cpu)) return this.napiPollDone(cpu);
    return false;
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
      this.pc = S_POLL;
      if (!this.pb.start(cpu, m.cfg.dev_rx_weight)) return false;
      return this.napiPollDone(cpu);
    }
  }

  /** napi_poll()'s epilogue and net_rx_action's budget / time check. */
  private napiPollDone(cpu: Cpu): boolean {
    const m = this.m;
    const sd = this.sd;
    const work = this.pb.work;
    if (m.rec !== null) m.rec.record(cpu, "napi:napi_poll", { napi: `backlog/${sd.cpu}`, dev_name: "(backlog)", work, budget: this.pb.quota });
    if (work >= this.pb.quota && (sd.backlogState & NAPI_STATE_SCHED) !== 0) this.inRepoll = true;
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
    this.pc = S_FINAL;
    if (cpu.debtNs > 0) {
      cpu.exec(0, "net_rps_action_and_irq_enable");
      return false;
    }
    return true;
  }
}
