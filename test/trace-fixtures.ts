/**
 * Synthetic trace records for the trace tests: one loopback packet sent on CPU 0 and its receiver
 * woken on CPU 1 by an IPI, covering every event of the catalog once or more. Times in ns; the
 * story is plausible but invented (unit-test fixture, never shown as data).
 */
import type { KernelTraceRecord } from "../src/trace/record";

const TX = { comm: "udp-tx", pid: 4242 };
const RX = { comm: "udp-rx", pid: 4243 };
const IDLE = { comm: "<idle>", pid: 0 };

let ts = 0;
function at(t: number, cpu: number, who: { comm: string; pid: number }, event: string, fields: KernelTraceRecord["fields"]): KernelTraceRecord {
  ts = t;
  return { ts, cpu, comm: who.comm, pid: who.pid, event, fields };
}

/** Records in trace order; every catalog event appears. `base` shifts all timestamps. */
export function packetStory(base = 1_000_000_000_123): KernelTraceRecord[] {
  const t = (ns: number): number => base + ns;
  return [
    at(t(0), 1, IDLE, "irq_vectors:local_timer_entry", { vector: 236 }),
    at(t(400), 1, IDLE, "irq:softirq_raise", { vec: 1, action: "TIMER" }),
    at(t(900), 1, IDLE, "irq_vectors:local_timer_exit", { vector: 236 }),
    at(t(1_000), 1, IDLE, "irq:softirq_entry", { vec: 1, action: "TIMER" }),
    at(t(2_500), 1, IDLE, "irq:softirq_exit", { vec: 1, action: "TIMER" }),
    at(t(10_000), 0, TX, "ftrace:print", { buf: "softnet-lab: go" }),
    at(t(11_000), 0, TX, "net:netif_rx", { dev: "lo", skbaddr: "00000000a1b2c3d4", len: 92 }),
    at(t(11_250), 0, TX, "irq:softirq_raise", { vec: 3, action: "NET_RX" }),
    at(t(12_000), 0, TX, "irq:softirq_entry", { vec: 3, action: "NET_RX" }),
    at(t(12_500), 0, TX, "irq:irq_handler_entry", { irq: 24, name: "virtio0-input.0" }),
    at(t(12_750), 0, TX, "irq:irq_handler_exit", { irq: 24, ret: "handled" }),
    at(t(13_000), 0, TX, "net:netif_receive_skb", { dev: "lo", skbaddr: "00000000a1b2c3d4", len: 92 }),
    at(t(13_500), 0, TX, "sched:sched_waking", { comm: "udp-rx", pid: 4243, prio: 120, target_cpu: 1 }),
    at(t(14_000), 0, TX, "ipi:ipi_send_cpu", {
      cpu: 1, callsite: "ttwu_queue_wakelist+0x11d/0x150", callback: "generic_smp_call_function_single_interrupt+0x0/0x10",
    }),
    at(t(14_100), 0, TX, "ipi:ipi_send_cpumask", {
      cpumask: "1", callsite: "on_each_cpu_cond_mask+0x20/0x60", callback: "do_flush_tlb_all+0x0/0x40",
    }),
    at(t(15_000), 0, TX, "napi:napi_poll", { napi: "00000000e98d4212", dev_name: "(no_device)", work: 1, budget: 64 }),
    at(t(15_500), 0, TX, "irq:softirq_exit", { vec: 3, action: "NET_RX" }),
    at(t(16_000), 1, IDLE, "irq_vectors:call_function_single_entry", { vector: 251 }),
    at(t(16_200), 1, IDLE, "sched:sched_wakeup", { comm: "udp-rx", pid: 4243, prio: 120, target_cpu: 1 }),
    at(t(16_300), 1, IDLE, "irq_vectors:call_function_single_exit", { vector: 251 }),
    at(t(16_400), 1, IDLE, "irq_vectors:call_function_entry", { vector: 252 }),
    at(t(16_450), 1, IDLE, "irq_vectors:call_function_exit", { vector: 252 }),
    at(t(17_000), 1, IDLE, "sched:sched_switch", {
      prev_comm: "swapper/1", prev_pid: 0, prev_prio: 120, prev_state: "R", next_comm: "udp-rx", next_pid: 4243, next_prio: 120,
    }),
    at(t(18_000), 0, TX, "sched:sched_switch", {
      prev_comm: "udp-tx", prev_pid: 4242, prev_prio: 120, prev_state: "S", next_comm: "swapper/0", next_pid: 0, next_prio: 120,
    }),
    at(t(19_000), 0, IDLE, "irq_vectors:reschedule_entry", { vector: 253 }),
    at(t(19_100), 0, IDLE, "sched:sched_wakeup_new", { comm: "kworker/0:2", pid: 77, prio: 120, target_cpu: 0 }),
    at(t(19_200), 0, IDLE, "irq_vectors:reschedule_exit", { vector: 253 }),
    at(t(19_300), 0, IDLE, "irq_vectors:irq_work_entry", { vector: 246 }),
    at(t(19_400), 0, IDLE, "irq_vectors:irq_work_exit", { vector: 246 }),
    at(t(20_000), 1, RX, "sched:sched_switch", {
      prev_comm: "udp-rx", prev_pid: 4243, prev_prio: 120, prev_state: "S", next_comm: "swapper/1", next_pid: 0, next_prio: 120,
    }),
  ];
}

/** Every x86 vector entry/exit the catalog lists, at distinct times on CPU 0 (for print/parse coverage). */
export function allVectors(base: number, names: readonly string[]): KernelTraceRecord[] {
  return names.flatMap((v, i) => [
    at(base + i * 1000, 0, IDLE, `irq_vectors:${v}_entry`, { vector: 200 + i }),
    at(base + i * 1000 + 500, 0, IDLE, `irq_vectors:${v}_exit`, { vector: 200 + i }),
  ]);
}
