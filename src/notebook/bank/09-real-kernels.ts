/**
 * The exercises and questionnaire of notebook 09 (the change on real kernels booted in QEMU). Expected
 * answers are read from the committed kernel matrices in datasets/real (and the model's facts).
 */
import { loadRealKernels } from "../../experiments/real-kernels";
import { kernelFacts } from "../../kernels/report";
import { checker, once, type Exercise, type OpenExercise, type Question } from "../exercises";

const NB = "09-real-kernels";
const ds = once(() => loadRealKernels());
const kernel = (name: string) => ds().find((d) => d.guest.kernel_name === name)!;
const CONTEXTS = ["softirq (irq exit / bh enable)", "ksoftirqd", "backlog_napi thread"];

export const EXERCISES: Exercise[] = [
  {
    id: "09.1", notebook: NB,
    question: "Which context processed the RPS-steered packets on 6.1-rt?",
    answer: { kind: "choice", options: CONTEXTS }, form: CONTEXTS.map((c) => JSON.stringify(c)).join(", "), source: "dataset",
    hint: "section 4, the 6.1-rt line",
    explanation: "On PREEMPT_RT a softirq raised from hardirq context (the RPS IPI) wakes ksoftirqd.",
    expected: () => kernelFacts(kernel("6.1-rt")).rpsContext[0],
  },
  {
    id: "09.2", notebook: NB,
    question: "On 6.12 booted with `thread_backlog_napi` and RPS off, did `backlog_napi/N` process any of the stream's packets?",
    answer: { kind: "exact" }, form: "true or false", source: "dataset",
    hint: "the backlog is local when RPS is off; read claim C11 in section 9",
    explanation: "v6.10 processes a local backlog in the softirq (use_local_napi): only remote kicks wake the thread.",
    expected: () => kernel("6.12+threads").guestRuns.filter((g) => g.config_id === "stream-64-rps-off").some((g) => g.context_cpu0.startsWith("backlog") || g.context_cpu1.startsWith("backlog")),
  },
  {
    id: "09.3", notebook: NB,
    question: "Which booted kernel configurations printed a kernel WARNING in any run? (a list of kernel names as printed, e.g. `[\"6.1\"]`)",
    answer: { kind: "set" }, form: "a list of kernel names", source: "dataset",
    hint: "section 6 prints, per kernel, the runs with a warning",
    explanation: "Only the pre-change RT kernel runs the RPS callback in a polling idle task and warns (do_softirq_post_smp_call_flush); 6.12-rt has backlog threads, so no softirq is raised from the IPI.",
    expected: () => ds().filter((d) => d.guestRuns.some((g) => g.warnings > 0)).map((d) => d.guest.kernel_name),
  },
  {
    id: "09.4", notebook: NB,
    question: "In the hotplug runs (CPU 1 offline and back mid-stream), how many datagrams were unaccounted for on 6.12+threads, over all its runs?",
    answer: { kind: "exact" }, form: "a whole number", source: "dataset",
    hint: "section 7 sums `unaccounted` per kernel",
    explanation: "dev_cpu_dead re-injects the dead CPU's backlog: the kernel loses nothing to the hotplug, with or without backlog threads (C14).",
    expected: () => kernel("6.12+threads").guestRuns.filter((g) => g.config_id === "hotplug-stream-64-rps-cpu1").reduce((a, g) => a + g.unaccounted, 0),
  },
];

export const OPEN: OpenExercise[] = [
  {
    id: "09.o1", notebook: NB,
    question: "Boot one kernel yourself with a single case, e.g. `npx softnet-lab kernels boot 6.12-rt --smoke`, twice. Which figures of the summary line change between the two boots, and which do not? Why?",
    discussion: "The context that processed the packets, the threads that exist and the warnings repeat (mechanism facts of the kernel); rates, IPIs and switches per packet vary, because under TCG the CPU is emulated and timing-dependent counts depend on the host's load.",
  },
  {
    id: "09.o2", notebook: NB,
    question: "The model's loss on the flat-out stream is far above the real 6.1's. Run the model with `--set rcvbuf_bytes=...` or a calibrated profile (notebook 05) and see whether the direction between 6.12 and 6.12+threads survives. What would a KVM boot add?",
    discussion: "Loss depends on the receive buffer and on the relative speed of sender and receiver, which TCG distorts; a good answer checks whether the direction (higher, lower, overlap) changes with the buffer, and notes that a KVM boot would give real-hardware times and rates that TCG cannot.",
  },
];

export const QUESTIONS: Question[] = [
  { id: "09.q1", notebook: NB, question: "Which kernels does the matrix boot, and on which side of the change is each?", answer: "6.1 and 6.1-rt (before dad6b9770263); 6.12 without and with thread_backlog_napi, 6.12 with preempt=full, and 6.12-rt (after it)." },
  { id: "09.q2", notebook: NB, question: "What is QEMU's TCG accelerator, and what does it mean for the figures?", answer: "The CPU is emulated in software: contexts, threads, counts, warnings and accounting are the kernel's own; times and rates are not the hardware's and timing-dependent counts vary between boots." },
  { id: "09.q3", notebook: NB, question: "Why could the kit not use KVM on its machine?", answer: "Stock kernels do not run under KVM there: -cpu host aborts on an MSR (0x10a) and other CPU models stop with an emulation failure, so the boots use TCG." },
  { id: "09.q4", notebook: NB, question: "How are timing-dependent counts compared between kernels?", answer: "Only by direction (higher, lower, overlap) over the range of all runs of all boots, never by value." },
  { id: "09.q5", notebook: NB, question: "Which context processes RPS-steered packets on 6.12 with thread_backlog_napi?", answer: "The backlog_napi/1 thread: the remote kick wakes it instead of sending the RPS IPI." },
  { id: "09.q6", notebook: NB, question: "Which kernel printed the idle-task warning, and why only that one?", answer: "6.1-rt: on RT before the change, the polling idle CPU ran rps_trigger_softirq itself and raised NET_RX where it cannot run; 6.12-rt uses backlog threads for the remote kick." },
  { id: "09.q7", notebook: NB, question: "How does the boot command line turn the backlog threads on, and how do you check it inside the guest?", answer: "thread_backlog_napi on the kernel command line; cat /proc/cmdline shows it, and ps shows backlog_napi/N threads." },
  { id: "09.q8", notebook: NB, question: "How are the kernels fetched without touching the system's apt setup?", answer: "Through a private apt configuration (own sources list, state and cache directories) and apt-get download; the packages are cached with their versions and sha256." },
  { id: "09.q9", notebook: NB, question: "What does an \"unaccounted\" datagram mean in a hotplug run, and what did the kernels show?", answer: "Sent minus datagrams that reached the socket layer and backlog drops: a datagram lost without a counter. Every kernel showed 0: dev_cpu_dead re-injects the dead CPU's backlog." },
  { id: "09.q10", notebook: NB, question: "Name one place where the model and the booted kernels disagree, and what it teaches.", answer: "Switches per packet between 6.1-rt and 6.12-rt: the real kernel's went down, the model's went up; the model's idle and scheduling details (and TCG timing) differ, so such rows are listed as disagreements instead of being tuned away." },
  { id: "09.q11", notebook: NB, question: "Why does the notebook print the host's load before the boots?", answer: "Under TCG the guest's timing depends on the host; a busy host changes timing-dependent counts, so two matrices booted at different loads can differ in direction." },
];

export const check = checker(EXERCISES);
