/**
 * `softnet-lab calibrate` and `softnet-lab compare`: fit the cost table to a measured dataset and
 * save it as a profile; put the model (default costs or a profile) beside a dataset.
 */
import fs from "node:fs";
import path from "node:path";
import type { Io } from "../cli/command";
import { optionsHelp, parseArgs, UsageError, type OptionSpec } from "../cli/args";
import { EXIT_CODES_HELP } from "../errors";
import { loadMeasurementDataset, DatasetError } from "../measure/dataset";
import { compareDataset, formatComparison } from "./compare";
import { fitCosts, GROUP_NAMES, profileFromFit } from "./fit";
import { saveProfile } from "./profiles";

const DATASET: OptionSpec = { name: "dataset", takes: "value", valueName: "DIR", doc: "a folder written by softnet-lab measure (metadata.json, runs.csv, summary.csv), e.g. datasets/real/..." };
const MS: OptionSpec = { name: "ms", takes: "value", valueName: "N", doc: "simulated ms per configuration, an integer from 5 to 1000 (default 50)" };
const HELP: OptionSpec = { name: "help", short: "h", takes: "flag", doc: "show this help" };

const CALIBRATE_OPTIONS: OptionSpec[] = [
  DATASET,
  { name: "name", takes: "value", valueName: "NAME", doc: "profile name: letters, digits, '.', '_' or '-' (saved as profiles/NAME.json)" },
  { name: "groups", takes: "value", valueName: "A,B", doc: `fit parameters to move, comma-separated: ${GROUP_NAMES.join(", ")} (default all)` },
  MS,
  { name: "steps", takes: "value", valueName: "A,B", doc: "log2 step sizes of the descent, largest first, each from 0.001 to 4, comma-separated (default 1,0.5,0.25,0.125; notebook 05's short fit: 1,0.5)" },
  HELP,
];
const COMPARE_OPTIONS: OptionSpec[] = [
  DATASET,
  { name: "profile", takes: "value", valueName: "NAME", doc: "a profile in profiles/ (default: the default cost table)" },
  MS,
  HELP,
];

function noPositionals(p: string[]): void {
  if (p.length) throw new UsageError(`unexpected argument ${JSON.stringify(p[0])}`);
}

function dataset(dir: string | undefined) {
  if (!dir) throw new UsageError("--dataset DIR is required (a folder written by softnet-lab measure, e.g. datasets/real/...)");
  if (!fs.existsSync(dir)) throw new UsageError(`--dataset ${dir}: nothing there`);
  if (!fs.statSync(dir).isDirectory()) throw new DatasetError(dir, {}, "a dataset folder (metadata.json, runs.csv, summary.csv), not a file");
  return loadMeasurementDataset(dir);
}

function durationMs(raw: string | undefined): number {
  if (raw === undefined) return 50;
  const ms = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(ms) || ms < 5 || ms > 1000) throw new UsageError(`--ms: ${JSON.stringify(raw)} is not allowed: expected an integer from 5 to 1000 (simulated ms per configuration)`);
  return ms;
}

/** --steps: positive log2 step sizes, largest first (the descent refines; a larger step later would undo it). */
function stepSizes(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const bad = () => new UsageError(`--steps: ${JSON.stringify(raw)} is not allowed: expected log2 step sizes from 0.001 to 4, largest first, comma-separated (e.g. 1,0.5)`);
  const parts = raw.split(",").map((x) => x.trim());
  const steps = parts.map((x) => (/^\d+(\.\d+)?$/.test(x) ? Number(x) : NaN));
  if (steps.length === 0 || steps.some((x) => !Number.isFinite(x) || x < 0.001 || x > 4)) throw bad();
  for (let i = 1; i < steps.length; i++) if (steps[i]! >= steps[i - 1]!) throw bad();
  return steps;
}

export const calibrate = {
  help(): string {
    return [
      "Usage: softnet-lab calibrate --dataset DIR --name NAME [--groups A,B] [--ms N] [--steps A,B]",
      "",
      "Fits the cost table to a measured dataset: " + GROUP_NAMES.length + " parameters, each a factor on one",
      "cost entry or a group of entries (" + GROUP_NAMES.join(", ") + "), by coordinate",
      "descent on the squared log error of throughput and of NET_RX runs, IPIs, RPS IPIs and context",
      "switches per packet, and of the throughput change from RPS off to RPS on (each workload,",
      "payload and receiver). Saves profiles/<name>.json with the costs, the factors, and the residuals",
      "per configuration. Use it with --set profile=<name>.",
      "",
      "Options:",
      optionsHelp(CALIBRATE_OPTIONS),
      "",
      EXIT_CODES_HELP,
    ].join("\n");
  },
  run(argv: string[], io: Io): number {
    const a = parseArgs(argv, CALIBRATE_OPTIONS);
    if (a.flags.has("help")) {
      io.out(calibrate.help());
      return 0;
    }
    noPositionals(a.positionals);
    const name = a.values.get("name");
    if (!name || !/^[A-Za-z0-9._-]+$/.test(name)) throw new UsageError(`--name: ${name === undefined ? "missing" : JSON.stringify(name) + " is not allowed"}: expected a profile name of letters, digits, '.', '_' or '-'`);
    const ms = durationMs(a.values.get("ms"));
    const steps = stepSizes(a.values.get("steps"));
    const rawGroups = a.values.get("groups");
    const groups = rawGroups === undefined ? undefined : rawGroups.split(",").map((g) => g.trim());
    for (const g of groups ?? []) if (!GROUP_NAMES.includes(g)) throw new UsageError(`--groups: ${JSON.stringify(g)} is not a fit parameter: expected a comma-separated list of ${GROUP_NAMES.join(", ")}`);
    const dir = a.values.get("dataset");
    const ds = dataset(dir);
    const t0 = Date.now();
    const fit = fitCosts(ds, { duration_ms: ms, groups, steps, onStep: (loss, f) => io.err(`loss ${loss.toFixed(3)}  ${Object.entries(f).map(([g, x]) => `${g}=${x.toFixed(2)}`).join(" ")}`) });
    const profile = profileFromFit(name, path.relative(process.cwd(), dir!), ds.metadata.machine_kind, fit, { duration_ms: ms, steps });
    const file = saveProfile(profile);
    io.out(`fitted ${Object.entries(fit.factors).map(([g, x]) => `${g} x${x.toFixed(2)}`).join(", ")}`);
    io.out(`loss ${fit.before.loss.toFixed(3)} (default costs) -> ${fit.after.loss.toFixed(3)} after ${fit.evaluations} evaluations in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    io.out(`saved ${path.relative(process.cwd(), file)}; use it with --set profile=${name}`);
    return 0;
  },
};

export const compare = {
  help(): string {
    return [
      "Usage: softnet-lab compare --dataset DIR [--profile NAME] [--ms N]",
      "",
      "Runs the model on every configuration of a measured dataset (mirrored: see src/calibrate/compare.ts)",
      "and prints model and real figures side by side: throughput, NET_RX runs, IPIs, RPS IPIs and",
      "context switches per packet, the ratio model/real and whether it is within 25%.",
      "",
      "Options:",
      optionsHelp(COMPARE_OPTIONS),
      "",
      EXIT_CODES_HELP,
    ].join("\n");
  },
  run(argv: string[], io: Io): number {
    const a = parseArgs(argv, COMPARE_OPTIONS);
    if (a.flags.has("help")) {
      io.out(compare.help());
      return 0;
    }
    noPositionals(a.positionals);
    const ms = durationMs(a.values.get("ms"));
    const profile = a.values.get("profile");
    const ds = dataset(a.values.get("dataset"));
    const rows = compareDataset(ds, { duration_ms: ms, profile });
    io.out(formatComparison(rows));
    io.out(`\n${rows.filter((r) => r.within25).length} of ${rows.length} figures within 25% (${profile ? `profile ${profile}` : "default costs"})`);
    return 0;
  },
};
