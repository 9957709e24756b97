/**
 * The CPU hotplug experiments of claims C8 and C14 (notebook 06): a flood steered by RPS to CPU 1
 * while CPU 1 goes offline and comes back: what dev_cpu_dead re-injects, that every packet is
 * accounted for, that backlog_napi/1 is parked and unparked, and that NAPI_STATE_THREADED survives.
 */
import { makeConfig } from "../config/parse";
import type { BacklogNapiMode, SimConfig } from "../config/schema";
import { NAPI_STATE_THREADED } from "../kernel/dev";
import type { SimResult } from "../observe/types";
import { Simulation } from "../sim/simulate";

export interface HotplugSample {
  t_us: number;
  cpu1_online: boolean;
  backlog1_queued: number;
  threaded_bit: boolean;
  thread_parked: boolean | null;
}

export interface HotplugRun {
  mode: BacklogNapiMode;
  samples: HotplugSample[];
  reinjected: number;
  result: SimResult;
}

/**
 * A 2 Mpps non-NAPI flood on CPU 0, RPS to CPU 1; CPU 1 offline from 2 ms to 3 ms. Sampled every
 * 50 us to the end of the run (`duration_ms`, default 5; at least 4, so CPU 1 comes back).
 */
export function hotplugRun(mode: BacklogNapiMode, opts: { trace?: boolean; duration_ms?: number; seed?: number } = {}): HotplugRun {
  const duration = opts.duration_ms ?? 5;
  if (duration < 4) throw new RangeError(`hotplugRun: duration_ms ${duration} ends before CPU 1 is back online at 3 ms (use 4 or more)`);
  const cfg = makeConfig({
    workload: "nic-rx", nic_cpu: 0, receiver_cpu: 0, rps_cpus: "2", rate_pps: 2_000_000, nic_batch: 64,
    backlog_napi: mode, hotplug: "cpu1:off@2ms,on@3ms", duration_ms: duration,
    trace: opts.trace ?? false, trace_ns: 0, seed: opts.seed ?? 1,
  });
  return hotplugSamples(cfg);
}

/** Runs any config to its end, sampling CPU 1's backlog every 50 us (the book's live hotplug figure). */
export function hotplugSamples(cfg: SimConfig): HotplugRun {
  const s = new Simulation(cfg);
  const m = s.machine;
  const samples: HotplugSample[] = [];
  for (let t = 50_000; t <= cfg.duration_ms * 1e6; t += 50_000) {
    s.runUntil(t);
    m.checkInvariants();
    const th = m.backlogThreads[1];
    samples.push({
      t_us: t / 1000,
      cpu1_online: m.cpus[1]!.online,
      backlog1_queued: m.sd[1]!.backlogLength(),
      threaded_bit: (m.sd[1]!.backlogState & NAPI_STATE_THREADED) !== 0,
      thread_parked: th === undefined ? null : th.parked,
    });
  }
  const result = s.finish(0);
  return { mode: cfg.backlog_napi, samples, reinjected: m.hotplugReinjected, result };
}
