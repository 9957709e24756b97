/**
 * The exercises and questionnaire of notebook 01 (the backlog NAPI): one kick per batch, who pays
 * for loopback receive work, what `netdev_max_backlog` admits. Expected answers come from the model.
 */
import { makeConfig } from "../../config/parse";
import { simulate } from "../../sim/simulate";
import type { SimResult } from "../../observe/types";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "01-backlog-napi";
const countOf = (r: SimResult, event: string) => r.trace!.records.filter((x) => x.event === event).length;

const burst = once(() => simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 32_000, nic_batch: 32, duration_ms: 1, trace: true, trace_ns: 900_000 })));
/** Notebook 01 section 3: the traced loopback stream. */
const lo = once(() => simulate(makeConfig({ workload: "udp-stream", rate_pps: 200_000, duration_ms: 1, trace: true, trace_ns: 25_000 })));
const tiny = once(() => simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rps_cpus: "2", rate_pps: 8_000, nic_batch: 8, netdev_max_backlog: 0, duration_ms: 1 })));
/** Notebook 01 section 4: the overload run at one backlog limit. */
export function overloadAt(limit: number): SimResult {
  return simulate(makeConfig({ workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rps_cpus: "2", rate_pps: 1_500_000, nic_batch: 16, netdev_max_backlog: limit, duration_ms: 50 }));
}
const overload1000 = once(() => overloadAt(1000));
const overload5000 = once(() => overloadAt(5000));

export const EXERCISES: Exercise[] = [
  {
    id: "01.1", notebook: NB,
    question: "A device hands 32 packets to `netif_rx` in one interrupt, and the backlog was idle. How many times is NET_RX raised for that burst?",
    answer: { kind: "number", tolerance: 0 }, form: "a whole number", source: "model",
    hint: "the first packet finds the queue empty; what do the 31 others find?",
    explanation: "Only the packet that finds an empty queue and an idle NAPI kicks it.",
    expected: () => countOf(burst(), "irq:softirq_raise") / (countOf(burst(), "net:netif_rx") / 32),
  },
  {
    id: "01.2", notebook: NB,
    question: "With RPS off and the loopback stream of section 3, whose CPU time pays for `__netif_receive_skb` of a datagram: the sender task's or the receiver task's? Answer with the task name.",
    answer: { kind: "choice", options: ["udp_tx/0", "udp_rx/0"] }, form: "\"udp_tx/0\" or \"udp_rx/0\"", source: "model",
    hint: "look at the grey strip under the orange spans of the loopback timeline",
    explanation: "NET_RX runs at local_bh_enable inside the sender's sendto().",
    expected: () => lo().trace!.records.find((r) => r.event === "net:netif_receive_skb")!.comm,
  },
  {
    id: "01.3", notebook: NB,
    question: "`netdev_max_backlog` is 0. How many packets can `input_pkt_queue` hold? (The test in `enqueue_to_backlog` is `qlen <= netdev_max_backlog`.) Check your answer with a run: a burst of 8 packets to CPU 1 with `netdev_max_backlog: 0`, and count the drops.",
    answer: { kind: "exact" }, form: "a whole number", source: "model",
    setup: "const tiny = simulate(makeConfig({ workload: \"nic-rx\", nic_cpu: 0, receiver_cpu: 1, rps_cpus: \"2\", rate_pps: 8_000, nic_batch: 8, netdev_max_backlog: 0, duration_ms: 1 }));\nconsole.log(`dropped on cpu1: ${tiny.per_cpu[1].softnet.dropped} of 8`);",
    hint: "the check happens before the packet is added: what is qlen for the first packet, and for the second?",
    explanation: "qlen 0 <= 0 lets the first packet in; the second finds qlen 1 > 0 and is dropped.",
    expected: () => 8 - tiny().per_cpu[1].softnet.dropped,
  },
  {
    id: "01.4", notebook: NB,
    question: "In section 4, raising `netdev_max_backlog` from 1000 to 5000: does the number of packets the receiver reads go up, down, or stay the same?",
    answer: { kind: "choice", options: ["up", "down", "same"] }, form: "\"up\", \"down\" or \"same\"", source: "model",
    hint: "compare the `read … of …` figures of the two rows",
    explanation: "A longer queue does not give CPU 1 more time: the drops move from the backlog to later, and queueing delay grows.",
    expected: () => {
      const a = overload1000().packets.delivered;
      const b = overload5000().packets.delivered;
      return b > a ? "up" : b < a ? "down" : "same";
    },
  },
  {
    id: "01.5", notebook: NB,
    question: "In which CPU's `softnet_stat` `dropped` column does `enqueue_to_backlog` count a packet dropped because CPU 1's backlog is full, when the device interrupts CPU 0 and RPS steers to CPU 1? (a number)",
    answer: { kind: "exact" }, form: "a CPU number", source: "model",
    hint: "the counter belongs to the softnet_data whose queue was full",
    explanation: "enqueue_to_backlog increments sd->dropped of the target CPU's softnet_data, not of the CPU that called netif_rx.",
    expected: () => overload1000().per_cpu.reduce((a, b) => (b.softnet.dropped > a.softnet.dropped ? b : a)).cpu,
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "01.o1", notebook: NB,
    question: "Sweep it yourself: rerun section 4 with `nic_batch: 1` (one interrupt per packet). Does CPU 0 still keep up with the device? Look at `per_cpu[0].busy_ns.hardirq` and at `packets.dropped.nic`.",
    discussion: "With one interrupt per packet the hardirq cost is paid 16 times as often: CPU 0's hardirq time grows until the device's own ring overflows (packets.dropped.nic > 0). Batching in the driver is what lets one CPU absorb a flood; NAPI drivers go further and stop interrupting while polling.",
  },
];

export const QUESTIONS: Question[] = [
  { id: "01.q1", notebook: NB, question: "What is the backlog NAPI, and what is special about it compared with a driver's NAPI?", answer: "A per-CPU NAPI struct in softnet_data whose poll function is process_backlog; no device is behind it. Packets reach it through netif_rx / enqueue_to_backlog rather than a driver's ring." },
  { id: "01.q2", notebook: NB, question: "Name three users of the backlog.", answer: "Non-NAPI drivers (netif_rx from their hardirq), RPS (packets steered to another CPU's backlog), and parts of the stack such as loopback's transmit path." },
  { id: "01.q3", notebook: NB, question: "When does `enqueue_to_backlog` raise NET_RX?", answer: "Only when the packet finds the queue empty and the backlog NAPI not already scheduled (NAPI_STATE_SCHED clear): one kick per batch." },
  { id: "01.q4", notebook: NB, question: "Where does NET_RX run after a device's hardirq handler has queued packets?", answer: "At irq exit (invoke_softirq from irq_exit), on the time of whatever the CPU was running, unless ksoftirqd is already active." },
  { id: "01.q5", notebook: NB, question: "Why does loopback delivery run inside the sender's `sendto()`?", answer: "__dev_queue_xmit holds bottom halves disabled (rcu_read_lock_bh); loopback_xmit calls netif_rx, which raises NET_RX; when bottom halves are re-enabled, local_bh_enable runs do_softirq right there, in the system call." },
  { id: "01.q6", notebook: NB, question: "What does the commit message mean by \"processed within the call\"?", answer: "That a UDP datagram sent over loopback is received (IP, UDP, socket queue, wakeup) before sendto() returns, on the sender's CPU time." },
  { id: "01.q7", notebook: NB, question: "What is the condition under which `enqueue_to_backlog` drops a packet?", answer: "When input_pkt_queue already holds more than netdev_max_backlog packets (the test is qlen <= netdev_max_backlog to admit)." },
  { id: "01.q8", notebook: NB, question: "Does a larger `netdev_max_backlog` let more packets through an overloaded CPU? Why?", answer: () => `No: it only moves where the packets are lost and adds queueing delay; the CPU's capacity is unchanged. In section 4 the receiver reads ${overload1000().packets.delivered} packets with a limit of 1000 and ${overload5000().packets.delivered} with 5000.` },
  { id: "01.q9", notebook: NB, question: "In `/proc/net/softnet_stat`, what do the first three columns count?", answer: "processed (packets handled), dropped (backlog full), time_squeeze (net_rx_action stopped with work left: budget or time exhausted)." },
  { id: "01.q10", notebook: NB, question: "Why can the model's share of NET_RX in the sender and the kernel test robot's profile figure not be compared digit for digit?", answer: "Different denominators (the sender's busy time vs all sampled cycles of a machine), different machines and workloads (stress-ng runs many pairs): only orders of magnitude compare." },
  { id: "01.q11", notebook: NB, question: "Which kernel function is the backlog's poll function, and what does it do with the queue?", answer: "process_backlog: it splices input_pkt_queue into process_queue under the backlog lock and hands each packet to __netif_receive_skb, up to its quota." },
];

export const check = checker(EXERCISES);
