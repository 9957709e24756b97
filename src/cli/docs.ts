/**
 * Generates the reference parts of docs/cli.md (commands, scenarios, keys, cost table, the `--json`
 * schema) from the same data the CLI uses. The hand-written prose around them stays; each generated
 * part sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` markers.
 * Regenerate with `npx tsx scripts/gen-cli-doc.ts`; a test fails when the committed file is stale.
 */
import { describeKeys } from "../config/describe";
import { SCENARIOS } from "../config/scenarios";
import { COMMANDS, mainHelp } from "./main";
import { OPTIONS as SIMULATE_OPTIONS } from "./simulate";
import { OPTIONS as SCENARIOS_OPTIONS } from "./scenarios";
import { OPTIONS as SWEEP_OPTIONS } from "./sweep";
import type { OptionSpec } from "./args";
import { RESULT_FIELDS } from "./result-fields";
import { EXIT_CODE_TABLE } from "../errors";

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

function mdTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [`| ${headers.join(" | ")} |`, `|${headers.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

const code = (s: string) => (s === "" ? '`""`' : `\`${s}\``);

function optionsTable(specs: readonly OptionSpec[]): string {
  return mdTable(
    ["option", "meaning"],
    specs.map((s) => [code(`${s.short ? `-${s.short}, ` : ""}--${s.name}${s.valueName ? ` ${s.valueName}` : ""}`), s.doc]),
  );
}

const SECTIONS: Record<string, () => string> = {
  commands: () =>
    [
      "```text",
      "$ softnet-lab --help",
      mainHelp(),
      "```",
      "",
      `**simulate**: ${COMMANDS.simulate!.summary}. Options:`,
      "",
      optionsTable(SIMULATE_OPTIONS),
      "",
      `**scenarios**: ${COMMANDS.scenarios!.summary}. Options:`,
      "",
      optionsTable(SCENARIOS_OPTIONS),
      "",
      `**sweep**: ${COMMANDS.sweep!.summary}. Options (docs/sweep.md):`,
      "",
      optionsTable(SWEEP_OPTIONS),
    ].join("\n"),
  "exit-codes": () => mdTable(["code", "meaning"], EXIT_CODE_TABLE.map(([c, m]) => [String(c), m])),
  scenarios: () =>
    mdTable(
      ["scenario", "what it sets up", "settings", "claims"],
      SCENARIOS.map((s) => [code(s.name), s.description, Object.entries(s.settings).map(([k, v]) => code(`${k}=${v}`)).join(" "), s.claims.join(", ")]),
    ),
  keys: () =>
    mdTable(
      ["key", "type", "default", "allowed", "meaning"],
      describeKeys()
        .filter((k) => k.type !== "ns")
        .map((k) => [code(k.key), k.type, code(k.default), k.allowed, k.doc]),
    ),
  costs: () =>
    mdTable(
      ["key", "default (ns)", "source or derivation"],
      describeKeys()
        .filter((k) => k.type === "ns")
        .map((k) => [code(k.key), k.default, k.doc]),
    ),
  result: () =>
    mdTable(
      ["field", "unit", "meaning"],
      Object.entries(RESULT_FIELDS).map(([path, f]) => [code(path), f.unit, f.doc]),
    ),
};

export const SECTION_NAMES = Object.keys(SECTIONS);

/**
 * `doc` with every generated section replaced by its current content. Throws when a marker pair is
 * missing, so a section cannot silently disappear from the docs.
 */
export function renderCliDoc(doc: string): string {
  let out = doc;
  for (const [name, make] of Object.entries(SECTIONS)) {
    const open = `<!-- generated:${name} -->`;
    const close = `<!-- /generated:${name} -->`;
    const a = out.indexOf(open);
    const b = out.indexOf(close);
    if (a < 0 || b < a) throw new Error(`docs/cli.md: the markers ${open} ... ${close} are missing or out of order`);
    out = `${out.slice(0, a + open.length)}\n${make()}\n${out.slice(b)}`;
  }
  return out;
}
