/**
 * The cost table: how many nanoseconds of CPU each modelled operation takes. One table, one module,
 * every entry with its source or derivation, overridable per run with `--set cost.<name>=<ns>`.
 *
 * The defaults describe a ~2-3 GHz x86-64 core in a KVM guest (the machine kind the kit is measured
 * on). They are orders of magnitude, not truths: the calibration command (issue 6) fits them to a
 * real machine and saves the result as a profile. The table measured from real traces on the kit's
 * machine kind is profiles/kvm-epyc-2cpu-traced.json (`softnet-lab costs`); this reference table is also
 * saved as profiles/reference-published.json. Sub-totals that published figures constrain:
 * - loopback UDP send with in-call receive (syscall + udp_sendmsg + xmit + enqueue + NET_RX + deliver)
 *   about 2.0 us per op (stress-ng UDP profile in the kernel test robot report on the RFC, 2023-08-21);
 * - one extra context switch + wakeup on a round trip's critical path about 0.9 us (derived from the
 *   same report's netperf UDP_RR figures: 1/95,851 - 1/116,234 s = 1.83 us per round trip, two
 *   hand-offs per round trip);
 * - an IPI in a VM about 1.3 to 2.5 us from send to handler (KVM measurements), ~1 us on bare metal.
 */
export interface CostEntry {
  ns: number;
  source: string;
}

export const COSTS = {
  // --- system calls and the sender's transmit path (udp_sendmsg -> loopback_xmit) ---
  syscall: { ns: 120, source: "syscall entry + exit with x86 mitigations, ~100-150 ns (typical getpid-style measurements in VMs)" },
  udp_sendmsg: { ns: 650, source: "udp_sendmsg + ip_make_skb + route lookup + skb alloc; chosen so the in-call loopback op totals ~2.0 us (stress-ng profile, robot report 2023)" },
  dev_queue_xmit: { ns: 180, source: "__dev_queue_xmit + loopback_xmit (no qdisc on lo), ~5% of a loopback op in perf profiles" },
  copy_per_kb: { ns: 80, source: "copy_from_user/copy_to_user at ~12 GB/s for cached data: 1024 B / 12.8 B/ns" },
  user_send_loop: { ns: 150, source: "sender's user-space loop between two sendto calls (benchmark tool bookkeeping)" },
  // --- enqueue side: netif_rx -> enqueue_to_backlog ---
  get_rps_cpu: { ns: 40, source: "flow hash (skb_get_hash, already computed for lo) + rps_map lookup; a few cache lines" },
  enqueue_to_backlog: { ns: 90, source: "backlog lock + __skb_queue_tail + napi_schedule_rps bookkeeping" },
  // --- softirq machinery (kernel/softirq.c) ---
  do_softirq: { ns: 60, source: "__do_softirq entry/exit, pending-mask handling, one vector dispatch" },
  net_rx_action: { ns: 80, source: "net_rx_action setup + poll_list splice + final RPS/defer-free checks, per invocation" },
  process_backlog_call: { ns: 40, source: "process_backlog per call: lock, splice input_pkt_queue, state update" },
  netif_receive_skb: { ns: 750, source: "__netif_receive_skb -> ip_rcv -> udp_rcv -> __udp_queue_rcv_skb -> socket enqueue, per packet; ~35% of a loopback op" },
  // --- scheduler ---
  try_to_wake_up: { ns: 350, source: "try_to_wake_up + enqueue_task + check_preempt, local; half of the ~0.9 us hand-off cost (robot report UDP_RR, derived above)" },
  context_switch: { ns: 550, source: "__schedule + switch_mm/switch_to + pick_next (EEVDF), the other half of the ~0.9 us hand-off" },
  tick: { ns: 700, source: "timer interrupt: tick_sched_timer + scheduler_tick + update_curr, ~0.5-1 us in a VM" },
  // --- interrupts and IPIs ---
  ipi_send: { ns: 400, source: "x2APIC ICR write in a KVM guest without IPI virtualisation costs a VM exit, ~0.3-1 us on the sender" },
  ipi_latency: { ns: 1500, source: "IPI delivery from send to handler entry in KVM, 1.3-2.5 us (claims.md reference points)" },
  irq_entry_exit: { ns: 300, source: "hardirq entry + exit (idtentry, irq_enter/irq_exit, APIC EOI) on the target" },
  rps_trigger_softirq: { ns: 40, source: "IPI callback: add backlog to poll_list, raise NET_RX, received_rps++" },
  idle_exit_halt: { ns: 4000, source: "wake a halted vCPU (HLT exit, host wakes the vCPU thread), a few us in KVM" },
  idle_exit_poll: { ns: 100, source: "leave a polling idle loop (need_resched seen on next poll iteration)" },
  // --- the receiving task ---
  udp_recvmsg: { ns: 650, source: "udp_recvmsg + skb_consume_udp + socket dequeue, per packet (excluding the copy)" },
  user_recv_loop: { ns: 150, source: "receiver's user-space loop between two recvfrom calls" },
  // --- a non-NAPI device (netif_rx from hardirq) ---
  nic_hardirq: { ns: 600, source: "device interrupt handler of a non-NAPI driver, per interrupt (register reads, ring walk)" },
  nic_rx_per_packet: { ns: 250, source: "per packet in a non-NAPI handler: skb alloc + copy out of the device buffer" },
  // --- ping-pong application work ---
  user_pingpong: { ns: 300, source: "user-space work per request or response in a netperf UDP_RR-like loop" },
} as const satisfies Record<string, CostEntry>;

export type CostName = keyof typeof COSTS;

export const COST_NAMES = Object.keys(COSTS) as CostName[];

/** Per-packet copy cost for `bytes` of payload, rounded to whole nanoseconds. */
export function copyCost(costs: Record<CostName, number>, bytes: number): number {
  return Math.round((costs.copy_per_kb * bytes) / 1024);
}
