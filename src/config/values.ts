/**
 * Reads and checks one configuration value: text from `--set key=value` (or a scenario), or a typed
 * value from a notebook's `makeConfig({...})`. Also the CPU-set formats: the hex mask of
 * /sys/class/net/<dev>/queues/rx-<n>/rps_cpus and a plain CPU list. Checks that need other keys
 * (a CPU that must exist) live in `parse.ts`.
 */
import { KEYS, type KeySpec, type ScalarKey, type SimConfig } from "./schema";
import { allowedText, COST_ALLOWED, MAX_COST_NS } from "./describe";
import { badValue, ConfigError } from "./errors";

type Value = SimConfig[ScalarKey];

/** Decimal integer, optionally with `_` between digit groups (1_000_000), optional sign. */
const INT_RE = /^[+-]?\d+(_\d+)*$/;

function parseIntText(text: string): number | undefined {
  const t = text.trim();
  return INT_RE.test(t) ? Number(t.replace(/_/g, "")) : undefined;
}

function inRange(n: number, min: number, max: number): boolean {
  return Number.isSafeInteger(n) && n >= min && n <= max;
}

function reject(key: string, value: string, spec: KeySpec, origin?: string): ConfigError {
  return badValue(key, value, allowedText(spec), {
    doc: spec.doc,
    origin,
    choices: spec.kind === "enum" ? spec.values : spec.kind === "bool" ? ["true", "false", "1", "0"] : undefined,
  });
}

/** The value of `key` written as text (`--set key=text`); throws ConfigError when it is not allowed. */
export function parseValue(key: ScalarKey, text: string, origin?: string): Value {
  const spec = KEYS[key];
  const t = text.trim();
  switch (spec.kind) {
    case "int": {
      const n = parseIntText(t);
      if (n === undefined || !inRange(n, spec.min, spec.max)) throw reject(key, text, spec, origin);
      return n;
    }
    case "enum":
      if (!spec.values.includes(t)) throw reject(key, text, spec, origin);
      // hz is an enum of the CONFIG_HZ choices, stored as the number it names.
      return key === "hz" ? Number(t) : t;
    case "bool":
      if (t === "true" || t === "1") return true;
      if (t === "false" || t === "0") return false;
      throw reject(key, text, spec, origin);
    case "string":
      return normaliseString(key, t, text, origin);
  }
}

/** A typed value from `makeConfig`; the same rules as `parseValue`, without reading text. */
export function checkValue(key: ScalarKey, value: unknown, origin?: string): Value {
  const spec = KEYS[key];
  const shown = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  switch (spec.kind) {
    case "int":
      if (typeof value !== "number" || !inRange(value, spec.min, spec.max)) throw reject(key, shown, spec, origin);
      return value;
    case "enum":
      if (key === "hz") {
        if (typeof value !== "number" || !spec.values.includes(String(value))) throw reject(key, shown, spec, origin);
        return value;
      }
      if (typeof value !== "string" || !spec.values.includes(value)) throw reject(key, shown, spec, origin);
      return value;
    case "bool":
      if (typeof value !== "boolean") throw reject(key, shown, spec, origin);
      return value;
    case "string":
      if (typeof value !== "string") throw reject(key, shown, spec, origin);
      return normaliseString(key, value.trim(), value, origin);
  }
}

/**
 * String keys are CPU sets; keep them in one canonical spelling so the model parses one format:
 * masks in lower-case hex without `0x` or leading zeros ("0" = none; commas only past CPU 31),
 * lists ascending without ranges ("0,1,3").
 */
function normaliseString(key: ScalarKey, t: string, raw: string, origin?: string): string {
  if (key === "rps_cpus") return formatCpuMask(parseCpuMask(t, key, raw, origin));
  if (key === "hog_cpus" || key === "backlog_thread_cpus") return parseCpuList(t, key, raw, origin).join(",");
  return t;
}

/** A `cost.<name>` value as text: a non-negative integer number of nanoseconds. */
export function parseCost(key: string, text: string, doc: string, origin?: string): number {
  const n = parseIntText(text);
  if (n === undefined || !inRange(n, 0, MAX_COST_NS)) throw badValue(key, text, COST_ALLOWED, { doc, origin });
  return n;
}

export function checkCost(key: string, value: unknown, doc: string, origin?: string): number {
  if (typeof value !== "number" || !inRange(value, 0, MAX_COST_NS)) {
    throw badValue(key, typeof value === "string" ? value : String(JSON.stringify(value)), COST_ALLOWED, { doc, origin });
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// CPU sets

const MASK_ALLOWED = KEYS.rps_cpus.kind === "string" ? KEYS.rps_cpus.format : "a hex CPU mask";

/**
 * The CPUs a hex mask names, ascending. Accepts what the kernel's bitmap_parse() accepts for
 * rps_cpus (lib/bitmap-str.c): hex digits in comma-separated groups of at most 8 digits (32 CPUs),
 * the rightmost group holding CPUs 0-31, as `cat rps_cpus` prints on machines with more than 32 CPUs
 * (`00000001,00000000` = CPU 32). A leading `0x` is accepted too, as a convenience the kernel lacks.
 */
export function parseCpuMask(text: string, key = "rps_cpus", raw = text, origin?: string): number[] {
  const body = text.trim().replace(/^0x/i, "");
  const groups = body.split(",");
  const bad = (why: string) => badValue(key, raw, MASK_ALLOWED, { why: `is not a CPU mask (${why})`, origin });
  if (body === "") throw bad("empty");
  const cpus: number[] = [];
  for (let g = 0; g < groups.length; g++) {
    const group = groups[groups.length - 1 - g]!; // rightmost group = CPUs 0-31
    if (!/^[0-9a-f]+$/i.test(group)) throw bad(group === "" ? "an empty group between commas" : `${JSON.stringify(group)} is not hex`);
    if (group.length > 8) throw bad(`a group holds at most 8 hex digits (32 CPUs); write CPU 32 as 1,00000000 like the kernel prints it`);
    const bits = parseInt(group, 16);
    for (let b = 0; b < 32; b++) if (bits & (2 ** b)) cpus.push(g * 32 + b);
  }
  return cpus.sort((a, b) => a - b);
}

/**
 * The mask as the sysfs file prints it for a machine with `nrCpus` CPUs (`%*pb`): as many hex digits
 * as the CPU count needs, in comma-separated groups of 8. Without `nrCpus`, just enough digits.
 */
export function formatCpuMask(cpus: readonly number[], nrCpus?: number): string {
  const top = cpus.length ? Math.max(...cpus) : 0;
  const digits = Math.max(1, Math.ceil(Math.max(nrCpus ?? 0, top + 1) / 4));
  const nibbles: number[] = new Array(digits).fill(0);
  for (const c of cpus) nibbles[Math.floor(c / 4)] |= 1 << (c % 4);
  let out = "";
  for (let i = digits - 1; i >= 0; i--) {
    out += nibbles[i].toString(16);
    if (i > 0 && i % 8 === 0) out += ",";
  }
  // Without a CPU count, drop leading zero digits and groups the mask does not need.
  return nrCpus === undefined ? out.replace(/^[0,]+(?=[0-9a-f])/, "") || "0" : out;
}

const LIST_ALLOWED = KEYS.hog_cpus.kind === "string" ? KEYS.hog_cpus.format : "a CPU list";

/** The CPUs of a list like `1`, `0,2` or `0-3` (the kernel's cpulist format), ascending, each once. */
export function parseCpuList(text: string, key = "hog_cpus", raw = text, origin?: string): number[] {
  const t = text.trim();
  if (t === "") return [];
  const seen = new Set<number>();
  for (const part of t.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m && m[2] !== undefined ? Number(m[2]) : lo;
    if (!m || hi < lo) throw badValue(key, raw, LIST_ALLOWED, { why: `is not a CPU list (${JSON.stringify(part.trim())})`, origin });
    for (let c = lo; c <= hi && c < 4096; c++) {
      if (seen.has(c)) throw badValue(key, raw, LIST_ALLOWED, { why: `names CPU ${c} twice`, origin });
      seen.add(c);
    }
  }
  return [...seen].sort((a, b) => a - b);
}
