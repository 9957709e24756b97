/**
 * `softnet-lab costs --traces DIR [--name NAME]`: derives the cost table from real tracefs captures
 * (src/calibrate/trace-costs.ts), prints each entry with its spread and derivation, and with --name
 * saves profiles/NAME.json, the profile the model's defaults are checked against.
 */
import fs from "node:fs";
import path from "node:path";
import type { Io } from "../cli/command";
import { UsageError } from "../cli/args";
import { COSTS, type CostName } from "../kernel/costs";
import { saveProfile, type CostProfile } from "./profiles";
import { deriveCostsFromTraces, type TraceCostResult } from "./trace-costs";

/** The profile a derivation is saved as: costs, and per entry how it was measured. */
export function profileFromTraces(name: string, tracesDir: string, machine: string, r: TraceCostResult): CostProfile {
  return {
    name,
    dataset: tracesDir,
    machine,
    method: `trace-derived (src/calibrate/trace-costs.ts): each entry measured between the tracepoints that bracket it, one tracepoint hit (${r.tracepoint_ns} ns here) subtracted per hit inside; entries no bracket isolates keep the default table's value`,
    factors: {},
    costs: r.costs,
    derivation: r.derivation,
    captures: r.captures,
    tracepoint_ns: r.tracepoint_ns,
  };
}

export function formatDerivation(r: TraceCostResult): string {
  const lines = [`one tracepoint hit: ${r.tracepoint_ns} ns; captures: ${r.captures.length}`, ""];
  lines.push(`${"entry".padEnd(22)} ${"default".padStart(8)} ${"derived".padStart(8)}  ${"p10..p90 (n)".padEnd(24)} source`);
  for (const name of Object.keys(COSTS) as CostName[]) {
    const d = r.derivation[name];
    const sp = d.spread ? `${d.spread.p10}..${d.spread.p90} (${d.spread.n})` : "";
    lines.push(`${name.padEnd(22)} ${String(COSTS[name].ns).padStart(8)} ${String(d.ns).padStart(8)}  ${sp.padEnd(24)} ${d.kind}`);
  }
  return lines.join("\n") + "\n";
}

export const costs = {
  help(): string {
    return [
      "softnet-lab costs --traces <dir> [--name <profile>] [--machine <text>]",
      "",
      "Derives the cost table from tracefs captures of short lean-tool runs, as",
      "`softnet-lab measure --matrix --trace <dir> --trace-count 1000` writes them (files",
      "<mode>-<payload>b-rps_<x>-recv_<y>.r0.trace.txt, optionally gzipped). Each entry is the median",
      "time between the tracepoints that bracket its kernel function, on the CPU that ran it, less the",
      "cost of the tracepoint hits inside. Prints every entry beside the default; --name saves",
      "profiles/<profile>.json (use it with --set profile=<profile>).",
    ].join("\n");
  },
  run(argv: string[], io: Io): number {
    const o: Record<string, string> = {};
    if (argv.includes("--help") || argv.includes("-h")) {
      io.out(costs.help() + "\n");
      return 0;
    }
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      const name = a.replace(/^--/, "");
      if (!a.startsWith("--") || !["traces", "name", "machine"].includes(name)) throw new UsageError(`unknown argument ${JSON.stringify(a)} (allowed: --traces, --name, --machine, --help)`);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      o[name] = v;
    }
    if (!o.traces) throw new UsageError("--traces <dir> is required (a folder of captures written by softnet-lab measure --trace DIR --trace-count N)");
    if (!fs.existsSync(o.traces) || !fs.statSync(o.traces).isDirectory()) throw new UsageError(`--traces: ${o.traces} is not a folder`);
    if (o.name !== undefined && !/^[A-Za-z0-9._-]+$/.test(o.name)) throw new UsageError("--name: letters, digits, '.', '_' or '-'");
    const r = deriveCostsFromTraces(o.traces);
    io.out(formatDerivation(r));
    if (o.name) {
      const file = saveProfile(profileFromTraces(o.name, path.relative(process.cwd(), path.resolve(o.traces)), o.machine ?? "", r));
      io.out(`saved ${path.relative(process.cwd(), file)}; use it with --set profile=${o.name}`);
    }
    return 0;
  },
};
