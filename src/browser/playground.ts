/**
 * The playground's run: any configuration (a scenario and `--set`-style settings, validated by the
 * CLI's own parser), traced for the first stretch so the per-CPU timeline stays small, plus the
 * counters, the CLI's summary text and the equivalent `npx softnet-lab simulate` command line.
 */
import { resolveConfig } from "../config/parse";
import type { SimConfig } from "../config/schema";
import type { SimResult } from "../observe/types";
import { simulate } from "../sim/simulate";
import { formatSummary } from "../cli/summary";
import type { VlSpec } from "../charts/spec";
import { timelineSpec } from "../charts/timeline";

/** Simulated time the playground's timeline covers when the reader sets no trace_ns of their own. */
export const PLAYGROUND_TRACE_NS = 100_000;

export interface PlaygroundRun {
  config: SimConfig;
  /** The run's result without its trace (the timeline is drawn from it; counters and digest are here). */
  result: Omit<SimResult, "trace">;
  timeline: VlSpec;
  /** What `softnet-lab simulate` prints for the same run (the CLI's summary). */
  summary: string;
  cli: string;
}

/** A shell word: quoted only when it has characters a POSIX shell would treat specially. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_.,:@%+=\/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command line that reproduces a run: the scenario, then every setting in order. */
export function cliCommand(settings: Array<[string, string]>, scenario?: string): string {
  const parts = ["npx", "softnet-lab", "simulate"];
  if (scenario) parts.push("--scenario", shellWord(scenario));
  for (const [k, v] of settings) parts.push("--set", shellWord(`${k}=${v}`));
  return parts.join(" ");
}

/**
 * Runs a configuration for the playground. Tracing is switched on for the timeline (the first
 * trace_ns, default PLAYGROUND_TRACE_NS): recording is observation only, so the counters and the
 * digest are those of the same settings without it (test/book-live.test.ts checks the digest).
 */
export function playgroundRun(settings: Array<[string, string]>, scenario?: string): PlaygroundRun {
  const config = resolveConfig(settings, { scenario });
  const traced: SimConfig = { ...config, trace: true, trace_ns: config.trace && config.trace_ns > 0 ? config.trace_ns : Math.min(PLAYGROUND_TRACE_NS, config.duration_ms * 1e6) };
  const t0 = performance.now();
  const full = simulate(traced);
  const wall = performance.now() - t0;
  const { trace: _trace, ...result } = full;
  const untracedView: SimResult = { ...result, config, wall_ms: wall };
  return {
    config,
    result: untracedView,
    timeline: timelineSpec(full, { title: scenario ? `Playground: ${scenario}` : "Playground" }),
    summary: formatSummary(untracedView, { scenario }),
    cli: cliCommand(settings, scenario),
  };
}
