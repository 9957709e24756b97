/**
 * The kernel datasets: one `measure`-format dataset per booted kernel configuration (metadata.json,
 * runs.csv, summary.csv, written and checked by src/measure/dataset.ts), plus the guest extension
 * this module owns: a `guest` section in metadata.json (format "softnet-lab/kernel-guest", its own
 * version) with the kernel's facts, `guest-runs.csv` with what only a booted kernel shows (which
 * context did the work, backlog_napi/N switches, warnings, hotplug accounting) and the raw serial
 * transcripts. A plain measure dataset (no guest section) still loads with loadMeasurementDataset.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatCsv, parseCsv } from "../measure/csv";
import { DATASET_FORMAT, DATASET_FORMAT_VERSION, DatasetError, loadMeasurementDataset, writeMeasurementDataset, type DatasetMetadata, type MeasurementDataset } from "../measure/dataset";
import { deriveRunColumns } from "../measure/derive";
import { parseKernelConfig, parsePreemptDebugfs, preemptModel, selectCmdlineFlags } from "../measure/metadata";
import type { Row } from "../measure/schema";
import type { CachedImage } from "./apt";
import type { GuestPlan } from "./guest-plan";
import type { KernelModelConfig, KernelSpec } from "./set";
import { caseCounters, parseTranscript, workContext, WORK_CONTEXTS, type GuestCaseResult, type GuestTranscript, type WorkContext } from "./transcript";

export const GUEST_FORMAT = "softnet-lab/kernel-guest";
export const GUEST_FORMAT_VERSION = 1;

/** The kernel facts recorded with a booted kernel's results (metadata.json `guest`). */
export interface GuestMetadata {
  format: string;
  format_version: number;
  kernel_name: string;
  package: string | null;
  package_version: string | null;
  deb_sha256: string | null;
  suite: string | null;
  mirror: string | null;
  release: string;
  preempt_rt: boolean;
  hz: number | null;
  /** Preemption mode the kernel runs (PREEMPT_RT, or the dynamic mode in parentheses: none, voluntary, full). */
  preemption: string;
  cmdline: string;
  accelerator: "kvm" | "tcg";
  accelerator_reason: string;
  qemu: string;
  boots: number;
  repeats_per_boot: number;
  threads: string[];
  model: KernelModelConfig;
  side: string;
}

/** One row of guest-runs.csv. */
export interface GuestRun {
  config_id: string;
  repeat: number;
  boot: number;
  /** Context that processed the packets on CPU1 (the RPS target, or the receiver's CPU without RPS). */
  context_cpu1: WorkContext;
  context_cpu0: WorkContext;
  backlog_napi_switches: number[] | null;
  backlog_napi_cpu_ns: number[] | null;
  net_rx_softirqs: number[];
  received_rps: number[];
  sent: number;
  /** sent - (UDP datagrams that reached the socket layer + backlog drops): datagrams unaccounted for. */
  unaccounted: number;
  lost_ratio: number | null;
  idle_ticks: number[];
  warnings: number;
  warning: string;
  hotplug: string;
  /** Switches and CPU time of the virtio devices' interrupt threads (0 without devices or threads). */
  irq_thread_switches: number;
  irq_thread_cpu_ns: number;
}

const GUEST_COLUMNS = ["config_id", "repeat", "boot", "context_cpu1", "context_cpu0", "backlog_napi_switches", "backlog_napi_cpu_ns", "net_rx_softirqs", "received_rps", "sent", "unaccounted", "lost_ratio", "idle_ticks", "warnings", "warning", "hotplug", "irq_thread_switches", "irq_thread_cpu_ns"] as const;

const CONTEXTS = WORK_CONTEXTS;

function num(s: string | undefined): number | null {
  if (s === undefined || s === "") return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

function sum(a: readonly number[] | null | undefined): number {
  return a ? a.reduce((x, y) => x + y, 0) : 0;
}

/** The measure run row and the guest row of one case of one boot. */
export function caseRows(c: GuestCaseResult, boot: number, repeatsPerBoot: number, bootStartedMs: number): { run: Row; guest: GuestRun } | null {
  const k = caseCounters(c);
  if (!k || !c.window) return null;
  const p = c.params;
  const mode = p.mode === "pingpong" ? "pingpong" : "stream";
  const sender = Number(p.sender_cpu);
  const receiver = Number(p.receiver_cpu);
  const rpsMask = p.rps_cpus ?? "0";
  const rps = rpsMask === "0" ? "off" : (parseInt(rpsMask, 16) & (1 << sender)) === 0 ? "other" : rpsMask;
  const cl = c.client;
  const sv = c.server;
  const runtime = (num(cl.elapsed_ns) ?? 0) / 1e9;
  const sent = num(cl.sent) ?? 0;
  const recvCount = mode === "stream" ? num(sv.received) : num(cl.received);
  const cpuS = (o: Record<string, string>) => (num(o.user_s) ?? 0) + (num(o.sys_s) ?? 0);
  const us = (ns: string | undefined) => (num(ns) === null ? null : num(ns)! / 2000);
  const repeat = (boot - 1) * repeatsPerBoot + c.repeat;
  const run: Row = {
    config_id: c.id,
    tool: "lean",
    mode,
    payload_bytes: Number(p.payload),
    rps,
    rps_cpus: rpsMask,
    sender_cpu: sender,
    receiver_cpu: receiver,
    receiver: sender === receiver ? "same" : "other",
    seconds: Number(p.seconds),
    repeat,
    started_at: new Date(bootStartedMs + Math.round(c.window.uptime_before * 1000)).toISOString(),
    loadavg_1m_before: k.loadavg1,
    window: "process-lifetime",
    window_s: Math.max(0, Number((c.window.uptime_after - c.window.uptime_before).toFixed(2))),
    tool_sent: sent,
    tool_received: recvCount,
    tool_runtime_s: runtime,
    sent_pps: runtime > 0 ? sent / runtime : null,
    received_pps: runtime > 0 && recvCount !== null ? (mode === "stream" ? recvCount : 2 * recvCount) / runtime : null,
    round_trips_per_s: mode === "pingpong" && runtime > 0 && recvCount !== null ? recvCount / runtime : null,
    latency_avg_us: mode === "pingpong" ? us(cl.rtt_avg_ns) : null,
    latency_p50_us: mode === "pingpong" ? us(cl.rtt_p50_ns) : null,
    latency_p90_us: mode === "pingpong" ? us(cl.rtt_p90_ns) : null,
    latency_p99_us: mode === "pingpong" ? us(cl.rtt_p99_ns) : null,
    latency_max_us: mode === "pingpong" ? us(cl.rtt_max_ns) : null,
    sender_cpu_s: cpuS(cl),
    receiver_cpu_s: cpuS(sv),
    sender_voluntary_switches: num(cl.voluntary_switches),
    sender_involuntary_switches: num(cl.involuntary_switches),
    receiver_voluntary_switches: num(sv.voluntary_switches),
    receiver_involuntary_switches: num(sv.involuntary_switches),
    udp_in_datagrams: Math.max(0, k.udp.InDatagrams ?? 0),
    udp_in_errors: Math.max(0, k.udp.InErrors ?? 0),
    udp_rcvbuf_errors: Math.max(0, k.udp.RcvbufErrors ?? 0),
    udp_no_ports: Math.max(0, k.udp.NoPorts ?? 0),
    ctxt: Math.max(0, k.ctxt),
    softnet_processed: k.processed,
    softnet_dropped: k.dropped,
    softnet_time_squeeze: k.time_squeeze,
    softnet_received_rps: k.received_rps,
    softnet_flow_limit_count: k.flow_limit,
    net_rx_softirqs: k.net_rx,
    ipi_cal: k.cal,
    ipi_res: k.res,
    timer_loc: k.loc,
    ksoftirqd_cpu_ns: k.ksoftirqd_ns,
    ksoftirqd_switches: k.ksoftirqd_switches,
    backlog_napi_cpu_ns: k.backlog_napi_ns,
    cpu_busy_ticks: k.busy_ticks,
    cpu_softirq_ticks: k.softirq_ticks,
    cpu_steal_ticks: k.steal_ticks,
    cpu_idle_ticks: k.idle_iowait_ticks,
  };
  Object.assign(run, deriveRunColumns(run));
  const packets = (run.packets as number) ?? 0;
  // Ping-pong: each round trip is two datagrams; the client counts requests only.
  const offered = mode === "pingpong" ? sent + (num(sv.echoed) ?? 0) : sent;
  const dropped = sum(k.dropped);
  const unaccounted = Math.max(0, offered - packets - dropped);
  const lost = (run.udp_rcvbuf_errors as number) + dropped + unaccounted;
  const guest: GuestRun = {
    config_id: c.id,
    repeat,
    boot,
    context_cpu1: workContext(k, 1),
    context_cpu0: workContext(k, 0),
    backlog_napi_switches: k.backlog_napi_switches,
    backlog_napi_cpu_ns: k.backlog_napi_ns,
    net_rx_softirqs: k.net_rx,
    received_rps: k.received_rps,
    sent: offered,
    unaccounted,
    lost_ratio: offered > 0 ? lost / offered : null,
    idle_ticks: k.idle_ticks,
    warnings: c.warnings.length,
    warning: c.warnings.find((w) => /WARNING/.test(w)) ?? c.warnings[0] ?? "",
    hotplug: c.hotplug.join("; "),
    irq_thread_switches: k.irq_thread_switches,
    irq_thread_cpu_ns: k.irq_thread_ns,
  };
  return { run, guest };
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.join(";");
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(7)));
  return String(v);
}

export function formatGuestRuns(rows: readonly GuestRun[]): string {
  return formatCsv(GUEST_COLUMNS, rows.map((r) => GUEST_COLUMNS.map((c) => cell(r[c]))));
}

/** Parses and checks guest-runs.csv. */
export function parseGuestRuns(text: string, file: string): GuestRun[] {
  const t = parseCsv(text);
  for (const c of GUEST_COLUMNS) if (!t.header.includes(c)) throw new DatasetError(file, { line: 1, field: c }, `a column "${c}"`);
  const list = (s: string) => (s === "" ? null : s.split(";").map(Number));
  return t.records.map((rec, i) => {
    const o: Record<string, string> = {};
    t.header.forEach((h, j) => (o[h] = rec.fields[j] ?? ""));
    for (const ctx of ["context_cpu1", "context_cpu0"]) if (!CONTEXTS.includes(o[ctx] as WorkContext)) throw new DatasetError(file, { row: i + 1, field: ctx }, `one of ${CONTEXTS.join(", ")}`, o[ctx]);
    return {
      config_id: o.config_id!,
      repeat: Number(o.repeat),
      boot: Number(o.boot),
      context_cpu1: o.context_cpu1 as WorkContext,
      context_cpu0: o.context_cpu0 as WorkContext,
      backlog_napi_switches: list(o.backlog_napi_switches!),
      backlog_napi_cpu_ns: list(o.backlog_napi_cpu_ns!),
      net_rx_softirqs: list(o.net_rx_softirqs!) ?? [],
      received_rps: list(o.received_rps!) ?? [],
      sent: Number(o.sent),
      unaccounted: Number(o.unaccounted),
      lost_ratio: o.lost_ratio === "" ? null : Number(o.lost_ratio),
      idle_ticks: list(o.idle_ticks!) ?? [],
      warnings: Number(o.warnings),
      warning: o.warning ?? "",
      hotplug: o.hotplug ?? "",
      irq_thread_switches: Number(o.irq_thread_switches),
      irq_thread_cpu_ns: Number(o.irq_thread_cpu_ns),
    };
  });
}

export interface KernelBoot {
  transcript: GuestTranscript;
  raw: string;
  startedMs: number;
  wallMs: number;
}

export interface KernelDatasetInput {
  spec: KernelSpec;
  image: CachedImage | null;
  plan: GuestPlan;
  boots: KernelBoot[];
  accelerator: "kvm" | "tcg";
  acceleratorReason: string;
  qemu: string;
  udpBlastSha: string;
  command: string;
  hostKind: string;
  loadBefore: number[];
  loadAfter: number[];
  durationS: number;
}

/** The measure metadata plus the guest section, for one kernel configuration. */
export function kernelMetadata(inp: KernelDatasetInput): DatasetMetadata & { guest: GuestMetadata } {
  const first = inp.boots[0]!.transcript;
  const cfgText = inp.image && existsSync(inp.image.config) ? readFileSync(inp.image.config, "utf8") : null;
  const cfg = cfgText ? parseKernelConfig(cfgText) : null;
  const hzRaw = cfg?.get("CONFIG_HZ");
  const hz = hzRaw ? Number(hzRaw) : null;
  const rt = first.realtime || cfg?.get("CONFIG_PREEMPT_RT") === "y";
  const runtime = rt ? "PREEMPT_RT" : first.preempt ? (parsePreemptDebugfs(first.preempt) ?? first.preempt) : preemptModel(cfg);
  const threads = first.threads;
  const backlogThreads = threads.filter((t) => t.startsWith("backlog_napi/")).length;
  const cmdline = first.cmdline ?? "";
  const guest: GuestMetadata = {
    format: GUEST_FORMAT,
    format_version: GUEST_FORMAT_VERSION,
    kernel_name: inp.spec.name,
    package: inp.image?.package ?? null,
    package_version: inp.image?.version ?? null,
    deb_sha256: inp.image?.deb_sha256 ?? null,
    suite: inp.image?.suite ?? null,
    mirror: inp.image?.mirror ?? null,
    release: first.release ?? "unknown",
    preempt_rt: rt,
    hz,
    preemption: runtime,
    cmdline,
    accelerator: inp.accelerator,
    accelerator_reason: inp.acceleratorReason,
    qemu: inp.qemu,
    boots: inp.boots.length,
    repeats_per_boot: inp.plan.repeats,
    threads,
    model: inp.spec.model,
    side: inp.spec.side,
  };
  const notes = [
    `Booted in QEMU (${inp.accelerator.toUpperCase()}: ${inp.acceleratorReason}), 2 vCPUs, busybox initramfs, no network device; UDP over the guest's loopback with udp-blast.`,
    inp.accelerator === "tcg"
      ? "Under TCG the CPU is emulated: which context ran the work, which threads exist, IPI/wake-up/switch counts, warnings and packet accounting are the kernel's own; rates and times are not the hardware's, and timing-dependent counts vary from boot to boot."
      : "Under KVM times are close to the host CPU's, but the vCPUs share the host with other work.",
    `${inp.boots.length} boot(s) x ${inp.plan.repeats} repeat(s) of each case; repeat numbers ${inp.plan.repeats + 1}.. are the second boot.`,
    "Window: from right before the client starts to 0.2 s after it ends (the guest's /proc/uptime, 10 ms resolution).",
  ];
  return {
    format: DATASET_FORMAT,
    format_version: DATASET_FORMAT_VERSION,
    created_at: new Date(inp.boots[0]!.startedMs).toISOString(),
    machine_kind: `QEMU ${inp.accelerator.toUpperCase()} guest, 2 vCPUs, on ${inp.hostKind}`,
    kernel: {
      release: first.release ?? "unknown",
      config_source: inp.image ? `Debian package ${inp.image.package} ${inp.image.version}: boot/config-${inp.image.release}` : null,
      preempt: rt ? "PREEMPT_RT" : preemptModel(cfg),
      preempt_dynamic: cfg?.get("CONFIG_PREEMPT_DYNAMIC") === "y",
      preempt_runtime: runtime,
      hz,
      rps: cfg ? cfg.get("CONFIG_RPS") === "y" : null,
      flow_limit: cfg ? cfg.get("CONFIG_NET_FLOW_LIMIT") === "y" : null,
      irq_time_accounting: cfg ? cfg.get("CONFIG_IRQ_TIME_ACCOUNTING") === "y" : null,
      thread_backlog_napi: backlogThreads > 0,
      backlog_napi_threads: backlogThreads,
      cmdline_flags: selectCmdlineFlags(cmdline),
    },
    cpu: { model: inp.accelerator === "tcg" ? "QEMU TCG -cpu max (emulated)" : "QEMU KVM -cpu host", count: 2, online: first.cpus ?? "0-1" },
    virtualization: { virtualized: true, hypervisor_flag: true, systemd_detect_virt: "qemu" },
    tools: { "udp-blast": `tools/udp-blast/udp-blast.c sha256 ${inp.udpBlastSha.slice(0, 16)}, gcc -O2 -static`, qemu: inp.qemu },
    sysctl: {},
    load: { before: inp.loadBefore, after: inp.loadAfter },
    settings: { repeats: inp.plan.repeats * inp.boots.length, seconds: inp.plan.cases[0]?.seconds ?? 1, sender_cpu: 0, command: inp.command },
    duration_s: inp.durationS,
    notes,
    guest,
  };
}

/** Builds one kernel's run rows and guest rows from its boots. */
export function kernelRows(inp: KernelDatasetInput): { runs: Row[]; guest: GuestRun[] } {
  const runs: Row[] = [];
  const guest: GuestRun[] = [];
  inp.boots.forEach((b, i) => {
    for (const c of b.transcript.cases) {
      const r = caseRows(c, i + 1, inp.plan.repeats, b.startedMs);
      if (r) {
        runs.push(r.run);
        guest.push(r.guest);
      }
    }
  });
  return { runs, guest };
}

export interface KernelDataset extends MeasurementDataset {
  guest: GuestMetadata;
  guestRuns: GuestRun[];
}

/** Writes one kernel configuration's dataset folder (measure files first, checked by measure's loader). */
export function writeKernelDataset(dir: string, inp: KernelDatasetInput): KernelDataset {
  const meta = kernelMetadata(inp);
  const { runs, guest } = kernelRows(inp);
  writeMeasurementDataset(dir, meta, runs);
  writeFileSync(join(dir, "guest-runs.csv"), formatGuestRuns(guest));
  mkdirSync(join(dir, "transcripts"), { recursive: true });
  inp.boots.forEach((b, i) => writeFileSync(join(dir, "transcripts", `boot${i + 1}.txt`), b.raw));
  return loadKernelDataset(dir);
}

/**
 * Rewrites a kernel dataset's measure tables from its own transcripts in the current measure format
 * (after a format change), keeping metadata.json (format_version raised) and each run's start time.
 */
export function rebuildKernelDataset(dir: string, plan: GuestPlan): KernelDataset {
  const metaFile = join(dir, "metadata.json");
  const meta = JSON.parse(readFileSync(metaFile, "utf8")) as DatasetMetadata & { guest: GuestMetadata };
  const old = parseCsv(readFileSync(join(dir, "runs.csv"), "utf8"));
  const iId = old.header.indexOf("config_id");
  const iRep = old.header.indexOf("repeat");
  const iAt = old.header.indexOf("started_at");
  const startedAt = new Map(old.records.map((r) => [`${r.fields[iId]}#${r.fields[iRep]}`, Date.parse(r.fields[iAt]!)]));
  const files = readdirSync(join(dir, "transcripts")).filter((f) => /^boot\d+\.txt$/.test(f)).sort((a, b) => Number(a.slice(4, -4)) - Number(b.slice(4, -4)));
  const runs: Row[] = [];
  const guest: GuestRun[] = [];
  files.forEach((f, i) => {
    const t = parseTranscript(readFileSync(join(dir, "transcripts", f), "utf8"));
    const first = t.cases[0];
    const key = first ? `${first.id}#${i * plan.repeats + first.repeat}` : "";
    const at = startedAt.get(key);
    if (!first || at === undefined || !first.window) throw new DatasetError(join(dir, "transcripts", f), {}, `a first case whose run ${key} is in runs.csv`);
    const bootStartedMs = at - Math.round(first.window.uptime_before * 1000);
    for (const c of t.cases) {
      const r = caseRows(c, i + 1, plan.repeats, bootStartedMs);
      if (r) {
        runs.push(r.run);
        guest.push(r.guest);
      }
    }
  });
  meta.format_version = DATASET_FORMAT_VERSION;
  const tmp = `${dir}.rebuild-${process.pid}`;
  writeMeasurementDataset(tmp, meta, runs);
  for (const f of ["metadata.json", "runs.csv", "summary.csv"]) writeFileSync(join(dir, f), readFileSync(join(tmp, f)));
  rmSync(tmp, { recursive: true, force: true });
  writeFileSync(join(dir, "guest-runs.csv"), formatGuestRuns(guest));
  return loadKernelDataset(dir);
}

function validateGuest(obj: unknown, file: string): GuestMetadata {
  const g = obj as GuestMetadata | undefined;
  if (!g || typeof g !== "object") throw new DatasetError(file, { field: "guest" }, "a guest section (kernel datasets)");
  if (g.format !== GUEST_FORMAT) throw new DatasetError(file, { field: "guest.format" }, `"${GUEST_FORMAT}"`, String(g.format));
  if (g.format_version !== GUEST_FORMAT_VERSION) throw new DatasetError(file, { field: "guest.format_version" }, String(GUEST_FORMAT_VERSION), String(g.format_version));
  for (const k of ["kernel_name", "release", "preemption", "cmdline", "accelerator", "qemu"] as const)
    if (typeof g[k] !== "string") throw new DatasetError(file, { field: `guest.${k}` }, "a string", JSON.stringify(g[k]));
  if (g.accelerator !== "kvm" && g.accelerator !== "tcg") throw new DatasetError(file, { field: "guest.accelerator" }, "kvm or tcg", g.accelerator);
  if (typeof g.preempt_rt !== "boolean") throw new DatasetError(file, { field: "guest.preempt_rt" }, "true or false", JSON.stringify(g.preempt_rt));
  if (!Array.isArray(g.threads)) throw new DatasetError(file, { field: "guest.threads" }, "an array of thread names");
  return g;
}

/** Loads a kernel dataset: the measure part through measure's loader, then the guest extension. */
export function loadKernelDataset(dir: string): KernelDataset {
  const base = loadMeasurementDataset(dir);
  const metaFile = join(dir, "metadata.json");
  const guest = validateGuest((JSON.parse(readFileSync(metaFile, "utf8")) as { guest?: unknown }).guest, metaFile);
  const gf = join(dir, "guest-runs.csv");
  if (!existsSync(gf)) throw new DatasetError(gf, {}, "guest-runs.csv (file missing)");
  const guestRuns = parseGuestRuns(readFileSync(gf, "utf8"), gf);
  const keys = new Set(base.runs.map((r) => `${r.config_id}#${r.repeat}`));
  guestRuns.forEach((g, i) => {
    if (!keys.has(`${g.config_id}#${g.repeat}`)) throw new DatasetError(gf, { row: i + 1, field: "config_id" }, "a (config_id, repeat) that runs.csv has", `${g.config_id}#${g.repeat}`);
  });
  return { ...base, guest, guestRuns };
}

/** Loads every kernel dataset under a matrix folder (one sub-folder per kernel configuration). */
export function loadKernelMatrix(dir: string): KernelDataset[] {
  if (!existsSync(dir)) throw new DatasetError(dir, {}, "a kernel matrix folder (nothing there)");
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "metadata.json")))
    .map((d) => loadKernelDataset(join(dir, d.name)));
}
