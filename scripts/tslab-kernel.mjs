#!/usr/bin/env node
// The tslab kernel as the repo's kernelspec starts it (jupyter/kernels/tslab/kernel.json): first
// makes sure build/lib (the prebuilt library notebooks import through notebooks/lib) matches src/,
// so starting or restarting a kernel after editing src/ picks the edit up; then runs tslab itself.
import { createRequire } from "node:module";
import { ensureLib } from "./build-lib.mjs";

try {
  await ensureLib();
} catch (e) {
  // the kernel still starts: the notebook's import cell then shows what is wrong
  console.error(`softnet-lab: could not build build/lib: ${e instanceof Error ? e.message : String(e)}`);
}
createRequire(import.meta.url)("../node_modules/tslab/dist/main.js").main();
