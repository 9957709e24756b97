/**
 * `softnet-lab simulate`: resolves the configuration (defaults, `--scenario`, `--set`), runs one
 * simulation and prints the readable summary, or the whole result as one JSON object (`--json`).
 * `--trace-out FILE` streams the trace to FILE (`--trace-format` jsonl, ftrace or chrome) as the run
 * produces it, instead of keeping it in the result.
 */
import { closeSync, lstatSync, openSync, readlinkSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { optionsHelp, parseArgs, UsageError, type OptionSpec } from "./args";
import type { Io } from "./command";
import { keysHelp, scenariosHelp, wrap } from "./help";
import { formatSummary } from "./summary";
import { resolveConfig, splitSetting } from "../config/parse";
import { findScenario } from "../config/scenarios";
import { checkInMemoryTrace, Simulation } from "../sim/simulate";
import { FdOutput, TRACE_FORMATS, traceWriter, type TraceFormat } from "../trace/stream";
import { EXIT_CODES_HELP } from "../errors";
import { SEED_REACHES } from "../config/schema";

export const OPTIONS: OptionSpec[] = [
  { name: "scenario", takes: "value", valueName: "NAME", doc: "start from a named scenario (see 'softnet-lab scenarios')" },
  { name: "set", short: "s", takes: "values", valueName: "KEY=VALUE", doc: "set one config key; repeatable; applied after the scenario, the last one wins" },
  { name: "json", takes: "flag", doc: "print the whole result as one JSON object (schema: docs/cli.md)" },
  { name: "trace-out", takes: "value", valueName: "FILE", doc: "record the trace (sets trace=true) and stream it to FILE while the run goes (memory stays flat); the file appears whole at the end or not at all" },
  { name: "trace-format", takes: "value", valueName: "FORMAT", doc: "how --trace-out writes: jsonl (default: a header line, one JSON object per record and span, an end line), ftrace (the kernel's trace file text, ns timestamps) or chrome (Chrome Trace Event JSON for ui.perfetto.dev)" },
  { name: "help", short: "h", takes: "flag", doc: "show this help" },
];

export function help(): string {
  return [
    "Usage: softnet-lab simulate [--scenario NAME] [--set KEY=VALUE ...] [--json] [--trace-out FILE [--trace-format jsonl|ftrace|chrome]]",
    "",
    "Runs one deterministic simulation of the receive path and prints its counters: packets, throughput,",
    "per-CPU softnet_stat / NET_RX / CAL / RES, busy time by context, tasks, latency, per-packet ratios.",
    "The configuration is the defaults, then the scenario's settings, then each --set in order.",
    "",
    wrap(`Seeds: ${SEED_REACHES}. With cost_spread=none and none of the others the model draws nothing random and every seed gives the same result; the summary (and --json seed_reached) says what the seed reached in each run.`, 100, ""),
    "",
    "Options:",
    optionsHelp(OPTIONS),
    "",
    "Examples:",
    "  softnet-lab simulate --scenario loopback-stream-rps",
    "  softnet-lab simulate --scenario loopback-stream --set rps_cpus=2 --set duration_ms=20 --json",
    "  softnet-lab simulate --set workload=udp-pingpong --set cost.ipi_latency=1000",
    "",
    "Scenarios:",
    scenariosHelp(100),
    "",
    "Config keys (KEY=default  allowed values, then meaning):",
    keysHelp(100),
    "",
    EXIT_CODES_HELP,
  ].join("\n");
}

/** Where --trace-out writes: the file itself (a symbolic link is written through) and its temporary sibling. */
interface TraceTarget {
  /** The regular file (or not yet existing name) that receives the trace. */
  path: string;
  tmp: string;
  fd: number;
}

/**
 * Checks a --trace-out path before the run and opens its temporary file, so an unwritable folder is
 * found at once. A symbolic link is written through (the link stays, its target gets the trace); a
 * target that is not a regular file (a device such as /dev/stdout, a pipe, a folder) is refused,
 * because the trace is renamed into place and nothing but a regular file may be renamed over.
 */
function openTraceOut(file: string): TraceTarget {
  const named = resolve(file);
  let path = named;
  let st = lstatOrNull(named);
  // follow the chain of links by hand: one through /dev or /proc (/dev/stdout -> /proc/self/fd/1)
  // names a device or another process's open file, never a file to replace
  for (let hops = 0; st?.isSymbolicLink(); hops++) {
    if (hops > 40) throw new UsageError(`--trace-out ${file}: too many levels of symbolic links`);
    path = resolve(dirname(path), readlinkSync(path));
    if (/^\/(dev|proc)(\/|$)/.test(path)) throw new UsageError(`--trace-out ${file}: links to ${path}, a device or an open file descriptor, not a regular file; give a file name`);
    st = lstatOrNull(path);
  }
  if (path !== named) {
    try {
      path = realpathSync(path); // folders on the way may be links too
    } catch {
      path = join(realpathSync(dirname(path)), basename(path)); // a dangling link: create what it names
    }
  }
  if (st && st.isDirectory()) throw new UsageError(`--trace-out ${file}: is a folder; give a file name`);
  if (st && !st.isFile()) throw new UsageError(`--trace-out ${file}: ${path === named ? "" : `links to ${path}, which `}is not a regular file (a device, pipe or socket); give a file name`);
  const dir = dirname(path);
  const dst = statOrNull(dir);
  if (!dst || !dst.isDirectory()) throw new UsageError(`--trace-out ${file}: folder ${dir} does not exist`);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}`);
  let fd: number;
  try {
    fd = openSync(tmp, "wx", 0o644);
  } catch (e) {
    throw new UsageError(`--trace-out ${file}: cannot write in folder ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return { path, tmp, fd };
}

function lstatOrNull(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}
function statOrNull(p: string) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** Simulated ns per slice of the run: between slices, signals (Ctrl-C) get a chance to clean up. */
const SLICE_NS = 1_000_000;

/** Runs `s` to `endNs` in slices, yielding to the event loop between them. */
async function runSliced(s: Simulation, endNs: number): Promise<void> {
  for (let t = Math.min(SLICE_NS, endNs); ; t = Math.min(t + SLICE_NS, endNs)) {
    s.runUntil(t);
    if (t >= endNs) return;
    await new Promise<void>((r) => setImmediate(r));
  }
}

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.has("help")) {
    io.out(help());
    return 0;
  }
  if (args.positionals.length) {
    const p = args.positionals[0]!;
    throw new UsageError(`unexpected argument ${JSON.stringify(p)}${p.includes("=") ? `; write --set ${p}` : ""}`);
  }
  const settings = (args.multi.get("set") ?? []).map(splitSetting);
  const scenario = args.values.get("scenario");
  const traceOut = args.values.get("trace-out");
  const formatText = args.values.get("trace-format");
  if (formatText !== undefined && !(TRACE_FORMATS as readonly string[]).includes(formatText)) {
    throw new UsageError(`--trace-format: ${JSON.stringify(formatText)} is not a trace format: expected one of ${TRACE_FORMATS.join(", ")}`);
  }
  if (formatText !== undefined && traceOut === undefined) throw new UsageError("--trace-format says how --trace-out writes the trace: give --trace-out FILE too");
  const format = (formatText ?? "jsonl") as TraceFormat;
  if (traceOut !== undefined) {
    // Validated like any other setting below; a later trace=false would contradict --trace-out.
    settings.push(["trace", "true"]);
  }
  const config = resolveConfig(settings, { scenario });
  if (traceOut !== undefined && settings.some(([k, v]) => k === "trace" && v.trim() !== "true" && v.trim() !== "1")) {
    throw new UsageError("--trace-out records the trace, but --set trace=false asks not to; drop one of them");
  }
  if (traceOut === undefined) checkInMemoryTrace(config);

  const target = traceOut === undefined ? null : openTraceOut(traceOut);
  const dropTmp = () => {
    if (target === null) return;
    try {
      closeSync(target.fd);
    } catch {
      /* already closed */
    }
    rmSync(target.tmp, { force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    dropTmp();
    process.exit(128 + (sig === "SIGHUP" ? 1 : sig === "SIGINT" ? 2 : 15));
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  if (target) for (const sig of signals) process.on(sig, onSignal);
  let result;
  try {
    const out = target ? new FdOutput(target.fd) : null;
    const sink = out ? traceWriter(format, out, { cpus: config.cpus, title: `softnet-lab simulate ${argv.join(" ")}` }) : undefined;
    const t0 = performance.now();
    const s = new Simulation(config, { traceSink: sink });
    await runSliced(s, config.duration_ms * 1e6);
    result = s.finish(performance.now() - t0);
    if (target && out) {
      out.close();
      renameSync(target.tmp, target.path);
    }
  } catch (e) {
    dropTmp();
    throw e;
  } finally {
    if (target) for (const sig of signals) process.removeListener(sig, onSignal);
  }
  const tracePath = target?.path;
  if (args.flags.has("json")) {
    io.out(JSON.stringify(result, null, 2));
  } else {
    const sc = scenario === undefined ? undefined : findScenario(scenario);
    io.out(
      formatSummary(result, {
        scenario,
        scenarioDescription: sc?.description,
        setKeys: new Set(settings.map(([k]) => k)),
        scenarioKeys: new Set(Object.keys(sc?.settings ?? {})),
      }),
    );
    if (tracePath) io.out(`trace     ${result.config.trace_ns ? `first ${result.config.trace_ns} ns` : "whole run"} written to ${tracePath}`);
    else if (result.trace) {
      io.out(`trace     ${result.trace.records.length} records and ${result.trace.spans.length} spans recorded, not shown: use --trace-out FILE or --json`);
    }
  }
  return 0;
}
