/**
 * The floor under any model of this shape: the project's own engine (src/engine: its queue, digest
 * and run loop, with a dispatch function as machine.ts sets one) driving two CPU objects that do only
 * what every event of the kernel model must do, and nothing of the receive path:
 * - find the CPU the event names and drop a stale segment end (the generation check of Cpu.onSegEnd);
 * - charge the ended segment's time to the CPU's context and to its task (cpu-account.ts account:
 *   busy time, task CPU time, vruntime);
 * - step a four-step program (a sendto's two segments, the receive, the copy out: the shape of
 *   udp-app.ts) and draw the next step's duration from its measured spread (cost-draw.ts CostSource,
 *   the run's xoroshiro128+);
 * - start the next segment and schedule its end (Cpu.startSeg).
 * The other pending events (ticks and timers in the model) are timers here that re-arm every
 * millisecond, so the queue holds as many events as the model's does.
 * Its events per second bound what the real model can reach on this machine: everything the kernel
 * model does beyond this (softirq frames, the backlog, wakeups, IPIs, the scheduler) costs extra.
 */
import { Simulator } from "../src/engine/sim";
import { Rng } from "../src/engine/rng";
import { CostSource, sharedQuantileTable } from "../src/kernel/cost-draw";
import { COST_SPREAD } from "../src/kernel/costs";
import { CTX_SOFTIRQ, CTX_TASK } from "../src/kernel/cpu-context";

class FloorTask {
  cpuNs = 0;
  vruntime = 0;
  softirqNs = 0;
}

class FloorCpu {
  segStart = 0;
  segCtx = CTX_TASK;
  gen = 0;
  pc = 0;
  readonly busy = new Float64Array(6);
  readonly task = new FloorTask();

  constructor(
    readonly id: number,
    private readonly sim: Simulator,
    private readonly evSegEnd: number,
    /** The four steps' cost sources. */
    private readonly steps: CostSource[],
  ) {}

  start(ns: number, ctx: number): void {
    const now = this.sim.now;
    this.segStart = now;
    this.segCtx = ctx;
    this.sim.at(now + ns, this.evSegEnd, this.id, ++this.gen);
  }

  onSegEnd(gen: number): void {
    if (gen !== this.gen) return;
    const now = this.sim.now;
    const dt = now - this.segStart;
    const ctx = this.segCtx;
    this.busy[ctx]! += dt;
    if (ctx === CTX_SOFTIRQ) this.task.softirqNs += dt;
    else {
      this.task.cpuNs += dt;
      this.task.vruntime += dt;
    }
    this.segStart = now;
    const pc = this.pc === 3 ? 0 : this.pc + 1;
    this.pc = pc;
    this.start(this.steps[pc]!.draw(), pc === 2 ? CTX_SOFTIRQ : CTX_TASK);
  }
}

/** Runs `events` events of the floor loop holding `pending` events; returns events per wall second. */
export function floorEventsPerSecond(pending: number, events: number): { eps: number; digest: string } {
  const sim = new Simulator();
  const rng = new Rng(1);
  // four entries with a measured spread, at the medians the reference profile gives them
  const names = Object.keys(COST_SPREAD).slice(0, 4) as (keyof typeof COST_SPREAD)[];
  const steps = names.map((n, i) => {
    const s = COST_SPREAD[n]!;
    return new CostSource(sharedQuantileTable(200 + 100 * i, s.p10, s.p50, s.p90), 200 + 100 * i, rng);
  });
  const cpus: FloorCpu[] = [];
  const evSegEnd = sim.on((cpu, gen) => cpus[cpu]!.onSegEnd(gen), "segment end");
  const evTimer = sim.on((t) => sim.at(sim.now + 1_000_000, evTimer, t), "timer");
  for (let i = 0; i < 2; i++) cpus.push(new FloorCpu(i, sim, evSegEnd, steps));
  sim.dispatch = (kind, target, arg) => {
    if (kind === evSegEnd) cpus[target]!.onSegEnd(arg);
    else sim.handler(kind)(target, arg);
  };
  for (let i = 2; i < Math.max(2, pending); i++) sim.at(1_000_000 + i, evTimer, i);
  for (const c of cpus) c.start(100 + c.id, CTX_TASK);
  const t0 = process.hrtime.bigint();
  // run in slices of simulated time until the event count is reached
  let until = 0;
  while (sim.events < events) {
    until += 1_000_000;
    sim.run(until);
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return { eps: sim.events / wall, digest: sim.digest() };
}
