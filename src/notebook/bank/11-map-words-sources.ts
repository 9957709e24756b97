/**
 * The exercises and questionnaire of notebook 11 (the map, the words, the sources): reading the map,
 * the kernel source table and the real-machine commands. Expected answers come from the library's
 * kernel function table (src/notebook/sources.ts) or are stated facts of the kernel's /proc files.
 */
import { checker, type Exercise, type OpenExercise, type Question } from "../exercises";
import { KERNEL_FUNCTIONS } from "../sources";

const NB = "11-map-words-sources";
const fileOf = (name: string) => KERNEL_FUNCTIONS.find((f) => f.name === name)!.file;

export const EXERCISES: Exercise[] = [
  {
    id: "11.1", notebook: NB,
    question: "Which kernel function picks the CPU an RPS-steered packet is queued on? (its name)",
    answer: { kind: "exact" }, form: "a kernel function name", source: "fact",
    hint: "the orange RPS box of the map, or the kernel function table",
    explanation: "get_rps_cpu hashes the flow and picks a CPU from the queue's rps_cpus mask; enqueue_to_backlog then queues the packet on that CPU's backlog.",
    expected: () => KERNEL_FUNCTIONS.find((f) => f.role.startsWith("RPS: picks the target CPU"))!.name,
  },
  {
    id: "11.2", notebook: NB,
    question: "In which column of `/proc/net/softnet_stat` (counting from 1) does a CPU count the RPS IPIs that started its backlog?",
    answer: { kind: "exact" }, form: "a column number", source: "fact",
    hint: "the glossary's softnet_stat entry, or the real-machine commands",
    explanation: "Column 10, received_rps (since v2.6.35); columns 1-3 are processed, dropped and time_squeeze.",
    expected: () => 10,
  },
  {
    id: "11.3", notebook: NB,
    question: "In which file of the kernel tree are `enqueue_to_backlog`, `process_backlog` and `net_rx_action` defined? (its path)",
    answer: { kind: "exact" }, form: "a path such as kernel/softirq.c", source: "fact",
    hint: "the kernel function table: the file column",
    explanation: "All three are in net/core/dev.c, the file dad6b9770263 changes.",
    expected: () => {
      const files = new Set(["enqueue_to_backlog", "process_backlog", "net_rx_action"].map(fileOf));
      return files.size === 1 ? [...files][0]! : [...files].join(", ");
    },
  },
];

export const OPEN: OpenExercise[] = [];

export const QUESTIONS: Question[] = [
  { id: "11.q1", notebook: NB, question: "Name the steps of the receive path from `netif_rx` to the reader's `recvmsg`.", answer: "netif_rx, enqueue_to_backlog (per-CPU backlog), NET_RX (net_rx_action), process_backlog, __netif_receive_skb, IP, UDP, the socket queue, recvmsg." },
  { id: "11.q2", notebook: NB, question: "Where on the map does RPS cut in, and what does it decide?", answer: "At netif_rx: get_rps_cpu picks the CPU whose backlog gets the packet." },
  { id: "11.q3", notebook: NB, question: "How is a remote CPU's backlog started in v6.8, and how with v6.10's backlog threads?", answer: "v6.8: an IPI (net_rps_send_ipi, run by rps_trigger_softirq on the target); v6.10 threads: a wakeup of backlog_napi/N." },
  { id: "11.q4", notebook: NB, question: "What is a softirq, and on which CPU is it raised?", answer: "A deferred handler run by __do_softirq; it is only ever raised and run on the local CPU." },
  { id: "11.q5", notebook: NB, question: "What is the difference between a CAL and a RES IPI in /proc/interrupts?", answer: "CAL: a function-call IPI (the RPS IPI, remote wakeups through the wake list); RES: a reschedule IPI." },
  { id: "11.q6", notebook: NB, question: "What makes an smpboot thread different from an ordinary kernel thread?", answer: "It is per CPU, bound to its CPU, and parked and unparked with it on CPU hotplug." },
  { id: "11.q7", notebook: NB, question: "What does PREEMPT_RT's BH local lock change for `local_bh_disable()`?", answer: "It takes a per-CPU sleeping lock with priority inheritance instead of bumping a counter, so the holder can be preempted." },
  { id: "11.q8", notebook: NB, question: "How do you see whether a kernel was booted with backlog threads?", answer: "thread_backlog_napi on /proc/cmdline, or backlog_napi/N threads in ps (always on PREEMPT_RT)." },
  { id: "11.q9", notebook: NB, question: "How do you steer loopback's packets to CPU 1 with RPS, and how do you undo it?", answer: "Write 2 to /sys/class/net/lo/queues/rx-0/rps_cpus as root; write 0 (or the old mask) back." },
  { id: "11.q10", notebook: NB, question: "Which source reports the -40.3 % stress-ng regression of the 2023 RFC?", answer: "The kernel test robot's report of 2023-08-21 on the RFC (references: lkp-2023-08-21)." },
];

export const check = checker(EXERCISES);
