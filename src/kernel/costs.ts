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
  udp_sendmsg: { ns: 2614, source: "measured (profiles/kvm-epyc-2cpu-traced.json): sys_enter_sendto .. sys_exit_sendto less nested NET_RX, stream 64 B, RPS off, receiver on the other CPU, less syscall, dev_queue_xmit, enqueue_to_backlog and the 64 B copy; p10-p90 2314-2924 ns over 1000 samples" },
  dev_queue_xmit: { ns: 250, source: "measured (profiles/kvm-epyc-2cpu-traced.json): net_dev_start_xmit .. net_dev_xmit (loopback_xmit) less the netif_rx inside it, stream 64 B, RPS off; p10-p90 180-310 ns over 1000 samples" },
  copy_per_kb: { ns: 80, source: "copy_from_user/copy_to_user at ~12 GB/s for cached data: 1024 B / 12.8 B/ns" },
  user_send_loop: { ns: 280, source: "measured (profiles/kvm-epyc-2cpu-traced.json): sys_exit_sendto .. the next sys_enter_sendto of the lean sender (its loop in user space); p10-p90 240-320 ns over 998 samples" },
  // --- enqueue side: netif_rx -> enqueue_to_backlog ---
  get_rps_cpu: { ns: 200, source: "measured (profiles/kvm-epyc-2cpu-traced.json): netif_rx_entry .. netif_rx_exit with RPS to the other CPU, less the same without RPS (get_rps_cpu, rps_ipi_queued); p10-p90 90-290 ns over 1000 samples" },
  enqueue_to_backlog: { ns: 220, source: "measured (profiles/kvm-epyc-2cpu-traced.json): netif_rx_entry .. netif_rx_exit (netif_rx, enqueue_to_backlog, raising NET_RX), stream 64 B, RPS off, receiver on the other CPU; p10-p90 150-290 ns over 1000 samples" },
  // --- softirq machinery (kernel/softirq.c) ---
  do_softirq: { ns: 116, source: "measured (profiles/kvm-epyc-2cpu-traced.json): the rest of a NET_RX run (softirq_entry to the first netif_receive_skb, napi_poll to softirq_exit; median 349 ns over 30014 runs: do_softirq + net_rx_action + process_backlog_call), split in the proportions of the reference table (profiles/reference-published.json): tracepoints do not separate the three" },
  net_rx_action: { ns: 155, source: "measured (profiles/kvm-epyc-2cpu-traced.json): the rest of a NET_RX run (softirq_entry to the first netif_receive_skb, napi_poll to softirq_exit; median 349 ns over 30014 runs: do_softirq + net_rx_action + process_backlog_call), split in the proportions of the reference table (profiles/reference-published.json): tracepoints do not separate the three" },
  process_backlog_call: { ns: 78, source: "measured (profiles/kvm-epyc-2cpu-traced.json): the rest of a NET_RX run (softirq_entry to the first netif_receive_skb, napi_poll to softirq_exit; median 349 ns over 30014 runs: do_softirq + net_rx_action + process_backlog_call), split in the proportions of the reference table (profiles/reference-published.json): tracepoints do not separate the three" },
  netif_receive_skb: { ns: 771, source: "measured (profiles/kvm-epyc-2cpu-traced.json): inside each NET_RX run: one netif_receive_skb hit to the next (the last: to napi_poll), less sk_data_ready's hit and any wakeup inside (__netif_receive_skb up to the socket queue); p10-p90 549-1199 ns over 32323 samples" },
  // --- scheduler ---
  ttwu_queue_wakelist: { ns: 451, source: "measured (datasets/traces/idle-entry-kvm-guest-2cpu-epyc-linux6.18-2026-12-06, src/calibrate/idle-entry.ts): how far into try_to_wake_up the remote wakelist decides (set_nr_if_polling: an IPI or none): sched_waking .. ipi_send_cpu or sched_wake_idle_without_ipi for an idle reader; p10-p90 391-538 ns over 18586 wakings" },
  try_to_wake_up: { ns: 1131, source: "measured (profiles/kvm-epyc-2cpu-traced.json): sched_waking .. sched_wakeup of the same task on the waker's CPU without an IPI sent inside (try_to_wake_up with the wakee activated there); p10-p90 841-1411 ns over 15744 samples" },
  context_switch: { ns: 670, source: "measured (profiles/kvm-epyc-2cpu-traced.json): ping-pong 64 B: a recvfrom that slept (its time before the switch away plus after the switch back) less a recvfrom that found data, less the way to sleep up to the sched_switch record (schedule_queued + schedule_dequeued, 1122 ns), halved: one switch's tail (out, and again back in); p10-p90 430-1101 ns over 14268 samples" },
  schedule_queued: { ns: 379, source: "measured (datasets/traces/idle-entry-kvm-guest-2cpu-epyc-linux6.18-2026-12-06, src/calibrate/idle-entry.ts): a task going to sleep stays on its run queue for this long after setting TASK_INTERRUPTIBLE (through __schedule() up to try_to_block_task()); a waking that reaches it then takes ttwu_runnable(), waits for the rq lock until the switch away is over and wakes the polling idle CPU without an IPI: the 90th percentile of such wakings' lead on the sched_switch record (1122 ns) less schedule_dequeued, over 3523 of 10469 wakings on the way to sleep" },
  schedule_dequeued: { ns: 743, source: "measured (datasets/traces/idle-entry-kvm-guest-2cpu-epyc-linux6.18-2026-12-06, src/calibrate/idle-entry.ts): try_to_block_task() dequeues the sleeping task this long before the sched_switch record (pick_next_task, newidle balance, the rest of __schedule): wakings later than that need an IPI (ttwu_queue_wakelist, task on_cpu), earlier ones none; the gap that best separates the two kinds over 10469 wakings on the way to sleep (6946 with an IPI)" },
  tick: { ns: 12781, source: "measured (profiles/kvm-epyc-2cpu-traced.json): local_timer_entry .. local_timer_exit (the tick's handler); p10-p90 7528-22496 ns over 493 samples" },
  // --- interrupts and IPIs ---
  ipi_send: { ns: 6981, source: "measured (profiles/kvm-epyc-2cpu-traced.json): ipi_send_cpu .. the end of the sender's NET_RX run that sent it (net_rps_send_ipi: the APIC write, a VM exit in a guest); p10-p90 5314-8490 ns over 7247 samples" },
  ipi_latency: { ns: 17279, source: "measured (profiles/kvm-epyc-2cpu-traced.json): ipi_send_cpu on the sender .. call_function_single_entry on a busy target (delivery through the hypervisor); p10-p90 11211-20740 ns over 836 samples" },
  irq_entry_exit: { ns: 300, source: "hardirq entry + exit (idtentry, irq_enter/irq_exit, APIC EOI) on the target" },
  rps_trigger_softirq: { ns: 261, source: "measured (profiles/kvm-epyc-2cpu-traced.json): call_function_single_entry .. call_function_single_exit without a wakeup inside (rps_trigger_softirq: the backlog onto the poll list, NET_RX raised); p10-p90 110-1282 ns over 11759 samples" },
  idle_exit_halt: { ns: 0, source: "measured (profiles/kvm-epyc-2cpu-traced.json): the same latency to a target that was idle (halted), less the busy-target median (idle 14730 ns, busy 17279 ns): waking a halted vCPU; here a halted target was reached sooner than a busy one, so the extra is 0; p10-p90 0-0 ns over 11161 samples" },
  idle_entry_poll: { ns: 442, source: "measured (datasets/traces/idle-entry-kvm-guest-2cpu-epyc-linux6.18-2026-12-06, src/calibrate/idle-entry.ts): after the switch to the idle task, do_idle() polls (TIF_POLLING_NRFLAG set) through its prologue until the cpuidle state halts the CPU (power:cpu_idle): sched_switch .. cpu_idle less the switch's tail (665 ns, where the first wakeups without IPI appear); a wakeup in this window needs no IPI (sched_wake_idle_without_ipi). The long tail (p90 8 us) is the tick being stopped; p10-p90 346-8056 ns over 15679 samples" },
  idle_exit_poll: { ns: 100, source: "leave a polling idle loop (need_resched seen on next poll iteration)" },
  // --- the receiving task ---
  udp_recvmsg: { ns: 595, source: "measured (profiles/kvm-epyc-2cpu-traced.json): sys_enter_recvfrom .. sys_exit_recvfrom that did not sleep, stream 64 B, RPS off, receiver on the other CPU, less syscall and the 64 B copy; p10-p90 545-665 ns over 573 samples" },
  user_recv_loop: { ns: 270, source: "measured (profiles/kvm-epyc-2cpu-traced.json): sys_exit_recvfrom .. the next sys_enter_recvfrom of the lean receiver; p10-p90 250-500 ns over 1000 samples" },
  // --- a non-NAPI device (netif_rx from hardirq) ---
  nic_hardirq: { ns: 600, source: "device interrupt handler of a non-NAPI driver, per interrupt (register reads, ring walk)" },
  nic_rx_per_packet: { ns: 250, source: "per packet in a non-NAPI handler: skb alloc + copy out of the device buffer" },
  // --- ping-pong application work ---
  user_pingpong: { ns: 521, source: "measured (profiles/kvm-epyc-2cpu-traced.json): ping-pong: sys_exit_recvfrom .. sys_enter_sendto of the same task (the reply or the next request); p10-p90 330-710 ns over 15985 samples" },
  // --- OpenWrt's unpinned backlog threads (backlog_napi=backlog-threaded*) ---
  backlog_remote_packet: { ns: 150, source: "extra per packet when napi/backlog-<n> (backlog-threaded modes) runs on a CPU other than n: about 3 cache lines (the sk_buff head, the backlog queue's head and qlen, the NAPI state word) fetched from another core at ~50 ns each (core-to-core cache-line transfer within one socket, 40-70 ns on current x86); the model charges no such cost elsewhere (see docs/design.md)" },
} as const satisfies Record<string, CostEntry>;

export type CostName = keyof typeof COSTS;

/**
 * How each measured cost spreads from one call to the next: the 10th, 50th and 90th percentiles of
 * its durations in the traces of profiles/kvm-epyc-2cpu-traced.json (same brackets as COSTS above;
 * test/cost-spread.test.ts checks these equal the profile's derivation). With cost_spread=measured
 * every charge draws from a distribution with these percentile ratios around the run's own median
 * (the cost table's value, a profile's or a --set cost.<name>), so a fitted or overridden median
 * keeps the measured shape. Entries not listed here (not isolated by a tracepoint bracket) and
 * entries whose percentiles coincide are charged at their median every time.
 */
export const COST_SPREAD: Partial<Record<CostName, { p10: number; p50: number; p90: number }>> = {
  udp_sendmsg: { p10: 2314, p50: 2614, p90: 2924 },
  dev_queue_xmit: { p10: 180, p50: 250, p90: 310 },
  user_send_loop: { p10: 240, p50: 280, p90: 320 },
  get_rps_cpu: { p10: 90, p50: 200, p90: 290 },
  enqueue_to_backlog: { p10: 150, p50: 220, p90: 290 },
  netif_receive_skb: { p10: 549, p50: 771, p90: 1199 },
  try_to_wake_up: { p10: 841, p50: 1131, p90: 1411 },
  context_switch: { p10: 430, p50: 670, p90: 1101 },
  tick: { p10: 7528, p50: 12781, p90: 22496 },
  ipi_send: { p10: 5314, p50: 6981, p90: 8490 },
  ipi_latency: { p10: 11211, p50: 17279, p90: 20740 },
  rps_trigger_softirq: { p10: 110, p50: 261, p90: 1282 },
  udp_recvmsg: { p10: 545, p50: 595, p90: 665 },
  user_recv_loop: { p10: 250, p50: 270, p90: 500 },
  user_pingpong: { p10: 330, p50: 521, p90: 710 },
  // from the idle-entry captures (src/calibrate/idle-entry.ts), not the lean ones
  idle_entry_poll: { p10: 346, p50: 442, p90: 8056 },
  ttwu_queue_wakelist: { p10: 391, p50: 451, p90: 538 },
};

export const COST_NAMES = Object.keys(COSTS) as CostName[];

/** Per-packet copy cost for `bytes` of payload, rounded to whole nanoseconds. */
export function copyCost(costs: Record<CostName, number>, bytes: number): number {
  return Math.round((costs.copy_per_kb * bytes) / 1024);
}
