/**
 * Sentences that state a direction or a number, rendered from computed values, so a notebook's
 * summary cannot contradict the outputs above it when the model changes: a summary cell calls these
 * and prints markdown (`say`). The prose test (test/prose-claims.test.ts) checks every hand-written
 * sentence that states a direction or a number against the same library values.
 */
import { tslabWriter } from "../charts/display";

export type Direction = "higher" | "lower" | "same";

/**
 * The direction of `value` against `base`: "same" when they differ by at most `tolerance` of the
 * base (0.01 = 1 %), else higher or lower.
 */
export function direction(value: number, base: number, tolerance = 0): Direction {
  if (!Number.isFinite(value) || !Number.isFinite(base)) throw new Error(`direction: ${value} vs ${base} is not a pair of numbers`);
  const scale = Math.abs(base) > 0 ? Math.abs(base) : 1;
  if (Math.abs(value - base) <= tolerance * scale) return "same";
  return value > base ? "higher" : "lower";
}

/** A relative change as a rounded percentage of the base, with its unit: `pct(1.14, 1)` = "14 %". */
export function pct(value: number, base: number, digits = 0): string {
  const p = (100 * Math.abs(value - base)) / Math.abs(base);
  return `${p.toFixed(digits)} %`;
}

/** A share as a percentage: `share(0.473)` = "47.3 %". */
export function share(fraction: number, digits = 1): string {
  return `${(100 * fraction).toFixed(digits)} %`;
}

export interface ChangeOptions {
  /** What causes the change, the sentence's subject: "RPS to the reader's CPU". */
  cause: string;
  /** What changes: "throughput". */
  quantity: string;
  value: number;
  base: number;
  /** Below this relative difference the change is "no change" (default 1 %). */
  tolerance?: number;
  /** Verbs for the three directions (default: raises / lowers / leaves ... unchanged). */
  verbs?: { up: string; down: string };
  digits?: number;
}

/**
 * "RPS to the reader's CPU raises throughput by 14 %" / "lowers throughput by 3 %" /
 * "leaves throughput unchanged (within 1 %)".
 */
export function changeSentence(o: ChangeOptions): string {
  const tol = o.tolerance ?? 0.01;
  const d = direction(o.value, o.base, tol);
  const verbs = o.verbs ?? { up: "raises", down: "lowers" };
  if (d === "same") return `${o.cause} leaves ${o.quantity} unchanged (within ${(100 * tol).toFixed(0)} %)`;
  return `${o.cause} ${d === "higher" ? verbs.up : verbs.down} ${o.quantity} by ${pct(o.value, o.base, o.digits ?? 0)}`;
}

/** "a", "a and b", "a, b and c". */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** "1 run" / "3 runs". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** The index of the largest value (the first on ties). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** The index of the smallest value (the first on ties). */
export function argmin(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! < values[best]!) best = i;
  return best;
}

/**
 * Prints rendered prose. In a notebook: one output with text/markdown (drawn as prose by Jupyter,
 * GitHub and the book) and text/plain. Elsewhere: the markdown on stdout. Returns nothing, so a
 * cell ending with it prints nothing more.
 */
export function say(markdown: string): void {
  const writer = tslabWriter();
  if (writer) writer({ data: { "text/markdown": markdown, "text/plain": markdown }, metadata: {}, transient: {} }, false);
  else console.log(markdown);
}

/**
 * Shows a figure given as an SVG document (e.g. the receive-path map): one output with
 * image/svg+xml and a text/plain description. Elsewhere: prints the description.
 */
export function showSvg(svg: string, description: string): void {
  const writer = tslabWriter();
  if (writer) writer({ data: { "image/svg+xml": svg, "text/plain": description }, metadata: {}, transient: {} }, false);
  else console.log(description);
}
