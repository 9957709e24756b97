/**
 * `softnet-lab measure ...`: parses the options, refuses clearly when the machine cannot measure
 * (not Linux, not root, a tool missing), prints the plan for --dry-run, runs the harness, writes the
 * dataset and prints the summary table. Exit codes, the kit's one table (src/errors.ts): 0 done, 1 a
 * bug in the kit, 2 bad usage (options, an existing --out: checked before anything is measured),
 * 3 the machine refused or failed (a missing tool, not root, a busy lock, a run that could not complete).
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { cpus as osCpus } from "node:os";
import { dirname, resolve } from "node:path";
import { EnvironmentError, EXIT_BAD_INPUT, EXIT_BUG, EXIT_CODES_HELP, EXIT_ENVIRONMENT, oneLine, UserInputError } from "../errors";
import { writeMeasurementDataset } from "./dataset";
import { DEFAULT_STATE_DIR, onlineCpus, runMeasurement } from "./harness";
import { buildConfigs, estimateRunSeconds, MEASURE_USAGE, parseMeasureArgs, schedule, UsageError, type MeasureOptions, type RunConfig } from "./plan";
import { ensureLeanTool, LeanToolBuildError, leanClientArgv, leanServerArgv, type LeanBuild } from "./lean-tool";
import { LEAN_TOOLS, preflight, SOCKPERF_TOOLS } from "./preflight";
import { RUSAGE_FORMAT } from "./process";
import { formatSummary } from "./report";
import { LO_RPS_CPUS } from "./rps-guard";
import type { RunTraceHook } from "./run-one";
import { clientArgv, serverArgv } from "./sockperf";
import { makeTraceHook } from "./trace-hook";
import { COST_TRACE_EVENTS } from "../trace/dataset";
import { summarizeRuns } from "./stats";

export interface MeasureIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: MeasureIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

function planText(opts: MeasureOptions, configs: readonly RunConfig[], port: string): string {
  const lines: string[] = [];
  const runs = schedule(configs, opts.repeats);
  const secs = runs.reduce((a, r) => a + estimateRunSeconds(r.config), 0);
  lines.push(`${configs.length} configuration(s) x ${opts.repeats} repeat(s) = ${runs.length} runs, interleaved (repeat 1 of all, then repeat 2, ...); about ${Math.ceil(secs)} s.`);
  for (const c of configs) {
    lines.push(`\n${c.config_id}:`);
    lines.push(`  write ${c.rps_cpus} to ${LO_RPS_CPUS}`);
    if (c.mode === "idle") {
      lines.push(`  no traffic: snapshot counters, sleep ${c.seconds} s, snapshot again`);
      continue;
    }
    if (c.tool === "lean") {
      const mode = c.mode === "pingpong" ? "pingpong" : "stream";
      lines.push(`  server: ${leanServerArgv("udp-blast", mode, port, c.receiver_cpu, c.seconds + 30).join(" ")}   (binds 127.0.0.1; stopped with SIGINT)`);
      lines.push(`  client: ${leanClientArgv("udp-blast", mode, port, c.sender_cpu, c.seconds, c.payload_bytes!).join(" ")}   (sends to 127.0.0.1; started by a line on its stdin)`);
    } else {
      const wrap = (cpu: number | null, argv: string[]) => ["time", "-f", `'${RUSAGE_FORMAT}'`, "-o", "<tmp>", "taskset", "-c", String(cpu), ...argv].join(" ");
      lines.push(`  server: ${wrap(c.receiver_cpu, serverArgv(port))}   (stopped with SIGINT)`);
      lines.push(`  client: ${wrap(c.sender_cpu, clientArgv(c.mode, port, c.seconds, c.payload_bytes!))}`);
    }
    lines.push(`  hard timeouts: client ${c.seconds + 15} s, server ${c.seconds + 30} s (SIGKILL of the process group)`);
  }
  lines.push(`\nAfterwards (and on error or Ctrl-C) ${LO_RPS_CPUS} is restored to its current value.`);
  if (opts.trace && opts.traceCount) lines.push(`After the measured runs, one extra run of ${opts.traceCount} datagrams per configuration would be traced through tracefs into ${opts.trace}/.`);
  else if (opts.trace) lines.push(`Each client's life would be traced through tracefs into ${opts.trace}/ (<config>.r<repeat>.trace.txt and .capture.json).`);
  lines.push(opts.out ? `The dataset would be written to ${opts.out}/ (metadata.json, runs.csv, summary.csv).` : "No --out: results would be printed, not saved.");
  return lines.join("\n") + "\n";
}

export async function measureMain(argv: string[], env: NodeJS.ProcessEnv = process.env, io: MeasureIo = stdio, where: { stateDir?: string } = {}): Promise<number> {
  let opts: MeasureOptions;
  let configs: RunConfig[];
  try {
    opts = parseMeasureArgs(argv);
    if (opts.help) {
      io.out(help() + "\n");
      return 0;
    }
    if (opts.out) checkOut(opts.out, opts.force, false);
    const online = process.platform === "linux" ? onlineCpus() : osCpus().map((_, i) => i);
    configs = buildConfigs(opts, online);
    const needed = [...new Set(configs.flatMap((c) => [c.sender_cpu, c.receiver_cpu]).filter((c): c is number => c !== null))];
    const pf = preflight({
      platform: process.platform,
      uid: typeof process.getuid === "function" ? process.getuid() : null,
      pathVar: env.PATH ?? "",
      rpsPath: LO_RPS_CPUS,
      cpusNeeded: needed,
      onlineCpus: online,
      dryRun: opts.dryRun,
      tools: [...(opts.tool.includes("lean") ? LEAN_TOOLS : []), ...(opts.tool.includes("sockperf") ? SOCKPERF_TOOLS : [])],
    });
    if (opts.dryRun) {
      io.out(planText(opts, configs, opts.port ? String(opts.port) : "<free port>"));
      if (!pf.ok) io.out(`\nA real run would be refused now:\n${pf.problems.map((p) => `  - ${p}`).join("\n")}\n`);
      return 0;
    }
    if (!pf.ok) {
      io.err(`softnet-lab measure: cannot measure on this machine:\n${pf.problems.map((p) => `  - ${p}`).join("\n")}\n`);
      return EXIT_ENVIRONMENT;
    }
    if (opts.out) checkOut(opts.out, opts.force, true);
    let lean: LeanBuild | null = null;
    if (opts.tool.includes("lean")) {
      try {
        lean = ensureLeanTool({ env });
      } catch (e) {
        if (!(e instanceof LeanToolBuildError)) throw e;
        io.err(`softnet-lab measure: cannot measure on this machine:\n  - ${e.message}\n`);
        return EXIT_ENVIRONMENT;
      }
    }
    let trace: RunTraceHook | undefined;
    if (opts.trace) {
      // A count-bounded traced run records the cost tracepoints too (it is short enough for the ring buffer).
      const t = makeTraceHook({ dir: opts.trace, maxSeconds: opts.seconds + 10, events: opts.traceCount ? COST_TRACE_EVENTS : undefined, bufferKb: opts.traceCount ? 16384 : undefined, clock: opts.traceCount && process.arch === "x64" ? "x86-tsc" : undefined });
      if (typeof t === "string") {
        io.err(`softnet-lab measure: ${t}\n`);
        return 2;
      }
      trace = t;
    }
    if (opts.trace && opts.traceCount) io.err(`softnet-lab measure: after the measured runs, one run of ${opts.traceCount} datagrams per configuration is traced into ${opts.trace}/\n`);
    else if (opts.trace) io.err(`softnet-lab measure: tracing each run's client into ${opts.trace}/ (a flood overruns the ring buffer: keep --seconds short)\n`);
    if (!opts.out) io.err("softnet-lab measure: no --out given; the results are printed but not saved.\n");
    const result = await runMeasurement(opts, configs, {
      rpsPath: LO_RPS_CPUS,
      stateDir: where.stateDir ?? DEFAULT_STATE_DIR,
      env,
      timeBin: pf.tools.time ?? null,
      leanBin: lean?.path ?? null,
      toolVersions: lean ? { "udp-blast": `source sha256 ${lean.sourceHash}`, cc: lean.compiler } : {},
      log: (l) => io.err(l + "\n"),
      command: ["softnet-lab", "measure", ...argv].join(" "),
      note: [opts.note, opts.trace ? `Runs were traced into ${opts.trace} (tracing adds overhead: do not compare these throughputs with untraced runs).` : null].filter(Boolean).join(" ") || null,
      trace,
      handleSignals: true,
    });
    if (opts.out) {
      const ds = writeMeasurementDataset(opts.out, result.metadata, result.rows, opts.force);
      io.err(`wrote ${ds.runs.length} runs and ${ds.summary.length} configurations to ${opts.out}/ in ${result.metadata.duration_s} s\n`);
      io.out(formatSummary(ds.summary));
    } else io.out(formatSummary(summarizeRuns(result.rows)));
    return 0;
  } catch (e) {
    if (e instanceof UserInputError) {
      io.err(`softnet-lab measure: ${oneLine(e.message)}\n(see softnet-lab measure --help)\n`);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof EnvironmentError) {
      io.err(`softnet-lab measure: ${e.message}\n`);
      return EXIT_ENVIRONMENT;
    }
    io.err(`softnet-lab measure: internal error (a bug in the kit; please report it with the command line): ${(e as Error).stack ?? String(e)}\n`);
    return EXIT_BUG;
  }
}

/**
 * Refuses an --out that would only fail after the whole measurement: an existing folder without
 * --force, a file, or (with `create`, for a real run) a parent folder that cannot be made or written.
 */
export function checkOut(out: string, force: boolean, create: boolean): void {
  const dir = resolve(out);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${out}: is a file; give a folder name`);
    if (!force) throw new UsageError(`--out ${out}: already exists; choose another folder or pass --force to replace it`);
  }
  const parent = dirname(dir);
  if (!create) return;
  try {
    mkdirSync(parent, { recursive: true });
    accessSync(parent, constants.W_OK);
  } catch (e) {
    throw new UsageError(`--out ${out}: cannot write in folder ${parent} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** The `softnet-lab measure` subcommand as src/cli/main.ts dispatches it. */
export function run(argv: string[], io: MeasureIo): Promise<number> {
  return measureMain(argv, process.env, io);
}

export function help(): string {
  return MEASURE_USAGE.trimEnd() + "\n\n" + EXIT_CODES_HELP;
}
