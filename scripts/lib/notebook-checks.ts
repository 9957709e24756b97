/**
 * What makes an executed notebook acceptable, as pure functions over nbformat data: no error,
 * nothing on stderr (tslab reports TypeScript diagnostics and exceptions only there), and every
 * chart a complete bundle. Also the committed form of a notebook and how it went stale.
 */
import { createHash } from "node:crypto";
import { joinText, serializeNotebook, VEGALITE_MIMES, VEGALITE_V6 } from "./ipynb";
import type { Cell, Notebook, Output } from "./ipynb";

export type ProblemKind =
  | "kernelspec" // the notebook does not ask for the tslab kernel
  | "run" // nbconvert itself failed (kernel died, cell timed out...)
  | "error-output" // an `error` output (other kernels; tslab never emits one)
  | "ts-diagnostic" // a TypeScript diagnostic from tslab's compiler
  | "exception" // an uncaught exception or rejected promise
  | "stderr" // anything else written to stderr
  | "missing-chart" // a cell calls show( but produced no chart bundle
  | "incomplete-chart"; // a Vega-Lite output without its SVG, text or a v6 spec

export interface Problem {
  kind: ProblemKind;
  /** Index in the notebook's cells (0-based, markdown cells included); null for the whole notebook. */
  cell: number | null;
  message: string;
  /** The failing cell's source. */
  source?: string;
  /** Error text: the stderr or error output, or nbconvert's log. */
  detail?: string;
}

/**
 * A cell "shows a chart" when its code (comments removed) calls `show(` or `showChart(`, the
 * names of the chart module's display helpers (`charts.show(...)` counts too).
 */
export const CHART_CALL = /\b(?:show|showChart)\s*\(/;

/** Removes // and /* *\/ comments well enough for the chart-call rule (strings with "//" after a
 *  non-space, such as URLs, are kept). */
export function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/(^|\s)\/\/.*$/gm, "$1");
}

const TS_DIAGNOSTIC = /^\d+:\d+ - /m;
const EXCEPTION = /evalmachine\.<anonymous>|UnhandledPromiseRejection|^\s*at .+:\d+:\d+\)?$|^[A-Za-z]*(?:Error|Exception)\b.*:/m;

function classifyStderr(text: string): { kind: ProblemKind; message: string } {
  if (TS_DIAGNOSTIC.test(text)) return { kind: "ts-diagnostic", message: "TypeScript diagnostic (tslab's compiler, TS 5.0)" };
  if (EXCEPTION.test(text)) return { kind: "exception", message: "uncaught exception" };
  return { kind: "stderr", message: "wrote to stderr (notebooks must not; log with console.log)" };
}

function isChartOutput(o: Output): boolean {
  return (o.output_type === "display_data" || o.output_type === "execute_result") &&
    !!o.data && VEGALITE_MIMES.some((m) => o.data![m] !== undefined);
}

/** Why a Vega-Lite output is not a complete bundle, or null when it is. */
export function chartBundleDefect(o: Output): string | null {
  const data = o.data ?? {};
  const missing: string[] = [];
  if (data[VEGALITE_V6] === undefined) missing.push(VEGALITE_V6);
  if (data["image/svg+xml"] === undefined) missing.push("image/svg+xml");
  if (data["text/plain"] === undefined) missing.push("text/plain");
  if (missing.length > 0) return `a Vega-Lite output lacks ${missing.join(", ")}`;
  const spec = data[VEGALITE_V6];
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    return `${VEGALITE_V6} must hold the spec as a JSON object, got ${Array.isArray(spec) ? "an array" : typeof spec}`;
  }
  const schema = (spec as { $schema?: unknown }).$schema;
  if (schema !== undefined && !/\/vega-lite\/v6(\.|\/|\.json|$)/.test(String(schema))) {
    return `${VEGALITE_V6} carries $schema ${JSON.stringify(schema)}; the bundled vega-lite 6 (book, custom.js) needs a vega-lite v6 schema`;
  }
  const svg = joinText(data["image/svg+xml"] as string | string[]);
  if (!/^\s*<svg[\s>]/.test(svg)) return "the image/svg+xml part is not an SVG document";
  if (/="NaN"|NaN,|,NaN/.test(svg)) return "the SVG has NaN coordinates (a mark could not be placed: e.g. zero on a log scale)";
  return null;
}

/**
 * Checks an executed notebook. Stops at the first failing cell: tslab drops the output of the
 * cells run right after a failure, so later "problems" would only be noise.
 */
export function checkExecuted(nb: Notebook): Problem[] {
  const problems: Problem[] = [];
  const kernel = (nb.metadata?.kernelspec as { name?: unknown } | undefined)?.name;
  if (kernel !== "tslab") {
    problems.push({ kind: "kernelspec", cell: null, message: `metadata.kernelspec.name must be "tslab", got ${JSON.stringify(kernel)}` });
    return problems;
  }
  for (let i = 0; i < nb.cells.length; i++) {
    const cell = nb.cells[i];
    if (cell.cell_type !== "code") continue;
    const source = joinText(cell.source);
    const outputs = cell.outputs ?? [];
    let failed = false;
    for (const o of outputs) {
      if (o.output_type === "error") {
        failed = true;
        problems.push({ kind: "error-output", cell: i, source, message: `error ${o.ename ?? ""}: ${o.evalue ?? ""}`.trim(),
          detail: (o.traceback ?? []).join("\n").replace(/\x1b\[[0-9;]*m/g, "") });
      } else if (o.output_type === "stream" && o.name === "stderr" && joinText(o.text).trim() !== "") {
        failed = true;
        const text = joinText(o.text);
        problems.push({ cell: i, source, detail: text, ...classifyStderr(text) });
      }
    }
    if (failed) {
      if (nb.cells.slice(i + 1).some((c) => c.cell_type === "code")) {
        problems[problems.length - 1].message += " (later cells not checked: tslab drops the output of cells run right after a failure)";
      }
      return problems;
    }
    const charts = outputs.filter(isChartOutput);
    for (const o of charts) {
      const defect = chartBundleDefect(o);
      if (defect) problems.push({ kind: "incomplete-chart", cell: i, source, message: defect });
    }
    if (CHART_CALL.test(stripComments(source)) && charts.length === 0) {
      const kinds = outputs.map((o) => (o.output_type === "stream" ? `${o.name}` : `${o.output_type}{${Object.keys(o.data ?? {}).join(", ")}}`));
      problems.push({ kind: "missing-chart", cell: i, source,
        message: `the cell calls show( but has no display output with ${VEGALITE_V6} + image/svg+xml (outputs: ${kinds.join("; ") || "none"})` });
    }
  }
  return problems;
}

function indent(text: string, prefix = "    | "): string {
  return text.replace(/\n$/, "").split("\n").map((l) => prefix + l).join("\n");
}

/** A readable report: for each problem the cell index, its source and the error text. */
export function formatProblems(notebook: string, problems: Problem[]): string {
  const parts = problems.map((p) => {
    const where = p.cell === null ? "notebook" : `cell ${p.cell} (0-based, markdown cells counted)`;
    let s = `${notebook}: ${where}: ${p.kind}: ${p.message}`;
    if (p.source !== undefined) s += `\n  source:\n${indent(p.source)}`;
    if (p.detail) s += `\n  error:\n${indent(p.detail.length > 4000 ? p.detail.slice(0, 4000) + "\n[...]" : p.detail)}`;
    return s;
  });
  return parts.join("\n\n");
}

function stableId(index: number, cell: Cell): string {
  return createHash("sha1").update(`${index}\n${joinText(cell.source)}`).digest("hex").slice(0, 8);
}

/**
 * The form a notebook is committed in: the committed cells (source, ids, metadata) with the fresh
 * outputs, execution counts 1..n in order (the notebook did run top to bottom in a fresh kernel)
 * and no per-run timing metadata, so re-running an unchanged notebook changes no byte.
 */
export function committedForm(committed: Notebook, executed: Notebook): Notebook {
  if (committed.cells.length !== executed.cells.length) {
    throw new Error(`committedForm: ${committed.cells.length} committed cells but ${executed.cells.length} executed cells`);
  }
  let count = 0;
  const cells = committed.cells.map((cell, i): Cell => {
    const run = executed.cells[i];
    const id = cell.id ?? stableId(i, cell);
    const metadata = { ...cell.metadata };
    delete metadata.execution;
    if (cell.cell_type !== "code") return { ...cell, id, metadata };
    count += 1;
    const n = count;
    const outputs = (run.outputs ?? []).map((o) => (o.output_type === "execute_result" ? { ...o, execution_count: n } : o));
    return { ...cell, id, metadata, execution_count: n, outputs };
  });
  const metadata = { ...committed.metadata };
  if (executed.metadata.language_info !== undefined) metadata.language_info = executed.metadata.language_info;
  return { ...committed, nbformat_minor: Math.max(5, committed.nbformat_minor), metadata, cells };
}

function firstDifferentLine(a: string, b: string): string {
  const al = a.split("\n");
  const bl = b.split("\n");
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i]) return `line ${i + 1}: committed ${JSON.stringify(al[i] ?? "<none>").slice(0, 200)} vs fresh ${JSON.stringify(bl[i] ?? "<none>").slice(0, 200)}`;
  }
  return "";
}

/**
 * Null when `committedText` is exactly what `npm run notebooks` would write from `executed`;
 * otherwise where it first differs (cell index and the differing output line).
 */
export function staleness(committedText: string, committed: Notebook, executed: Notebook): string | null {
  const expected = committedForm(committed, executed);
  if (serializeNotebook(expected) === committedText) return null;
  for (let i = 0; i < expected.cells.length; i++) {
    const was = JSON.stringify(committed.cells[i].outputs ?? []);
    const now = JSON.stringify(expected.cells[i].outputs ?? []);
    if (was !== now) {
      const wasText = (committed.cells[i].outputs ?? []).map(outputText).join("\n");
      const nowText = (expected.cells[i].outputs ?? []).map(outputText).join("\n");
      const where = firstDifferentLine(wasText, nowText) || "same text, different data or structure";
      return `cell ${i} outputs differ from a fresh run (${where})\n  source:\n${indent(joinText(committed.cells[i].source))}`;
    }
  }
  return "outputs match a fresh run, but execution counts, cell ids, metadata or the JSON layout differ";
}

/** A comparable text rendering of one output (streams, mime bundles, errors). */
function outputText(o: Output): string {
  if (o.output_type === "stream") return `[${o.name}] ${joinText(o.text)}`;
  if (o.output_type === "error") return `[error] ${o.ename}: ${o.evalue}`;
  const data = o.data ?? {};
  return Object.keys(data).sort().map((k) => `[${k}] ${typeof data[k] === "string" || Array.isArray(data[k]) ? joinText(data[k] as string | string[]) : JSON.stringify(data[k])}`).join("\n");
}
