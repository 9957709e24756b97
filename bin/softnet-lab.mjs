#!/usr/bin/env node
// The `softnet-lab` command: runs src/cli/main.ts from its TypeScript source (no build step) in a
// fresh clone after `npm ci`. It uses tsx's CommonJS hooks, which run in this thread: start-up is
// ~0.1 s, against ~0.4 s for tsx's ESM API (`tsImport`), whose loader starts a worker thread.
// The price: no module the CLI loads may `import()` a project .ts file (static imports only).
import { createRequire } from "node:module";
import { register } from "tsx/cjs/api";

register();
const require = createRequire(import.meta.url);
const { main } = require("../src/cli/main.ts");

// `softnet-lab simulate --json | head` closes stdout early; that is not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
