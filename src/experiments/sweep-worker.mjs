// Worker-thread bootstrap of src/experiments/sweep.ts: TypeScript is loaded through tsx, registered
// here because a worker does not inherit the parent's loader (execArgv --import does not reach a
// .ts entry). Plain JavaScript on purpose.
import { register } from "tsx/esm/api";
register();
await import("./sweep-worker-impl.ts");
