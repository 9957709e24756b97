/**
 * Inter-processor interrupts (kernel/smp.c, arch/x86/kernel/smp.c). A function-call IPI (CAL) runs
 * the callbacks queued on the target's call_single_queue: one IPI serves every callback queued before
 * it is handled (`llist_add` reports whether the queue was empty). A CPU that polls in idle
 * (TIF_POLLING_NRFLAG) gets no IPI: its idle loop notices the queue and runs the callbacks itself,
 * in the idle task. A reschedule IPI (RES) only makes the target re-check need_resched.
 * Sending costs the sender `ipi_send`; the interrupt reaches the target `ipi_latency` after the
 * sender reached the send: after the work the sender still owes at that point (the softirq's own
 * entry, net_rx_action's bookkeeping), as in the real traces where the latency is measured from the
 * ipi_send_cpu tracepoint (native_send_call_func_single_ipi) to the target's handler entry.
 */
import type { Cpu } from "./cpu";
import { IRQ_CAL, IRQ_RES } from "./cpu-context";
import { isPolling } from "./cpu-idle";
import type { Machine } from "./machine";

/** csd callback id of rps_trigger_softirq (the target's own softnet_data csd). */
export const CSD_RPS = -1;

/**
 * smp_call_function_single_async() / __smp_call_single_queue(): queue `csd` (CSD_RPS or a task id
 * for the wakelist) on `target` and send a CAL IPI if the queue was empty and the target does not poll.
 * The sender reaches send_call_function_single_ipi() at `at`: by default once it has done the work
 * it still owes (a wakeup passes the point inside try_to_wake_up), and set_nr_if_polling() looks at
 * the target then.
 */
export function smp_call_function_single_async(m: Machine, from: Cpu, target: Cpu, csd: number, at = m.sim.now + from.debtNs): void {
  const wasEmpty = target.csdQueue.length === 0;
  target.csdQueue.push(csd);
  if (!wasEmpty) return;
  if (isPolling(target, at)) {
    // send_call_function_single_ipi(): set_nr_if_polling() succeeded, no interrupt needed.
    m.sim.at(at + m.costs.idle_exit_poll, m.EV_POLL, target.id);
    return;
  }
  target.csdIpiInFlight = true;
  sendIpi(m, from, target, IRQ_CAL, csd === CSD_RPS ? "rps_trigger_softirq" : "generic_smp_call_function_single_interrupt", at);
}

/** smp_send_reschedule(): a RES IPI, unless the target polls in idle (then it just notices). */
export function smp_send_reschedule(m: Machine, from: Cpu, target: Cpu): void {
  const at = m.sim.now + from.debtNs;
  if (isPolling(target, at)) {
    m.sim.at(at + m.costs.idle_exit_poll, m.EV_POLL, target.id);
    return;
  }
  sendIpi(m, from, target, IRQ_RES, "scheduler_ipi", at);
}

function sendIpi(m: Machine, from: Cpu, target: Cpu, type: number, callback: string, sentAt: number): void {
  // the send happens once the sender reaches it (after the work it still owes: cpu.ts owe, debt is
  // paid by the next segment), so the latency starts there, not at the moment the model decided
  from.owe(m.charge.ipi_send.draw(), "native_send_call_func_single_ipi");
  if (m.rec !== null) {
    m.rec.record(from, "ipi:ipi_send_cpu", { cpu: target.id, callsite: type === IRQ_RES ? "resched_curr" : "smp_call_function_single_async", callback });
  }
  m.sim.at(sentAt + m.charge.ipi_latency.draw(), m.EV_IRQ, target.id, type);
}
