// Worker-thread bootstrap of src/experiments/pool.ts (same reason as sweep-worker.mjs: a worker does
// not inherit the parent's TypeScript loader, so tsx is registered here). Plain JavaScript on purpose.
import { register } from "tsx/esm/api";
register();
await import("./pool-worker-impl.ts");
