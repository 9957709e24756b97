/**
 * Runs one simulation: builds the machine from a resolved config, installs the workload, drives it
 * for `duration_ms` of simulated time, checks the packet accounting and collects the result.
 * `Simulation` exposes the steps for tests that want to look inside between slices of time.
 */
import { validateConfig } from "../config/parse";
import type { SimConfig } from "../config/schema";
import { Rng } from "../engine/rng";
import { Simulator } from "../engine/sim";
import { Machine } from "../kernel/machine";
import { Recorder } from "../observe/recorder";
import { buildResult } from "../observe/report";
import type { SimResult } from "../observe/types";
import { installWorkload } from "../workloads/install";

export class Simulation {
  readonly sim: Simulator;
  readonly machine: Machine;
  private readonly recorder: Recorder | null;

  constructor(config: SimConfig) {
    this.sim = new Simulator();
    const rng = new Rng(config.seed);
    const sim = this.sim;
    this.recorder = config.trace ? new Recorder(config.cpus, config.trace_ns, () => sim.now) : null;
    this.machine = new Machine(config, this.sim, rng, this.recorder);
    installWorkload(this.machine);
    this.machine.start();
  }

  /** Runs until simulated time `ns` (absolute). */
  runUntil(ns: number): void {
    this.sim.run(ns);
  }

  /** Closes the books at the current time: open segments are charged, invariants checked. */
  finish(wallMs: number): SimResult {
    const m = this.machine;
    const now = this.sim.now;
    for (const cpu of m.cpus) cpu.closeAccounting(now);
    m.checkInvariants();
    const result: SimResult = buildResult(m, now, wallMs);
    if (this.recorder !== null) result.trace = this.recorder.trace(now);
    return result;
  }

  /** A digest of every event so far: the same seed and config give the same digest. */
  digest(): string {
    return this.sim.digest();
  }
}

/**
 * Runs one simulation of a complete config (DEFAULT_CONFIG with overrides, or makeConfig()).
 * The config is validated first: a bad key value throws a ConfigError naming the key.
 */
export function simulate(config: SimConfig): SimResult {
  validateConfig(config);
  const t0 = performance.now();
  const s = new Simulation(config);
  s.runUntil(config.duration_ms * 1e6);
  return s.finish(performance.now() - t0);
}
