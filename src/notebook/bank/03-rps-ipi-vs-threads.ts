/**
 * The exercises and questionnaire of notebook 03 (RPS: IPIs or threads, C2 and C12): packets per IPI,
 * where the two kicks agree, what RPS does to loopback throughput. Expected answers come from
 * src/experiments/rps.ts with the notebook's run lengths, and from the committed lean dataset.
 */
import { makeConfig } from "../../config/parse";
import { simulate } from "../../sim/simulate";
import { ipiBatching, rpsRun, type RpsCondition } from "../../experiments/rps";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "03-rps-ipi-vs-threads";
const flatOut = once(() => ipiBatching([0], { duration_ms: 50 })[0]!);
const slow = once(() => ipiBatching([20_000], { duration_ms: 50 })[0]!);
const OTHER_SPARE: RpsCondition = { cpus: 2, receiver: "other", spare: true };
const SAME_HOGS: RpsCondition = { cpus: 2, receiver: "same", spare: false };
/** Notebook 03 section 3: thread / IPI throughput for one condition (100 ms runs). */
function threadVsIpi(c: RpsCondition): number {
  return rpsRun(c, "rps-thread", { duration_ms: 100 }).received_pps / rpsRun(c, "rps-ipi", { duration_ms: 100 }).received_pps;
}
const spareRatio = once(() => threadVsIpi(OTHER_SPARE));
const hogsRatio = once(() => threadVsIpi(SAME_HOGS));
/** Notebook 03 section 1: the traced RPS kick under v6.10 threads. */
const threadsKick = once(() => simulate(makeConfig({ workload: "udp-stream", rps_cpus: "2", rate_pps: 100_000, backlog_napi: "threads", duration_ms: 1, trace: true, trace_ns: 32_000 })));

export const EXERCISES: Exercise[] = [
  {
    id: "03.1", notebook: NB,
    question: "At a flat-out rate, how many packets does one RPS IPI carry in the model? (round to a whole number)",
    answer: { kind: "number", tolerance: 0 }, form: "a whole number", source: "model",
    hint: "the last row of the batching table",
    explanation: "While CPU 1's backlog stays scheduled, new packets need no kick.",
    expected: () => Math.round(flatOut().packets_per_ipi),
  },
  {
    id: "03.2", notebook: NB,
    question: "With 2 CPUs, the receiver on another CPU and spare CPU time, do the thread kick and the IPI kick end within 10 % of each other?",
    answer: { kind: "exact" }, form: "true or false", source: "model",
    hint: "thread/IPI for 2 CPUs, receiver on another CPU, spare CPU time",
    explanation: "With spare CPU time each kick finds CPU 1 idle and one kick serves a whole batch, whether it is an IPI that raises NET_RX at irq exit or the wakeup of backlog_napi/1.",
    expected: () => Math.abs(spareRatio() - 1) <= 0.1,
  },
  {
    id: "03.3", notebook: NB,
    question: "With 2 CPUs, the receiver on the sender's CPU and a CPU hog on every CPU, which kick gives the higher throughput, `\"thread\"` or `\"IPI\"`?",
    answer: { kind: "choice", options: ["thread", "IPI"] }, form: "\"thread\" or \"IPI\"", source: "model",
    hint: "read thread/IPI for 2 CPUs, receiver on the sender's CPU, no spare CPU (hogs) in section 3's table",
    explanation: "With a hog on CPU 1 the two kicks differ in who pays: NET_RX at irq exit takes the hog's time without asking the scheduler, while backlog_napi/1, a SCHED_OTHER task, must win CPU 1 from the hog; which ends ahead depends on the costs of the IPI, the wakeup and the switches (section 3).",
    expected: () => (hogsRatio() > 1 ? "thread" : "IPI"),
  },
  {
    id: "03.4", notebook: NB,
    question: "At 20 kpps (paced), how many packets does one RPS IPI carry? (a number, within 5 %)",
    answer: { kind: "number", tolerance: 0.05 }, form: "a number", source: "model",
    hint: "at a low rate, is CPU 1's backlog still scheduled when the next packet arrives?",
    explanation: "Each packet finds CPU 1's backlog idle again, so every packet needs its own kick.",
    expected: () => slow().packets_per_ipi,
  },
  {
    id: "03.5", notebook: NB,
    question: "In the traced RPS kick under v6.10 threads (section 1), how many times was `backlog_napi/1` woken? Count the `sched_wakeup` records for it.",
    answer: { kind: "exact" }, form: "a whole number", source: "model",
    setup: "const thr = simulate(makeConfig({ workload: \"udp-stream\", rps_cpus: \"2\", rate_pps: 100_000, backlog_napi: \"threads\", duration_ms: 1, trace: true, trace_ns: 32_000 }));\nconst wakeups = thr.trace!.records.filter((r) => r.event === \"sched:sched_wakeup\");\nconsole.log(wakeups.map((r) => r.fields.comm).join(\" \"));",
    hint: "filter the printed comms for backlog_napi/1",
    explanation: "With threads, each kick of CPU 1's idle backlog is a wakeup of backlog_napi/1 instead of an RPS IPI; a kick that finds the thread already running costs nothing.",
    expected: () => threadsKick().trace!.records.filter((r) => r.event === "sched:sched_wakeup" && String(r.fields.comm) === "backlog_napi/1").length,
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "03.o1", notebook: NB,
    question: "Rerun the 4-CPU conditions with 4 flows (`flows: 4`, `rps_cpus: \"e\"`). Does the picture change? Which CPU does each flow land on (look at `per_cpu[].softnet.processed`)?",
    discussion: "With several flows the flow hash spreads them over CPUs 1-3, so the receive work is shared and the 4-CPU rows stop repeating the 2-CPU ones; which CPU each flow lands on follows the seeded hash (a different seed moves them). The kick mechanisms do not change: one kick per batch per target CPU.",
  },
];

export const QUESTIONS: Question[] = [
  { id: "03.q1", notebook: NB, question: "What does RPS do, and which sysfs file turns it on for a device queue?", answer: "Receive Packet Steering picks a target CPU by flow hash from a mask and queues the packet on that CPU's backlog; /sys/class/net/<dev>/queues/rx-<n>/rps_cpus." },
  { id: "03.q2", notebook: NB, question: "Why can the sending CPU not simply raise NET_RX on the target CPU?", answer: "A softirq is only ever raised on the local CPU; to get the remote CPU to schedule its backlog NAPI it must be interrupted (an IPI)." },
  { id: "03.q3", notebook: NB, question: "Follow an RPS kick in v6.8: which functions run, on which CPU?", answer: "On the sender's CPU: enqueue_to_backlog puts the target's softnet_data on rps_ipi_list and raises NET_RX locally; net_rx_action ends with net_rps_send_ipi. On the target: rps_trigger_softirq in hardirq context schedules the backlog and raises NET_RX, which runs at irq exit." },
  { id: "03.q4", notebook: NB, question: "What counter of softnet_stat counts RPS IPIs received?", answer: "received_rps (the tenth column of /proc/net/softnet_stat)." },
  { id: "03.q5", notebook: NB, question: "Why does the number of packets per RPS IPI grow with the load?", answer: () => `A backlog that is still scheduled needs no new kick: at higher rates packets arrive while CPU 1 is still processing, so one kick serves a batch (about ${flatOut().packets_per_ipi.toFixed(1)} packets per IPI flat out in the model, 1 at 20 kpps).` },
  { id: "03.q6", notebook: NB, question: "What does claim C12 say?", answer: "That the performance drops mostly to the same value after enabling RPS on loopback, comparing the IPI and the thread result." },
  { id: "03.q7", notebook: NB, question: "Does enabling RPS lower loopback throughput in the model? On the measured VM?", answer: "No in both: RPS raises it (in the model by IPI in every condition, by thread in all but one, where it stays within 1 % of RPS off), because the receive work moves off the sender's CPU and is handled in batches behind one kick." },
  { id: "03.q8", notebook: NB, question: "Under which condition do the thread and IPI kicks end close to each other, and why do they part otherwise?", answer: "With spare CPU time: each kick finds the target idle. With a hog on every CPU the thread must win the CPU through the scheduler while the IPI's softirq takes the hog's time at irq exit." },
  { id: "03.q9", notebook: NB, question: "Why can the measured VM not test the thread half of C12?", answer: "Its kernel was not booted with thread_backlog_napi, so only the IPI kick exists there; notebook 09 boots kernels that have it." },
  { id: "03.q10", notebook: NB, question: "Why do the 4-CPU rows with spare CPU time come close to the 2-CPU ones, and why not exactly?", answer: "A single flow is steered by its hash to one CPU: the extra CPUs get no work. What is left is the run-to-run spread of the drawn costs (a few per cent): a different CPU count draws them in another order; with cost_spread=none the rows with RPS off are the same." },
  { id: "03.q11", notebook: NB, question: "With v6.10's threads, can a kick to an idle CPU still cost an IPI?", answer: "Yes: waking backlog_napi/1 on a halted CPU needs an IPI (a reschedule or call-function IPI) for the wakeup itself." },
];

export const check = checker(EXERCISES);
