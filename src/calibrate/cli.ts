/**
 * `softnet-lab calibrate` and `softnet-lab compare`: fit the cost table to a measured dataset and
 * save it as a profile; put the model (default costs or a profile) beside a dataset.
 */
import fs from "node:fs";
import path from "node:path";
import type { Io } from "../cli/command";
import { loadMeasurementDataset } from "../measure/dataset";
import { UsageError } from "../cli/args";
import { compareDataset, formatComparison } from "./compare";
import { fitCosts, GROUP_NAMES, profileFromFit } from "./fit";
import { saveProfile } from "./profiles";

function options(argv: string[], allowed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
    const name = a.slice(2);
    if (!allowed.includes(name)) throw new UsageError(`unknown option --${name} (allowed: ${allowed.map((x) => "--" + x).join(", ")})`);
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`--${name} needs a value`);
    out[name] = v;
  }
  return out;
}

function dataset(dir: string | undefined) {
  if (!dir) throw new UsageError("--dataset <dir> is required (a folder written by softnet-lab measure, e.g. datasets/real/...)");
  if (!fs.existsSync(dir)) throw new UsageError(`--dataset: ${dir} does not exist`);
  return loadMeasurementDataset(dir);
}

export const calibrate = {
  help(): string {
    return [
      "softnet-lab calibrate --dataset <dir> --name <profile> [--groups a,b] [--ms N]",
      "",
      "Fits the cost table to a measured dataset: five groups of costs (" + GROUP_NAMES.join(", ") + ")",
      "each scaled by one factor, by coordinate descent on the squared log error of throughput plus the",
      "error of IPIs and context switches per packet. Saves profiles/<name>.json with the costs, the",
      "factors, and the residuals per configuration. Use it with --set profile=<name>.",
    ].join("\n");
  },
  run(argv: string[], io: Io): number {
    const o = options(argv, ["dataset", "name", "groups", "ms"]);
    const ds = dataset(o.dataset);
    if (!o.name || !/^[A-Za-z0-9._-]+$/.test(o.name)) throw new UsageError("--name <profile> is required: letters, digits, '.', '_' or '-'");
    const ms = o.ms === undefined ? 50 : Number(o.ms);
    if (!Number.isInteger(ms) || ms < 5 || ms > 1000) throw new UsageError(`--ms must be an integer from 5 to 1000, got ${o.ms}`);
    const groups = o.groups ? o.groups.split(",") : undefined;
    const t0 = Date.now();
    const fit = fitCosts(ds, { duration_ms: ms, groups, onStep: (loss, f) => io.err(`loss ${loss.toFixed(3)}  ${Object.entries(f).map(([g, x]) => `${g}=${x.toFixed(2)}`).join(" ")}`) });
    const profile = profileFromFit(o.name, path.relative(process.cwd(), o.dataset!), ds.metadata.machine_kind, fit);
    const file = saveProfile(profile);
    io.out(`fitted ${Object.entries(fit.factors).map(([g, x]) => `${g} x${x.toFixed(2)}`).join(", ")}`);
    io.out(`loss ${fit.before.loss.toFixed(3)} (default costs) -> ${fit.after.loss.toFixed(3)} after ${fit.evaluations} evaluations in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    io.out(`saved ${path.relative(process.cwd(), file)}; use it with --set profile=${o.name}`);
    return 0;
  },
};

export const compare = {
  help(): string {
    return [
      "softnet-lab compare --dataset <dir> [--profile <name>] [--ms N]",
      "",
      "Runs the model on every configuration of a measured dataset (mirrored: see src/calibrate/compare.ts)",
      "and prints model and real figures side by side: throughput, NET_RX runs, IPIs, RPS IPIs and",
      "context switches per packet, the ratio model/real and whether it is within 25%.",
    ].join("\n");
  },
  run(argv: string[], io: Io): number {
    const o = options(argv, ["dataset", "profile", "ms"]);
    const ds = dataset(o.dataset);
    const rows = compareDataset(ds, { duration_ms: o.ms ? Number(o.ms) : 50, profile: o.profile });
    io.out(formatComparison(rows));
    io.out(`\n${rows.filter((r) => r.within25).length} of ${rows.length} figures within 25% (${o.profile ? `profile ${o.profile}` : "default costs"})`);
    return 0;
  },
};
