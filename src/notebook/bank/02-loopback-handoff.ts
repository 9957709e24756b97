/**
 * The exercises and questionnaire of notebook 02 (loopback and the thread hand-off, C9-C11): the
 * cost of the RFC's hand-off, the delay sweep, the local short-cut. Expected answers come from the
 * experiments of src/experiments/handoff.ts, with the notebook's run lengths.
 */
import { handoffRuns, delaySweep, restoredRatios } from "../../experiments/handoff";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "02-loopback-handoff";
/** Notebook 02 section 2: 100 ms per run, RPS off. */
const runs = once(() => handoffRuns({ duration_ms: 100 }));
const rpsRuns = once(() => handoffRuns({ duration_ms: 50, rps_cpus: "2" }));
/** Notebook 02 section 4: the delay sweep at the notebook's delays. */
const sweep = once(() => delaySweep([0, 2_000, 10_000, 50_000], { duration_ms: 100 }));
const pick = (rows: ReturnType<typeof handoffRuns>, workload: string, mode: string) => rows.find((r) => r.workload === workload && r.mode === mode)!;

export const EXERCISES: Exercise[] = [
  {
    id: "02.1", notebook: NB,
    question: "With the RFC (`threads-always`), how many context switches does one ping-pong transaction cost in the model? (a whole number)",
    answer: { kind: "number", tolerance: 0 }, form: "a whole number", source: "model",
    hint: "switches_per_packet counts per datagram; a transaction is two datagrams",
    explanation: "Each datagram now needs a switch to backlog_napi/N and one back, on top of the reader's own sleep and wakeup.",
    expected: () => Math.round(pick(runs(), "udp-pingpong", "threads-always").switches_per_packet * 2),
  },
  {
    id: "02.2", notebook: NB,
    question: "Turn on RPS to the other CPU (`rps_cpus: \"2\"`) and compare `threads` with `threads-always` on the stream. Do their rates differ? (look at `____napi_schedule` in `src/kernel/dev.ts`)",
    answer: { kind: "exact" }, form: "true if they differ, false if the same", source: "model",
    setup: "const rpsRuns = handoffRuns({ duration_ms: 50, rps_cpus: \"2\" });\nfor (const r of rpsRuns) console.log(`${r.workload.padEnd(13)} ${r.mode.padEnd(15)} ${Math.round(r.rate)} /s`);",
    hint: "with RPS to CPU 1, is any kick local?",
    explanation: "Every kick targets CPU 1's backlog from CPU 0: both kernels wake backlog_napi/1, and the short-cut never applies.",
    expected: () => pick(rpsRuns(), "udp-stream", "threads").rate !== pick(rpsRuns(), "udp-stream", "threads-always").rate,
  },
  {
    id: "02.3", notebook: NB,
    question: "In the delay sweep, as the hand-off delay grows from 0 to 50 µs, does the ping-pong rate go `\"up\"` or `\"down\"`?",
    answer: { kind: "choice", options: ["up", "down"] }, form: "\"up\" or \"down\"", source: "model",
    hint: "every microsecond of delay is spent with one request outstanding",
    explanation: "A request/response workload has one datagram in flight: the delay is added to every round trip, and nothing batches.",
    expected: () => {
      const rr = sweep().filter((d) => d.workload === "udp-pingpong");
      return rr[rr.length - 1]!.rate > rr[0]!.rate ? "up" : "down";
    },
  },
  {
    id: "02.4", notebook: NB,
    question: "At which delay of the sweep (in µs) does the flat-out stream come closest to in-call processing?",
    answer: { kind: "exact" }, form: "a number of µs (one of the sweep's delays)", source: "model",
    hint: "read the stream's rows of the sweep: the largest share of in-call processing",
    explanation: "Waiting lets packets gather, so each wakeup of the thread serves a bigger batch; still, no delay reaches in-call throughput.",
    expected: () => sweep().filter((d) => d.workload === "udp-stream").reduce((a, b) => (b.vs_in_call > a.vs_in_call ? b : a)).delay_ns / 1000,
  },
  {
    id: "02.5", notebook: NB,
    question: "With RPS off, what is the ratio of v6.10's stream rate (threads) to v6.8's? (a number)",
    answer: { kind: "number", tolerance: 0.001 }, form: "a number, e.g. 0.9", source: "model",
    hint: "section 5 prints it; think about which kicks are local when RPS is off",
    explanation: "With RPS off every loopback kick is local, and use_local_napi sends it down the softirq path: the runs are event for event the same.",
    expected: () => restoredRatios(runs()).find((r) => r.workload === "udp-stream")!.ratio,
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "02.o1", notebook: NB,
    question: "The model's ping-pong regression is smaller than netperf's. Which cost-table entries would you change to get closer, and is that honest? (See `src/kernel/costs.ts`.)",
    discussion: "The switch to backlog_napi/N and back costs the context-switch and wakeup entries (and the cross-CPU wakeup if the thread runs elsewhere); raising them widens the gap. Doing so only to match one figure is curve fitting: a change is honest when the new value is measured (notebook 05, softnet-lab costs) or derived from a source, and when the other figures still agree.",
  },
];

export const QUESTIONS: Question[] = [
  { id: "02.q1", notebook: NB, question: "What did the 2023 RFC change about where backlog work runs?", answer: "Every backlog kick woke the target CPU's backlog_napi/N thread, even for the local CPU's own backlog (backlog_napi=threads-always in the model)." },
  { id: "02.q2", notebook: NB, question: "Why did the RFC hurt loopback UDP?", answer: "The packet was no longer processed inside sendto(): the sender had to be switched out for the thread, which costs a wakeup and a context switch per batch, and the in-call batching was lost." },
  { id: "02.q3", notebook: NB, question: "Which robot reported the regression, and which benchmark lost most?", answer: "The kernel test robot (August 2023): stress-ng's UDP test lost about 40 % (-40.3 % udp ops/s); netperf UDP_RR lost less." },
  { id: "02.q4", notebook: NB, question: "Does the model reproduce the size or the direction of the published regression? Why only that?", answer: () => { const r = runs(); const s = pick(r, "udp-stream", "threads-always").rate / pick(r, "udp-stream", "softirq").rate; return `The direction of every figure (the model's stream runs at ${(100 * s).toFixed(0)} % of v6.8 under the RFC); sizes differ because the workloads and machines differ (many stress-ng pairs on a big server vs one pair in the model) and the cost table is not fitted to the robot's machine.`; } },
  { id: "02.q5", notebook: NB, question: "What does claim C10 say, and what does the delay sweep show?", answer: "C10: it makes no difference whether the switch to the thread happens right after the enqueue or after a while. The sweep shows every delay loses to in-call processing (first half holds), but the delay matters a lot and in opposite directions: batching helps the stream, the added delay hurts the round trip." },
  { id: "02.q6", notebook: NB, question: "What is `backlog_wake_delay_ns`: a kernel option?", answer: "No: an experiment knob of the model that wakes the backlog thread that long after the kick, to test C10." },
  { id: "02.q7", notebook: NB, question: "What is the `use_local_napi` short-cut in v6.10?", answer: "In ____napi_schedule, a backlog kick for the current CPU's own backlog takes the softirq path instead of waking backlog_napi/N; only remote kicks use the thread." },
  { id: "02.q8", notebook: NB, question: "Why does the short-cut restore loopback throughput when RPS is off?", answer: "With RPS off every loopback packet is queued on the sender's own CPU: every kick is local, so no thread is ever woken and the behaviour is v6.8's." },
  { id: "02.q9", notebook: NB, question: "How many context switches per datagram does a flat-out stream cost under the RFC, compared with v6.8?", answer: () => `${pick(runs(), "udp-stream", "threads-always").switches_per_packet.toFixed(2)} under the RFC against ${pick(runs(), "udp-stream", "softirq").switches_per_packet.toFixed(2)} in v6.8 (section 2).` },
  { id: "02.q10", notebook: NB, question: "Which boot option turns v6.10's backlog threads on, and what happens on PREEMPT_RT?", answer: "thread_backlog_napi on the kernel command line; on PREEMPT_RT the threads are always on." },
  { id: "02.q11", notebook: NB, question: "Why does this notebook name its cost table (`PUBLISHED_PROFILE`) explicitly?", answer: "Its comparisons are with figures from bare-metal servers, so it uses the reference table of published orders of magnitude rather than the table measured on the kit's VM, and says so." },
];

export const check = checker(EXERCISES);
