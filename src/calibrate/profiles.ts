/**
 * Cost profiles: a named set of cost-table values fitted to a machine (`softnet-lab calibrate`),
 * saved as profiles/<name>.json with its provenance, and loaded by the `profile` config key.
 */
import fs from "node:fs";
import path from "node:path";
import { COSTS, type CostName } from "../kernel/costs";
import { UserInputError } from "../errors";

/** A profile that is missing or malformed: names the file, the field and what is allowed (exit 2). */
export class ProfileError extends UserInputError {
  constructor(message: string) {
    super(message);
    this.name = "ProfileError";
  }
}

/** The same bound as a `cost.<name>` setting (MAX_COST_NS in config/describe.ts). */
const MAX_PROFILE_COST_NS = 1_000_000_000;

export interface CostProfile {
  name: string;
  /** What it was fitted to and how. */
  dataset: string;
  machine: string;
  method: string;
  /** Scale factor per cost group (see groups.ts). */
  factors: Record<string, number>;
  costs: Partial<Record<CostName, number>>;
  /** "none" when the medians come without measured spreads (the run then charges medians unless cost_spread is set). */
  cost_spread?: "measured" | "none";
  /** Loss before and after, and the per-configuration residuals (fitted profiles). */
  fit?: { loss_default: number; loss_fitted: number; evaluations: number; residuals: ResidualRow[] };
  /** Trace-derived profiles: per entry, how it was measured and its spread (see trace-costs.ts). */
  derivation?: Record<string, unknown>;
  captures?: string[];
  tracepoint_ns?: number;
}

export interface ResidualRow {
  config: string;
  metric: string;
  real: number;
  model_default: number;
  model_fitted: number;
}

/** The repository root: the nearest folder upwards from cwd with softnet-lab's package.json. */
export function repoRoot(): string {
  let dir = process.cwd();
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, "utf8")).name === "softnet-lab") return dir;
      } catch {
        /* not ours */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export function profilesDir(): string {
  return path.join(repoRoot(), "profiles");
}

export function listProfiles(dir = profilesDir()): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

/** Loads and checks a profile (from `dir`, default profiles/); throws a ProfileError naming the file, the field and what is allowed. */
export function loadProfile(name: string, dir = profilesDir()): CostProfile {
  const file = path.join(dir, `${name}.json`);
  if (!/^[A-Za-z0-9._-]+$/.test(name) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    const have = listProfiles(dir);
    throw new ProfileError(`no profile "${name}" (available: ${have.length ? have.join(", ") : "none"}; make one with softnet-lab calibrate)`);
  }
  let p: CostProfile;
  try {
    p = JSON.parse(fs.readFileSync(file, "utf8")) as CostProfile;
  } catch (e) {
    throw new ProfileError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof p !== "object" || p === null || Array.isArray(p)) throw new ProfileError(`${file}: expected a JSON object with a "costs" field`);
  if (typeof p.costs !== "object" || p.costs === null || Array.isArray(p.costs)) throw new ProfileError(`${file}: field "costs" must be an object of cost-table entries`);
  for (const [k, v] of Object.entries(p.costs)) {
    if (!Object.prototype.hasOwnProperty.call(COSTS, k)) throw new ProfileError(`${file}: costs.${k} is not a cost-table entry (allowed: ${Object.keys(COSTS).join(", ")})`);
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_PROFILE_COST_NS) throw new ProfileError(`${file}: costs.${k} must be an integer of ns from 0 to ${MAX_PROFILE_COST_NS}, got ${JSON.stringify(v)}`);
  }
  if (p.cost_spread !== undefined && p.cost_spread !== "measured" && p.cost_spread !== "none") throw new ProfileError(`${file}: cost_spread must be "measured" or "none", got ${JSON.stringify(p.cost_spread)}`);
  return p;
}

/** Writes a profile atomically (temp file + rename). */
export function saveProfile(p: CostProfile): string {
  const dir = profilesDir();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${p.name}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(p, null, 2) + "\n");
  fs.renameSync(tmp, file);
  return file;
}
