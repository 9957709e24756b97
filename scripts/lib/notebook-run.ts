/**
 * Runs notebooks headless in real Jupyter (`jupyter nbconvert --to notebook --execute` with the
 * repo's tslab kernelspec), checks the result and keeps the executed copy in build/executed/ for
 * the book: `<name>.ipynb` when clean, `<name>.failed.ipynb` (for inspection) when not.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PATHS } from "./repo";
import { readNotebook } from "./ipynb";
import type { Notebook } from "./ipynb";
import { jupyterEnv, prepareJupyterState, requireJupyter } from "./jupyter-env";
import { checkExecuted } from "./notebook-checks";
import type { Problem } from "./notebook-checks";

/** The notebooks of the kit: top-level `*.ipynb` in `dir`, sorted by name. */
export function listNotebooks(dir: string = PATHS.notebooks): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.startsWith(".") && fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => path.join(dir, f));
}

export function notebookName(file: string): string {
  return path.basename(file, ".ipynb");
}

export interface RunOptions {
  /** Where executed copies go; default build/executed. */
  outDir?: string;
  /** Per-cell timeout in seconds (nbconvert's ExecutePreprocessor.timeout). */
  cellTimeoutS?: number;
}

export interface RunResult {
  name: string;
  file: string;
  /** The executed notebook, when nbconvert produced one. */
  executed: Notebook | null;
  /** build/executed/<name>.ipynb when clean, <name>.failed.ipynb otherwise, null if none. */
  executedPath: string | null;
  problems: Problem[];
  seconds: number;
}

let tmpCounter = 0;

function runNbconvert(args: string[], cwd: string): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve) => {
    const child = spawn("jupyter", args, { cwd, env: jupyterEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (c: Buffer) => (log += c.toString()));
    child.stderr.on("data", (c: Buffer) => (log += c.toString()));
    child.on("error", (err) => resolve({ code: null, log: log + `\nspawn error: ${err.message}` }));
    child.on("exit", (code) => resolve({ code, log }));
  });
}

/** Executes one notebook and checks it; never throws for notebook faults (they are `problems`). */
export async function runNotebook(file: string, opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const name = notebookName(file);
  const outDir = opts.outDir ?? PATHS.executed;
  const seconds = () => (Date.now() - started) / 1000;
  const source = readNotebook(file);
  // Check the kernelspec before starting anything: another kernel would fail in confusing ways.
  const pre = checkExecuted({ ...source, cells: [] });
  if (pre.length > 0) return { name, file, executed: null, executedPath: null, problems: pre, seconds: seconds() };

  const tmpDir = path.join(outDir, ".tmp");
  fs.mkdirSync(tmpDir, { recursive: true });
  const tmpBase = `${name}.${process.pid}.${++tmpCounter}`;
  const tmpFile = path.join(tmpDir, `${tmpBase}.ipynb`);
  const { code, log } = await runNbconvert([
    "nbconvert", "--to", "notebook", "--execute",
    // Keep going past a failing cell so the executed copy is written and the failure can be shown
    // with its cell; nbconvert's own message for a tslab failure is only "<Error>:".
    "--allow-errors",
    `--ExecutePreprocessor.timeout=${opts.cellTimeoutS ?? 300}`,
    `--output-dir=${tmpDir}`, `--output=${tmpBase}`,
    file,
  ], path.dirname(file));

  const clean = path.join(outDir, `${name}.ipynb`);
  const failed = path.join(outDir, `${name}.failed.ipynb`);
  if (code !== 0 || !fs.existsSync(tmpFile)) {
    fs.rmSync(tmpFile, { force: true });
    fs.rmSync(clean, { force: true });
    return { name, file, executed: null, executedPath: null, seconds: seconds(),
      problems: [{ kind: "run", cell: null, message: `jupyter nbconvert exited with code ${code}`, detail: log.split("\n").slice(-40).join("\n") }] };
  }
  const executed = readNotebook(tmpFile);
  const problems = checkExecuted(executed);
  const keep = problems.length === 0 ? clean : failed;
  fs.rmSync(problems.length === 0 ? failed : clean, { force: true });
  fs.renameSync(tmpFile, keep);
  return { name, file, executed, executedPath: keep, problems, seconds: seconds() };
}

/** Runs `tasks` with at most `limit` at a time, keeping the input order in the result. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** A limiter for callers that start runs one by one (the vitest suite: one test per notebook). */
export function createLimiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <R>(fn: () => Promise<R>): Promise<R> => {
    // A finishing run hands its slot straight to the next waiter, so `active` never exceeds `limit`.
    if (active < limit) active += 1;
    else await new Promise<void>((r) => waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}

/** One notebook run per core: each run is a Python nbconvert plus a Node kernel compiling TS. */
export function defaultParallelism(): number {
  return Math.max(1, os.availableParallelism());
}

/** Checks Jupyter is installed and the state folder exists, once before a batch of runs. */
export function prepareRuns(): void {
  requireJupyter("nbconvert");
  prepareJupyterState();
}
