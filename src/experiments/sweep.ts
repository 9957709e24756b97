/**
 * Runs many simulations in parallel, one worker thread per core, results in input order (so a
 * sweep gives the same output whatever order the workers finish in). Progress is reported at fixed
 * milestones (25, 50, 75, 100 %), so a notebook's output does not depend on timing either. Falls
 * back to running inline when worker threads cannot load the model.
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

function milestones(total: number): Set<number> {
  return new Set([0.25, 0.5, 0.75, 1].map((f) => Math.max(1, Math.ceil(f * total))));
}

export async function sweep(configs: SimConfig[], opts: SweepOptions = {}): Promise<SimResult[]> {
  const total = configs.length;
  const marks = milestones(total);
  let done = 0;
  const progress = () => {
    done++;
    if (opts.label && marks.has(done)) console.log(`${opts.label}: ${done}/${total} runs`);
  };
  const parallel = Math.max(1, Math.min(opts.parallel ?? os.cpus().length, total));
  const boot = path.join(repoRoot(), "src", "experiments", "sweep-worker.mjs");
  if (parallel === 1 || !fs.existsSync(boot)) {
    return configs.map((c) => {
      const r = simulate(c);
      progress();
      return r;
    });
  }
  const results: SimResult[] = new Array(total);
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
        results[m.index] = m.result!;
        progress();
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
