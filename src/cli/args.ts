/**
 * A small command-line option parser for the CLI's subcommands: `--name value`, `--name=value`,
 * short aliases (`-s value`), repeatable options, flags, and `--` to end the options. Every mistake
 * is a UsageError (exit code 2) that names the option and lists the ones the command knows.
 */
import { closest } from "../config/errors";
import { UsageError } from "../errors";

export { UsageError };

export interface OptionSpec {
  /** Long name without dashes: `set` for `--set`. */
  name: string;
  /** flag: no value; value: one value, at most once; values: one value per use, repeatable. */
  takes: "flag" | "value" | "values";
  /** One-letter alias without the dash. */
  short?: string;
  /** How the help shows the value: `KEY=VALUE`, `NAME`, `FILE`. */
  valueName?: string;
  /** One line for the help. */
  doc: string;
}

export interface ParsedArgs {
  flags: Set<string>;
  values: Map<string, string>;
  multi: Map<string, string[]>;
  positionals: string[];
}

function optionsList(specs: readonly OptionSpec[]): string {
  return specs.map((s) => `--${s.name}${s.valueName ? ` ${s.valueName}` : ""}`).join(", ");
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const out: ParsedArgs = { flags: new Set(), values: new Map(), multi: new Map(), positionals: [] };
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const written = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = written.startsWith("--") ? byLong.get(written.slice(2)) : written.length === 2 ? byShort.get(written[1]!) : undefined;
    if (!spec) {
      const near = closest(written.replace(/^-+/, ""), specs.map((s) => s.name));
      const hint = near ? ` (did you mean --${near}?)` : "";
      throw new UsageError(`unknown option ${written}${hint}; options: ${optionsList(specs)}`);
    }
    const shown = `--${spec.name}`;
    if (spec.takes === "flag") {
      if (eq >= 0) throw new UsageError(`${shown} takes no value (got ${JSON.stringify(arg.slice(eq + 1))})`);
      out.flags.add(spec.name);
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw new UsageError(`${shown} needs a value: ${shown} ${spec.valueName ?? "VALUE"}`);
    if (spec.takes === "value") {
      if (out.values.has(spec.name)) throw new UsageError(`${shown} given twice (${JSON.stringify(out.values.get(spec.name))} and ${JSON.stringify(value)}); give it once`);
      out.values.set(spec.name, value);
    } else {
      const list = out.multi.get(spec.name) ?? [];
      list.push(value);
      out.multi.set(spec.name, list);
    }
  }
  return out;
}

/** The options part of a command's help, one option per line. */
export function optionsHelp(specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => [`${s.short ? `-${s.short}, ` : "    "}--${s.name}${s.valueName ? ` ${s.valueName}` : ""}`, s.doc]);
  const w = Math.max(...rows.map((r) => r[0]!.length));
  return rows.map(([a, b]) => `  ${a!.padEnd(w)}  ${b}`).join("\n");
}
