/**
 * The engine: events fire in time order, equal times in scheduling order (exact traces), the run
 * loop stops at its horizon, bad times are refused, and the seeded PRNG repeats.
 */
import { describe, expect, it } from "vitest";
import { EventQueue } from "../src/engine/queue";
import { Rng } from "../src/engine/rng";
import { Simulator } from "../src/engine/sim";

describe("event queue", () => {
  it("pops by time, and equal times in insertion order (through the register and the heap)", () => {
    const q = new EventQueue(2);
    const pushes: [number, number][] = [[5, 0], [3, 1], [5, 2], [1, 3], [3, 4], [5, 5], [0, 6], [3, 7]];
    for (const [t, id] of pushes) q.push(t, 0, id, 0);
    const out: number[] = [];
    const ev = { time: 0, kind: 0, target: 0, arg: 0 };
    while (q.popTopInto(ev)) out.push(ev.target);
    expect(out).toEqual([6, 3, 1, 4, 7, 0, 2, 5]);
  });

  it("interleaved pushes and pops keep the order exact", () => {
    const q = new EventQueue();
    const ev = { time: 0, kind: 0, target: 0, arg: 0 };
    q.push(10, 0, 1, 0);
    q.push(10, 0, 2, 0);
    q.popTopInto(ev);
    expect(ev.target).toBe(1);
    q.push(10, 0, 3, 0); // same time, scheduled later: after 2
    q.push(4, 0, 4, 0);
    const rest: number[] = [];
    while (q.popTopInto(ev)) rest.push(ev.target);
    expect(rest).toEqual([4, 2, 3]);
  });
});

describe("simulator", () => {
  it("runs handlers in time order and stops at the horizon", () => {
    const sim = new Simulator();
    const log: string[] = [];
    const k = sim.on((target) => {
      log.push(`${sim.now}:${target}`);
      if (target === 1) sim.at(sim.now + 5, k, 3);
    });
    sim.at(10, k, 1);
    sim.at(10, k, 2);
    sim.at(100, k, 9);
    sim.run(50);
    expect(log).toEqual(["10:1", "10:2", "15:3"]);
    expect(sim.now).toBe(50);
  });

  it("refuses events in the past or at fractional times", () => {
    const sim = new Simulator();
    const k = sim.on(() => {});
    sim.run(10);
    expect(() => sim.at(5, k, 0)).toThrow(/integer >= now/);
    expect(() => sim.at(10.5, k, 0)).toThrow(/integer >= now/);
  });

  it("the digest changes with any event and repeats for the same sequence", () => {
    const run = (extra: boolean) => {
      const sim = new Simulator();
      const k = sim.on(() => {});
      sim.at(1, k, 1);
      sim.at(2, k, 2);
      if (extra) sim.at(3, k, 3);
      sim.run(10);
      return sim.digest();
    };
    expect(run(false)).toBe(run(false));
    expect(run(true)).not.toBe(run(false));
  });
});

describe("rng", () => {
  it("the same seed gives the same numbers; another seed others", () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xs);
    for (let i = 0; i < 100; i++) {
      const f = a.nextFloat();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      expect(Number.isInteger(a.exponentialNs(1000))).toBe(true);
    }
  });
});
