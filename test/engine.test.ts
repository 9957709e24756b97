/**
 * The simulation engine on its own (src/engine): the event queue's order, the run loop's clock and
 * its refusals, the run digest and the seeded PRNG. Nothing here knows about kernels.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue, type PoppedEvent } from "../src/engine/queue";
import { Rng } from "../src/engine/rng";
import { Simulator } from "../src/engine/sim";

/** Pops everything, returning the `arg` of each event in pop order. */
function drain(q: EventQueue): number[] {
  const ev: PoppedEvent = { time: 0, kind: 0, target: 0, arg: 0 };
  const out: number[] = [];
  while (q.popTopInto(ev)) out.push(ev.arg);
  return out;
}

describe("EventQueue", () => {
  it("pops events in time order", () => {
    const q = new EventQueue();
    for (const [t, id] of [[50, 1], [10, 2], [30, 3], [20, 4], [40, 5]]) q.push(t!, 0, 0, id!);
    expect(drain(q)).toEqual([2, 4, 3, 5, 1]);
  });

  it("fires equal-time events in the order they were scheduled (FIFO tie-breaking)", () => {
    const q = new EventQueue();
    const pushes: [number, number][] = [[5, 1], [3, 2], [5, 3], [3, 4], [5, 5], [1, 6], [3, 7], [5, 8]];
    for (const [t, id] of pushes) q.push(t, 0, 0, id);
    expect(drain(q)).toEqual([6, 2, 4, 7, 1, 3, 5, 8]);
  });

  it("keeps FIFO order among equal times when an earlier event jumps ahead of them", () => {
    // the front register holds the earliest event; an earlier push must demote it, not reorder ties
    const q = new EventQueue();
    q.push(10, 0, 0, 1);
    q.push(10, 0, 0, 2);
    q.push(5, 0, 0, 3);
    q.push(10, 0, 0, 4);
    q.push(5, 0, 0, 5);
    expect(drain(q)).toEqual([3, 5, 1, 2, 4]);
  });

  it("carries kind, target and arg with the event", () => {
    const q = new EventQueue();
    q.push(7, 3, 11, 0.5);
    q.push(2, 1, 9, 42);
    const ev: PoppedEvent = { time: 0, kind: 0, target: 0, arg: 0 };
    expect(q.popTopInto(ev)).toBe(true);
    expect(ev).toEqual({ time: 2, kind: 1, target: 9, arg: 42 });
    expect(q.popTopInto(ev)).toBe(true);
    expect(ev).toEqual({ time: 7, kind: 3, target: 11, arg: 0.5 });
    expect(q.popTopInto(ev)).toBe(false);
    expect(q.peekTime()).toBe(Infinity);
  });

  it("grows past its initial capacity without losing or reordering events", () => {
    const q = new EventQueue(4);
    const n = 5000;
    // times 0..99 in a scrambled order; each time gets 50 events, ids ascending per time
    const expected: number[] = [];
    const byTime = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const t = (i * 37) % 100;
      q.push(t, 0, 0, i);
      if (!byTime.has(t)) byTime.set(t, []);
      byTime.get(t)!.push(i);
    }
    expect(q.size).toBe(n);
    for (let t = 0; t < 100; t++) expected.push(...byTime.get(t)!);
    expect(drain(q)).toEqual(expected);
    expect(q.size).toBe(0);
  });

  it("matches a stable sort by (time, push order) under any interleaving of pushes and pops", () => {
    const op = fc.oneof(
      { arbitrary: fc.record({ push: fc.constant(true as const), t: fc.integer({ min: 0, max: 20 }) }), weight: 3 },
      { arbitrary: fc.record({ push: fc.constant(false as const) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const q = new EventQueue(2);
        const model: { t: number; id: number }[] = [];
        const ev: PoppedEvent = { time: 0, kind: 0, target: 0, arg: 0 };
        let id = 0;
        let floor = 0; // a simulator never schedules before the last popped time
        for (const o of ops) {
          if (o.push) {
            const t = floor + o.t;
            q.push(t, 0, 0, id);
            model.push({ t, id: id++ });
          } else {
            const got = q.popTopInto(ev);
            if (model.length === 0) {
              expect(got).toBe(false);
              continue;
            }
            let best = 0;
            for (let i = 1; i < model.length; i++) {
              if (model[i]!.t < model[best]!.t || (model[i]!.t === model[best]!.t && model[i]!.id < model[best]!.id)) best = i;
            }
            const want = model.splice(best, 1)[0]!;
            expect([ev.time, ev.arg]).toEqual([want.t, want.id]);
            floor = ev.time;
          }
          expect(q.size).toBe(model.length);
          expect(q.peekTime()).toBe(model.length === 0 ? Infinity : Math.min(...model.map((e) => e.t)));
        }
      }),
      { seed: 20261124, numRuns: 200 },
    );
  });
});

describe("Simulator", () => {
  /** A simulator whose one event kind logs (time, target) and may schedule more. */
  function logger() {
    const sim = new Simulator();
    const log: [number, number][] = [];
    const kind = sim.on((target) => log.push([sim.now, target]));
    return { sim, log, kind };
  }

  it("runs events in (time, scheduling order) and advances the clock to each", () => {
    const { sim, log, kind } = logger();
    sim.at(30, kind, 1);
    sim.at(10, kind, 2);
    sim.at(30, kind, 3);
    sim.at(0, kind, 4);
    sim.run(100);
    expect(log).toEqual([[0, 4], [10, 2], [30, 1], [30, 3]]);
    expect(sim.events).toBe(4);
  });

  it("stops at `until`: events at exactly `until` run, later ones wait for the next run", () => {
    const { sim, log, kind } = logger();
    for (const t of [5, 10, 11, 20]) sim.at(t, kind, t);
    sim.run(10);
    expect(log).toEqual([[5, 5], [10, 10]]);
    expect(sim.now).toBe(10);
    expect(sim.nextTime()).toBe(11);
    sim.run(15);
    expect(log.map((e) => e[1])).toEqual([5, 10, 11]);
    expect(sim.now).toBe(15); // the clock reaches `until` even when nothing happens there
    sim.run(1000);
    expect(log.map((e) => e[1])).toEqual([5, 10, 11, 20]);
    expect(sim.now).toBe(1000);
  });

  it("lets a handler schedule at the current time; that event runs after those already queued for it", () => {
    const sim = new Simulator();
    const log: string[] = [];
    const b = sim.on((target) => log.push(`b${target}`));
    const a = sim.on((target) => {
      log.push(`a${target}`);
      sim.at(sim.now, b, target);
    });
    sim.at(1, a, 1);
    sim.at(1, b, 0);
    sim.at(2, b, 9);
    sim.run(10);
    expect(log).toEqual(["a1", "b0", "b1", "b9"]);
  });

  it("stop() ends the run after the current event and leaves the clock there", () => {
    const sim = new Simulator();
    const log: number[] = [];
    const k = sim.on((t) => {
      log.push(t);
      if (t === 2) sim.stop();
    });
    for (const t of [1, 2, 3]) sim.at(t, k, t);
    sim.run(10);
    expect(log).toEqual([1, 2]);
    expect(sim.now).toBe(2);
    sim.run(10);
    expect(log).toEqual([1, 2, 3]);
  });

  it("rejects times that are not integers, are NaN, or lie in the past", () => {
    const { sim, kind } = logger();
    sim.at(10, kind, 0);
    sim.run(10);
    expect(() => sim.at(9, kind, 0)).toThrow(/not an integer >= now \(10\)/);
    expect(() => sim.at(10.5, kind, 0)).toThrow(/10\.5/);
    expect(() => sim.at(Number.NaN, kind, 0)).toThrow(/NaN/);
    expect(() => sim.at(Infinity, kind, 0)).toThrow(/Infinity/);
    expect(() => sim.at(10, kind, 0)).not.toThrow();
  });

  it("keeps kind and target exact across the queue's shared slot, and refuses what does not fit it", () => {
    const sim = new Simulator();
    const seen: Array<[number, number, number]> = [];
    const kinds: number[] = [];
    for (let k = 0; k < 256; k++) kinds.push(sim.on((target, arg) => seen.push([k, target, arg])));
    expect(() => sim.on(() => {})).toThrow(/at most 256 event kinds/);
    sim.at(5, kinds[255]!, 0xffffff, 7);
    sim.at(3, kinds[0]!, 0, 2 ** 40);
    sim.at(4, kinds[200]!, 123456, -1);
    sim.run(10);
    expect(seen).toEqual([[0, 0, 2 ** 40], [200, 123456, -1], [255, 0xffffff, 7]]);
    expect(() => sim.at(20, kinds[1]!, 0x1000000)).toThrow(/target 16777216 is not an integer 0\.\.16777215/);
    expect(() => sim.at(20, kinds[1]!, -1)).toThrow(/target -1/);
  });

  it("digests the event sequence: same events, same digest; any change in time, kind, target or order changes it", () => {
    const digestOf = (evs: [number, number, number][]) => {
      const sim = new Simulator();
      const kinds = [sim.on(() => {}), sim.on(() => {})];
      for (const [t, k, g] of evs) sim.at(t, kinds[k]!, g);
      sim.run(1e10);
      return sim.digest();
    };
    const base: [number, number, number][] = [[1, 0, 0], [2, 1, 1], [2, 0, 2], [3_000_000_000, 1, 3]];
    const d = digestOf(base);
    expect(digestOf(base)).toBe(d);
    expect(d).toMatch(/^[0-9a-f]{16}-4$/);
    const variants: [number, number, number][][] = [
      [[1, 0, 0], [2, 1, 1], [2, 0, 2], [3_000_000_001, 1, 3]], // time (above 2^32 ns)
      [[1, 0, 0], [2, 0, 1], [2, 0, 2], [3_000_000_000, 1, 3]], // kind
      [[1, 0, 0], [2, 1, 1], [2, 0, 5], [3_000_000_000, 1, 3]], // target
      [[1, 0, 0], [2, 0, 2], [2, 1, 1], [3_000_000_000, 1, 3]], // order of a tie
      [[1, 0, 0], [2, 1, 1], [2, 0, 2]], // one event fewer
    ];
    for (const v of variants) expect(digestOf(v)).not.toBe(d);
  });
});

describe("Rng", () => {
  const draw = (seed: number, n: number) => {
    const r = new Rng(seed);
    return Array.from({ length: n }, () => r.nextU32());
  };

  it("gives the same sequence for the same seed and a different one for another seed", () => {
    expect(draw(42, 100)).toEqual(draw(42, 100));
    expect(draw(42, 100)).not.toEqual(draw(43, 100));
    expect(draw(0, 100)).not.toEqual(draw(1, 100));
  });

  it("draws 32-bit unsigned integers and floats in [0, 1)", () => {
    const r = new Rng(7);
    for (let i = 0; i < 10_000; i++) {
      const u = r.nextU32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
      const f = r.nextFloat();
      expect(f >= 0 && f < 1).toBe(true);
    }
  });

  it("draws exponential durations as integers >= 1 ns with the requested mean", () => {
    const r = new Rng(3);
    const n = 20_000;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const x = r.exponentialNs(5000);
      expect(Number.isInteger(x) && x >= 1).toBe(true);
      total += x;
    }
    // standard error of the mean is 5000 / sqrt(n) ~ 35 ns; the seed is fixed, so this never flakes
    expect(Math.abs(total / n - 5000)).toBeLessThan(150);
    expect(new Rng(3).exponentialNs(0.001)).toBe(1);
  });
});
