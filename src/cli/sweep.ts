/**
 * `softnet-lab sweep`: runs every configuration of a grid (axes from --grid or a grid file) on all
 * cores in worker threads, shows its progress, and writes one CSV and one JSON row per
 * configuration; resumes an interrupted sweep from its partial file; `--shard K/N` runs one
 * deterministic slice, and `sweep merge` joins the slices into the single-machine outputs.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { optionsHelp, parseArgs, UsageError, type OptionSpec } from "./args";
import type { Io } from "./command";
import { splitSetting } from "../config/parse";
import { EXIT_CODES_HELP } from "../errors";
import { checkGrid, gridSize, parseAxis, parseGridFile, parseShard, rowOf, shardIndices, type GridSpec, type Row, type Shard } from "../experiments/grid";
import { defaultParallelism, runPool } from "../experiments/sweep";
import { loadPartial, mergeShards, outputPaths, PartialWriter, writeOutputs } from "./sweep-files";

export const OPTIONS: OptionSpec[] = [
  { name: "grid", short: "g", takes: "values", valueName: "KEY=VALUES", doc: "one axis of the grid: KEY=v1,v2,... (| separates values of hog_cpus, backlog_thread_cpus, hotplug) or KEY=FROM..TO[:STEP]; repeatable; the last axis varies fastest" },
  { name: "grid-file", takes: "value", valueName: "FILE", doc: "read the grid from FILE: one axis per line (KEY=VALUES), 'scenario=NAME', 'set KEY=VALUE', # comments (docs/sweep.md)" },
  { name: "scenario", takes: "value", valueName: "NAME", doc: "every configuration starts from this named scenario (or make scenario an axis: --grid scenario=a,b)" },
  { name: "set", short: "s", takes: "values", valueName: "KEY=VALUE", doc: "a fixed setting for every configuration, applied before the axes; repeatable" },
  { name: "out", short: "o", takes: "value", valueName: "PREFIX", doc: "write PREFIX.csv and PREFIX.json (default: sweep); PREFIX.partial.jsonl holds finished rows until the end" },
  { name: "shard", takes: "value", valueName: "K/N", doc: "run only the K-th of N deterministic slices (every N-th configuration from K-1); join the N outputs with 'sweep merge'" },
  { name: "parallel", short: "j", takes: "value", valueName: "N", doc: "worker threads (default: one per CPU)" },
  { name: "force", takes: "flag", doc: "replace PREFIX.csv and PREFIX.json when they exist (without it they are refused)" },
  { name: "help", short: "h", takes: "flag", doc: "show this help" },
];

export function help(): string {
  return [
    "Usage: softnet-lab sweep [--scenario NAME] [--set KEY=VALUE ...] (--grid KEY=VALUES ... | --grid-file FILE) [--out PREFIX] [--shard K/N] [--parallel N]",
    "       softnet-lab sweep merge --out PREFIX SHARD.json ...",
    "",
    "Runs every combination of the grid's values, one simulation each, on all cores, and writes",
    "PREFIX.csv and PREFIX.json: one row per configuration (index, the axis values, then the counters).",
    "Finished rows are appended to PREFIX.partial.jsonl as they come; run the same command again after",
    "an interruption and only the missing rows run. The outputs appear whole at the end or not at all.",
    "A progress bar is drawn on a terminal; otherwise a line at 25, 50, 75 and 100 %.",
    "",
    "Options:",
    optionsHelp(OPTIONS),
    "",
    "Examples:",
    "  softnet-lab sweep --scenario loopback-stream --set duration_ms=20 --grid rps_cpus=0,2 --grid backlog_napi=softirq,threads",
    "  softnet-lab sweep --grid workload=nic-rx --grid rate_pps=100000..2000000:100000 --out overload",
    "  softnet-lab sweep --grid-file grid.txt --shard 3/8 --out shard-3     (then: sweep merge --out all shard-*.json)",
    "",
    EXIT_CODES_HELP,
  ].join("\n");
}

/** Reads the grid of a command line: the file's lines first, then --scenario, --set and --grid. */
export function gridFromArgs(values: Map<string, string>, multi: Map<string, string[]>): GridSpec {
  const file = values.get("grid-file");
  let spec: GridSpec = { settings: [], axes: [] };
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new UsageError(`--grid-file ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    spec = parseGridFile(text, file);
  }
  const scenario = values.get("scenario");
  if (scenario !== undefined) {
    if (spec.scenario !== undefined) throw new UsageError(`--scenario ${scenario}: the grid file already names scenario ${spec.scenario}; give it once`);
    spec.scenario = scenario;
  }
  for (const s of multi.get("set") ?? []) spec.settings.push(splitSetting(s));
  for (const g of multi.get("grid") ?? []) spec.axes.push(parseAxis(g));
  if (spec.axes.length === 0) throw new UsageError("no grid: expected at least one --grid KEY=VALUES (e.g. --grid rps_cpus=0,2) or a --grid-file");
  return spec;
}

/** Progress on stderr: a redrawn bar on a terminal, else one line at each quarter (no times: a log repeats). */
export function progressReporter(total: number, resumed: number, tty: boolean, write: (s: string) => void): { tick(): void; end(): void } {
  const t0 = performance.now();
  let done = resumed;
  let last = -Infinity;
  const quarters = new Set([0.25, 0.5, 0.75, 1].map((f) => Math.max(1, Math.ceil(f * total))));
  const bar = (final: boolean) => {
    const width = 30;
    const full = total === 0 ? width : Math.round((width * done) / total);
    const secs = (performance.now() - t0) / 1000;
    const ran = done - resumed;
    const left = ran > 0 && !final ? `, ~${((secs / ran) * (total - done)).toFixed(1)} s left` : "";
    write(`\r[${"#".repeat(full)}${".".repeat(width - full)}] ${done}/${total} configurations ${Math.floor((100 * done) / Math.max(1, total))}% ${secs.toFixed(1)} s${left}\x1b[K${final ? "\n" : ""}`);
  };
  return {
    tick() {
      done++;
      if (tty) {
        const now = performance.now();
        if (now - last >= 100 || done === total) {
          last = now;
          bar(false);
        }
      } else if (quarters.has(done)) write(`sweep: ${done}/${total} configurations\n`);
    },
    end() {
      if (tty) bar(true);
    },
  };
}

function checkOutputs(prefix: string, force: boolean, resuming: boolean): void {
  if (prefix === "" || prefix.endsWith("/")) throw new UsageError(`--out ${JSON.stringify(prefix)}: expected a file name prefix such as results/rps (PREFIX.csv, PREFIX.json are written), not a folder`);
  const dir = dirname(prefix);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(`--out ${prefix}: cannot write in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const p = outputPaths(prefix);
  if (resuming || force) return;
  for (const f of [p.csv, p.json]) {
    if (existsSync(f)) throw new UsageError(`--out ${prefix}: ${f} already exists; give another --out, or --force to replace it`);
  }
}

function parseParallel(text: string | undefined): number {
  if (text === undefined) return defaultParallelism();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new UsageError(`--parallel: ${JSON.stringify(text)} is not allowed: expected an integer from 1 to 1024 (worker threads)`);
  return n;
}

export interface SweepRunReport {
  total: number;
  resumed: number;
  ran: number;
}

/** Runs a sweep to its outputs (the command without its argument parsing; tests call it too). */
export async function runSweep(spec: GridSpec, opts: { prefix: string; shard: Shard | null; parallel: number; force: boolean; progress?: (total: number, resumed: number) => { tick(): void; end(): void } }): Promise<SweepRunReport> {
  const indices = shardIndices(gridSize(spec), opts.shard);
  const configs = checkGrid(spec, indices); // every configuration checked before anything runs
  const paths = outputPaths(opts.prefix);
  const resuming = existsSync(paths.partial);
  checkOutputs(opts.prefix, opts.force, resuming);
  const done = loadPartial(paths.partial, spec, opts.shard);
  const todo = indices.map((index, i) => ({ index, config: configs[i]! })).filter((t) => !done.has(t.index));
  const progress = opts.progress?.(indices.length, done.size);
  const writer = new PartialWriter(paths.partial, spec, opts.shard);
  try {
    await runPool(todo.map((t) => t.config), {
      parallel: opts.parallel,
      onResult: (i, result) => {
        const row: Row = rowOf(spec, todo[i]!.index, result);
        writer.append(row);
        done.set(row.index as number, row);
        progress?.tick();
      },
    });
  } finally {
    writer.close();
  }
  progress?.end();
  writeOutputs(opts.prefix, spec, opts.shard, indices.map((i) => done.get(i)!));
  return { total: indices.length, resumed: indices.length - todo.length, ran: todo.length };
}

const MERGE_OPTIONS: OptionSpec[] = [
  { name: "out", short: "o", takes: "value", valueName: "PREFIX", doc: "write the joined PREFIX.csv and PREFIX.json" },
  { name: "force", takes: "flag", doc: "replace PREFIX.csv and PREFIX.json when they exist" },
  { name: "help", short: "h", takes: "flag", doc: "show this help" },
];

function runMerge(argv: string[], io: Io): number {
  const args = parseArgs(argv, MERGE_OPTIONS);
  if (args.flags.has("help")) {
    io.out(["Usage: softnet-lab sweep merge --out PREFIX SHARD.json ...", "", "Joins the JSON outputs of the N shards of one sweep (--shard K/N) into PREFIX.csv and PREFIX.json,", "byte for byte what the sweep run on one machine writes.", "", "Options:", optionsHelp(MERGE_OPTIONS)].join("\n"));
    return 0;
  }
  const prefix = args.values.get("out");
  if (prefix === undefined) throw new UsageError("sweep merge: --out PREFIX missing: expected sweep merge --out PREFIX SHARD.json ...");
  checkOutputs(prefix, args.flags.has("force"), false);
  const { spec, rows } = mergeShards(args.positionals);
  writeOutputs(prefix, spec, null, rows);
  io.out(`sweep merge: ${args.positionals.length} shards, ${rows.length} configurations -> ${prefix}.csv, ${prefix}.json`);
  return 0;
}

export async function run(argv: string[], io: Io): Promise<number> {
  if (argv[0] === "merge") return runMerge(argv.slice(1), io);
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.has("help")) {
    io.out(help());
    return 0;
  }
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}; 'sweep' takes options (or 'sweep merge')`);
  const spec = gridFromArgs(args.values, args.multi);
  const shardArg = args.values.get("shard");
  const shard = shardArg === undefined ? null : parseShard(shardArg);
  const parallel = parseParallel(args.values.get("parallel"));
  const prefix = args.values.get("out") ?? "sweep";
  const t0 = performance.now();
  const tty = process.stderr.isTTY === true;
  const rep = await runSweep(spec, {
    prefix,
    shard,
    parallel,
    force: args.flags.has("force"),
    progress: (total, resumed) => {
      if (resumed > 0) io.err(`sweep: resuming, ${resumed} of ${total} configurations already done (${outputPaths(prefix).partial})`);
      return progressReporter(total, resumed, tty, (s) => void process.stderr.write(s));
    },
  });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  io.out(`sweep: ${rep.total} configurations${shard ? ` (shard ${shard.k}/${shard.n} of ${gridSize(spec)})` : ""}, ${rep.ran} run, ${rep.resumed} resumed, ${secs} s on ${Math.min(parallel, Math.max(1, rep.ran))} worker threads -> ${prefix}.csv, ${prefix}.json`);
  return 0;
}
