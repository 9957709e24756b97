/**
 * A grid sweep from TypeScript (a notebook cell): the rows `softnet-lab sweep` writes, computed in
 * worker threads on every core, in grid order. Progress is one line per quarter under `label`, with
 * no times, so a committed notebook's output repeats.
 */
import { checkGrid, gridSize, parseAxis, rowOf, shardIndices, type GridSpec, type Row, type Shard } from "./grid";
import { runPool } from "./sweep";

export interface GridSweepOptions {
  /** Worker threads (default: one per CPU). */
  parallel?: number;
  /** A label for the progress lines; none without it. */
  label?: string;
  /** Only this slice of the grid (as --shard K/N). */
  shard?: Shard;
}

/**
 * Runs every configuration of a grid and returns its rows (index, axis values, counters), as the CSV
 * and JSON of `softnet-lab sweep` hold them. Axes may be given as text: `["rps_cpus=0,2", "seed=1..5"]`.
 */
export async function sweepGrid(grid: { scenario?: string; settings?: Array<[string, string]>; axes: Array<GridSpec["axes"][number] | string> }, opts: GridSweepOptions = {}): Promise<Row[]> {
  const spec: GridSpec = { settings: grid.settings ?? [], axes: grid.axes.map((a) => (typeof a === "string" ? parseAxis(a) : a)) };
  if (grid.scenario !== undefined) spec.scenario = grid.scenario;
  const indices = shardIndices(gridSize(spec), opts.shard ?? null);
  const configs = checkGrid(spec, indices);
  const rows: Row[] = new Array(indices.length);
  const quarters = new Set([0.25, 0.5, 0.75, 1].map((f) => Math.max(1, Math.ceil(f * indices.length))));
  let done = 0;
  await runPool(configs, {
    parallel: opts.parallel,
    onResult: (i, r) => {
      rows[i] = rowOf(spec, indices[i]!, r);
      done++;
      if (opts.label && quarters.has(done)) console.log(`${opts.label}: ${done}/${indices.length} configurations`);
    },
  });
  return rows;
}
