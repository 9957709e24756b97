/**
 * Loads, validates and writes softnet-lab datasets: a measurement folder (`metadata.json`, `runs.csv`,
 * `summary.csv`) or a published-figures CSV. Any defect throws a DatasetError naming the file, the row,
 * the field and what was expected; writing goes through a temporary folder, so nothing half-written stays.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserInputError } from "../errors";
import { writeDirAtomic } from "./atomic";
import { formatCsv, parseCsv } from "./csv";
import { DERIVED_COLUMNS, deriveRunColumns } from "./derive";
import { CONFIG_COLUMNS, PUBLISHED_TABLE, RUNS_TABLE, SUMMARY_TABLE, type Cell, type Column, type Row, type TableSchema } from "./schema";
import { summarizeRuns } from "./stats";

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

export interface MeasurementDataset {
  dir: string;
  metadata: DatasetMetadata;
  runs: Row[];
  summary: Row[];
}

export interface PublishedFigures {
  file: string;
  rows: Row[];
}

// ---------------------------------------------------------------- cells

function describe(c: Column): string {
  const t = c.type;
  switch (t.kind) {
    case "int":
      return `an integer >= ${t.min}`;
    case "number":
      return t.min !== undefined ? `a number >= ${t.min}` : "a number";
    case "string":
      return t.format ?? "text";
    case "enum":
      return `one of ${t.values.join(", ")}`;
    case "int-list":
      return "non-negative integers separated by ';', one per CPU";
    case "date":
      return "an ISO 8601 UTC timestamp (e.g. 2026-11-25T06:35:48.000Z)";
  }
}

const NUMBER_RE = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Parses one cell; returns undefined when the text does not fit the column. */
function parseCell(c: Column, raw: string, cpus: number | null): Cell | undefined {
  if (raw === "") return c.nullable ? null : undefined;
  const t = c.type;
  switch (t.kind) {
    case "int": {
      if (!/^-?\d+$/.test(raw)) return undefined;
      const v = Number(raw);
      return Number.isSafeInteger(v) && v >= t.min ? v : undefined;
    }
    case "number": {
      if (!NUMBER_RE.test(raw)) return undefined;
      const v = Number(raw);
      return Number.isFinite(v) && (t.min === undefined || v >= t.min) ? v : undefined;
    }
    case "string":
      return !t.pattern || t.pattern.test(raw) ? raw : undefined;
    case "enum":
      return t.values.includes(raw) ? raw : undefined;
    case "int-list": {
      const parts = raw.split(";");
      if (!parts.every((p) => /^\d+$/.test(p))) return undefined;
      if (cpus !== null && parts.length !== cpus) return undefined;
      return parts.map(Number);
    }
    case "date":
      return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(raw) && !Number.isNaN(Date.parse(raw)) ? raw : undefined;
  }
}

/** Turns a cell back into CSV text (numbers to 7 significant digits, lists joined with ';'). */
export function formatCell(c: Column, v: Cell | undefined): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.join(";");
  if (typeof v === "number") {
    if (c.type.kind === "int") return String(Math.round(v));
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(7)));
  }
  return v;
}

// ---------------------------------------------------------------- tables

function readTable(file: string, schema: TableSchema, cpus: number | null, version = DATASET_FORMAT_VERSION): Row[] {
  if (!existsSync(file)) throw new DatasetError(file, {}, `the ${schema.name} table (file missing)`);
  let table;
  try {
    table = parseCsv(readFileSync(file, "utf8"));
  } catch (e) {
    throw new DatasetError(file, {}, "well-formed CSV", (e as Error).message);
  }
  const names = schema.columns.map((c) => c.name);
  const seen = new Set<string>();
  for (const h of table.header) {
    if (!names.includes(h)) throw new DatasetError(file, { line: 1, field: h }, `only the ${schema.name} columns (${names.join(", ")})`, h);
    if (seen.has(h)) throw new DatasetError(file, { line: 1, field: h }, "each column once", h);
    seen.add(h);
  }
  // Columns added after the dataset's format version are absent there: they read their earlier value.
  const absent = schema.columns.filter((c) => !seen.has(c.name) && c.since !== undefined && version < c.since.version);
  for (const n of names) if (!seen.has(n) && !absent.some((c) => c.name === n)) throw new DatasetError(file, { line: 1, field: n }, `a column "${n}" in the header`);
  const byName = new Map(schema.columns.map((c) => [c.name, c]));
  return table.records.map((rec, i) => {
    const where = { row: i + 1, line: rec.line };
    if (rec.fields.length !== table.header.length) {
      throw new DatasetError(file, where, `${table.header.length} fields like the header`, `${rec.fields.length} fields`);
    }
    const row: Row = {};
    for (const c of absent) row[c.name] = c.since!.before;
    table.header.forEach((h, j) => {
      const col = byName.get(h)!;
      const v = parseCell(col, rec.fields[j], cpus);
      if (v === undefined) throw new DatasetError(file, { ...where, field: h }, describe(col) + (col.type.kind === "int-list" && cpus !== null ? ` (${cpus} CPUs)` : "") + (col.nullable ? " or empty" : ""), rec.fields[j]);
      row[h] = v;
    });
    return row;
  });
}

function writeTable(file: string, schema: TableSchema, rows: readonly Row[]): void {
  const header = schema.columns.map((c) => c.name);
  writeFileSync(file, formatCsv(header, rows.map((r) => schema.columns.map((c) => formatCell(c, r[c.name])))));
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-5 * Math.max(Math.abs(a), Math.abs(b)) + 1e-9;
}

function sameCell(a: Cell, b: Cell): boolean {
  if (typeof a === "number" && typeof b === "number") return close(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
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

// ---------------------------------------------------------------- measurement folders

/** Checks what a single cell check cannot: config columns agree per config_id, (config_id, repeat) is
 * unique, derived columns match the counters, and the summary matches the runs. */
function crossCheck(dir: string, runs: Row[], summary: Row[]): void {
  const runsFile = join(dir, "runs.csv");
  const summaryFile = join(dir, "summary.csv");
  const firstOf = new Map<string, Row>();
  const keys = new Set<string>();
  runs.forEach((r, i) => {
    const id = String(r.config_id);
    const key = `${id}#${r.repeat}`;
    if (keys.has(key)) throw new DatasetError(runsFile, { row: i + 1, field: "repeat" }, `one row per (config_id, repeat); ${key} is repeated`, String(r.repeat));
    keys.add(key);
    const first = firstOf.get(id);
    if (!first) firstOf.set(id, r);
    else
      for (const c of CONFIG_COLUMNS)
        if (!sameCell(first[c.name], r[c.name])) throw new DatasetError(runsFile, { row: i + 1, field: c.name }, `the same value as the other runs of ${id}`, String(r[c.name]));
    const derived = deriveRunColumns(r);
    for (const d of DERIVED_COLUMNS) {
      const want = derived[d];
      if (!sameCell(r[d], want)) throw new DatasetError(runsFile, { row: i + 1, field: d }, `${want === null ? "empty" : Number(want.toPrecision(7))} (computed from the row's counters)`, String(r[d]));
    }
  });
  const expected = summarizeRuns(runs);
  const byId = new Map(expected.map((s) => [String(s.config_id), s]));
  summary.forEach((s, i) => {
    const want = byId.get(String(s.config_id));
    if (!want) throw new DatasetError(summaryFile, { row: i + 1, field: "config_id" }, "a config_id that has runs in runs.csv", String(s.config_id));
    byId.delete(String(s.config_id));
    for (const c of SUMMARY_TABLE.columns) {
      if (!sameCell(s[c.name], want[c.name])) {
        throw new DatasetError(summaryFile, { row: i + 1, field: c.name }, `${want[c.name] === null ? "empty" : String(want[c.name])} (recomputed from runs.csv)`, String(s[c.name]));
      }
    }
  });
  for (const id of byId.keys()) throw new DatasetError(summaryFile, { field: "config_id" }, `a summary row for ${id}, which has runs`);
}

/** Loads and validates a measurement folder. */
export function loadMeasurementDataset(dir: string): MeasurementDataset {
  const metaFile = join(dir, "metadata.json");
  if (!existsSync(metaFile)) throw new DatasetError(metaFile, {}, "the dataset's metadata.json (file missing)");
  let obj: unknown;
  try {
    obj = JSON.parse(readFileSync(metaFile, "utf8"));
  } catch (e) {
    throw new DatasetError(metaFile, {}, "valid JSON", (e as Error).message);
  }
  const metadata = validateMetadata(obj, metaFile);
  const runs = readTable(join(dir, "runs.csv"), RUNS_TABLE, metadata.cpu.count, metadata.format_version);
  const summary = readTable(join(dir, "summary.csv"), SUMMARY_TABLE, metadata.cpu.count, metadata.format_version);
  crossCheck(dir, runs, summary);
  return { dir, metadata, runs, summary };
}

/** Writes a measurement folder atomically; the result is loaded back and validated before it is renamed
 * into place, so only a dataset the loader accepts can appear. */
export function writeMeasurementDataset(dir: string, metadata: DatasetMetadata, runs: readonly Row[], replace = false): MeasurementDataset {
  const summary = summarizeRuns(runs);
  writeDirAtomic(
    dir,
    (tmp) => {
      writeFileSync(join(tmp, "metadata.json"), JSON.stringify(metadata, null, 2) + "\n");
      writeTable(join(tmp, "runs.csv"), RUNS_TABLE, runs);
      writeTable(join(tmp, "summary.csv"), SUMMARY_TABLE, summary);
      loadMeasurementDataset(tmp);
    },
    replace,
  );
  return loadMeasurementDataset(dir);
}

// ---------------------------------------------------------------- published figures

/** Loads and validates a published-figures table. */
export function loadPublishedFigures(file: string): PublishedFigures {
  const rows = readTable(file, PUBLISHED_TABLE, null);
  rows.forEach((r, i) => {
    if (r.value_high !== null && (r.value_high as number) < (r.value as number)) {
      throw new DatasetError(file, { row: i + 1, field: "value_high" }, `empty or >= value (${r.value})`, String(r.value_high));
    }
  });
  return { file, rows };
}

/** Loads either kind: a folder is a measurement dataset, a .csv file a published-figures table. */
export function loadDataset(path: string): MeasurementDataset | PublishedFigures {
  if (!existsSync(path)) throw new DatasetError(path, {}, "a dataset folder or a published-figures .csv (nothing there)");
  if (statSync(path).isDirectory()) return loadMeasurementDataset(path);
  if (path.endsWith(".csv")) return loadPublishedFigures(path);
  throw new DatasetError(path, {}, "a dataset folder or a .csv file");
}
