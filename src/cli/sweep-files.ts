/**
 * The files of `softnet-lab sweep`: the append-only partial file that lets an interrupted sweep
 * resume (`PREFIX.partial.jsonl`: a header naming the sweep, then one finished row per line), the
 * final CSV and JSON written atomically (temporary file + rename, so a kill never leaves half of
 * one), and the shard outputs `sweep merge` joins into exactly the single-machine outputs.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { UsageError } from "./args";
import { columnsOf, gridSize, shardIndices, type GridSpec, type Row, type Shard } from "../experiments/grid";
import { formatCsv } from "../measure/csv";
import { writeFileAtomic } from "../measure/atomic";

export const SWEEP_FORMAT = "softnet-lab/sweep";
const PARTIAL_FORMAT = "softnet-lab/sweep-partial";

/** What identifies a sweep: two files belong to the same sweep when these are equal. */
function identity(spec: GridSpec): string {
  return JSON.stringify({ scenario: spec.scenario ?? null, settings: spec.settings, grid: spec.axes });
}

function shardText(shard: Shard | null): string | null {
  return shard ? `${shard.k}/${shard.n}` : null;
}

export function outputPaths(prefix: string): { csv: string; json: string; partial: string } {
  return { csv: `${prefix}.csv`, json: `${prefix}.json`, partial: `${prefix}.partial.jsonl` };
}

/**
 * The rows already finished by an earlier, interrupted run of the same sweep (empty when there is no
 * partial file). A torn last line (killed while writing it) is dropped; the file is rewritten
 * without it before new rows are appended. A partial file of another sweep is refused.
 */
export function loadPartial(path: string, spec: GridSpec, shard: Shard | null): Map<number, Row> {
  const done = new Map<number, Row>();
  if (!existsSync(path)) return done;
  const lines = readFileSync(path, "utf8").split("\n");
  let header: { format?: string; sweep?: string; shard?: string | null } | null = null;
  try {
    header = JSON.parse(lines[0] ?? "");
  } catch {
    header = null;
  }
  if (!header || header.format !== PARTIAL_FORMAT || header.sweep !== identity(spec) || header.shard !== shardText(shard)) {
    throw new UsageError(`${path}: the partial file of a different sweep (its grid, settings or shard differ from this command line); remove it to start afresh, or give another --out`);
  }
  const allowed = new Set(shardIndices(gridSize(spec), shard));
  let kept = 1;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === "") continue;
    let row: Row;
    try {
      row = JSON.parse(lines[i]!) as Row;
    } catch {
      break; // a torn line: everything after it is unusable
    }
    const index = row.index;
    if (typeof index !== "number" || !allowed.has(index)) break;
    done.set(index, row);
    kept = i + 1;
  }
  if (kept < lines.filter((l) => l !== "").length) {
    writeFileAtomic(path, lines.slice(0, kept).map((l) => `${l}\n`).join(""));
  }
  return done;
}

/** Opens the partial file for appending (writing its header first if new); one row per line. */
export class PartialWriter {
  private readonly fd: number;

  constructor(path: string, spec: GridSpec, shard: Shard | null) {
    const fresh = !existsSync(path);
    try {
      this.fd = openSync(path, "a", 0o644);
    } catch (e) {
      throw new UsageError(`--out: cannot create ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a PREFIX in a folder you can write`);
    }
    if (fresh) writeSync(this.fd, `${JSON.stringify({ format: PARTIAL_FORMAT, version: 1, sweep: identity(spec), shard: shardText(shard) })}\n`);
  }

  /** One write per row: a kill leaves at most a torn last line, which loadPartial drops. */
  append(row: Row): void {
    writeSync(this.fd, `${JSON.stringify(row)}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The JSON output: the sweep's definition, its columns, and its rows in index order, one per line. */
export function sweepJson(spec: GridSpec, shard: Shard | null, rows: readonly Row[]): string {
  const head: Record<string, unknown> = {
    format: SWEEP_FORMAT,
    version: 1,
    scenario: spec.scenario ?? null,
    settings: spec.settings,
    grid: spec.axes,
    size: gridSize(spec),
  };
  if (shard) head.shard = shardText(shard);
  head.columns = columnsOf(spec);
  const lines = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const body = rows.map((r, i) => `    ${JSON.stringify(r)}${i < rows.length - 1 ? "," : ""}`);
  return ["{", ...lines, '  "rows": [', ...body, "  ]", "}", ""].join("\n");
}

/** The CSV output: a header of the columns, one line per row; an absent value is an empty field. */
export function sweepCsv(spec: GridSpec, rows: readonly Row[]): string {
  const cols = columnsOf(spec);
  return formatCsv(cols, rows.map((r) => cols.map((c) => (r[c] === null || r[c] === undefined ? "" : String(r[c])))));
}

/** Writes PREFIX.csv and PREFIX.json, each whole or not at all, then removes the partial file. */
export function writeOutputs(prefix: string, spec: GridSpec, shard: Shard | null, rows: readonly Row[]): void {
  const p = outputPaths(prefix);
  writeFileAtomic(p.csv, sweepCsv(spec, rows));
  writeFileAtomic(p.json, sweepJson(spec, shard, rows));
  rmSync(p.partial, { force: true });
}

interface SweepDoc {
  format: string;
  scenario: string | null;
  settings: Array<[string, string]>;
  grid: GridSpec["axes"];
  shard?: string;
  rows: Row[];
}

/**
 * Joins the JSON outputs of the N shards of one sweep into the single-machine outputs. Refuses files
 * of different sweeps, shards of different N, a shard given twice or missing, and a shard whose rows
 * are not exactly its slice (an interrupted shard has no JSON output at all).
 */
export function mergeShards(files: readonly string[]): { spec: GridSpec; rows: Row[] } {
  if (files.length === 0) throw new UsageError("sweep merge: no shard files: expected the JSON outputs of the shards (sweep merge --out PREFIX shard-1.json ... shard-N.json)");
  let spec: GridSpec | null = null;
  let n = 0;
  const seen = new Map<number, string>();
  const rows: Row[] = [];
  for (const f of files) {
    let doc: SweepDoc;
    try {
      doc = JSON.parse(readFileSync(f, "utf8")) as SweepDoc;
    } catch (e) {
      throw new UsageError(`${f}: not a sweep JSON output (${(e as Error).message.split("\n")[0]})`);
    }
    if (doc === null || typeof doc !== "object" || doc.format !== SWEEP_FORMAT || !Array.isArray(doc.rows) || !Array.isArray(doc.grid)) {
      throw new UsageError(`${f}: not a sweep JSON output: expected "format": "${SWEEP_FORMAT}" (the PREFIX.json a sweep writes)`);
    }
    const s: GridSpec = { settings: doc.settings, axes: doc.grid };
    if (doc.scenario !== null) s.scenario = doc.scenario;
    const m = /^(\d+)\/(\d+)$/.exec(doc.shard ?? "1/1");
    const k = Number(m?.[1]), nn = Number(m?.[2]);
    if (spec === null) {
      spec = s;
      n = nn;
    } else if (identity(s) !== identity(spec)) {
      throw new UsageError(`${f}: a shard of a different sweep (grid, scenario or settings differ from ${files[0]})`);
    } else if (nn !== n) {
      throw new UsageError(`${f}: shard ${doc.shard} of ${nn}, but ${files[0]} is a shard of ${n}: expected shards K/${n}`);
    }
    if (seen.has(k)) throw new UsageError(`${f}: shard ${k}/${n} given twice (also ${seen.get(k)})`);
    seen.set(k, f);
    const want = shardIndices(gridSize(s), { k, n });
    const got = doc.rows.map((r) => r.index);
    if (got.length !== want.length || got.some((x, i) => x !== want[i])) {
      throw new UsageError(`${f}: shard ${k}/${n} should hold ${want.length} rows (every ${n}th from index ${k - 1}), it holds ${got.length}: not a complete shard output`);
    }
    rows.push(...doc.rows);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length) throw new UsageError(`sweep merge: shards ${missing.map((k) => `${k}/${n}`).join(", ")} missing: expected all ${n} shards of the sweep`);
  rows.sort((a, b) => (a.index as number) - (b.index as number));
  return { spec: spec!, rows };
}
