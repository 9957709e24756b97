/**
 * The self-test of notebook 08 over the whole course: checked exercises that need notebooks 00-07,
 * and a questionnaire spanning every notebook. Expected answers are model runs or stated facts.
 */
import { makeConfig } from "../../config/parse";
import { simulate } from "../../sim/simulate";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "08-verdicts";
const threadsNoRps = once(() => simulate(makeConfig({ workload: "udp-stream", backlog_napi: "threads", duration_ms: 20 })));
const v68Rps = once(() => simulate(makeConfig({ workload: "udp-stream", rps_cpus: "2", duration_ms: 20 })));
const COUNTERS = ["processed", "dropped", "time_squeeze", "received_rps"] as const;

export const EXERCISES: Exercise[] = [
  {
    id: "08.1", notebook: NB,
    question: "Which commit does the course revolve around? (its 12-character id)",
    answer: { kind: "exact" }, form: "a commit id", source: "fact",
    hint: "notebook 00's first paragraph",
    explanation: "dad6b9770263, \"net: Allow to use SMP threads for backlog NAPI\", merged for Linux 6.10.",
    expected: () => "dad6b9770263",
  },
  {
    id: "08.2", notebook: NB,
    question: "With v6.10's threads (`backlog_napi: \"threads\"`) and RPS off, how many times is a `backlog_napi/N` thread woken in a 20 ms loopback stream? Run it.",
    answer: { kind: "exact" }, form: "a whole number", source: "model",
    setup: "import { makeConfig } from \"./lib/config/parse\";\nimport { simulate } from \"./lib/sim/simulate\";\nconst selfTest = simulate(makeConfig({ workload: \"udp-stream\", backlog_napi: \"threads\", duration_ms: 20 }));\nconsole.log(selfTest.per_cpu.map((c) => `cpu${c.cpu}: backlog_thread_wakeups ${c.backlog_thread_wakeups}`).join(\", \"));",
    hint: "which kicks go to the thread in v6.10, and are there any with RPS off? (notebook 02)",
    explanation: "With RPS off every loopback kick is local, and use_local_napi processes a local backlog in the softirq: no thread is woken.",
    expected: () => threadsNoRps().per_cpu.reduce((a, c) => a + c.backlog_thread_wakeups, 0),
  },
  {
    id: "08.3", notebook: NB,
    question: "In which mainline Linux version did PREEMPT_RT land? (e.g. \"6.1\")",
    answer: { kind: "exact" }, form: "a version string", source: "fact",
    hint: "notebook 04: what \"v6.8-rt\" means",
    explanation: "6.12 (2024); before it, RT kernels such as v6.8-rt carried PREEMPT_RT as out-of-tree patches.",
    expected: () => "6.12",
  },
  {
    id: "08.4", notebook: NB,
    question: "In v6.8 with RPS to CPU 1 (flat-out loopback stream, 20 ms), which `softnet_stat` counter of CPU 1 counts the RPS kicks it received?",
    answer: { kind: "choice", options: [...COUNTERS] }, form: COUNTERS.map((c) => JSON.stringify(c)).join(", "), source: "model",
    hint: "notebook 03, section 1",
    explanation: "received_rps counts the RPS IPIs a CPU handled (rps_trigger_softirq); one kick serves a batch, so it is well below processed.",
    expected: () => {
      const s = v68Rps().per_cpu[1]!.softnet;
      // the kick counter: non-zero and below processed (one kick per batch)
      return COUNTERS.find((k) => k !== "processed" && s[k] > 0 && s[k] < s.processed) ?? "none";
    },
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "08.o1", notebook: NB,
    question: "Pick the claim whose verdict you find weakest. What experiment (in the model or on a booted kernel) would change it, and what result would you expect?",
    discussion: "A good answer names the claim and its verdict from the table, the condition the evidence depends on (run length, cost table, TCG timing), one concrete experiment (a run with the kit's commands) and a predicted direction with a reason from the mechanism.",
  },
];

export const QUESTIONS: Question[] = [
  { id: "08.q1", notebook: NB, question: "(00, 01) On which CPU and on whose time is a loopback UDP datagram received with RPS off?", answer: "On the sender's CPU, inside its sendto(), on the sender's time (NET_RX at local_bh_enable)." },
  { id: "08.q2", notebook: NB, question: "(01) When does `enqueue_to_backlog` kick the backlog NAPI?", answer: "Only when the queue was empty and the NAPI not scheduled: one kick per batch." },
  { id: "08.q3", notebook: NB, question: "(02) Why did the 2023 RFC slow loopback UDP, and what in v6.10 restores it?", answer: "Handing a local backlog to a thread costs a wakeup and a context switch and loses in-call processing; v6.10's use_local_napi short-cut keeps local backlogs in the softirq." },
  { id: "08.q4", notebook: NB, question: "(03) How does v6.8 kick a remote CPU's backlog for RPS, and how does v6.10 with threads?", answer: "v6.8: an IPI whose handler (rps_trigger_softirq) raises NET_RX on the target; v6.10 threads: a wakeup of the target's backlog_napi/N." },
  { id: "08.q5", notebook: NB, question: "(04) On PREEMPT_RT before the change, where does the RPS IPI's softirq run, and what does the idle task print?", answer: "In ksoftirqd; a polling idle CPU runs the callback itself and warns once in do_softirq_post_smp_call_flush." },
  { id: "08.q6", notebook: NB, question: "(04b) What did 4cd13c21b207 do, and which commit reverted it?", answer: "It let ksoftirqd take every softirq while runnable (2016, v4.9); d15121be7485 reverted it in v6.5." },
  { id: "08.q7", notebook: NB, question: "(05) Which figures of the model agree best with a real machine, and why?", answer: "Mechanism counts per packet (code paths); rates depend on every cost and the machine." },
  { id: "08.q8", notebook: NB, question: "(06) Why smpboot threads, and what keeps the backlog threaded across CPU hotplug?", answer: "Bound per-CPU threads parked and unparked with their CPU, no device needed; dev_cpu_dead keeps NAPI_STATE_THREADED when it resets the state." },
  { id: "08.q9", notebook: NB, question: "(07) What limits a backlog thread's poll loop under overload?", answer: "Nothing but the backlog's length and cond_resched(): the scheduler is the only throttle (no budget)." },
  { id: "08.q10", notebook: NB, question: "(09) Which facts does a QEMU TCG boot give you, and which not?", answer: "Contexts, threads, counts, warnings and accounting are the kernel's own; times and rates are not, and timing-dependent counts compare only by direction." },
  { id: "08.q11", notebook: NB, question: "(10) Name one setting where unpinned backlog threads beat pinned ones, and one where they lose.", answer: "Win: backlog work piled on one CPU while another idles (e.g. everything on CPU 0, RPS off). Lose: loopback request/response (a wakeup per packet, a wandering thread)." },
  { id: "08.q12", notebook: NB, question: "(08) What does \"reproduced under conditions\" mean for a verdict?", answer: "The claim holds in the model only for some of the conditions tried (placement, spare CPU time, delay), which the verdict names." },
];

export const check = checker(EXERCISES);
