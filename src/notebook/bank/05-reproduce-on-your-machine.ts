/**
 * The exercises and questionnaire of notebook 05 (the model beside a real machine): reading the
 * committed lean dataset, the trace capture, and what calibration can and cannot fix. Expected
 * answers are read from datasets/real and datasets/traces or computed by the model.
 */
import * as path from "node:path";
import { loadMeasurementDataset } from "../../measure/dataset";
import { loadTraceDataset, defaultTraceDir } from "../../trace/index";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "05-reproduce-on-your-machine";
/** The dataset notebook 05 reads (the lean tool's matrix of 2026-12-06). */
export const NB05_DATASET = "kvm-guest-2cpu-epyc-linux6.18-lean-2026-12-06";
const ds = once(() => loadMeasurementDataset(path.join(path.dirname(defaultTraceDir()), "real", NB05_DATASET)));
const median = (config: string, col: string) => Number(ds().summary.find((r) => r.config_id === config)![`${col}_median`]);
const trace = once(() => loadTraceDataset("lo-udp-other-cpu-paced"));

export const EXERCISES: Exercise[] = [
  {
    id: "05.1", notebook: NB,
    question: "How many NET_RX runs per packet did the real machine show for ping-pong with RPS to CPU 1 and the receiver on the sender's CPU? (round to a whole number)",
    answer: { kind: "number", tolerance: 0 }, form: "a whole number", source: "dataset",
    hint: "one NET_RX run sends the RPS IPI, another processes the packet on CPU 1",
    explanation: "Each direction costs a local NET_RX (to send the IPI) and a remote one (to process): two per packet.",
    expected: () => Math.round(median("pingpong-64b-rps_other-recv_same", "net_rx_per_packet")),
  },
  {
    id: "05.2", notebook: NB,
    question: "In the real ftrace capture, on which CPU did `netif_receive_skb` run? (a number)",
    answer: { kind: "exact" }, form: "a CPU number", source: "dataset",
    hint: "section 4 prints where netif_receive_skb ran, for the real capture and the model",
    explanation: "RPS is off, so the real kernel too receives the datagram on the sender's CPU, inside its sendto().",
    expected: () => trace().records.find((r) => r.event === "net:netif_receive_skb")!.cpu,
  },
  {
    id: "05.3", notebook: NB,
    question: "On the measured VM, does enabling RPS to CPU 1 raise or lower the 64-byte stream's median throughput with the receiver on the other CPU? (`\"raise\"` or `\"lower\"`)",
    answer: { kind: "choice", options: ["raise", "lower"] }, form: "\"raise\" or \"lower\"", source: "dataset",
    hint: "compare the received_pps medians of stream-64b-rps_off-recv_other and stream-64b-rps_other-recv_other in the dataset's summary",
    explanation: "RPS moves the receive work off the sender's CPU, which then sends more; the same direction as the model (notebook 03).",
    expected: () => (median("stream-64b-rps_other-recv_other", "received_pps") > median("stream-64b-rps_off-recv_other", "received_pps") ? "raise" : "lower"),
  },
  {
    id: "05.4", notebook: NB,
    question: "How many runs does the dataset hold for each configuration? (the `runs` column of the summary)",
    answer: { kind: "exact" }, form: "a whole number", source: "dataset",
    setup: "console.log(ds.summary.slice(0, 3).map((r) => `${r.config_id}: ${r.runs} runs`).join(\"\\n\"));",
    hint: "the cell prints it for the first configurations; section 1 prints configurations and runs",
    explanation: "Each configuration is measured several times, and the summary keeps the median with the min-max range: one run is not a measurement.",
    expected: () => Number(ds().summary.find((r) => r.config_id === "stream-64b-rps_off-recv_same")!.runs),
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "05.o1", notebook: NB,
    question: "Measure your own machine (section 1), then rerun sections 2-3 on your dataset. Which cost group moves most? Is your scheduler closer to the model's on the same-CPU stream?",
    discussion: "Answers depend on the machine. A good answer names the fitted factors before and after, says which metrics agree within 25 % by default and after the fit, and separates mechanism counts (NET_RX runs, IPIs per packet: code paths) from rates (every cost on the critical path). On bare metal IPIs are far cheaper than in a VM, so the interrupt group usually moves.",
  },
];

export const QUESTIONS: Question[] = [
  { id: "05.q1", notebook: NB, question: "What does `softnet-lab measure` change on the machine, and what does it restore?", answer: "It sets /sys/class/net/lo/queues/rx-0/rps_cpus per run (always restored, even when killed) and runs the lean load tool pinned to CPUs over 127.0.0.1; it reads counters from /proc." },
  { id: "05.q2", notebook: NB, question: "Why are figures given as a median with a min-max range?", answer: "A real machine is noisy: several runs per configuration, the median is robust to one bad run, and the range shows how far runs spread." },
  { id: "05.q3", notebook: NB, question: "When does a figure \"agree\" with the model in this notebook?", answer: "When the model is within 25 % of the real median." },
  { id: "05.q4", notebook: NB, question: "Which kind of figure agrees best, and why?", answer: "Mechanism counts per packet (NET_RX runs, RPS IPIs, switches): they follow from code paths. Rates sum every cost on the critical path and depend on the machine." },
  { id: "05.q5", notebook: NB, question: "Where does the model's default cost table come from?", answer: "It was measured on the kit's own machine kind from its kernel's traces: each entry between the tracepoints that bracket its kernel function (softnet-lab costs, profiles/kvm-epyc-2cpu-traced.json)." },
  { id: "05.q6", notebook: NB, question: "What does the fit change, and what can it not fix?", answer: "It scales five cost groups (send path, receive stack, receiving application, scheduler, interrupts); it cannot fix a mechanism the model leaves out (haltpoll idle, flow-hash choices, timer ticks)." },
  { id: "05.q7", notebook: NB, question: "Why must the calibrated table use the fit computed in the same cell?", answer: "So that a student with their own dataset sees their own machine, not the kit's committed factors." },
  { id: "05.q8", notebook: NB, question: "Why do some rows of the dataset not agree run for run with the model?", answer: "RPS picks the target by flow hash: the model from its seed, the kernel from the client's source port, a new one every run." },
  { id: "05.q9", notebook: NB, question: "What does the real trace show that the model leaves out?", answer: "Timer ticks, RCU and other kernel threads, and the sender's own timing (a Node program with a coarse timer)." },
  { id: "05.q10", notebook: NB, question: "Why do many of the real guest's wakeups need no IPI?", answer: "Its idle CPUs poll through the idle loop's prologue before they halt, so a wakeup then finds the CPU awake; and a waker that finds the reader still on its way to sleep waits for the switch to end and then finds it polling. The model has both (idle_entry_poll, schedule_queued); how often a wakeup meets them depends on the phase between sender and reader." },
  { id: "05.q11", notebook: NB, question: "What is the lean load tool, and why does the kit use it rather than a general benchmark?", answer: "tools/udp-blast: one sendto() or recv() per datagram, pinned, bounded, built with gcc on first use; it keeps user-space work small and known, so the kernel's share can be compared with the model." },
];

export const check = checker(EXERCISES);
