/**
 * The exercises and questionnaire of notebook 06 (smpboot threads and CPU hotplug, C8 and C14).
 * Expected answers come from src/experiments/hotplug.ts and the notebook's threads run.
 */
import { makeConfig } from "../../config/parse";
import { simulate } from "../../sim/simulate";
import { hotplugRun } from "../../experiments/hotplug";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "06-smpboot-hotplug";
/** Notebook 06 section 2: CPU 1 offline from 2 to 3 ms under the flood, both backlog modes. */
const runs = once(() => (["softirq", "threads"] as const).map((m) => hotplugRun(m)));
/** Notebook 06 section 1: the threads run. */
const threads = once(() => simulate(makeConfig({ workload: "udp-stream", rps_cpus: "2", backlog_napi: "threads", duration_ms: 5 })));

export const EXERCISES: Exercise[] = [
  {
    id: "06.1", notebook: NB,
    question: "In the threads run of section 2, was `NAPI_STATE_THREADED` ever cleared on CPU 1's backlog?",
    answer: { kind: "exact" }, form: "true or false", source: "model",
    hint: "look at the threaded_bit of every sample",
    explanation: "v6.10's dev_cpu_dead and process_backlog keep only NAPI_STATE_THREADED when they reset the state.",
    expected: () => !runs()[1]!.samples.every((s) => s.threaded_bit),
  },
  {
    id: "06.2", notebook: NB,
    question: "In the softirq (v6.8) run of section 2, how many packets did `dev_cpu_dead` re-inject through `netif_rx`?",
    answer: { kind: "exact" }, form: "a whole number", source: "model",
    hint: "section 2 prints it for each run",
    explanation: "dev_cpu_dead moves the dead CPU's process_queue and input_pkt_queue back through netif_rx on a surviving CPU; RPS sees CPU 1 offline and keeps them there.",
    expected: () => runs()[0]!.reinjected,
  },
  {
    id: "06.3", notebook: NB,
    question: "In section 1, to which CPU is `backlog_napi/1` bound? (a number)",
    answer: { kind: "exact" }, form: "a CPU number", source: "model",
    hint: "an smpboot thread is created per CPU and bound to it",
    explanation: "smpboot_register_percpu_thread creates one thread per CPU, bound to that CPU, parked and unparked with it.",
    expected: () => threads().tasks.find((t) => t.name === "backlog_napi/1")!.cpu,
  },
  {
    id: "06.4", notebook: NB,
    question: "Does the packet accounting (sent = delivered + dropped + in flight) balance at the end of both runs of section 2?",
    answer: { kind: "exact" }, form: "true or false", source: "model",
    hint: "the cell prints the sum and its check for each run",
    explanation: "Nothing is lost to the hotplug itself: the drops are the flood's overload drops (backlog and socket buffer), counted where they happen.",
    expected: () => runs().every((r) => { const p = r.result.packets; return p.sent === p.delivered + p.dropped.backlog + p.dropped.rcvbuf + p.dropped.nic + p.in_flight; }),
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "06.o1", notebook: NB,
    question: "Take CPU 1 offline and leave it offline (`hotplug: \"cpu1:off@2ms\"`). Where do the packets go afterwards, and does the run still balance? Try `hotplug: \"cpu0:off@1ms;cpu1:off@2ms\"` too: what does the kit say?",
    discussion: "With CPU 1 gone RPS finds its target offline and the packets stay on CPU 0's backlog; the accounting still balances. Taking every CPU offline is refused as bad input (exit code 2, a message naming the hotplug key): the last online CPU cannot go down, as in the kernel.",
  },
];

export const QUESTIONS: Question[] = [
  { id: "06.q1", notebook: NB, question: "What is an smpboot thread?", answer: "A per-CPU kernel thread registered with smpboot_register_percpu_thread: one per CPU, bound to it, parked when the CPU goes down and unparked when it comes back (ksoftirqd/N, backlog_napi/N)." },
  { id: "06.q2", notebook: NB, question: "Why did the commit use smpboot threads rather than the threaded NAPI of a device?", answer: "A threaded device NAPI has one unbound napi/<dev>-<id> thread a user can move or switch off, needs a (dummy) device, and would need its own hotplug handling; smpboot threads give bound per-CPU threads with hotplug handled (C8)." },
  { id: "06.q3", notebook: NB, question: "What flag keeps a user from moving a bound per-CPU kernel thread with taskset?", answer: "PF_NO_SETAFFINITY: sched_setaffinity is refused for it." },
  { id: "06.q4", notebook: NB, question: "What does `dev_cpu_dead` do with the dead CPU's backlog?", answer: "On a surviving CPU it resets the backlog NAPI's state and re-injects every packet of process_queue and input_pkt_queue through netif_rx (and, in v6.8, sends the RPS IPIs the dead CPU still owed)." },
  { id: "06.q5", notebook: NB, question: "Which state bit must survive the reset, and why (C14)?", answer: "NAPI_STATE_THREADED: the backlog must stay in thread mode when the CPU comes back, so its kicks keep waking backlog_napi/N." },
  { id: "06.q6", notebook: NB, question: "Why does offlining wait until CPU 1 is back at task level?", answer: "The stopper thread that takes a CPU down preempts a task, not a softirq or an interrupt: it runs when the CPU reaches task level." },
  { id: "06.q7", notebook: NB, question: "Where does RPS send packets while their target CPU is offline?", answer: "get_rps_cpu skips offline CPUs: the packet stays on the current CPU's backlog." },
  { id: "06.q8", notebook: NB, question: "Why are there thousands of drops in the hotplug runs, and why are they not the hotplug's fault?", answer: () => { const p = runs()[0]!.result.packets; return `The 2 Mpps flood overloads the machine: ${p.dropped.backlog} backlog drops and ${p.dropped.rcvbuf} socket-buffer drops in the v6.8 run, counted where they happen; the accounting balances, so the CPU going down lost nothing.`; } },
  { id: "06.q9", notebook: NB, question: "How does the model check that nothing is lost in hotplug?", answer: "It checks the packet accounting and its invariants every 50 µs of simulated time and at the end (sent = delivered + dropped + in flight)." },
  { id: "06.q10", notebook: NB, question: "On a real machine, how do you take CPU 1 offline and back?", answer: "echo 0 > /sys/devices/system/cpu/cpu1/online, then echo 1 to bring it back (as root)." },
  { id: "06.q11", notebook: NB, question: "How do you find the backlog threads on a real machine booted with thread_backlog_napi?", answer: "ps -eLo pid,psr,comm | grep backlog_napi: one backlog_napi/N per CPU, each on its CPU." },
];

export const check = checker(EXERCISES);
