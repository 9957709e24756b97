/**
 * Describes every configuration key in words, generated from `KEYS` and `COSTS`: what error messages
 * say is allowed, what `softnet-lab simulate --help` lists and what docs/cli.md tabulates. One source,
 * so the help, the errors and the docs cannot drift apart.
 */
import { KEYS, type KeySpec, type ScalarKey } from "./schema";
import { COSTS, COST_NAMES } from "../kernel/costs";

/** Largest accepted `cost.<name>`: one second per operation is already far outside any real cost. */
export const MAX_COST_NS = 1_000_000_000;

export const COST_ALLOWED = `a non-negative integer number of nanoseconds (0 to ${MAX_COST_NS})`;

/** What a key accepts, in words, as error messages and the docs say it. */
export function allowedText(spec: KeySpec): string {
  switch (spec.kind) {
    case "int":
      return `an integer from ${spec.min} to ${spec.max}`;
    case "enum":
      return `one of ${spec.values.join(", ")}`;
    case "bool":
      return "true, false, 1 or 0";
    case "string":
      return spec.format;
  }
}

export interface KeyDescription {
  /** As written after `--set`: `rps_cpus`, `cost.ipi_send`. */
  key: string;
  /** int, enum, bool, string, or ns for cost entries. */
  type: string;
  /** The default as `--set` would write it. */
  default: string;
  allowed: string;
  doc: string;
}

export function describeKey(key: ScalarKey): KeyDescription {
  const spec = KEYS[key];
  return { key, type: spec.kind, default: String(spec.default), allowed: allowedText(spec), doc: spec.doc };
}

/** Every key a run accepts: the scalar keys in schema order, then `cost.<name>` in cost-table order. */
export function describeKeys(): KeyDescription[] {
  const scalar = (Object.keys(KEYS) as ScalarKey[]).map(describeKey);
  const costs = COST_NAMES.map((name) => ({
    key: `cost.${name}`,
    type: "ns",
    default: String(COSTS[name].ns),
    allowed: COST_ALLOWED,
    doc: COSTS[name].source,
  }));
  return [...scalar, ...costs];
}
