/**
 * Runs one simulation: builds the machine from a resolved config, installs the workload, drives it
 * for `duration_ms` of simulated time, checks the packet accounting and collects the result.
 * `Simulation` exposes the steps for tests that want to look inside between slices of time.
 * Two refusals keep a run from failing late: an in-memory trace too large to hold is refused before
 * the run (stream it with a TraceSink instead), and a run whose simulated time stops advancing ends
 * with an error naming its last events and, when zero costs make such a loop possible, those keys.
 */
import { validateConfig } from "../config/parse";
import type { SimConfig } from "../config/schema";
import { badValue, ConfigError } from "../config/errors";
import { Rng } from "../engine/rng";
import { NoProgressError, Simulator } from "../engine/sim";
import { COST_NAMES } from "../kernel/costs";
import { Machine } from "../kernel/machine";
import { Recorder, type TraceSink } from "../observe/recorder";
import { buildResult } from "../observe/report";
import type { SimResult } from "../observe/types";
import { installWorkload } from "../workloads/install";

export type { TraceSink } from "../observe/recorder";

export interface SimulationOptions {
  /** Stream the trace here as it is produced (nothing is kept in memory; `result.trace` is absent). */
  traceSink?: TraceSink;
}

export class Simulation {
  readonly sim: Simulator;
  readonly machine: Machine;
  private readonly recorder: Recorder | null;
  private readonly config: SimConfig;
  private readonly streaming: boolean;

  constructor(config: SimConfig, opts: SimulationOptions = {}) {
    this.config = config;
    this.streaming = opts.traceSink !== undefined;
    this.sim = new Simulator();
    const rng = new Rng(config.seed);
    const sim = this.sim;
    this.recorder = config.trace ? new Recorder(config.cpus, config.trace_ns, () => sim.now, opts.traceSink ?? null) : null;
    this.machine = new Machine(config, this.sim, rng, this.recorder);
    installWorkload(this.machine);
    this.machine.start();
  }

  /** Runs until simulated time `ns` (absolute). A stuck run throws (see explainNoProgress). */
  runUntil(ns: number): void {
    try {
      this.sim.run(ns);
    } catch (e) {
      throw e instanceof NoProgressError ? explainNoProgress(e, this.config, this.machine.EV_SEG_END) : e;
    }
  }

  /** Closes the books at the current time: open segments are charged, invariants checked. */
  finish(wallMs: number): SimResult {
    const m = this.machine;
    const now = this.sim.now;
    for (const cpu of m.cpus) cpu.closeAccounting(now);
    m.checkInvariants();
    const result: SimResult = buildResult(m, now, wallMs);
    if (this.recorder !== null) {
      if (this.streaming) this.recorder.finishSink(now);
      else result.trace = this.recorder.trace(now);
    }
    return result;
  }

  /** A digest of every event so far: the same seed and config give the same digest. */
  digest(): string {
    return this.sim.digest();
  }
}

/**
 * Simulated CPU time (traced ns x CPUs) an in-memory trace may cover: about 0.5 MB of compact JSON
 * per CPU-ms on the busiest workloads (1.7 MB pretty-printed), so 200 CPU-ms stays well inside
 * V8's string limit. The recorder also stops at MAX_IN_MEMORY_TRACE_ENTRIES whatever the estimate.
 */
export const MAX_IN_MEMORY_TRACE_CPU_NS = 200_000_000;

/** Refuses, before any work, a trace kept in memory that would not fit (ConfigError on trace_ns). */
export function checkInMemoryTrace(config: SimConfig): void {
  if (!config.trace) return;
  const durationNs = config.duration_ms * 1e6;
  const traced = config.trace_ns > 0 ? Math.min(config.trace_ns, durationNs) : durationNs;
  if (traced * config.cpus <= MAX_IN_MEMORY_TRACE_CPU_NS) return;
  const maxNs = Math.floor(MAX_IN_MEMORY_TRACE_CPU_NS / config.cpus);
  throw badValue("trace_ns", String(config.trace_ns), `at most ${maxNs} ns of traced time with cpus=${config.cpus} (${MAX_IN_MEMORY_TRACE_CPU_NS / 1e6} CPU-ms) for a trace kept in memory`, {
    why: `${config.trace_ns === 0 ? "(the whole run: duration_ms=" + config.duration_ms + ")" : ""} would keep a trace of ${traced} ns x ${config.cpus} CPUs in memory, more than fits in one JSON string`.trimStart(),
    hint: `; set trace_ns=${maxNs} or lower, or stream the trace to a file (softnet-lab simulate --trace-out FILE; simulate(config, { traceSink }) from TypeScript)`,
  });
}

/**
 * A NoProgressError in words a user can act on. A loop in which work segments end without time
 * passing (`segEndKind` among its last events) while cost-table entries are 0 is a consequence of
 * the configuration (exit 2, naming those keys); any other stuck run is a bug in the model.
 */
export function explainNoProgress(e: NoProgressError, config: SimConfig, segEndKind: number): Error {
  const zeros = COST_NAMES.filter((n) => config.costs[n] === 0).map((n) => `cost.${n}`);
  if (zeros.length === 0 || !e.lastKinds.includes(segEndKind)) return e;
  return new ConfigError(
    { key: zeros[0]!, value: "0", allowed: "a cost above 0 ns for at least one step of the loop" },
    `${zeros.join(", ")}: 0 ns makes a loop of zero-time steps: ${e.message}; give these steps a cost above 0 ns (the loop above shows which code runs without advancing time)`,
  );
}

/**
 * Runs one simulation of a complete config (DEFAULT_CONFIG with overrides, or makeConfig()).
 * The config is validated first: a bad key value throws a ConfigError naming the key. With
 * `trace=true` and no `opts.traceSink`, a trace too large for memory is refused before the run.
 */
export function simulate(config: SimConfig, opts: SimulationOptions = {}): SimResult {
  validateConfig(config);
  if (!opts.traceSink) checkInMemoryTrace(config);
  const t0 = performance.now();
  const s = new Simulation(config, opts);
  s.runUntil(config.duration_ms * 1e6);
  return s.finish(performance.now() - t0);
}
