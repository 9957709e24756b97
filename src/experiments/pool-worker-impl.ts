/** The worker side of pool.ts: runs each job with the task it names and posts the result back. */
import { parentPort } from "node:worker_threads";
import { looFold, type LooFoldJob } from "../calibrate/loo";
import { evaluateClaims } from "./verdicts";
import type { RobustnessJob } from "./robustness";

const TASKS: Record<string, (job: never) => unknown> = {
  verdicts: (j: RobustnessJob) => evaluateClaims(j.publishedCsv, j),
  "loo-fold": (j: LooFoldJob) => looFold(j),
};

parentPort!.on("message", (msg: { index: number; task: string; job: never }) => {
  try {
    const run = TASKS[msg.task];
    if (!run) throw new Error(`unknown task ${JSON.stringify(msg.task)}`);
    parentPort!.postMessage({ index: msg.index, result: run(msg.job) });
  } catch (e) {
    parentPort!.postMessage({ index: msg.index, error: e instanceof Error ? e.message : String(e) });
  }
});
