/**
 * The catalog of tracepoints softnet-lab understands: for each event its `subsystem:event` name, its
 * fields (named by the keys the kernel prints, which are the tracefs `format` file's field names
 * except netif_*'s `dev`, printed from field `name`; napi_poll, which prints no keys, uses the format
 * names) and the kernel's print format, both ways
 * (fields → text, text → fields). Formats follow the `print fmt` lines of Linux 6.18's
 * /sys/kernel/tracing/events/<subsystem>/<event>/format files on x86_64.
 */

export type FieldKind = "int" | "str";
export type Fields = Record<string, string | number>;

export interface EventSpec {
  /** `subsystem:event`, as in tracefs and `perf list`. */
  name: string;
  /** Fields in print order; `derived` ones are not in the binary record (the kernel computes them when printing). */
  fields: readonly { name: string; kind: FieldKind; derived?: boolean }[];
  /** What the print format looks like, for error messages. */
  shape: string;
  print(f: Fields): string;
  /** Fields from the printed text, or null when the text does not have the event's shape. */
  parse(text: string): Fields | null;
}

/** Softirq vectors, kernel/softirq.c softirq_to_name[] (the __print_symbolic table of irq:softirq_*). */
export const SOFTIRQ_NAMES: readonly string[] = [
  "HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU",
];
export const NET_RX_VEC = 3;

/** What __print_symbolic prints for `vec`: the name, or the value in hex when the table has none. */
export function softirqName(vec: number): string {
  return SOFTIRQ_NAMES[vec] ?? `0x${vec.toString(16)}`;
}

const INT = "(-?\\d+)";
const str = (f: Fields, k: string): string => String(f[k]);

function softirq(event: string): EventSpec {
  return {
    name: `irq:${event}`,
    fields: [{ name: "vec", kind: "int" }, { name: "action", kind: "str", derived: true }],
    shape: "vec=<u> [action=<name>]",
    print: (f) => `vec=${f.vec} [action=${f.action ?? softirqName(Number(f.vec))}]`,
    parse: (t) => {
      const m = /^vec=(\d+) \[action=([^\]]*)\]$/.exec(t);
      return m ? { vec: Number(m[1]), action: m[2] } : null;
    },
  };
}

function netifEvent(event: string): EventSpec {
  return {
    name: `net:${event}`,
    // Named by the printed key `dev` (the format file's field is `name`), as the model records it.
    fields: [{ name: "dev", kind: "str" }, { name: "skbaddr", kind: "str" }, { name: "len", kind: "int" }],
    shape: "dev=<name> skbaddr=<ptr> len=<u>",
    print: (f) => `dev=${f.dev} skbaddr=${f.skbaddr} len=${f.len}`,
    parse: (t) => {
      const m = /^dev=(.*) skbaddr=(\S+) len=(\d+)$/.exec(t);
      return m ? { dev: m[1], skbaddr: m[2], len: Number(m[3]) } : null;
    },
  };
}

function wakeupEvent(event: string): EventSpec {
  return {
    name: `sched:${event}`,
    fields: [
      { name: "comm", kind: "str" },
      { name: "pid", kind: "int" },
      { name: "prio", kind: "int" },
      { name: "target_cpu", kind: "int" },
    ],
    shape: "comm=<comm> pid=<d> prio=<d> target_cpu=<03d>",
    print: (f) => `comm=${f.comm} pid=${f.pid} prio=${f.prio} target_cpu=${String(f.target_cpu).padStart(3, "0")}`,
    parse: (t) => {
      const m = new RegExp(`^comm=(.*) pid=${INT} prio=${INT} target_cpu=${INT}$`).exec(t);
      return m ? { comm: m[1], pid: Number(m[2]), prio: Number(m[3]), target_cpu: Number(m[4]) } : null;
    },
  };
}

function ipiEvent(event: string, first: "cpu" | "cpumask"): EventSpec {
  const firstKind: FieldKind = first === "cpu" ? "int" : "str";
  return {
    name: `ipi:${event}`,
    fields: [{ name: first, kind: firstKind }, { name: "callsite", kind: "str" }, { name: "callback", kind: "str" }],
    shape: `${first}=<${first}> callsite=<sym> callback=<sym>`,
    print: (f) => `${first}=${f[first]} callsite=${f.callsite} callback=${f.callback}`,
    parse: (t) => {
      const m = new RegExp(`^${first}=(\\S+) callsite=(\\S+) callback=(\\S+)$`).exec(t);
      if (!m) return null;
      if (first === "cpu" && !/^\d+$/.test(m[1])) return null;
      return { [first]: first === "cpu" ? Number(m[1]) : m[1], callsite: m[2], callback: m[3] };
    },
  };
}

function vectorEvent(name: string): EventSpec {
  return {
    name: `irq_vectors:${name}`,
    fields: [{ name: "vector", kind: "int" }],
    shape: "vector=<d>",
    print: (f) => `vector=${f.vector}`,
    parse: (t) => {
      const m = new RegExp(`^vector=${INT}$`).exec(t);
      return m ? { vector: Number(m[1]) } : null;
    },
  };
}

const SCHED_SWITCH: EventSpec = {
  name: "sched:sched_switch",
  fields: [
    { name: "prev_comm", kind: "str" },
    { name: "prev_pid", kind: "int" },
    { name: "prev_prio", kind: "int" },
    { name: "prev_state", kind: "str" },
    { name: "next_comm", kind: "str" },
    { name: "next_pid", kind: "int" },
    { name: "next_prio", kind: "int" },
  ],
  shape: "prev_comm=<comm> prev_pid=<d> prev_prio=<d> prev_state=<S|R|R+|D|...> ==> next_comm=<comm> next_pid=<d> next_prio=<d>",
  print: (f) =>
    `prev_comm=${f.prev_comm} prev_pid=${f.prev_pid} prev_prio=${f.prev_prio} prev_state=${f.prev_state} ==> ` +
    `next_comm=${f.next_comm} next_pid=${f.next_pid} next_prio=${f.next_prio}`,
  parse: (t) => {
    // comm may hold spaces, so anchor on the keys that follow it.
    const m = new RegExp(
      `^prev_comm=(.*) prev_pid=${INT} prev_prio=${INT} prev_state=(\\S+) ==> next_comm=(.*) next_pid=${INT} next_prio=${INT}$`,
    ).exec(t);
    return m
      ? {
          prev_comm: m[1], prev_pid: Number(m[2]), prev_prio: Number(m[3]), prev_state: m[4],
          next_comm: m[5], next_pid: Number(m[6]), next_prio: Number(m[7]),
        }
      : null;
  },
};

const NAPI_POLL: EventSpec = {
  name: "napi:napi_poll",
  fields: [
    { name: "napi", kind: "str" },
    { name: "dev_name", kind: "str" },
    { name: "work", kind: "int" },
    { name: "budget", kind: "int" },
  ],
  shape: "napi poll on napi struct <ptr> for device <dev> work <d> budget <d>",
  print: (f) => `napi poll on napi struct ${f.napi} for device ${f.dev_name} work ${f.work} budget ${f.budget}`,
  parse: (t) => {
    const m = new RegExp(`^napi poll on napi struct (\\S+) for device (.*) work ${INT} budget ${INT}$`).exec(t);
    return m ? { napi: m[1], dev_name: m[2], work: Number(m[3]), budget: Number(m[4]) } : null;
  },
};

const IRQ_HANDLER_ENTRY: EventSpec = {
  name: "irq:irq_handler_entry",
  fields: [{ name: "irq", kind: "int" }, { name: "name", kind: "str" }],
  shape: "irq=<d> name=<name>",
  print: (f) => `irq=${f.irq} name=${f.name}`,
  parse: (t) => {
    const m = new RegExp(`^irq=${INT} name=(.*)$`).exec(t);
    return m ? { irq: Number(m[1]), name: m[2] } : null;
  },
};

const IRQ_HANDLER_EXIT: EventSpec = {
  name: "irq:irq_handler_exit",
  fields: [{ name: "irq", kind: "int" }, { name: "ret", kind: "str" }],
  shape: "irq=<d> ret=handled|unhandled",
  print: (f) => `irq=${f.irq} ret=${f.ret}`,
  parse: (t) => {
    const m = new RegExp(`^irq=${INT} ret=(handled|unhandled)$`).exec(t);
    return m ? { irq: Number(m[1]), ret: m[2] } : null;
  },
};

/** trace_marker writes; the trace file calls the event tracing_mark_write (tracefs: ftrace/print). */
const MARKER: EventSpec = {
  name: "ftrace:print",
  fields: [{ name: "buf", kind: "str" }],
  shape: "<text>",
  print: (f) => String(f.buf),
  parse: (t) => ({ buf: t }),
};

/** x86 system vectors with entry/exit tracepoints (arch/x86/include/asm/trace/irq_vectors.h). */
export const X86_VECTORS = [
  "local_timer", "spurious_apic", "error_apic", "x86_platform_ipi", "irq_work",
  "reschedule", "call_function", "call_function_single", "thermal_apic", "deferred_error_apic", "threshold_apic",
] as const;

const SPECS: EventSpec[] = [
  softirq("softirq_raise"),
  softirq("softirq_entry"),
  softirq("softirq_exit"),
  IRQ_HANDLER_ENTRY,
  IRQ_HANDLER_EXIT,
  NAPI_POLL,
  netifEvent("netif_rx"),
  netifEvent("netif_receive_skb"),
  ipiEvent("ipi_send_cpu", "cpu"),
  ipiEvent("ipi_send_cpumask", "cpumask"),
  SCHED_SWITCH,
  wakeupEvent("sched_wakeup"),
  wakeupEvent("sched_waking"),
  wakeupEvent("sched_wakeup_new"),
  MARKER,
  ...X86_VECTORS.flatMap((v) => [vectorEvent(`${v}_entry`), vectorEvent(`${v}_exit`)]),
];

const BY_NAME = new Map<string, EventSpec>(SPECS.map((s) => [s.name, s]));

/**
 * Bare event name (as the trace file prints it) → `subsystem:event`. The marker event prints as
 * `tracing_mark_write`, not as its tracefs name `print`.
 */
export const BARE_TO_QUALIFIED: ReadonlyMap<string, string> = new Map(
  SPECS.map((s) => [s.name === "ftrace:print" ? "tracing_mark_write" : s.name.split(":")[1], s.name]),
);

export function eventSpec(name: string): EventSpec | undefined {
  return BY_NAME.get(name);
}

export function knownEvents(): string[] {
  return SPECS.map((s) => s.name);
}

/** The bare name the trace file prints for `subsystem:event`. */
export function bareName(event: string): string {
  if (event === "ftrace:print") return "tracing_mark_write";
  const i = event.indexOf(":");
  return i < 0 ? event : event.slice(i + 1);
}

/** Events that open or close a hardirq section on their CPU. */
export function hardirqEdge(event: string): "entry" | "exit" | null {
  if (event === "irq:irq_handler_entry") return "entry";
  if (event === "irq:irq_handler_exit") return "exit";
  if (event.startsWith("irq_vectors:")) {
    if (event.endsWith("_entry")) return "entry";
    if (event.endsWith("_exit")) return "exit";
  }
  return null;
}

/** The kernel function behind a hardirq section: sysvec_* for x86 vectors, the handler's name for device irqs. */
export function hardirqFunction(event: string, fields: Fields): string {
  if (event.startsWith("irq_vectors:")) {
    const vec = event.slice("irq_vectors:".length).replace(/_(entry|exit)$/, "");
    return SYSVEC[vec] ?? `sysvec_${vec}`;
  }
  return fields.name === undefined ? `irq/${fields.irq}` : String(fields.name);
}

const SYSVEC: Record<string, string> = {
  local_timer: "sysvec_apic_timer_interrupt",
  reschedule: "sysvec_reschedule_ipi",
  call_function: "sysvec_call_function",
  call_function_single: "sysvec_call_function_single",
  irq_work: "sysvec_irq_work",
  x86_platform_ipi: "sysvec_x86_platform_ipi",
  spurious_apic: "sysvec_spurious_apic_interrupt",
  error_apic: "sysvec_error_interrupt",
  thermal_apic: "sysvec_thermal",
  deferred_error_apic: "sysvec_deferred_error",
  threshold_apic: "sysvec_threshold",
};

/** The softirq handler each vector runs (kernel 6.10+ names; SCHED was run_rebalance_domains before). */
export const SOFTIRQ_FUNCTIONS: readonly string[] = [
  "tasklet_hi_action", "run_timer_softirq", "net_tx_action", "net_rx_action", "blk_done_softirq",
  "irq_poll_softirq", "tasklet_action", "sched_balance_softirq", "hrtimer_run_softirq", "rcu_core_si",
];

/** Is `fn` an x86 IPI vector handler (the target of an ipi_send_cpu)? */
export function isIpiHandler(fn: string): boolean {
  return IPI_HANDLERS.includes(fn);
}

/** x86 IPI vectors, and the generic callbacks a model may name its IPI handlers after. */
const IPI_HANDLERS: readonly string[] = [
  "sysvec_call_function_single", "sysvec_call_function", "sysvec_reschedule_ipi",
  "generic_smp_call_function_single_interrupt", "generic_smp_call_function_interrupt",
];

/** A cpulist as %*pbl prints it ("0-2,5") → [0,1,2,5]. */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}
