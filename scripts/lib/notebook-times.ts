/**
 * Where a notebook run's time went, from the busy and idle times nbclient records on each code cell:
 * the start (the kernel, until the first cell), the import cell, the other cells, and
 * the end (closing the kernel, writing the executed copy). Printed by `npm run notebooks`.
 */
import type { ExecutionResult } from "./run-notebook";

/** Where a run's time went, from the cells' busy/idle times nbclient records. */
export function timeSplit(r: ExecutionResult): string {
  const spans = (r.result?.cells ?? [])
    .filter((c) => c.cell_type === "code")
    .map((c) => (c.metadata as { execution?: Record<string, string> }).execution)
    .filter((e): e is Record<string, string> => e !== undefined && e["iopub.status.busy"] !== undefined && e["iopub.status.idle"] !== undefined)
    .map((e) => [Date.parse(e["iopub.status.busy"]!), Date.parse(e["iopub.status.idle"]!)] as const);
  if (spans.length === 0) return `${r.seconds.toFixed(1)} s`;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const start = spans[0]![0] - r.startedAt;
  const imports = spans[0]![1] - spans[0]![0];
  const cells = spans[spans.length - 1]![1] - spans[0]![1];
  const end = r.startedAt + r.seconds * 1000 - spans[spans.length - 1]![1];
  return `${r.seconds.toFixed(1)} s (start ${s(start)}, import cell ${s(imports)}, other cells ${s(cells)}, end ${s(end)})`;
}
