/**
 * `softnet-lab simulate`: resolves the configuration (defaults, `--scenario`, `--set`), runs one
 * simulation and prints the readable summary, or the whole result as one JSON object (`--json`).
 * `--trace-out FILE` records the trace and writes it to FILE as JSON instead of into the result.
 */
import { existsSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { optionsHelp, parseArgs, UsageError, type OptionSpec } from "./args";
import type { Io } from "./command";
import { keysHelp, scenariosHelp } from "./help";
import { formatSummary } from "./summary";
import { resolveConfig, splitSetting } from "../config/parse";
import { findScenario } from "../config/scenarios";
import { simulate } from "../index";

export const OPTIONS: OptionSpec[] = [
  { name: "scenario", takes: "value", valueName: "NAME", doc: "start from a named scenario (see 'softnet-lab scenarios')" },
  { name: "set", short: "s", takes: "values", valueName: "KEY=VALUE", doc: "set one config key; repeatable; applied after the scenario, the last one wins" },
  { name: "json", takes: "flag", doc: "print the whole result as one JSON object (schema: docs/cli.md)" },
  { name: "trace-out", takes: "value", valueName: "FILE", doc: "record the trace (sets trace=true) and write it to FILE as JSON {records, spans, end_ns}" },
  { name: "help", short: "h", takes: "flag", doc: "show this help" },
];

export function help(): string {
  return [
    "Usage: softnet-lab simulate [--scenario NAME] [--set KEY=VALUE ...] [--json] [--trace-out FILE]",
    "",
    "Runs one deterministic simulation of the receive path and prints its counters: packets, throughput,",
    "per-CPU softnet_stat / NET_RX / CAL / RES, busy time by context, tasks, latency, per-packet ratios.",
    "The configuration is the defaults, then the scenario's settings, then each --set in order.",
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
  ].join("\n");
}

/** Refuses a --trace-out path whose folder is missing before spending time on the run. */
function checkTraceOut(file: string): string {
  const path = resolve(file);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--trace-out ${file}: folder ${dir} does not exist`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`--trace-out ${file}: is a folder; give a file name`);
  return path;
}

/** Writes `text` to `path` through a temporary file, so a failed write leaves nothing half-written. */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
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
  let tracePath: string | undefined;
  if (traceOut !== undefined) {
    tracePath = checkTraceOut(traceOut);
    // Validated like any other setting below; a later trace=false would contradict --trace-out.
    settings.push(["trace", "true"]);
  }
  const config = resolveConfig(settings, { scenario });
  if (tracePath && settings.some(([k, v]) => k === "trace" && v.trim() !== "true" && v.trim() !== "1")) {
    throw new UsageError("--trace-out records the trace, but --set trace=false asks not to; drop one of them");
  }

  const result = await simulate(config);

  if (tracePath) {
    if (!result.trace) throw new Error("the model returned no trace although trace=true");
    writeAtomically(tracePath, JSON.stringify(result.trace) + "\n");
    delete result.trace;
  }
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
