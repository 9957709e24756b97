/**
 * `softnet-lab scenarios`: lists the named scenarios, one line each (name, then what it sets up);
 * `--settings` adds each scenario's settings as `--set` would write them.
 */
import { parseArgs, optionsHelp, UsageError, type OptionSpec } from "./args";
import type { Io } from "./command";
import { EXIT_CODES_HELP } from "../errors";
import { SCENARIOS } from "../config/scenarios";
import { scenariosHelp } from "./help";

export const OPTIONS: OptionSpec[] = [
  { name: "settings", takes: "flag", doc: "also print each scenario's settings (key=value ...)" },
  { name: "help", short: "h", takes: "flag", doc: "show this help" },
];

export function help(): string {
  return [
    "Usage: softnet-lab scenarios [--settings]",
    "",
    "Lists the named scenarios for 'softnet-lab simulate --scenario NAME', one line each.",
    "A scenario is a set of key=value settings on top of the defaults; --set values override it.",
    "",
    "Options:",
    optionsHelp(OPTIONS),
    "",
    EXIT_CODES_HELP,
  ].join("\n");
}

export function run(argv: string[], io: Io): number {
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.has("help")) {
    io.out(help());
    return 0;
  }
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}; 'scenarios' takes only --settings`);
  if (!args.flags.has("settings")) {
    io.out(scenariosHelp());
    return 0;
  }
  const w = Math.max(...SCENARIOS.map((s) => s.name.length));
  const lines = SCENARIOS.map((s) => {
    const settings = Object.entries(s.settings).map(([k, v]) => `${k}=${v}`).join(" ");
    return `  ${s.name.padEnd(w)}  ${s.description}\n  ${" ".repeat(w)}  settings: ${settings}`;
  });
  io.out(lines.join("\n"));
  return 0;
}
