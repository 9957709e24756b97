/**
 * Facts about the machine a dataset was measured on: kernel release and config highlights (preemption
 * model, HZ, RPS, accounting), backlog threads, CPU model, virtualisation, tool versions, network sysctls
 * and load. Nothing that names the host is collected.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { ProcFs } from "./counters";
import { parseCpuList } from "./cpumask";
import type { DatasetMetadata } from "./dataset";
import { parseSockperfVersion } from "./sockperf";

/** Parses kernel config text (`CONFIG_X=y`, `# CONFIG_X is not set`) into a map of the set options. */
export function parseKernelConfig(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split("\n")) {
    const r = /^(CONFIG_\w+)=(.*)$/.exec(line.trim());
    if (r) m.set(r[1], r[2].replace(/^"(.*)"$/, "$1"));
  }
  return m;
}

/** Reads the running kernel's config from /proc/config.gz, else /boot/config-<release>. */
export function readKernelConfig(release: string): { source: string; config: Map<string, string> } | null {
  try {
    if (existsSync("/proc/config.gz")) return { source: "/proc/config.gz", config: parseKernelConfig(gunzipSync(readFileSync("/proc/config.gz")).toString("utf8")) };
  } catch {
    /* fall through */
  }
  const boot = `/boot/config-${release}`;
  if (existsSync(boot)) return { source: boot, config: parseKernelConfig(readFileSync(boot, "utf8")) };
  return null;
}

/** The preemption model the config builds in (PREEMPT_RT wins, then full, voluntary, lazy, none). */
export function preemptModel(cfg: Map<string, string> | null): string {
  if (!cfg) return "unknown";
  for (const k of ["PREEMPT_RT", "PREEMPT", "PREEMPT_VOLUNTARY", "PREEMPT_LAZY", "PREEMPT_NONE"]) if (cfg.get(`CONFIG_${k}`) === "y") return k;
  return "unknown";
}

/** /sys/kernel/debug/sched/preempt prints e.g. "(none) voluntary full lazy": the parenthesised one is active. */
export function parsePreemptDebugfs(text: string): string | null {
  const m = /\((\w+)\)/.exec(text);
  return m ? m[1] : null;
}

/** Boot options that matter for the receive path; everything else on the command line is left out. */
const CMDLINE_KEYS = ["thread_backlog_napi", "threadirqs", "preempt", "isolcpus", "nohz_full", "rcu_nocbs", "nosmt", "idle", "mitigations", "pti", "irqaffinity"];

export function selectCmdlineFlags(cmdline: string): string[] {
  // Arguments after a lone "--" go to init, not the kernel.
  const kernelPart = cmdline.split(/\s--\s/)[0];
  return kernelPart
    .trim()
    .split(/\s+/)
    .filter((tok) => CMDLINE_KEYS.includes(tok.split("=")[0]));
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): string | null {
  const r = spawnSync(cmd, args, { env, encoding: "utf8", timeout: 5000 });
  if (r.error || r.status !== 0) return null;
  return (r.stdout + r.stderr).trim();
}

function tryRead(fs: ProcFs, path: string): string | null {
  try {
    return fs.read(path).trim();
  } catch {
    return null;
  }
}

export function readLoadavg(fs: ProcFs): number[] {
  return fs.read("/proc/loadavg").split(/\s+/).slice(0, 3).map(Number);
}

const SYSCTLS: Record<string, string> = {
  "net.core.netdev_max_backlog": "/proc/sys/net/core/netdev_max_backlog",
  "net.core.netdev_budget": "/proc/sys/net/core/netdev_budget",
  "net.core.netdev_budget_usecs": "/proc/sys/net/core/netdev_budget_usecs",
  "net.core.dev_weight": "/proc/sys/net/core/dev_weight",
  "net.core.rmem_default": "/proc/sys/net/core/rmem_default",
  "net.core.rmem_max": "/proc/sys/net/core/rmem_max",
  "net.core.rps_sock_flow_entries": "/proc/sys/net/core/rps_sock_flow_entries",
  "lo.rx-0.rps_flow_cnt": "/sys/class/net/lo/queues/rx-0/rps_flow_cnt",
  "lo.mtu": "/sys/class/net/lo/mtu",
};

export interface MachineFacts {
  kernel: DatasetMetadata["kernel"];
  cpu: DatasetMetadata["cpu"];
  virtualization: DatasetMetadata["virtualization"];
  tools: Record<string, string>;
  sysctl: Record<string, string>;
  machine_kind: string;
  /** Sentences for the dataset's notes that follow from the facts. */
  notes: string[];
}

/** Without debugfs or preempt=, a PREEMPT_DYNAMIC kernel runs the model its config selects. */
function bootDefault(cfg: Map<string, string> | null): string | null {
  if (!cfg || cfg.get("CONFIG_PREEMPT_DYNAMIC") !== "y") return null;
  const m = preemptModel(cfg);
  return m === "unknown" ? null : `${m.replace(/^PREEMPT_?/, "").toLowerCase() || "full"} (boot default; debugfs not readable)`;
}

export function collectMachineFacts(fs: ProcFs, env: NodeJS.ProcessEnv, backlogNapiThreads: number, cpuSlots: number): MachineFacts {
  const release = tryRead(fs, "/proc/sys/kernel/osrelease") ?? "unknown";
  const kc = readKernelConfig(release);
  const cfg = kc?.config ?? null;
  const yes = (k: string) => (cfg ? cfg.get(`CONFIG_${k}`) === "y" : null);
  const cmdline = tryRead(fs, "/proc/cmdline") ?? "";
  const flags = selectCmdlineFlags(cmdline);
  const debugfsPreempt = tryRead(fs, "/sys/kernel/debug/sched/preempt");
  const cmdPreempt = flags.find((f) => f.startsWith("preempt="))?.slice("preempt=".length) ?? null;
  const cpuinfo = tryRead(fs, "/proc/cpuinfo") ?? "";
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown";
  const hypervisorFlag = /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo);
  const detectVirt = run("systemd-detect-virt", [], env);
  const online = tryRead(fs, "/sys/devices/system/cpu/online") ?? "";
  const tools: Record<string, string> = {};
  const sp = run("sockperf", ["--version"], env);
  if (sp) tools.sockperf = parseSockperfVersion(sp) ?? sp.split("\n")[0];
  for (const pkg of ["sockperf", "util-linux", "time"]) {
    const v = run("dpkg-query", ["-W", "-f=${Version}", pkg], env);
    if (v) tools[`deb:${pkg}`] = v;
  }
  const ts = run("taskset", ["--version"], env);
  if (ts) tools.taskset = ts.split("\n")[0];
  const sysctl: Record<string, string> = {};
  for (const [k, p] of Object.entries(SYSCTLS)) {
    const v = tryRead(fs, p);
    if (v !== null) sysctl[k] = v;
  }
  const threadBacklog = flags.some((f) => f === "thread_backlog_napi" || f.startsWith("thread_backlog_napi="));
  const virtualized = hypervisorFlag || (detectVirt !== null && detectVirt !== "none");
  const onlineCount = online ? parseCpuList(online).length : cpuSlots;
  const notes: string[] = [];
  if (hypervisorFlag && detectVirt && !["kvm", "qemu", "vmware", "microsoft", "xen", "oracle", "amazon", "bochs"].includes(detectVirt)) {
    notes.push(`systemd-detect-virt says "${detectVirt}" but the CPU flags carry "hypervisor": the kernel runs in a virtual machine (and possibly in a container inside it).`);
  }
  if (cfg && cfg.get("CONFIG_IRQ_TIME_ACCOUNTING") !== "y") notes.push("No CONFIG_IRQ_TIME_ACCOUNTING: cpu_softirq_ticks are tick samples, not exact softirq time.");
  return {
    kernel: {
      release,
      config_source: kc?.source ?? null,
      preempt: preemptModel(cfg),
      preempt_dynamic: yes("PREEMPT_DYNAMIC") === true,
      preempt_runtime: debugfsPreempt ? parsePreemptDebugfs(debugfsPreempt) : cmdPreempt ?? bootDefault(cfg),
      hz: cfg?.get("CONFIG_HZ") ? Number(cfg.get("CONFIG_HZ")) : null,
      rps: yes("RPS"),
      flow_limit: yes("NET_FLOW_LIMIT"),
      irq_time_accounting: yes("IRQ_TIME_ACCOUNTING"),
      thread_backlog_napi: threadBacklog || yes("PREEMPT_RT") === true,
      backlog_napi_threads: backlogNapiThreads,
      cmdline_flags: flags,
    },
    cpu: { model, count: cpuSlots, online },
    virtualization: { virtualized, hypervisor_flag: hypervisorFlag, systemd_detect_virt: detectVirt },
    tools,
    sysctl,
    machine_kind: `${virtualized ? "virtual machine" : "bare metal"}, ${onlineCount} CPUs, ${model}, Linux ${release}`,
    notes,
  };
}
