/**
 * The committed real traces (datasets/traces/<name>.trace.txt with <name>.meta.json): what their
 * metadata holds, and a loader that validates it (naming the bad field), checks the file against its
 * recorded size and sha256, and parses it into records.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import type { KernelTraceRecord } from "./record";
import type { FtraceParseResult } from "./ftrace-parse";
import { parseFtraceText } from "./ftrace-parse";
import { UserInputError } from "../errors";

/** The tracepoints the loopback captures record: the model's events plus the x86 vectors that show hardirq time. */
export const TRACE_EVENTS: readonly string[] = [
  "irq:softirq_raise", "irq:softirq_entry", "irq:softirq_exit", "irq:irq_handler_entry", "irq:irq_handler_exit",
  "napi:napi_poll", "net:netif_rx", "net:netif_receive_skb", "ipi:ipi_send_cpu", "ipi:ipi_send_cpumask",
  "sched:sched_switch", "sched:sched_wakeup",
  "irq_vectors:call_function_single_entry", "irq_vectors:call_function_single_exit",
  "irq_vectors:call_function_entry", "irq_vectors:call_function_exit",
  "irq_vectors:reschedule_entry", "irq_vectors:reschedule_exit",
  "irq_vectors:local_timer_entry", "irq_vectors:local_timer_exit",
  "irq_vectors:irq_work_entry", "irq_vectors:irq_work_exit",
];

/**
 * TRACE_EVENTS plus the tracepoints that bracket the functions whose costs the model needs (this kernel
 * has no function_graph tracer and no kprobes): the send and receive system calls, netif_rx, the
 * loopback transmit, the socket's wakeup of its reader and the waker's side of try_to_wake_up.
 * src/calibrate/trace-costs.ts turns a capture of these into per-function durations.
 */
export const COST_TRACE_EVENTS: readonly string[] = [
  ...TRACE_EVENTS,
  "syscalls:sys_enter_sendto", "syscalls:sys_exit_sendto", "syscalls:sys_enter_recvfrom", "syscalls:sys_exit_recvfrom",
  "net:netif_rx_entry", "net:netif_rx_exit", "net:net_dev_start_xmit", "net:net_dev_xmit",
  "sock:sk_data_ready", "sched:sched_waking",
];

export interface TraceMeta {
  name: string;
  description: string;
  file: string;
  format: string;
  sha256: string;
  bytes: number;
  records: number;
  captured_at: string;
  command: string;
  workload: {
    tool: string;
    destination: string;
    packets: number;
    payload_bytes: number;
    gap_us: number;
    sender_cpu: number;
    receiver_cpu: number;
    rps_cpus: string;
  };
  capture: {
    events: string[];
    clock: string;
    buffer_kb_per_cpu: number;
    instance: boolean;
    duration_ms: number;
    per_cpu: { cpu: number; entries: number; overrun: number; dropped: number }[];
  };
  machine: {
    kernel_release: string;
    kernel_version: string;
    kernel_config: Record<string, string>;
    thread_backlog_napi: boolean;
    cpu_model: string;
    cpus: number;
    virtualised: boolean;
    virtualisation_note: string;
  };
}

export class TraceDatasetError extends UserInputError {
  constructor(message: string) {
    super(message);
    this.name = "TraceDatasetError";
  }
}

type Kind = "string" | "number" | "boolean" | "object" | "array";
const SCHEMA: Record<string, Kind> = {
  name: "string", description: "string", file: "string", format: "string", sha256: "string", bytes: "number",
  records: "number", captured_at: "string", command: "string", workload: "object", capture: "object", machine: "object",
  "workload.tool": "string", "workload.destination": "string", "workload.packets": "number", "workload.payload_bytes": "number",
  "workload.gap_us": "number", "workload.sender_cpu": "number", "workload.receiver_cpu": "number", "workload.rps_cpus": "string",
  "capture.events": "array", "capture.clock": "string", "capture.buffer_kb_per_cpu": "number", "capture.instance": "boolean",
  "capture.duration_ms": "number", "capture.per_cpu": "array",
  "machine.kernel_release": "string", "machine.kernel_version": "string", "machine.kernel_config": "object",
  "machine.thread_backlog_napi": "boolean", "machine.cpu_model": "string", "machine.cpus": "number",
  "machine.virtualised": "boolean", "machine.virtualisation_note": "string",
};

/** Throws a TraceDatasetError naming the first missing or mistyped field. */
export function validateTraceMeta(meta: unknown, source = "metadata"): TraceMeta {
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) throw new TraceDatasetError(`${source}: expected a JSON object`);
  for (const [key, kind] of Object.entries(SCHEMA)) {
    const value = key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], meta);
    const actual = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    if (actual !== kind) throw new TraceDatasetError(`${source}: field '${key}' must be ${kind}, got ${value === undefined ? "nothing" : actual}`);
  }
  const m = meta as TraceMeta;
  if (!/^[0-9a-f]{64}$/.test(m.sha256)) throw new TraceDatasetError(`${source}: field 'sha256' must be 64 hex digits`);
  if (!/^[\w.-]+\.trace\.txt$/.test(m.file)) throw new TraceDatasetError(`${source}: field 'file' must be a <name>.trace.txt file name, got ${JSON.stringify(m.file)}`);
  if (Number.isNaN(Date.parse(m.captured_at))) throw new TraceDatasetError(`${source}: field 'captured_at' must be an ISO date, got ${JSON.stringify(m.captured_at)}`);
  return m;
}

export interface TraceDataset {
  meta: TraceMeta;
  text: string;
  parsed: FtraceParseResult;
  records: KernelTraceRecord[];
}

/**
 * Default folder of the committed traces: the nearest datasets/traces at or above the working
 * directory (the repo root under vitest and the CLI, its parent for notebooks/). No import.meta:
 * tslab compiles this file as CommonJS.
 */
export function defaultTraceDir(from = process.cwd()): string {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, "datasets", "traces");
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return path.join(path.resolve(from), "datasets", "traces");
    dir = up;
  }
}

/** Names of the traces in `dir` (those with a .meta.json). */
export function listTraceDatasets(dir = defaultTraceDir()): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith(".meta.json")).map((f) => f.slice(0, -".meta.json".length)).sort();
}

/** Loads, checks and parses one committed trace. */
export function loadTraceDataset(name: string, dir = defaultTraceDir()): TraceDataset {
  const metaPath = path.join(dir, `${name}.meta.json`);
  if (!fs.existsSync(metaPath)) {
    throw new TraceDatasetError(`no trace '${name}' in ${dir}; available: ${listTraceDatasets(dir).join(", ") || "none"}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(metaPath, "utf8"));
  } catch (e) {
    throw new TraceDatasetError(`${metaPath}: not valid JSON (${(e as Error).message})`);
  }
  const meta = validateTraceMeta(raw, metaPath);
  const text = fs.readFileSync(path.join(dir, meta.file), "utf8");
  const bytes = Buffer.byteLength(text);
  if (bytes !== meta.bytes) throw new TraceDatasetError(`${meta.file}: ${bytes} bytes, metadata says ${meta.bytes}`);
  const sha = createHash("sha256").update(text).digest("hex");
  if (sha !== meta.sha256) throw new TraceDatasetError(`${meta.file}: sha256 ${sha} differs from the metadata's ${meta.sha256}`);
  const parsed = parseFtraceText(text);
  if (parsed.records.length !== meta.records) {
    throw new TraceDatasetError(`${meta.file}: ${parsed.records.length} records parsed, metadata says ${meta.records}`);
  }
  return { meta, text, parsed, records: parsed.records };
}
