/**
 * `softnet-lab` entry point: picks the subcommand, runs it, and turns what happened into an exit
 * code, the one table of src/errors.ts: 0 ok, 1 a bug in the kit, 2 bad input (any UserInputError,
 * caught here once), 3 the environment refused or failed (EnvironmentError).
 * Subcommand modules are imported statically: bin/softnet-lab.mjs loads this file through tsx's
 * in-thread CommonJS hooks (fast start-up), under which a dynamic `import()` of a relative .ts file
 * does not resolve. So no module reachable from here may `import()` a project file.
 */
import type { CommandModule, Io } from "./command";
import { closest } from "../config/errors";
import { EnvironmentError, EXIT_BAD_INPUT, EXIT_BUG, EXIT_CODES_HELP, EXIT_ENVIRONMENT, oneLine, UserInputError } from "../errors";
import * as simulate from "./simulate";
import * as scenarios from "./scenarios";
import * as measure from "../measure/cli";
import { calibrate, compare } from "../calibrate/cli";
import { costs } from "../calibrate/costs-cli";
import * as kernels from "../kernels/cli";
import * as sweep from "./sweep";

interface CommandEntry {
  summary: string;
  module: CommandModule;
}

/** The subcommands. Adding one: import its module (exporting run and help) and add its entry here. */
export const COMMANDS: Record<string, CommandEntry> = {
  simulate: { summary: "run one simulation and print its counters (or --json)", module: simulate },
  scenarios: { summary: "list the named scenarios, one line each", module: scenarios },
  sweep: { summary: "run a grid of configurations on all cores (CSV and JSON, one row each; resumable; --shard K/N, sweep merge)", module: sweep },
  measure: { summary: "measure the real kernel: UDP over 127.0.0.1 with the lean tool (or sockperf), rps_cpus per run, counters (Linux, root)", module: measure },
  compare: { summary: "put the model beside a measured dataset: throughput and per-packet counts, within 25% or not", module: compare },
  calibrate: { summary: "fit the cost table to a measured dataset and save it as a profile (--set profile=<name>)", module: calibrate },
  costs: { summary: "derive the cost table from real tracefs captures (measure --trace DIR --trace-count N)", module: costs },
  kernels: { summary: "boot Debian's kernels before and after the change (6.1, 6.1-rt, 6.12, 6.12+threads, 6.12-rt) in QEMU and measure inside each", module: kernels },
};

export function mainHelp(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    "softnet-lab: a deterministic simulation of the Linux network receive path (softnet_data, NAPI, RPS, ksoftirqd)",
    "",
    "Usage: softnet-lab <command> [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(w)}  ${c.summary}`),
    "",
    "Run 'softnet-lab <command> --help' for a command's options (simulate --help lists every config key).",
    EXIT_CODES_HELP,
  ].join("\n");
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
};

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(mainHelp());
    return 2;
  }
  if (name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
    io.out(mainHelp());
    return 0;
  }
  if (name === "help") return main([rest[0]!, "--help"], io);
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    const near = closest(name, Object.keys(COMMANDS));
    io.err(`softnet-lab: unknown command ${JSON.stringify(name)}${near ? ` (did you mean ${near}?)` : ""}; commands: ${Object.keys(COMMANDS).join(", ")}`);
    return 2;
  }
  try {
    return await entry.module.run(rest, io);
  } catch (e) {
    if (e instanceof UserInputError) {
      io.err(`softnet-lab ${name}: ${oneLine(e.message)}`);
      io.err(`Run 'softnet-lab ${name} --help' for the options${name === "simulate" ? ", keys and allowed values" : ""}.`);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof EnvironmentError) {
      io.err(`softnet-lab ${name}: ${e.message}`);
      return EXIT_ENVIRONMENT;
    }
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    io.err(`softnet-lab ${name}: internal error (a bug in the kit; please report it with the command line): ${detail}`);
    return EXIT_BUG;
  }
}
