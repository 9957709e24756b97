/**
 * The exercises and questionnaire of notebook 04b (the ksoftirqd policy history and the FIFO task's
 * latency, C7 and C13). Expected answers come from src/experiments/rt.ts and the published figures.
 */
import { RT_KERNELS, rtScenario, ksoftirqdPolicies } from "../../experiments/rt";
import type { ConfigOverrides } from "../../config/parse";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "04b-ksoftirqd-policy";
/** Notebook 04b section 1: the two policies, receiver on the flood's CPU or not (100 ms). */
const policies = once(() => ksoftirqdPolicies({ duration_ms: 100 }));
const rate = (policy: string, receiver: string) => policies().find((p) => p.policy === policy && p.receiver === receiver)!.received_pps;
/** Notebook 04b section 2: the non-NAPI flood on CPU 1 beside the FIFO task. */
export const FLOOD_ON_CPU1: ConfigOverrides = { workload: "nic-rx", nic_cpu: 1, rate_pps: 1_000_000, nic_batch: 32, rps_cpus: "0" };
const floodLatency = once(() => RT_KERNELS.map((k) => ({ kernel: k.label, p99: rtScenario(k, FLOOD_ON_CPU1).wakeup_latency_ns!.p99 })));

export const EXERCISES: Exercise[] = [
  {
    id: "04b.1", notebook: NB,
    question: "Does the 2016 policy change anything for a receiver on the *other* CPU (true if the rates differ)?",
    answer: { kind: "exact" }, form: "true or false", source: "model",
    hint: "compare the two 'other CPU' rows",
    explanation: "The flood's softirqs run on CPU 0; the receiver's CPU never needs ksoftirqd.",
    expected: () => rate("2016", "other CPU") !== rate("since-6.5", "other CPU"),
  },
  {
    id: "04b.2", notebook: NB,
    question: "By what factor does the 2016 policy raise the rate of a receiver on the flood's CPU in the model (2016 / since-6.5)? (within 5 %)",
    answer: { kind: "number", tolerance: 0.05 }, form: "a number", source: "model",
    hint: "divide the two 'same CPU as the flood' rows",
    explanation: "Once ksoftirqd is runnable, softirqs wait for it, and ksoftirqd shares the CPU fairly with the receiver instead of taking it at every irq exit.",
    expected: () => rate("2016", "same CPU as the flood") / rate("since-6.5", "same CPU as the flood"),
  },
  {
    id: "04b.3", notebook: NB,
    question: "Which commit reverted the 2016 ksoftirqd policy, in v6.5? (its 12-character id)",
    answer: { kind: "exact" }, form: "a commit id", source: "fact",
    hint: "section 1 names both commits",
    explanation: "d15121be7485 (\"Revert 'softirq: Let ksoftirqd do its job'\") restored softirqs at irq exit and local_bh_enable while ksoftirqd is runnable.",
    expected: () => "d15121be7485",
  },
  {
    id: "04b.4", notebook: NB,
    question: "Beside the non-NAPI flood on CPU 1, which kernel gives the SCHED_FIFO task the longest p99 wakeup latency? (its label as printed)",
    answer: { kind: "choice", options: RT_KERNELS.map((k) => k.label) }, form: RT_KERNELS.map((k) => JSON.stringify(k.label)).join(", "), source: "model",
    hint: "which kernel runs NET_RX at irq exit, where a FIFO task cannot preempt it?",
    explanation: "Without preemption the FIFO task waits for the softirq work running at irq exit (up to __do_softirq's 2 ms / 10 rounds); on RT it preempts the thread doing that work.",
    expected: () => floodLatency().reduce((a, b) => (b.p99 > a.p99 ? b : a)).kernel,
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "04b.o1", notebook: NB,
    question: "Set `preempt: \"full\"` (CONFIG_PREEMPT without RT) in the latency experiment. Where does the FIFO task's tail land, and why? (Hint: can kernel code be preempted inside `__do_softirq`?)",
    discussion: "Between the two: CONFIG_PREEMPT lets the FIFO task preempt task-context kernel code, but not a softirq running at irq exit (preemption is disabled in softirq context), so the tail still follows the softirq's length; only threaded softirq work (ksoftirqd, backlog threads, RT) is preemptible.",
  },
];

export const QUESTIONS: Question[] = [
  { id: "04b.q1", notebook: NB, question: "What did 4cd13c21b207 (\"softirq: Let ksoftirqd do its job\", 2016, v4.9) change?", answer: "While ksoftirqd was runnable, no softirq ran at irq exit or local_bh_enable: ksoftirqd took them all, as a normal SCHED_OTHER task." },
  { id: "04b.q2", notebook: NB, question: "Which measurement motivated the 2016 change?", answer: "A receiver sharing its CPU with a UDP flood: softirqs at irq exit starved it (about 2,000 packets/s), with the change it got CPU time (about 900,000 packets/s)." },
  { id: "04b.q3", notebook: NB, question: "Why was the 2016 policy reverted in v6.5 (d15121be7485)?", answer: "Deferring every softirq to a SCHED_OTHER thread added latency for other softirq users (e.g. network latency and throughput regressions reported when ksoftirqd was busy); the revert restored processing at irq exit." },
  { id: "04b.q4", notebook: NB, question: "After the revert, what happens again to a receiver on the flood's CPU?", answer: () => `It starves again: in the model ${Math.round(rate("since-6.5", "same CPU as the flood"))} pps against ${Math.round(rate("since-6.5", "other CPU"))} pps on the other CPU.` },
  { id: "04b.q5", notebook: NB, question: "Why can the model's absolute rates not be compared with the published 2016 and 2023 figures, and what can be?", answer: "The published figures come from real NICs and machines; the model uses its cost table and a model device. The ratios (directions and orders of magnitude) can be compared." },
  { id: "04b.q6", notebook: NB, question: "What is cyclictest, and what does the model's SCHED_FIFO task imitate?", answer: "A real-time latency benchmark: a SCHED_FIFO thread that sleeps until a timer and measures how late it runs; the model's task wakes every 200 µs and records timer expiry to running." },
  { id: "04b.q7", notebook: NB, question: "Why does a FIFO task wait long beside a flood on a non-preemptible kernel?", answer: "Softirq work at irq exit cannot be preempted; the task waits until __do_softirq stops (2 ms or 10 rounds) or the work ends." },
  { id: "04b.q8", notebook: NB, question: "Do backlog threads improve the FIFO task's latency over v6.8-rt in the model?", answer: "No: RT already moved the receive work into preemptible threads; backlog threads change who does it (a per-CPU backlog thread instead of ksoftirqd) and remove the softirq raised from hardirq context." },
  { id: "04b.q9", notebook: NB, question: "What does claim C13 say?", answer: "Backlog threads are optional (thread_backlog_napi) but mandatory on PREEMPT_RT." },
  { id: "04b.q10", notebook: NB, question: "Is PREEMPT_RT an out-of-tree patch today?", answer: "No: PREEMPT_RT is mainline since Linux 6.12 (CONFIG_PREEMPT_RT); before that, the -rt kernels such as v6.8-rt carried it as out-of-tree patches." },
  { id: "04b.q11", notebook: NB, question: "On a real machine, how do you see how much CPU ksoftirqd takes?", answer: "top/ps on the ksoftirqd/N threads (their CPU time), /proc/softirqs for the counts per CPU, and /proc/net/softnet_stat's time_squeeze for NET_RX stopped early." },
];

export const check = checker(EXERCISES);
