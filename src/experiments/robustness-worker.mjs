// Worker-thread bootstrap of src/experiments/robustness.ts (same reason as sweep-worker.mjs: a
// worker does not inherit the parent's TypeScript loader, so tsx is registered here). Plain JavaScript.
import { register } from "tsx/esm/api";
register();
await import("./robustness-worker-impl.ts");
