/**
 * Plain-text help about configuration keys and scenarios, generated from the key descriptions
 * (config/describe.ts) and the scenario list, for `--help` on a terminal.
 */
import { describeKeys } from "../config/describe";
import { SCENARIOS } from "../config/scenarios";

/** Wraps `text` to `width` columns, every line after the first indented by `indent`. */
export function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line && line.length + 1 + w.length > width - indent.length) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

/** Every key as `key=default` in a left column; what it accepts and what it means on the right. */
export function keysHelp(width = 100): string {
  const keys = describeKeys();
  const col = Math.min(34, Math.max(...keys.map((k) => k.key.length + k.default.length + 6)));
  const indent = " ".repeat(col);
  const right = (text: string) => wrap(text, width, indent);
  const out: string[] = [];
  let inCosts = false;
  for (const k of keys) {
    if (!inCosts && k.key.startsWith("cost.")) {
      inCosts = true;
      out.push("", "Cost table, ns of CPU per operation (cost.<name>=ns; each a non-negative integer):");
    }
    const head = `  ${k.key}=${k.default === "" ? '""' : k.default}${k.type === "ns" ? " ns" : ""}`;
    const first = k.type === "ns" ? k.doc : k.allowed;
    out.push(head.length < col ? `${head.padEnd(col)}${right(first)}` : `${head}\n${indent}${right(first)}`);
    if (k.type !== "ns") out.push(`${indent}${right(k.doc)}`);
  }
  return out.join("\n");
}

/** Each scenario's name and description; wrapped to `width` columns, or one line each without it. */
export function scenariosHelp(width?: number): string {
  const w = Math.max(...SCENARIOS.map((s) => s.name.length));
  const indent = " ".repeat(w + 4);
  return SCENARIOS.map((s) => `  ${s.name.padEnd(w)}  ${width ? wrap(s.description, width, indent) : s.description}`).join("\n");
}
