/**
 * The exercises and questionnaire of notebook 04 (PREEMPT_RT mechanics, C3-C6): threaded interrupts,
 * where an RPS kick's softirq runs on RT, the punished task, the idle task's warning. Expected
 * answers come from src/experiments/rt.ts, the runs the notebook shows.
 */
import { PUBLISHED_PROFILE } from "../../experiments/published-profile";
import { makeConfig } from "../../config/parse";
import { simulate } from "../../sim/simulate";
import { RT_KERNELS, rtScenario, hogTime, idleWarning } from "../../experiments/rt";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "04-preempt-rt";
/** Notebook 04 section 2: the RPS scenario on the three kernels (100 ms). */
const runs = once(() => RT_KERNELS.map((kernel) => ({ kernel, result: rtScenario(kernel) })));
/** Notebook 04 section 1: the non-NAPI device on v6.8-rt. */
const threaded = once(() => simulate(makeConfig({ profile: PUBLISHED_PROFILE, workload: "nic-rx", nic_cpu: 0, receiver_cpu: 1, rate_pps: 100_000, nic_batch: 4, preempt: "rt", duration_ms: 1, trace: true, trace_ns: 90_000 })));
const warnRt = once(() => idleWarning("rt"));

export const EXERCISES: Exercise[] = [
  {
    id: "04.1", notebook: NB,
    question: "On v6.8 without preemption, in the RPS scenario, which task's time did NET_RX take on CPU 1? (its name)",
    answer: { kind: "exact" }, form: "a task name, e.g. \"ksoftirqd/1\"", source: "model",
    hint: "which task on CPU 1 has softirq_ns > 0? (`runs[0].result.tasks`)",
    explanation: "NET_RX ran at the RPS IPI's irq exit, on the interrupted hog.",
    expected: () => runs()[0]!.result.tasks.filter((t) => t.cpu === 1).sort((a, b) => b.softirq_ns - a.softirq_ns)[0]!.name,
  },
  {
    id: "04.2", notebook: NB,
    question: "On v6.8-rt, which thread did the receive work on CPU 1 in the RPS scenario: `\"ksoftirqd/1\"`, `\"backlog_napi/1\"` or `\"irq/0-nic0\"`?",
    answer: { kind: "choice", options: ["ksoftirqd/1", "backlog_napi/1", "irq/0-nic0"] }, form: "\"ksoftirqd/1\", \"backlog_napi/1\" or \"irq/0-nic0\"", source: "model",
    hint: "the RPS IPI raises NET_RX in hardirq context; where can a softirq raised there run on RT?",
    explanation: "On RT a softirq raised in hardirq context cannot run at irq exit: it wakes ksoftirqd (C4).",
    expected: () => {
      const c = runs()[1]!.result.per_cpu[1]!.busy_ns;
      return c.ksoftirqd >= c.backlog_thread ? "ksoftirqd/1" : "backlog_napi/1";
    },
  },
  {
    id: "04.3", notebook: NB,
    question: "In section 1 (v6.8-rt, a non-NAPI device on CPU 0), how many `__do_softirq` runs happened at irq exit on CPU 0?",
    answer: { kind: "exact" }, form: "a whole number", source: "model",
    hint: "the cell prints the runs in the IRQ thread and at irq exit",
    explanation: "The hardirq only wakes irq/0-nic0; NET_RX runs when that thread re-enables bottom halves (C3).",
    expected: () => threaded().per_cpu[0]!.softirq_runs.irq_exit,
  },
  {
    id: "04.4", notebook: NB,
    question: "How many milliseconds did the hog on CPU 1 lose to softirq work run on its behalf on v6.10-rt? (one decimal)",
    answer: { kind: "number", tolerance: 0.05 }, form: "a number of ms, 0 if none", source: "model",
    hint: "section 2 prints own and lost time per kernel",
    explanation: "On RT the receive work runs in a thread of its own, which competes with the hog through the scheduler instead of taking its time (C6).",
    expected: () => Math.round(hogTime(runs()[2]!.result).lost_ms * 10) / 10,
  },
  {
    id: "04.5", notebook: NB,
    question: "Does the kernel print the `do_softirq_post_smp_call_flush` warning without PREEMPT_RT (`preempt: \"none\"`, CPU 1 polling in idle)?",
    answer: { kind: "exact" }, form: "true or false", source: "model",
    hint: "the warning is about a softirq that cannot run in the idle task: where can it run without RT?",
    explanation: "Without RT the idle task may run the raised softirq itself; only on RT must it go to a thread, and the kernel warns.",
    expected: () => idleWarning("none").length > 0,
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "04.o1", notebook: NB,
    question: "The model counts the idle-task warning every time the condition holds; the kernel prints it once (`WARN_ON_ONCE`). Where would you look in `/proc` or `dmesg` on a real RT kernel to see it, and why would counting matter for a lecture demonstration?",
    discussion: () => `dmesg shows the single WARN_ON_ONCE splat with its backtrace (do_softirq_post_smp_call_flush from the idle task); there is no counter in /proc. The model's count (${warnRt().length ? warnRt()[0] : "none"}) shows how often the condition holds, which the kernel hides after the first print: a demonstration on a real machine shows the warning once per boot.`,
  },
];

export const QUESTIONS: Question[] = [
  { id: "04.q1", notebook: NB, question: "What does PREEMPT_RT change about device interrupt handlers?", answer: "They are threaded: the hardirq only wakes irq/N-<dev>, a SCHED_FIFO (priority 50) thread that runs the handler with bottom halves disabled." },
  { id: "04.q2", notebook: NB, question: "Where does a softirq raised inside an IRQ thread run on RT?", answer: "In the same thread, when it re-enables bottom halves (local_bh_enable) at the end of the handler (C3)." },
  { id: "04.q3", notebook: NB, question: "Where does a softirq raised in hardirq context (the RPS IPI) run on v6.8-rt, and why?", answer: "In ksoftirqd/N: on RT no softirq runs at irq exit, so one raised in hardirq context wakes ksoftirqd (C4)." },
  { id: "04.q4", notebook: NB, question: "What is \"the punished random task\" of C6?", answer: "Without RT, NET_RX at irq exit runs on the time of whatever task the IPI interrupted (here a CPU hog), which is charged for receive work that is not its own." },
  { id: "04.q5", notebook: NB, question: "What is the BH lock on PREEMPT_RT?", answer: "local_bh_disable() takes a per-CPU sleeping lock (softirq_ctrl.lock, a local_lock based on an rt_mutex) and disables migration; bottom halves are serialised by that lock instead of a preempt count." },
  { id: "04.q6", notebook: NB, question: "Why does the BH lock need priority inheritance?", answer: "A SCHED_FIFO task (an IRQ thread) may need the lock while a SCHED_OTHER task (a backlog thread, ksoftirqd) holds it; the owner inherits the waiter's priority so it cannot be starved by other tasks while the high-priority waiter waits." },
  { id: "04.q7", notebook: NB, question: "When does the idle task's warning appear, and what does it warn about?", answer: "On RT, when an idle CPU that polls runs an IPI callback (rps_trigger_softirq) itself and that callback raises a softirq that cannot run in the idle task: do_softirq_post_smp_call_flush warns (once: WARN_ON_ONCE)." },
  { id: "04.q8", notebook: NB, question: "Why is the RPS IPI not sent at all to a polling idle CPU?", answer: "The idle loop polls need_resched/the call-function queue and sees the queued callback; the sender skips the IPI (the target is not halted) and the idle task flushes the queue itself." },
  { id: "04.q9", notebook: NB, question: "What does \"v6.8-rt\" mean in this course?", answer: "A 6.8 kernel with the out-of-tree PREEMPT_RT patch set applied (the -rt series); PREEMPT_RT itself is mainline since Linux 6.12." },
  { id: "04.q10", notebook: NB, question: "On both RT kernels the hog loses no time to softirqs. What differs between v6.8-rt and v6.10-rt then?", answer: "Which thread does the work: the shared ksoftirqd/1 (every softirq of the CPU) on v6.8-rt, the dedicated backlog_napi/1 on v6.10-rt; and no softirq is raised from hardirq context any more, so no ksoftirqd wakeup and no idle warning." },
  { id: "04.q11", notebook: NB, question: "Which file lists the threaded interrupt handlers of a real machine, and how are their threads named?", answer: "ps shows them as irq/<N>-<name> (e.g. irq/24-eth0); /proc/interrupts lists the interrupt numbers and names." },
];

export const check = checker(EXERCISES);
