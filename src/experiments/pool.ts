/**
 * Runs independent jobs of a named task on worker threads, one per core, results in job order (so
 * the output does not depend on which worker finishes first). The tasks a worker knows are listed in
 * pool-worker-impl.ts; `inline` runs one job in this thread, used when `parallel` is 1 or the worker
 * bootstrap is missing. sweep.ts does the same for plain simulations. Running from build/lib's
 * JavaScript (notebooks), a worker loads its sibling pool-worker-impl.js; from TypeScript sources it
 * starts through pool-worker.mjs, which registers tsx (and compiles the model once per worker).
 */
import os from "node:os";
import { Worker } from "node:worker_threads";
import { workerEntry } from "./sweep";

/** The tasks of pool-worker-impl.ts. */
export type PoolTask = "verdicts" | "loo-fold";

export async function runPool<J, R>(task: PoolTask, jobs: J[], inline: (job: J) => R, parallel = os.cpus().length): Promise<R[]> {
  const n = Math.max(1, Math.min(parallel, jobs.length));
  const boot = workerEntry("pool-worker");
  if (n === 1 || boot === null) return jobs.map(inline);
  const results: R[] = new Array(jobs.length);
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(Array.from({ length: n }, () => new Promise<void>((resolve, reject) => {
      const w = new Worker(boot);
      workers.push(w);
      const send = () => {
        if (next >= jobs.length) return resolve();
        const index = next++;
        w.postMessage({ index, task, job: jobs[index] });
      };
      w.on("message", (m: { index: number; result?: R; error?: string }) => {
        if (m.error !== undefined) return reject(new Error(`${task}: job ${m.index} failed: ${m.error}`));
        results[m.index] = m.result!;
        send();
      });
      w.on("error", reject);
      send();
    })));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
