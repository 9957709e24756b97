/** The worker side of robustness.ts: evaluates the claims of each job it is sent and posts the verdicts back. */
import { parentPort } from "node:worker_threads";
import { evaluateClaims } from "./verdicts";
import type { RobustnessJob } from "./robustness";

parentPort!.on("message", (msg: { index: number; job: RobustnessJob }) => {
  try {
    parentPort!.postMessage({ index: msg.index, result: evaluateClaims(msg.job.publishedCsv, msg.job) });
  } catch (e) {
    parentPort!.postMessage({ index: msg.index, error: e instanceof Error ? e.message : String(e) });
  }
});
