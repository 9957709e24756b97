/**
 * The measurement dataset format: its name and versions, the error every reader throws (naming the
 * file, the row, the field and what was expected), and `metadata.json` (the machine and run facts
 * beside the tables) with its checks. Used by dataset.ts, which loads and writes whole datasets.
 */
import { UserInputError } from "../errors";

export const DATASET_FORMAT = "softnet-lab/measure-dataset";
/** 2 added the per-row `tool` and `cpu_idle_ticks` columns; version 1 datasets still load (see Column.since). */
export const DATASET_FORMAT_VERSION = 2;
export const DATASET_FORMAT_VERSIONS_READ: readonly number[] = [1, 2];

export class DatasetError extends UserInputError {
  constructor(
    readonly file: string,
    readonly where: { row?: number; line?: number; field?: string },
    readonly expected: string,
    readonly got?: string,
  ) {
    const at = [
      where.row !== undefined ? `row ${where.row}` : "",
      where.line !== undefined ? (where.row !== undefined ? `(line ${where.line})` : `line ${where.line}`) : "",
      where.field !== undefined ? `field "${where.field}"` : "",
    ]
      .filter(Boolean)
      .join(" ");
    super(`${file}: ${at ? at + ": " : ""}expected ${expected}${got !== undefined ? `, got ${JSON.stringify(got)}` : ""}`);
    this.name = "DatasetError";
  }
}

/** Machine and run facts stored beside the tables (see datasets/README.md for every field). */
export interface DatasetMetadata {
  format: string;
  format_version: number;
  created_at: string;
  machine_kind: string;
  kernel: {
    release: string;
    config_source: string | null;
    preempt: string;
    preempt_dynamic: boolean;
    preempt_runtime: string | null;
    hz: number | null;
    rps: boolean | null;
    flow_limit: boolean | null;
    irq_time_accounting: boolean | null;
    thread_backlog_napi: boolean;
    backlog_napi_threads: number;
    cmdline_flags: string[];
  };
  cpu: { model: string; count: number; online: string };
  virtualization: { virtualized: boolean; hypervisor_flag: boolean; systemd_detect_virt: string | null };
  tools: Record<string, string>;
  sysctl: Record<string, string>;
  load: { before: number[]; after: number[] };
  settings: { repeats: number; seconds: number; sender_cpu: number; command: string };
  duration_s: number;
  notes: string[];
}

// ---------------------------------------------------------------- metadata

type MetaType = "string" | "string?" | "number" | "number?" | "boolean" | "boolean?" | "string[]" | "number[3]" | "record";

const METADATA_FIELDS: readonly [string, MetaType][] = [
  ["format", "string"],
  ["format_version", "number"],
  ["created_at", "string"],
  ["machine_kind", "string"],
  ["kernel.release", "string"],
  ["kernel.config_source", "string?"],
  ["kernel.preempt", "string"],
  ["kernel.preempt_dynamic", "boolean"],
  ["kernel.preempt_runtime", "string?"],
  ["kernel.hz", "number?"],
  ["kernel.rps", "boolean?"],
  ["kernel.flow_limit", "boolean?"],
  ["kernel.irq_time_accounting", "boolean?"],
  ["kernel.thread_backlog_napi", "boolean"],
  ["kernel.backlog_napi_threads", "number"],
  ["kernel.cmdline_flags", "string[]"],
  ["cpu.model", "string"],
  ["cpu.count", "number"],
  ["cpu.online", "string"],
  ["virtualization.virtualized", "boolean"],
  ["virtualization.hypervisor_flag", "boolean"],
  ["virtualization.systemd_detect_virt", "string?"],
  ["tools", "record"],
  ["sysctl", "record"],
  ["load.before", "number[3]"],
  ["load.after", "number[3]"],
  ["settings.repeats", "number"],
  ["settings.seconds", "number"],
  ["settings.sender_cpu", "number"],
  ["settings.command", "string"],
  ["duration_s", "number"],
  ["notes", "string[]"],
];

function fits(v: unknown, t: MetaType): boolean {
  switch (t) {
    case "string":
      return typeof v === "string";
    case "string?":
      return v === null || typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "number?":
      return v === null || (typeof v === "number" && Number.isFinite(v));
    case "boolean":
      return typeof v === "boolean";
    case "boolean?":
      return v === null || typeof v === "boolean";
    case "string[]":
      return Array.isArray(v) && v.every((x) => typeof x === "string");
    case "number[3]":
      return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "number");
    case "record":
      return typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
  }
}

const META_EXPECT: Record<MetaType, string> = {
  string: "a string",
  "string?": "a string or null",
  number: "a number",
  "number?": "a number or null",
  boolean: "true or false",
  "boolean?": "true, false or null",
  "string[]": "an array of strings",
  "number[3]": "an array of 3 numbers (1, 5 and 15 minute load averages)",
  record: "an object of string values",
};

export function validateMetadata(obj: unknown, file: string): DatasetMetadata {
  if (typeof obj !== "object" || obj === null) throw new DatasetError(file, {}, "a JSON object");
  for (const [path, t] of METADATA_FIELDS) {
    let v: unknown = obj;
    for (const k of path.split(".")) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined;
    if (!fits(v, t)) throw new DatasetError(file, { field: path }, META_EXPECT[t], v === undefined ? "(missing)" : JSON.stringify(v));
  }
  const m = obj as DatasetMetadata;
  if (m.format !== DATASET_FORMAT) throw new DatasetError(file, { field: "format" }, `"${DATASET_FORMAT}"`, m.format);
  if (!DATASET_FORMAT_VERSIONS_READ.includes(m.format_version)) throw new DatasetError(file, { field: "format_version" }, DATASET_FORMAT_VERSIONS_READ.join(" or "), String(m.format_version));
  if (!Number.isInteger(m.cpu.count) || m.cpu.count < 1) throw new DatasetError(file, { field: "cpu.count" }, "a positive integer", String(m.cpu.count));
  return m;
}
