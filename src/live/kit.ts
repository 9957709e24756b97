/**
 * What a live figure is (a chart of the book the reader can re-run with knobs) and the small helpers
 * the figure lists share: one run, a sweep of one key, a traced run drawn as a timeline, and an
 * experiment module's typed settings written as the CLI's text. Browser-safe (no Node import).
 */
import type { ConfigOverrides } from "../config/parse";
import { findScenario } from "../config/scenarios";
import type { ScalarKey, SimConfig } from "../config/schema";
import type { SimResult } from "../observe/types";
import type { VlSpec } from "../charts/spec";
import { timelineSpec } from "../charts/timeline";

/** Settings as `--set key=value` writes them (text), so a bad knob gets the CLI's own message. */
export type TextSettings = Record<string, string>;

/** One chart of the book that a reader can recompute. */
export interface LiveFigure {
  /** Stable id, `<notebook>/<name>` (the notebook it was written for). */
  id: string;
  notebook: string;
  /** Matches the committed chart's title text (the chart's identity on its page). */
  title: RegExp;
  /** Configuration keys (KEYS names, kernel names) the reader can turn, in display order. */
  knobs: ScalarKey[];
  /** The notebook cell's own settings: with no knob turned, the runs are exactly the cell's. */
  base: TextSettings;
  /** A change worth trying first (shown under the chart; the book test turns it). */
  tryThis: TextSettings;
  /** For a chart with series that no knob moves (published figures beside the model): what stays fixed and where it comes from. */
  fixed?: string;
  /**
   * Knobs whose values are a short list (e.g. the payloads a dataset measured): the form offers only
   * these, and another value is refused (after the CLI's own check of the value).
   */
  readonly choices?: Partial<Record<ScalarKey, readonly string[]>>;
  /**
   * A knob that some runs keep at the key's default on purpose: they draw the reference series the
   * knob's series is set against (05's "model, default costs" bars beside the profile's); why says so.
   */
  reference?: { key: ScalarKey; why: string };
  /** The runs behind the chart, one settings list each (knobs already applied); a sweep has several. */
  runs(settings: TextSettings): TextSettings[];
  /**
   * The chart from the results of `runs`, in order; `title` is the committed chart's title text;
   * `samples[i]` is what `sample` took during run i (figures without `sample`: undefined).
   */
  chart(results: SimResult[], title: string, settings: TextSettings, samples: unknown[]): VlSpec;
  /**
   * A figure that samples the machine while it runs (e.g. a queue length over time) runs each config
   * with this instead of `simulate`; the digest is still the run's.
   */
  sample?(config: SimConfig): { result: SimResult; samples: unknown };
  /**
   * Knobs that are not configuration keys: the figure's own parameters (08's run-length scale and
   * claim), each a short list of values; the form offers only these and another value is refused.
   */
  readonly params?: readonly FigureParam[];
  /**
   * A figure whose work is not one simulate() per run: notebook 08's verdict pass evaluates every
   * claim's experiments (several runs each, inside the claim's rule). `runs` then gives the settings
   * once (its configuration knobs are checked by the CLI's parser before any work), `pass` does the
   * work step by step, and `chart` receives its outcome as `samples[0]` (no results).
   */
  readonly pass?: FigurePass;
  /** What the page counts while the figure runs: "run" (default) or the pass's step ("claim"). */
  readonly unit?: string;
  /** How long the figure's work takes, for the form (a sweep the reader should expect to wait for). */
  readonly cost?: string;
}

/** A figure's own parameter (not a configuration key). */
export interface FigureParam {
  key: string;
  /** What it does, in words (the control's tooltip and the refusal's parenthesis). */
  doc: string;
  values: readonly string[];
  /** The notebook's value (the first frame). */
  start: string;
}

/** The work of a figure that is not a list of simulate() runs. */
export interface FigurePass {
  /** Its steps for `settings`, in order (the form's count and the progress line's total). */
  steps(settings: TextSettings): string[];
  /** Runs every step, `progress(done, total)` after each; `digests` fingerprints each step's outcome, in order. */
  run(settings: TextSettings, progress?: (done: number, total: number) => void): { outcome: unknown; digests: string[] };
}

/** A chart of one run. */
export const one = (s: TextSettings): TextSettings[] => [s];

/** A single traced run drawn as the per-CPU timeline. */
export function timeline(id: string, notebook: string, title: RegExp, base: TextSettings, knobs: ScalarKey[], tryThis: TextSettings): LiveFigure {
  return { id, notebook, title, knobs, base, tryThis, runs: one, chart: (r, t) => timelineSpec(r[0]!, { title: t }) };
}

export const TIMELINE_KNOBS: ScalarKey[] = ["rate_pps", "rps_cpus", "backlog_napi", "preempt", "payload_bytes", "idle", "cpus", "duration_ms"];

/** Sweeps one key over `points`, the other settings as given. */
export function sweepOf(key: string, points: readonly (string | number)[]) {
  return (s: TextSettings): TextSettings[] => points.map((p) => ({ ...s, [key]: String(p) }));
}

/**
 * An experiment's typed settings (`makeConfig` overrides) as `--set` text, a scenario spelled out as
 * its settings, so a figure's runs are the experiment's own runs and a knob layered on top gets the
 * CLI's message when it is bad.
 */
export function asText(o: ConfigOverrides): TextSettings {
  const { scenario, costs, ...scalars } = o;
  if (costs !== undefined) throw new Error("asText: cost overrides are not figure settings");
  const out: TextSettings = {};
  if (scenario !== undefined) {
    const sc = findScenario(scenario);
    if (!sc) throw new Error(`asText: no scenario ${JSON.stringify(scenario)}`);
    Object.assign(out, sc.settings);
  }
  for (const [k, v] of Object.entries(scalars)) if (v !== undefined) out[k] = String(v);
  return out;
}
