/**
 * Executes a notebook headless in real Jupyter: `jupyter nbconvert --to notebook --execute` with the
 * repo's tslab kernelspec, writing the executed copy to build/executed/<name>.ipynb. Also the list
 * of the course's notebooks and a small pool that runs several at once.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readNotebook, type Notebook } from "./ipynb";
import { jupyterEnv, prepareJupyterState, requireJupyter } from "./jupyter-env";
import { PATHS } from "./repo";

/** The notebooks of the course: every top-level *.ipynb under notebooks/, in name order. */
export function listNotebooks(): string[] {
  return fs.readdirSync(PATHS.notebooks).filter((f) => f.endsWith(".ipynb") && !f.startsWith(".")).sort().map((f) => path.join(PATHS.notebooks, f));
}

export interface ExecutionResult {
  notebook: string;
  executed: string;
  /** nbconvert's exit status and log (it fails on a cell error, with an empty message under tslab). */
  ok: boolean;
  log: string;
  seconds: number;
  /** Wall-clock time (ms since the epoch) nbconvert was started. */
  startedAt: number;
  result: Notebook | null;
}

/** Runs one notebook; never throws for a failing cell (the checks read the executed notebook). */
export function executeNotebook(file: string, opts: { timeoutSec?: number } = {}): Promise<ExecutionResult> {
  requireJupyter("nbconvert");
  prepareJupyterState();
  fs.mkdirSync(PATHS.executed, { recursive: true });
  const name = path.basename(file);
  const executed = path.join(PATHS.executed, name);
  fs.rmSync(executed, { force: true });
  const t0 = Date.now();
  const args = [
    "nbconvert", "--to", "notebook", "--execute",
    "--ExecutePreprocessor.kernel_name=tslab",
    `--ExecutePreprocessor.timeout=${opts.timeoutSec ?? 300}`,
    "--allow-errors",
    "--output-dir", PATHS.executed, "--output", name, file,
  ];
  return new Promise((resolve) => {
    // cwd: the notebook's folder, so tslab resolves ./src (the link to ../src) as a reader's kernel does
    execFile("jupyter", args, { cwd: path.dirname(file), env: jupyterEnv(), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const seconds = (Date.now() - t0) / 1000;
      const log = `${stdout}${stderr}`;
      let result: Notebook | null = null;
      if (fs.existsSync(executed)) result = readNotebook(executed);
      resolve({ notebook: file, executed, ok: err === null, log, seconds, startedAt: t0, result });
    });
  });
}

/** Runs notebooks `parallel` at a time (default: the CPU count), results in input order. */
export async function executeAll(files: string[], parallel = os.cpus().length, onDone?: (r: ExecutionResult) => void): Promise<ExecutionResult[]> {
  const results: ExecutionResult[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= files.length) return;
      results[i] = await executeNotebook(files[i]!);
      onDone?.(results[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, files.length)) }, worker));
  return results;
}
