/**
 * Where a lecturer can check what the course says: the bibliography (datasets/published/references.json),
 * the commit-message sentences each claim tests (quoted, attributed), and every modelled kernel
 * function linked at the exact kernel version on a public source browser (Elixir).
 */
import fs from "node:fs";
import path from "node:path";

/** The kernel version the model follows; links point at this tag. */
export const KERNEL_VERSION = "v6.10";

export interface KernelFunction {
  /** The kernel's identifier (also the model's function name where one exists). */
  name: string;
  /** Source file in the kernel tree, at KERNEL_VERSION unless `version` says otherwise. */
  file: string;
  /** What it does in the receive path. */
  role: string;
  /** Where the model follows it (a file of src/). */
  model: string;
  version?: string;
}

/** The functions of the receive path the kit models or names, in path order. */
export const KERNEL_FUNCTIONS: KernelFunction[] = [
  { name: "loopback_xmit", file: "drivers/net/loopback.c", role: "loopback's transmit: hands the skb back to the receive path with __netif_rx", model: "src/workloads (udp stream over lo)" },
  { name: "netif_rx", file: "net/core/dev.c", role: "entry of the backlog: a non-NAPI driver or loopback queues a packet", model: "src/kernel/dev.ts" },
  { name: "get_rps_cpu", file: "net/core/dev.c", role: "RPS: picks the target CPU from the flow hash and rps_cpus", model: "src/kernel/rps.ts" },
  { name: "enqueue_to_backlog", file: "net/core/dev.c", role: "queues on softnet_data.input_pkt_queue, drops past netdev_max_backlog, kicks the backlog NAPI", model: "src/kernel/dev.ts" },
  { name: "napi_schedule_rps", file: "net/core/dev.c", role: "a remote backlog goes on rps_ipi_list, a local one is scheduled", model: "src/kernel/dev.ts" },
  { name: "____napi_schedule", file: "net/core/dev.c", role: "puts a NAPI on the poll list and raises NET_RX, or wakes its thread (use_local_napi short-cut)", model: "src/kernel/dev.ts" },
  { name: "net_rps_send_ipi", file: "net/core/dev.c", role: "sends the RPS IPIs queued on rps_ipi_list", model: "src/kernel/rps.ts" },
  { name: "rps_trigger_softirq", file: "net/core/dev.c", role: "the IPI callback on the target CPU: schedules its backlog", model: "src/kernel/rps.ts" },
  { name: "net_rx_action", file: "net/core/dev.c", role: "the NET_RX softirq: polls NAPIs within netdev_budget and netdev_budget_usecs", model: "src/kernel/net-rx-action.ts" },
  { name: "process_backlog", file: "net/core/dev.c", role: "the backlog NAPI's poll function: splices input_pkt_queue, delivers up to its quota", model: "src/kernel/process-backlog.ts" },
  { name: "__netif_receive_skb", file: "net/core/dev.c", role: "hands the packet to the protocol (IP)", model: "src/kernel/process-backlog.ts" },
  { name: "ip_rcv", file: "net/ipv4/ip_input.c", role: "IPv4 receive", model: "src/kernel/udp.ts (as one cost)" },
  { name: "udp_rcv", file: "net/ipv4/udp.c", role: "UDP receive: finds the socket", model: "src/kernel/udp.ts" },
  { name: "__udp_enqueue_schedule_skb", file: "net/ipv4/udp.c", role: "queues on the socket, drops past the receive buffer (RcvbufErrors), wakes the reader", model: "src/kernel/udp.ts" },
  { name: "udp_recvmsg", file: "net/ipv4/udp.c", role: "the reader's recvmsg copies the datagram out", model: "src/kernel/udp.ts" },
  { name: "backlog_napi_should_run", file: "net/core/dev.c", role: "the backlog thread's smpboot test: is its NAPI scheduled?", model: "src/kernel/backlog-thread.ts" },
  { name: "run_backlog_napi", file: "net/core/dev.c", role: "the backlog_napi/N thread body: napi_threaded_poll_loop on the CPU's backlog", model: "src/kernel/backlog-thread.ts" },
  { name: "backlog_napi_setup", file: "net/core/dev.c", role: "sets NAPI_STATE_THREADED on every backlog when threads are on", model: "src/kernel/backlog-thread.ts" },
  { name: "dev_cpu_dead", file: "net/core/dev.c", role: "CPU hotplug: re-injects the dead CPU's backlog with netif_rx", model: "src/kernel/hotplug.ts" },
  { name: "smpboot_register_percpu_thread", file: "kernel/smpboot.c", role: "per-CPU bound threads, parked and unparked with their CPU", model: "src/kernel/backlog-thread.ts" },
  { name: "__do_softirq", file: "kernel/softirq.c", role: "runs pending softirqs: 2 ms / 10 rounds, then ksoftirqd", model: "src/kernel/softirq.ts" },
  { name: "invoke_softirq", file: "kernel/softirq.c", role: "softirqs at irq exit (or a ksoftirqd wakeup on PREEMPT_RT)", model: "src/kernel/softirq.ts" },
  { name: "wakeup_softirqd", file: "kernel/softirq.c", role: "wakes ksoftirqd/N", model: "src/kernel/softirq.ts" },
  { name: "do_softirq_post_smp_call_flush", file: "kernel/softirq.c", role: "PREEMPT_RT: warns when an IPI callback run by the idle task raised a softirq", model: "src/kernel/softirq.ts" },
  { name: "__local_bh_enable_ip", file: "kernel/softirq.c", role: "local_bh_enable: runs pending softirqs in the task (loopback's in-call NET_RX); the BH local lock on PREEMPT_RT", model: "src/kernel/softirq.ts" },
  { name: "try_to_wake_up", file: "kernel/sched/core.c", role: "wakes a task; a remote wakeup goes through the wakelist (CAL IPI) or a RES IPI", model: "src/kernel/sched.ts" },
  { name: "irq_forced_thread_fn", file: "kernel/irq/manage.c", role: "PREEMPT_RT's threaded interrupt handler, bottom halves disabled around it", model: "src/kernel/irq-thread.ts" },
];

/** https://elixir.bootlin.com/linux/<version>/C/ident/<name>: every definition and use of the identifier. */
export function identUrl(name: string, version = KERNEL_VERSION): string {
  return `https://elixir.bootlin.com/linux/${version}/C/ident/${encodeURIComponent(name)}`;
}

/** https://elixir.bootlin.com/linux/<version>/source/<file>. */
export function sourceUrl(file: string, version = KERNEL_VERSION): string {
  return `https://elixir.bootlin.com/linux/${version}/source/${file}`;
}

export interface Reference {
  id: string;
  kind: string;
  authors: string[];
  title: string;
  year: number;
  url: string;
  supports: string;
  checked: string;
  date?: string;
  version?: string;
  venue?: string;
  mirror?: string;
  posting?: string;
}

/** The repository's datasets/published folder, from a notebook folder or the repo root. */
function publishedDir(from = process.cwd()): string {
  for (const d of [path.join(from, "datasets", "published"), path.join(from, "..", "datasets", "published")]) if (fs.existsSync(d)) return d;
  throw new Error(`datasets/published not found from ${from}`);
}

export function loadReferences(dir = publishedDir()): Reference[] {
  return JSON.parse(fs.readFileSync(path.join(dir, "references.json"), "utf8")) as Reference[];
}

export interface CommitQuotes {
  commit: string;
  author: string;
  message: string;
  quotes: Record<string, string[]>;
}

export function loadCommitQuotes(dir = publishedDir()): CommitQuotes & { text: string } {
  const q = JSON.parse(fs.readFileSync(path.join(dir, "commit-quotes.json"), "utf8")) as CommitQuotes;
  return { ...q, text: fs.readFileSync(path.join(dir, q.message), "utf8") };
}

/** The commit message with its line breaks folded, so a quoted sentence can be found in it. */
export function foldedMessage(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Markdown: the quoted sentences a claim tests, attributed. */
export function quoteFor(claim: string, q = loadCommitQuotes()): string {
  const s = q.quotes[claim];
  if (!s) return `${claim}: no sentence of the commit message (a claim of the kit or of another source).`;
  return `> ${s.join(" … ")}\n>\n> — ${q.author}, commit ${q.commit} ("net: Allow to use SMP threads for backlog NAPI")`;
}

/** Markdown: the bibliography as a list. */
export function referencesMarkdown(refs = loadReferences()): string {
  return refs.map((r) => `- <a id="ref-${r.id}"></a>**${r.id}**: ${r.authors.join(", ")} (${r.year}). *${r.title}*${r.venue ? `, ${r.venue}` : ""}${r.version ? `, ${r.version}` : ""}. ${r.url}` +
    `${r.mirror ? ` (also ${r.mirror})` : ""}. Supports: ${r.supports}.`).join("\n");
}

/** Markdown: the kernel function table with its Elixir links. */
export function kernelFunctionsMarkdown(): string {
  const rows = KERNEL_FUNCTIONS.filter((f) => f.model !== "-").map((f) =>
    `| [\`${f.name}\`](${identUrl(f.name, f.version)}) | [${f.file}](${sourceUrl(f.file, f.version)}) | ${f.role} | \`${f.model}\` |`);
  return [`| function (${KERNEL_VERSION}) | file | role | modelled in |`, "|---|---|---|---|", ...rows].join("\n");
}

/**
 * Markdown for the top of a notebook: the commit-message sentences its claims test (quoted,
 * attributed) and its kernel functions linked at the model's version.
 */
export function claimSources(claims: readonly string[], functions: readonly string[]): string {
  const q = loadCommitQuotes();
  const parts: string[] = [];
  const quoted = claims.filter((c) => q.quotes[c]);
  if (quoted.length > 0) {
    parts.push(`**What the commit message says** (${q.author}, commit ${q.commit}, "net: Allow to use SMP threads for backlog NAPI"):`);
    for (const c of quoted) parts.push(`> **${c}**: ${q.quotes[c]!.join(" … ")}`);
  }
  const missing = functions.filter((f) => !KERNEL_FUNCTIONS.some((k) => k.name === f));
  if (missing.length > 0) throw new Error(`claimSources: not in KERNEL_FUNCTIONS: ${missing.join(", ")}`);
  if (functions.length > 0) {
    parts.push(`**In the kernel source** (${KERNEL_VERSION}, Elixir): ` + functions.map((f) => {
      const k = KERNEL_FUNCTIONS.find((x) => x.name === f)!;
      return `[\`${f}\`](${identUrl(f, k.version)}) (${k.file})`;
    }).join(", ") + ".");
  }
  return parts.join("\n\n");
}

/** Markdown: every quoted claim with its attribution (the references page). */
export function allQuotesMarkdown(): string {
  const q = loadCommitQuotes();
  return Object.keys(q.quotes).map((c) => `**${c}**\n\n${quoteFor(c, q)}`).join("\n\n");
}
