/**
 * Loads, validates and writes softnet-lab datasets: a measurement folder (`metadata.json`, `runs.csv`,
 * `summary.csv`) or a published-figures CSV. Any defect throws a DatasetError naming the file, the row,
 * the field and what was expected; writing goes through a temporary folder, so nothing half-written stays.
 * The format itself (versions, DatasetError, metadata.json) is dataset-format.ts; cells and CSV tables
 * are dataset-cells.ts.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeDirAtomic } from "./atomic";
import { readTable, sameCell, writeTable } from "./dataset-cells";
import { DatasetError, validateMetadata, type DatasetMetadata } from "./dataset-format";
import { DERIVED_COLUMNS, deriveRunColumns } from "./derive";
import { CONFIG_COLUMNS, PUBLISHED_TABLE, RUNS_TABLE, SUMMARY_TABLE, type Row } from "./schema";
import { summarizeRuns } from "./stats";

export { DATASET_FORMAT, DATASET_FORMAT_VERSION, DATASET_FORMAT_VERSIONS_READ, DatasetError, validateMetadata, type DatasetMetadata } from "./dataset-format";
export { formatCell } from "./dataset-cells";

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
