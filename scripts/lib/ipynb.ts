/**
 * The Jupyter notebook file format (nbformat 4) as the kit needs it: types, reading with clear
 * errors, and writing byte-for-byte the way Jupyter itself saves (sorted keys, one-space indent),
 * so a notebook saved from Jupyter and one written by `npm run notebooks` diff cleanly.
 */
import fs from "node:fs";

/** nbformat stores long strings either whole or as a list of lines that keep their "\n". */
export type MultilineString = string | string[];

export interface Output {
  output_type: "stream" | "display_data" | "execute_result" | "error" | "update_display_data";
  name?: "stdout" | "stderr";
  text?: MultilineString;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  outputs?: Output[];
  execution_count?: number | null;
  attachments?: Record<string, unknown>;
}

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export const VEGALITE_V5 = "application/vnd.vegalite.v5+json";
export const VEGALITE_V6 = "application/vnd.vegalite.v6+json";
export const VEGALITE_MIMES = [VEGALITE_V6, VEGALITE_V5] as const;

export function joinText(value: MultilineString | undefined): string {
  if (value === undefined) return "";
  return Array.isArray(value) ? value.join("") : value;
}

/** Parses a notebook file; throws naming the file and the missing field when it is not nbformat 4. */
export function parseNotebook(text: string, file: string): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${err instanceof Error ? err.message : err})`);
  }
  const o = nb as Partial<Notebook>;
  if (typeof o !== "object" || o === null) throw new Error(`${file}: a notebook must be a JSON object`);
  if (o.nbformat !== 4) throw new Error(`${file}: nbformat must be 4, got ${JSON.stringify(o.nbformat)}`);
  if (!Array.isArray(o.cells)) throw new Error(`${file}: 'cells' must be an array`);
  o.cells.forEach((c, i) => {
    if (!["code", "markdown", "raw"].includes(c?.cell_type)) {
      throw new Error(`${file}: cells[${i}].cell_type must be code, markdown or raw, got ${JSON.stringify(c?.cell_type)}`);
    }
  });
  return o as Notebook;
}

export function readNotebook(file: string): Notebook {
  return parseNotebook(fs.readFileSync(file, "utf8"), file);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Jupyter's on-disk layout: json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n". */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(sortKeys(nb), null, 1) + "\n";
}

/** Writes via a temporary file and a rename, so a notebook is never left half-written. */
export function writeNotebook(file: string, nb: Notebook): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, serializeNotebook(nb));
  fs.renameSync(tmp, file);
}

/** The text of the first markdown heading (any level), without inline markup; else `fallback`. */
export function notebookTitle(nb: Notebook, fallback: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    for (const line of joinText(cell.source).split("\n")) {
      const m = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
      if (m) return m[1].replace(/[*`]/g, "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").trim();
    }
  }
  return fallback;
}
