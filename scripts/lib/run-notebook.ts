/**
 * Executes notebooks headless in real Jupyter with the repo's tslab kernelspec, writing each executed
 * copy to build/executed/<name>.ipynb: a few long-lived Python workers (execute-notebooks.py: nbconvert's
 * exporter and ExecutePreprocessor, what `jupyter nbconvert --execute` runs) take the notebooks one at a time, so the Python
 * start and the import of nbconvert are paid once per worker, not once per notebook. Also the list of
 * the course's notebooks.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { readNotebook, type Notebook } from "./ipynb";
import { JUPYTER_PYTHON, jupyterEnv, prepareJupyterState, requireJupyter } from "./jupyter-env";
import { PATHS, REPO } from "./repo";

const WORKER = path.join(REPO, "scripts", "lib", "execute-notebooks.py");
/** What starts the worker's answer lines (execute-notebooks.py PREFIX). */
const RESULT_PREFIX = "softnet-lab-notebook-result ";

/** The notebooks of the course: every top-level *.ipynb under notebooks/, in name order. */
export function listNotebooks(): string[] {
  return fs.readdirSync(PATHS.notebooks).filter((f) => f.endsWith(".ipynb") && !f.startsWith(".")).sort().map((f) => path.join(PATHS.notebooks, f));
}

export interface ExecutionResult {
  notebook: string;
  executed: string;
  /** The run went to the end (false: a cell timeout, a dead kernel, no worker), and its log. */
  ok: boolean;
  log: string;
  seconds: number;
  /** Wall-clock time (ms since the epoch) the notebook was handed to its worker. */
  startedAt: number;
  result: Notebook | null;
}

/** One Python worker: runs the notebooks it is given, one at a time. */
class NotebookWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  /** The Python side's own messages (kernel logs, a crash) since the current notebook began. */
  private stderr = "";
  private pending: ((line: string | null) => void) | null = null;

  constructor() {
    this.child = spawn(JUPYTER_PYTHON, [WORKER], { cwd: PATHS.notebooks, env: jupyterEnv(), stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr.on("data", (d: Buffer) => void (this.stderr += d.toString()));
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      if (line.startsWith(RESULT_PREFIX)) this.answer(line.slice(RESULT_PREFIX.length));
      else this.stderr += `${line}\n`; // (the worker sends everything else to stderr; kept just in case)
    });
    this.child.on("close", () => this.answer(null));
    this.child.on("error", (e) => {
      this.stderr += `${e.message}\n`;
      this.answer(null);
    });
  }

  private answer(line: string | null): void {
    const p = this.pending;
    this.pending = null;
    p?.(line);
  }

  run(file: string, timeoutSec: number): Promise<ExecutionResult> {
    const name = path.basename(file);
    const executed = path.join(PATHS.executed, name);
    fs.rmSync(executed, { force: true });
    this.stderr = "";
    const t0 = Date.now();
    return new Promise((resolve) => {
      this.pending = (line) => {
        const seconds = (Date.now() - t0) / 1000;
        let ok = false;
        let log = this.stderr;
        if (line !== null) {
          const r = JSON.parse(line) as { ok: boolean; log: string };
          ok = r.ok;
          log = `${r.log}${this.stderr}`;
        } else log = `the notebook worker (${JUPYTER_PYTHON} ${WORKER}) ended: ${log}`;
        const result: Notebook | null = fs.existsSync(executed) ? readNotebook(executed) : null;
        resolve({ notebook: file, executed, ok, log, seconds, startedAt: t0, result });
      };
      this.child.stdin.write(JSON.stringify({ notebook: path.resolve(file), output: executed, timeout: timeoutSec }) + "\n");
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** Runs one notebook; never throws for a failing cell (the checks read the executed notebook). */
export async function executeNotebook(file: string, opts: { timeoutSec?: number } = {}): Promise<ExecutionResult> {
  return (await executeAll([file], 1, undefined, opts))[0]!;
}

/** Runs notebooks `parallel` at a time (default: the CPU count), results in input order. */
export async function executeAll(files: string[], parallel = os.cpus().length, onDone?: (r: ExecutionResult) => void, opts: { timeoutSec?: number } = {}): Promise<ExecutionResult[]> {
  requireJupyter("nbconvert");
  prepareJupyterState();
  fs.mkdirSync(PATHS.executed, { recursive: true });
  const results: ExecutionResult[] = new Array(files.length);
  let next = 0;
  const work = async () => {
    const w = new NotebookWorker();
    try {
      for (;;) {
        const i = next++;
        if (i >= files.length) return;
        results[i] = await w.run(files[i]!, opts.timeoutSec ?? 300);
        onDone?.(results[i]!);
      }
    } finally {
      w.close();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, files.length)) }, work));
  return results;
}
