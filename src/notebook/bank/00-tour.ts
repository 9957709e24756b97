/**
 * The exercises and questionnaire of notebook 00 (the tour): where a loopback datagram is received,
 * what RPS changes, what the counters are called. Expected answers are computed from the model.
 */
import { makeConfig } from "../../config/parse";
import { simulate } from "../../sim/simulate";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "00-tour";

/** The tour's four-packet run (notebook 00, section "Four packets crossing loopback"). */
const fourPackets = once(() => simulate(makeConfig({ workload: "udp-stream", rate_pps: 100_000, duration_ms: 1, trace: true, trace_ns: 45_000 })));
/** The tour's 20 ms flat-out stream, RPS off and with RPS to CPU 1. */
const flat = once(() => simulate(makeConfig({ workload: "udp-stream", duration_ms: 20 })));
const flatRps = once(() => simulate(makeConfig({ workload: "udp-stream", duration_ms: 20, rps_cpus: "2" })));

export const EXERCISES: Exercise[] = [
  {
    id: "00.1", notebook: NB,
    question: "In the four-packet trace, on which CPU did `netif_receive_skb` run? (a number)",
    answer: { kind: "exact" }, form: "a CPU number, e.g. 0 or 1", source: "model",
    hint: "look at the ● marks, or at the cpu column printed by the records cell",
    explanation: "With RPS off the packet is processed by the CPU that queued it: the sender's.",
    expected: () => fourPackets().trace!.records.find((r) => r.event === "net:netif_receive_skb")!.cpu,
  },
  {
    id: "00.2", notebook: NB,
    question: "Run the flat-out stream again with `rps_cpus: \"2\"` (steer every packet to CPU 1). Which CPU's `processed` counter now counts the packets?",
    answer: { kind: "exact" }, form: "a CPU number", source: "model",
    setup: "const withRps = simulate(makeConfig({ workload: \"udp-stream\", duration_ms: 20, rps_cpus: \"2\" }));\nconsole.log(withRps.per_cpu.map((c) => `cpu${c.cpu} processed ${c.softnet.processed}`).join(\", \"));",
    hint: "read the processed counters the cell prints",
    explanation: "RPS queues the packet on CPU 1's backlog and kicks CPU 1 with an IPI; CPU 1 processes it.",
    expected: () => flatRps().per_cpu.reduce((a, b) => (b.softnet.processed > a.softnet.processed ? b : a)).cpu,
  },
  {
    id: "00.3", notebook: NB,
    question: "In the four-packet trace, how many IPIs did CPU 0 send to wake the receiver for four datagrams? (a number)",
    answer: { kind: "exact" }, form: "a whole number", source: "model",
    hint: "count the ◆ marks, or read the line the records cell prints after the four deliveries",
    explanation: "An IPI is needed only when the receiver's CPU is halted in idle; while CPU 1 is still awake from the previous wakeup, the next wakeup needs none.",
    expected: () => fourPackets().trace!.records.filter((r) => r.event === "ipi:ipi_send_cpu").length,
  },
  {
    id: "00.4", notebook: NB,
    question: "In the 20 ms flat-out run (RPS off), which context takes most of CPU 0's busy time besides the sender's own code: `\"softirq\"`, `\"hardirq\"` or `\"idle\"`?",
    answer: { kind: "choice", options: ["softirq", "hardirq", "idle"] }, form: "\"softirq\", \"hardirq\" or \"idle\"", source: "model",
    hint: "look at the busy-time chart, CPU 0's bar",
    explanation: "The receive work (NET_RX) runs as a softirq inside the sender's sendto(), on CPU 0.",
    expected: () => {
      const b = flat().per_cpu[0].busy_ns;
      return (["softirq", "hardirq", "idle"] as const).reduce((a, k) => (b[k] > b[a] ? k : a));
    },
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "00.o1", notebook: NB,
    question: "In the RPS run the sender sends more datagrams per second than without RPS (compare `withRps.throughput_pps.sent` with `result.throughput_pps.sent`). Why? What happened to the receive work it no longer does?",
    discussion: () => `Without RPS the sender pays for NET_RX inside its own sendto() (${(flat().throughput_pps.sent / 1000).toFixed(0)} kpps sent); with RPS the backlog work moves to CPU 1, run at the exit of the RPS IPI, so the sender's CPU only queues (${(flatRps().throughput_pps.sent / 1000).toFixed(0)} kpps sent). The work did not disappear: CPU 1 now pays for it, beside the receiver.`,
  },
];

export const QUESTIONS: Question[] = [
  { id: "00.q1", notebook: NB, question: "What two calls run a simulation in the kit, and what does each do?", answer: "`makeConfig({...})` checks the settings you change and fills in the defaults; `simulate(config)` runs the model and returns every counter." },
  { id: "00.q2", notebook: NB, question: "Which file of a real machine does the `softnet` counter `processed` come from?", answer: "`/proc/net/softnet_stat` (first column of each CPU's row): packets taken off the backlog and other NAPI queues by that CPU." },
  { id: "00.q3", notebook: NB, question: "With RPS off, on which CPU is a UDP datagram sent over loopback received?", answer: "On the sender's CPU: loopback_xmit queues it on the sender CPU's backlog, and NET_RX processes it there." },
  { id: "00.q4", notebook: NB, question: "On whose CPU time does that receive work run?", answer: "On the sender task's: NET_RX runs at local_bh_enable inside the sender's sendto() system call." },
  { id: "00.q5", notebook: NB, question: "Why does waking the receiver sometimes cost an IPI?", answer: "The receiver sleeps on another CPU; if that CPU is halted in idle, it must be interrupted (a reschedule or call-function IPI) to run the woken task." },
  { id: "00.q6", notebook: NB, question: "What do the four contexts of the timeline (task, softirq, hardirq, idle) mean?", answer: "Task: a task's own code (user or kernel). Softirq: deferred interrupt work (here NET_RX) run inside a task or at irq exit. Hardirq: interrupt handlers, IPIs included. Idle: the CPU has nothing to run." },
  { id: "00.q7", notebook: NB, question: "What does the grey strip under a lane of the timeline name?", answer: "The task whose time the CPU is spending, even when the context is a softirq or an interrupt: the task that is charged." },
  { id: "00.q8", notebook: NB, question: "What do the marks ▼, ●, ◆ and ▲ stand for?", answer: "▼ a packet queued by netif_rx, ● a packet delivered by netif_receive_skb, ◆ an IPI sent, ▲ a task woken." },
  { id: "00.q9", notebook: NB, question: "Why does the same seed give the same run, byte for byte?", answer: "The model is a discrete-event simulation with integer nanoseconds, a seeded PRNG and ties broken by insertion order; nothing depends on wall-clock time." },
  { id: "00.q10", notebook: NB, question: "Which kernel change does the course revolve around, and in which version did it land?", answer: "\"net: Allow to use SMP threads for backlog NAPI\", commit dad6b9770263, Linux 6.10 (boot option thread_backlog_napi, always on with PREEMPT_RT)." },
  { id: "00.q11", notebook: NB, question: "What does RPS do to where a packet is processed?", answer: "Receive Packet Steering picks a CPU from the rps_cpus mask by flow hash, queues the packet on that CPU's backlog and kicks it (by IPI in v6.8), so the target CPU processes it." },
];

export const check = checker(EXERCISES);
