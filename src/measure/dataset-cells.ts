/**
 * The tables of a dataset as CSV: each cell parsed and checked against its column (type, unit, range,
 * the format version that added it) and formatted back, whole tables read and written by their
 * schema, and the tolerance two cells are compared with. Used by dataset.ts.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { formatCsv, parseCsv } from "./csv";
import { DatasetError, DATASET_FORMAT_VERSION } from "./dataset-format";
import type { Cell, Column, Row, TableSchema } from "./schema";

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

export function readTable(file: string, schema: TableSchema, cpus: number | null, version = DATASET_FORMAT_VERSION): Row[] {
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

export function writeTable(file: string, schema: TableSchema, rows: readonly Row[]): void {
  const header = schema.columns.map((c) => c.name);
  writeFileSync(file, formatCsv(header, rows.map((r) => schema.columns.map((c) => formatCell(c, r[c.name])))));
}

export function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-5 * Math.max(Math.abs(a), Math.abs(b)) + 1e-9;
}

export function sameCell(a: Cell, b: Cell): boolean {
  if (typeof a === "number" && typeof b === "number") return close(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}
