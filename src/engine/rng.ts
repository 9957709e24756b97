/**
 * The seeded pseudo-random generator of a run (xoroshiro128+ from pure-rand). The model draws every
 * random number from here, so the same seed gives the same run; nothing reads Math.random.
 */
import * as prand from "pure-rand";

export class Rng {
  private g: prand.RandomGenerator;
  /** Numbers drawn so far: 0 at the end of a run means the seed changed nothing through here. */
  draws = 0;

  constructor(seed: number) {
    this.g = prand.xoroshiro128plus(seed >>> 0);
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    this.draws++;
    return this.g.unsafeNext() >>> 0;
  }

  /** A uniform float in [0, 1), 32 bits of precision. */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** An exponentially distributed duration with the given mean, rounded to integer ns (>= 1). */
  exponentialNs(meanNs: number): number {
    const u = 1 - this.nextFloat(); // (0, 1]
    return Math.max(1, Math.round(-Math.log(u) * meanNs));
  }
}
