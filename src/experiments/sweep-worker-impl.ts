/** The worker side of sweep.ts: runs each config it is sent and posts the result back. */
import { parentPort } from "node:worker_threads";
import type { SimConfig } from "../config/schema";
import { simulate } from "../sim/simulate";

parentPort!.on("message", (msg: { index: number; config: SimConfig }) => {
  try {
    parentPort!.postMessage({ index: msg.index, result: simulate(msg.config) });
  } catch (e) {
    parentPort!.postMessage({ index: msg.index, error: e instanceof Error ? e.message : String(e) });
  }
});
