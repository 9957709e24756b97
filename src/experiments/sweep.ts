/**
 * Runs many simulations in parallel, one worker thread per core, results in input order (so a
 * sweep gives the same output whatever order the workers finish in). Progress is reported at fixed
 * milestones (25, 50, 75, 100 %), so a notebook's output does not depend on timing either. Falls
 * back to running inline when worker threads cannot load the model.
 * `runPool` is the pool itself: it hands each result to a callback as it arrives (the sweep command
 * appends it to its partial file) and keeps nothing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { repoRoot } from "../calibrate/profiles";
import type { SimConfig } from "../config/schema";
import type { SimResult } from "../observe/types";
import { simulate } from "../sim/simulate";

export interface SweepOptions {
  /** Worker threads (default: the number of CPUs; 1 = inline). */
  parallel?: number;
  /** A label for progress lines; none printed without it. */
  label?: string;
}

export interface PoolOptions {
  /** Worker threads (default: the number of CPUs; 1 = inline). */
  parallel?: number;
  /** Called with each result as it arrives (in completion order; `i` is the position in `configs`). */
  onResult: (i: number, result: SimResult) => void;
}

function milestones(total: number): Set<number> {
  return new Set([0.25, 0.5, 0.75, 1].map((f) => Math.max(1, Math.ceil(f * total))));
}

/** The worker threads available by default: one per CPU the process may run on. */
export function defaultParallelism(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/**
 * The file a worker thread of `kind` starts from (sweep-worker here, pool-worker for pool.ts). Running
 * from the prebuilt JavaScript of build/lib (as notebooks do), the worker loads its sibling
 * <kind>-impl.js directly; from TypeScript sources (tsx, vitest) it starts through <kind>.mjs, which
 * registers tsx first (and compiles src/ once per worker). Null when neither is there: the pool then
 * runs inline.
 */
export function workerEntry(kind: "sweep-worker" | "pool-worker"): string | null {
  // no import.meta: tslab compiles this file as CommonJS; __filename is absent under ESM
  const here = typeof __filename === "string" ? __filename : "";
  if (here.endsWith(".js")) {
    const js = path.join(path.dirname(here), `${kind}-impl.js`);
    if (fs.existsSync(js)) return js;
  }
  const boot = path.join(repoRoot(), "src", "experiments", `${kind}.mjs`);
  return fs.existsSync(boot) ? boot : null;
}

/** Runs every config, `parallel` at a time in worker threads, and hands each result to `onResult`. */
export async function runPool(configs: readonly SimConfig[], opts: PoolOptions): Promise<void> {
  const total = configs.length;
  if (total === 0) return;
  const parallel = Math.max(1, Math.min(opts.parallel ?? defaultParallelism(), total));
  const boot = workerEntry("sweep-worker");
  if (parallel === 1 || boot === null) {
    configs.forEach((c, i) => opts.onResult(i, simulate(c)));
    return;
  }
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(Array.from({ length: parallel }, () => new Promise<void>((resolve, reject) => {
      const w = new Worker(boot);
      workers.push(w);
      const send = () => {
        if (next >= total) {
          resolve();
          return;
        }
        const index = next++;
        w.postMessage({ index, config: configs[index] });
      };
      w.on("message", (m: { index: number; result?: SimResult; error?: string }) => {
        if (m.error !== undefined) {
          reject(new Error(`sweep: run ${m.index} failed: ${m.error}`));
          return;
        }
        try {
          opts.onResult(m.index, m.result!);
        } catch (e) {
          reject(e);
          return;
        }
        send();
      });
      w.on("error", reject);
      send();
    })));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export async function sweep(configs: SimConfig[], opts: SweepOptions = {}): Promise<SimResult[]> {
  const total = configs.length;
  const marks = milestones(total);
  let done = 0;
  const results: SimResult[] = new Array(total);
  await runPool(configs, {
    parallel: opts.parallel,
    onResult: (i, r) => {
      results[i] = r;
      done++;
      if (opts.label && marks.has(done)) console.log(`${opts.label}: ${done}/${total} runs`);
    },
  });
  return results;
}
