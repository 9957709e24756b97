/**
 * Command-line access to src/trace for real or simulated ftrace text:
 *   node --import tsx scripts/trace-tool.ts summary <trace.txt | dataset-name> [--dev lo]
 *   node --import tsx scripts/trace-tool.ts chrome  <trace.txt | dataset-name> [-o out.json]
 *   node --import tsx scripts/trace-tool.ts report  <trace.txt | dataset-name>   (trace-cmd report layout)
 * A bare name (no "/" and no ".txt") is looked up in datasets/traces.
 */
import * as fs from "node:fs";
import { exitCodeOf, UserInputError } from "../src/errors";
import { parseFtraceText } from "../src/trace/ftrace-parse";
import { summarize } from "../src/trace/analyze";
import { toChromeTrace } from "../src/trace/chrome-trace";
import { toTraceCmdReport } from "../src/trace/ftrace-text";
import { loadTraceDataset } from "../src/trace/dataset";
import type { KernelTraceRecord } from "../src/trace/record";

function load(source: string): { records: KernelTraceRecord[]; title: string; meta?: Record<string, unknown> } {
  if (!source.includes("/") && !source.endsWith(".txt")) {
    const ds = loadTraceDataset(source);
    return { records: ds.records, title: ds.meta.description, meta: { ...ds.meta } };
  }
  return { records: parseFtraceText(fs.readFileSync(source, "utf8")).records, title: source };
}

function main(argv: string[]): void {
  const [cmd, source, ...rest] = argv;
  const opt = (name: string): string | undefined => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  if (!cmd || !source || !["summary", "chrome", "report"].includes(cmd)) {
    throw new UserInputError("usage: trace-tool.ts summary|chrome|report <trace.txt | dataset-name> [--dev lo] [-o out.json]");
  }
  const { records, title, meta } = load(source);
  if (cmd === "summary") {
    process.stdout.write(JSON.stringify(summarize(records, { dev: opt("--dev") }), null, 2) + "\n");
  } else if (cmd === "report") {
    process.stdout.write(toTraceCmdReport(records));
  } else {
    const json = JSON.stringify(toChromeTrace(records, { title, metadata: meta }));
    const out = opt("-o");
    if (out) fs.writeFileSync(out, json);
    else process.stdout.write(json + "\n");
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  // bad input (a malformed trace, an unknown dataset) is exit 2; anything else a bug (exit 1)
  console.error(`trace-tool: ${(e as Error).message}`);
  process.exit(exitCodeOf(e));
}
