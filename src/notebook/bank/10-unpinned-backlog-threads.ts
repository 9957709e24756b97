/**
 * The exercises and questionnaire of notebook 10 (OpenWrt's unpinned backlog threads beside v6.10's
 * pinned ones, C8). Expected answers come from src/experiments/c8.ts with the notebook's settings.
 */
import { runDesign, strandTrace, hotplugDesigns, WIN_SETUPS, LOSE_SETUPS } from "../../experiments/c8";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "10-unpinned-backlog-threads";
/** Notebook 10 sections 2 and 3 run every setup for 50 ms. */
const design = (setup: string, overrides: Parameters<typeof runDesign>[2], mode: Parameters<typeof runDesign>[1]) => runDesign(setup, mode, { ...overrides, duration_ms: 50 });
const intentOnTarget = once(() => design("receiver on the RPS target", WIN_SETUPS["receiver on the RPS target"]!, "backlog-threaded-intent"));
const pingPinned = once(() => design("ping-pong, RPS off", LOSE_SETUPS["ping-pong, RPS off"]!, "threads"));
const pingUnpinned = once(() => design("ping-pong, RPS off", LOSE_SETUPS["ping-pong, RPS off"]!, "backlog-threaded-intent"));
const hp = once(() => hotplugDesigns());

export const EXERCISES: Exercise[] = [
  {
    id: "10.1", notebook: NB,
    question: "In section 1, which thread does the first RPS kick wake under the patch as carried? (a comm like `napi/backlog-N`)",
    answer: { kind: "exact" }, form: "a thread name", source: "model",
    hint: "napi_schedule_rps's last line schedules mysd->backlog: whose is mysd?",
    explanation: "__napi_schedule_irqoff(&mysd->backlog) schedules the sending CPU's backlog, CPU 0's.",
    expected: () => strandTrace("backlog-threaded").woken[0],
  },
  {
    id: "10.2", notebook: NB,
    question: "In section 2, how many kpps does the intended unpinned design deliver with the receiver on the RPS target? (within 5 %)",
    answer: { kind: "number", tolerance: 0.05 }, form: "a number of kpps", source: "model",
    hint: "read the first table of section 2",
    explanation: "napi/backlog-1 took the idle CPU 2 for itself.",
    expected: () => intentOnTarget().received_pps / 1000,
  },
  {
    id: "10.3", notebook: NB,
    question: "In section 3 (ping-pong, RPS off), how many context switches per packet do the unpinned threads cost? (a number)",
    answer: { kind: "number", tolerance: 0.01 }, form: "a number", source: "model",
    hint: "the switches/packet column of the unpinned rows",
    explanation: "6.1 has no short-cut for a local backlog: every request and reply is a wakeup of a backlog thread and a switch to it.",
    expected: () => pingUnpinned().context_switches_per_packet,
  },
  {
    id: "10.4", notebook: NB,
    question: "In section 3, which design gives the lower round-trip p50 with RPS off: `\"pinned\"` (v6.10 smpboot threads) or `\"unpinned\"`?",
    answer: { kind: "choice", options: ["pinned", "unpinned"] }, form: "\"pinned\" or \"unpinned\"", source: "model",
    hint: "compare the RTT p50 of the two rows",
    explanation: "The pinned design processes a local backlog in the softirq, inside the call; the unpinned one hands every packet to a thread that may wander.",
    expected: () => (pingPinned().rtt_p50_us! <= pingUnpinned().rtt_p50_us! ? "pinned" : "unpinned"),
  },
  {
    id: "10.5", notebook: NB,
    question: "In section 5, how many packets does `dev_cpu_dead` re-inject under the patch as intended (`backlog-threaded-intent`)?",
    answer: { kind: "exact" }, form: "a whole number", source: "model",
    hint: "the patch returns early from dev_cpu_dead for a threaded backlog",
    explanation: "The patch skips the re-injection: the dead CPU's queue is left to napi/backlog-1, which polls it from another CPU.",
    expected: () => hp().find((h) => h.mode === "backlog-threaded-intent")!.reinjected,
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "10.o1", notebook: NB,
    question: "Change one line of the model: make `napi_schedule_rps_backlog_threaded` in `src/kernel/dev.ts` send the RPS IPI for a THREADED remote backlog too. What does `rps_trigger_softirq` then do on the target, and is the backlog still stranded? Then try the hog setup with `backlog_thread_cpus: \"1\"`: does the unpinned design still win?",
    discussion: "With the IPI sent, rps_trigger_softirq on the target schedules the target's own backlog, which (THREADED) wakes napi/backlog-1: the backlog is no longer stranded, as intended. Pinning the thread to CPU 1 removes the only advantage of unpinned threads (taking an idle CPU), so the hog setup then behaves like the pinned design or worse.",
  },
];

export const QUESTIONS: Question[] = [
  { id: "10.q1", notebook: NB, question: "What did OpenWrt's `net.core.backlog_threaded` patch do?", answer: "It gave every CPU's backlog an unpinned napi/backlog-<n> kthread (threaded NAPI for the backlog), switchable at run time by a sysctl, on 6.1/6.6 kernels." },
  { id: "10.q2", notebook: NB, question: "What was wrong with the patch as carried, in one sentence?", answer: "napi_schedule_rps scheduled the sending CPU's backlog (mysd) instead of the target's, so an RPS target's backlog could be left scheduled with packets and no thread coming (stranded)." },
  { id: "10.q3", notebook: NB, question: "Where do unpinned threads win?", answer: "Where backlog work piles on one CPU while another idles and the sending CPU has time for the extra wakeups: the thread moves to the idle CPU." },
  { id: "10.q4", notebook: NB, question: "Why do they lose on loopback request/response?", answer: "Every request and reply is a wakeup of a backlog thread (no local short-cut in 6.1), the thread wanders between CPUs, and cross-CPU costs add up." },
  { id: "10.q5", notebook: NB, question: "What can a user do to the patch's threads that v6.10's threads refuse?", answer: "Move them with taskset: the patch's kthreads accept sched_setaffinity; smpboot threads are PF_NO_SETAFFINITY." },
  { id: "10.q6", notebook: NB, question: "What happens when all four backlog threads are pinned to one CPU?", answer: "That CPU does every backlog's work: throughput falls well below free threads and below v6.10's pinned threads." },
  { id: "10.q7", notebook: NB, question: "How does the patch handle a CPU going offline, and how does v6.10?", answer: "The patch returns early from dev_cpu_dead and leaves the dead CPU's queue to its thread; v6.8 and v6.10 re-inject it through netif_rx on a surviving CPU." },
  { id: "10.q8", notebook: NB, question: "Why does per-CPU placement matter on PREEMPT_RT?", answer: "An RT system partitions CPUs: a latency-critical task on one CPU should see only that CPU's work; an unpinned backlog thread carries receive work to other CPUs." },
  { id: "10.q9", notebook: NB, question: "Which of C8's points does the model not test?", answer: "The dummy device a threaded device NAPI would need, and switching the mode at run time: design arguments, not measurements." },
  { id: "10.q10", notebook: NB, question: "What verdict does the notebook give C8, and on what evidence?", answer: "Reproduced under conditions: pinned smpboot threads win for loopback request/response, RT placement and hotplug; unpinned threads win where work piles on one CPU while another idles." },
  { id: "10.q11", notebook: NB, question: "What would a real test of the rival design need?", answer: "A kernel carrying the patch (OpenWrt's 6.1/6.6) with net.core.backlog_threaded=1, measured with the same workloads." },
];

export const check = checker(EXERCISES);
