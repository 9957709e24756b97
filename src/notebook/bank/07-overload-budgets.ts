/**
 * The exercises and questionnaire of notebook 07 (overload: budgets, ksoftirqd, the thread's missing
 * budget, C15). Expected answers come from src/experiments/overload.ts at the notebook's rates.
 */
import { overloadSweep, OVERLOAD_VARIANTS } from "../../experiments/overload";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "07-overload-budgets";
/** Notebook 07 section 1: the offered loads of the livelock sweep. */
export const LIVELOCK_RATES = [100_000, 300_000, 500_000, 700_000, 1_000_000, 1_500_000, 2_000_000];
const variantSweep = (i: number) => once(() => overloadSweep(LIVELOCK_RATES, { duration_ms: 50, variants: [OVERLOAD_VARIANTS[i]!] }));
const v68 = variantSweep(0);
const rt = variantSweep(2);
const rpsThread = variantSweep(3);
const peakOf = (rows: { offered_pps: number; delivered_pps: number }[]) => rows.reduce((a, b) => (b.delivered_pps > a.delivered_pps ? b : a));

export const EXERCISES: Exercise[] = [
  {
    id: "07.1", notebook: NB,
    question: "For v6.8, at which offered load (kpps) in the sweep is the most delivered?",
    answer: { kind: "number", tolerance: 0 }, form: "a number of kpps", source: "model",
    hint: "find the largest delivered value of the v6.8 rows",
    explanation: "Past it the interrupts and softirqs leave the receiver too little CPU.",
    expected: () => peakOf(v68()).offered_pps / 1000,
  },
  {
    id: "07.2", notebook: NB,
    question: "How many packets per second does v6.8 deliver at 2 Mpps offered?",
    answer: { kind: "number", tolerance: 0 }, form: "a number of packets/s", source: "model",
    hint: "the last v6.8 row; what share of CPU 0 do the hardirqs take there?",
    explanation: "The hardirqs alone take the whole CPU: the receiving task never runs. That is receive livelock.",
    expected: () => v68()[v68().length - 1]!.delivered_pps,
  },
  {
    id: "07.3", notebook: NB,
    question: "Which variant collapses first, i.e. has the lowest offered load at its peak: v6.8 or PREEMPT_RT with one packet per interrupt? (`\"v6.8\"` or `\"RT\"`; `\"same\"` if they peak at the same load)",
    answer: { kind: "choice", options: ["v6.8", "RT", "same"] }, form: "\"v6.8\", \"RT\" or \"same\"", source: "model",
    hint: "compare the peaks of the two curves; count the context switches an RT interrupt costs",
    explanation: "Each interrupt wakes the SCHED_FIFO IRQ thread: two context switches per packet here, a cost v6.8's softirq at irq exit does not pay; a device that batches (nic_batch) spreads it over many packets.",
    expected: () => { const a = peakOf(v68()).offered_pps; const b = peakOf(rt()).offered_pps; return a === b ? "same" : b < a ? "RT" : "v6.8"; },
  },
  {
    id: "07.4", notebook: NB,
    question: "With RPS to CPU 1 and a backlog thread, at which offered load (kpps) is the most delivered?",
    answer: { kind: "number", tolerance: 0 }, form: "a number of kpps", source: "model",
    hint: "the largest delivered value of the fourth variant's rows",
    explanation: "The receive work moves off the flooded CPU 0 into backlog_napi/1, until CPU 0's hardirqs alone saturate it.",
    expected: () => peakOf(rpsThread()).offered_pps / 1000,
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "07.o1", notebook: NB,
    question: "Rerun the sweep with `nic_batch: 16` for the RT variant (`await overloadSweepParallel(rates, { variants: [{ label: \"RT, 16 per irq\", settings: { receiver_cpu: 0, preempt: \"rt\", nic_batch: 16 } }] })`; the sweep sets `nic_batch: 1` first, your settings override it). Does the RT kernel still collapse first?",
    discussion: "With 16 packets per interrupt the IRQ thread's two context switches are paid once per 16 packets, so the RT curve's peak moves to a much higher load: the early collapse was the per-packet interrupt, not RT itself. NAPI drivers get the same effect by polling with interrupts off.",
  },
  {
    id: "07.o2", notebook: NB,
    question: "Sketch what a SCHED_FIFO backlog thread (discussed for the commit, not modelled) would do under this flood to a SCHED_OTHER receiver on the same CPU. Which kernel mechanism would then be the only limit?",
    discussion: "It would run whenever it has work and starve the SCHED_OTHER receiver, like the RT IRQ thread does in section 1; only the real-time throttling (sched_rt_runtime_us, 95 % by default) would leave the receiver a share.",
  },
];

export const QUESTIONS: Question[] = [
  { id: "07.q1", notebook: NB, question: "What is receive livelock (Mogul and Ramakrishnan)?", answer: "Past some offered load a system spending its time on interrupts and protocol processing delivers less to applications the more it is offered, down to nothing." },
  { id: "07.q2", notebook: NB, question: "What are `netdev_budget` and `netdev_budget_usecs`?", answer: "The packet budget (300) and time budget (2 ms) of one net_rx_action run; when either is used up with work left, it stops, counts time_squeeze and raises NET_RX again." },
  { id: "07.q3", notebook: NB, question: "What are `__do_softirq`'s limits, and what happens when they are hit?", answer: "It restarts while softirqs are pending, up to 2 ms, 10 rounds and while no reschedule is needed; past that it wakes ksoftirqd/N." },
  { id: "07.q4", notebook: NB, question: "Why does no softirq variant report `time_squeeze` in the sweep?", answer: "With one backlog NAPI at weight 64, a net_rx_action never reaches the 300-packet budget." },
  { id: "07.q5", notebook: NB, question: "What bounds one poll loop of a backlog thread?", answer: "Only the backlog's length and cond_resched(): there is no budget; the scheduler is the only throttle (C15)." },
  { id: "07.q6", notebook: NB, question: "Why does the 2016 ksoftirqd policy keep the receiver alive a little longer?", answer: "Once ksoftirqd is runnable, softirqs wait for it, and ksoftirqd (SCHED_OTHER) shares the CPU fairly with the receiver." },
  { id: "07.q7", notebook: NB, question: "Why does the model's RT kernel collapse earlier with one packet per interrupt?", answer: "Each interrupt wakes the SCHED_FIFO IRQ thread: two context switches per packet, paid on the flooded CPU." },
  { id: "07.q8", notebook: NB, question: "What does RPS to another CPU with a backlog thread change under the flood?", answer: "The receive work moves off the flooded CPU into backlog_napi/1, so the receiver on CPU 0 only competes with the hardirqs, until those alone saturate CPU 0." },
  { id: "07.q9", notebook: NB, question: "How do NAPI drivers avoid livelock in real hardware?", answer: "They disable the device's interrupt while polling (interrupt mitigation) and poll under a budget; the model's non-NAPI device interrupts per packet, the worst case." },
  { id: "07.q10", notebook: NB, question: "Where on a real machine do you see softirq work moving to ksoftirqd under load?", answer: "The CPU time of ksoftirqd/N in top or ps, /proc/softirqs counts per CPU, and time_squeeze in /proc/net/softnet_stat." },
  { id: "07.q11", notebook: NB, question: "What does the reference line delivered = offered in the livelock chart show?", answer: "Where the system delivers everything it is offered; a curve below it is losing packets, and the distance is the loss." },
];

export const check = checker(EXERCISES);
