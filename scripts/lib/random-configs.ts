/**
 * Random valid configurations for the conservation property test (test/random-configs.test.ts) and
 * the seeded 1000-configuration sweep (scripts/sweep-configs.ts): every workload, backlog mode and
 * preemption model, hotplug (also after the end of the run), the RT task, CPU hogs, rates and arrival
 * processes, RPS masks, backlog_wake_delay_ns, and every cost-table entry drawn from its default, 0
 * or a random value (now and then a whole send path at 0, the zero-time loop). `runChecked` runs one
 * and sorts the outcome: a result that balances, a clear user-input error, or something else.
 */
import fc from "fast-check";
import { makeConfig, type ConfigOverrides } from "../../src/config/parse";
import type { SimConfig } from "../../src/config/schema";
import { UserInputError } from "../../src/errors";
import { NoProgressError } from "../../src/engine/sim";
import { COST_NAMES, type CostName } from "../../src/kernel/costs";
import type { SimResult } from "../../src/observe/types";
import { Simulation } from "../../src/sim/simulate";

const SEND_PATH: CostName[] = ["syscall", "udp_sendmsg", "dev_queue_xmit", "copy_per_kb", "user_send_loop", "get_rps_cpu", "enqueue_to_backlog"];

/** One random configuration, as makeConfig overrides (always valid). */
export const arbConfig: fc.Arbitrary<ConfigOverrides> = fc.integer({ min: 1, max: 4 }).chain((cpus) => {
  const cpu = fc.integer({ min: 0, max: cpus - 1 });
  const maskOf = (bits: number) => (bits === 0 ? "0" : bits.toString(16));
  const mask = fc.integer({ min: 0, max: 2 ** cpus - 1 });
  const cost = (name: CostName) =>
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.integer({ min: 1, max: 3000 }), weight: 2 }).map((v) => [name, v] as const);
  const hotplugPart = fc.tuple(cpu, fc.integer({ min: 50, max: 2500 }), fc.option(fc.integer({ min: 1, max: 2000 }))).map(([c, off, on]) => `cpu${c}:off@${off}us${on === null ? "" : `,on@${off + on}us`}`);
  return fc.record({
    cpus: fc.constant(cpus),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    duration_ms: fc.integer({ min: 1, max: 3 }),
    workload: fc.constantFrom("udp-stream", "udp-pingpong", "nic-rx", "none" as const),
    backlog_napi: fc.constantFrom("softirq", "threads", "threads-always" as const),
    backlog_wake_delay_ns: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000 })),
    preempt: fc.constantFrom("none", "full", "rt" as const),
    idle: fc.constantFrom("halt", "poll", "haltpoll" as const),
    ksoftirqd_policy: fc.constantFrom("since-6.5", "2016" as const),
    hz: fc.constantFrom(100, 250, 300, 1000),
    rps_cpus: fc.oneof(fc.constant("0"), mask.map(maskOf)),
    hog_cpus: fc.oneof({ arbitrary: fc.constant(""), weight: 2 }, { arbitrary: mask.map((m) => Array.from({ length: cpus }, (_, i) => i).filter((i) => m & (1 << i)).join(",")), weight: 1 }),
    rt_task_cpu: fc.oneof({ arbitrary: fc.constant(-1), weight: 2 }, { arbitrary: cpu, weight: 1 }),
    rt_task_period_us: fc.integer({ min: 10, max: 500 }),
    sender_cpu: cpu,
    receiver_cpu: cpu,
    nic_cpu: cpu,
    nic_batch: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 128 })),
    nic_irq: fc.constantFrom("plain", "threaded" as const),
    rate_pps: fc.oneof(fc.constant(0), fc.integer({ min: 1_000, max: 3_000_000 })),
    arrivals: fc.constantFrom("periodic", "poisson" as const),
    payload_bytes: fc.oneof(fc.constant(64), fc.integer({ min: 0, max: 9000 })),
    flows: fc.integer({ min: 1, max: 4 }),
    netdev_max_backlog: fc.oneof(fc.constant(1000), fc.integer({ min: 0, max: 50 })),
    netdev_budget: fc.oneof(fc.constant(300), fc.integer({ min: 1, max: 100 })),
    netdev_budget_usecs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
    dev_rx_weight: fc.oneof(fc.constant(64), fc.integer({ min: 1, max: 128 })),
    rcvbuf_bytes: fc.oneof(fc.constant(212_992), fc.integer({ min: 2_304, max: 20_000 })),
    irq_time_accounting: fc.boolean(),
    hotplug:
      cpus === 1
        ? fc.constant("")
        : fc.oneof({ arbitrary: fc.constant(""), weight: 3 }, { arbitrary: hotplugPart, weight: 2 }), // one CPU of 2+ goes down
    costs: fc.tuple(...COST_NAMES.map(cost), fc.integer({ min: 0, max: 9 })).map((pairs) => {
      const out: Partial<Record<CostName, number>> = {};
      const zeroSendPath = pairs[pairs.length - 1] === 0; // one run in ten: the whole send path costs 0
      for (const p of pairs.slice(0, -1) as (readonly [CostName, number | undefined])[]) if (p[1] !== undefined) out[p[0]] = p[1];
      if (zeroSendPath) for (const n of SEND_PATH) out[n] = 0;
      return out;
    }),
  });
});

export type Outcome =
  | { kind: "result"; result: SimResult; problems: string[] }
  | { kind: "user-error"; message: string }
  | { kind: "stuck"; message: string }
  | { kind: "bug"; message: string };

/** Conservation and accounting a finished result must satisfy; each broken rule is a sentence. */
export function resultProblems(r: SimResult): string[] {
  const out: string[] = [];
  const p = r.packets;
  const dropped = p.dropped.backlog + p.dropped.rcvbuf + p.dropped.nic;
  if (p.sent !== p.delivered + dropped + p.in_flight) out.push(`sent ${p.sent} != delivered ${p.delivered} + dropped ${dropped} + in flight ${p.in_flight}`);
  if (p.delivered > p.sent) out.push("more delivered than sent");
  const softnetDropped = r.per_cpu.reduce((a, c) => a + c.softnet.dropped, 0);
  if (softnetDropped !== p.dropped.backlog) out.push(`softnet_stat dropped ${softnetDropped} != backlog drops ${p.dropped.backlog}`);
  for (const c of r.per_cpu) {
    const b = c.busy_ns;
    if (b.task + b.softirq + b.hardirq + b.ksoftirqd + b.backlog_thread + b.idle !== r.simulated_ns) out.push(`cpu${c.cpu}: busy + idle != simulated time`);
  }
  if (r.config.workload === "none" && p.sent !== 0) out.push("workload=none sent packets");
  return out;
}

/**
 * Runs one configuration in slices (checking the machine's invariants, NAPI state included, after
 * each) with the no-progress guard lowered to `maxEventsAtOneInstant`, and sorts the outcome.
 */
export function runChecked(over: ConfigOverrides, maxEventsAtOneInstant = 200_000, slices = 4): Outcome {
  let cfg: SimConfig;
  try {
    cfg = makeConfig(over);
  } catch (e) {
    return e instanceof UserInputError ? { kind: "user-error", message: e.message } : { kind: "bug", message: String((e as Error).stack ?? e) };
  }
  try {
    const s = new Simulation(cfg);
    s.sim.maxEventsAtOneInstant = maxEventsAtOneInstant;
    const end = cfg.duration_ms * 1e6;
    for (let i = 1; i <= slices; i++) {
      s.runUntil(Math.round((end * i) / slices));
      s.machine.checkInvariants();
    }
    const result = s.finish(0);
    return { kind: "result", result, problems: resultProblems(result) };
  } catch (e) {
    if (e instanceof UserInputError) return { kind: "user-error", message: e.message };
    if (e instanceof NoProgressError) return { kind: "stuck", message: e.message };
    return { kind: "bug", message: String((e as Error).stack ?? e) };
  }
}

/** The configuration as `--set` arguments, to reproduce a finding on the command line. */
export function asSetArgs(over: ConfigOverrides): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(over)) {
    if (k === "costs") for (const [n, ns] of Object.entries(v as Record<string, number>)) parts.push(`--set cost.${n}=${ns}`);
    else parts.push(`--set ${k}=${String(v)}`);
  }
  return parts.join(" ");
}
