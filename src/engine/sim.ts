/**
 * The simulation engine: an integer-nanosecond clock, the event queue and the run loop. It knows
 * nothing about kernels: handlers are registered per event kind and receive (target, arg).
 * Every processed event is folded into a running digest, so two runs can be compared byte for byte.
 * A run that stops advancing in simulated time (more than MAX_EVENTS_AT_ONE_INSTANT events at one
 * instant: a loop of zero-time steps) ends with a NoProgressError naming its last events.
 */
import { EventQueue, type PoppedEvent } from "./queue";

export type Handler = (target: number, arg: number) => void;

/**
 * Events at one simulated instant after which the run is declared stuck. A legitimate burst at one
 * instant is bounded by the machine (every CPU, task and queued packet acting once); a zero-time
 * loop goes on forever. Five million events take well under a second to reach.
 */
export const MAX_EVENTS_AT_ONE_INSTANT = 5_000_000;

/** The queue keeps an event's kind and target in one 32-bit slot (queue.ts): their ranges. */
const MAX_KIND = 255;
const MAX_TARGET = 0xffffff;

/** How many of the last events a NoProgressError lists. */
const LAST_EVENTS = 12;

/** Simulated time stopped advancing: the same instant kept producing events. */
export class NoProgressError extends Error {
  constructor(
    /** The instant the run is stuck at, ns. */
    readonly timeNs: number,
    /** Events processed at that instant before giving up. */
    readonly count: number,
    /** The last events, described by the model (kind, target, what it stands for). */
    readonly lastEvents: readonly string[],
    /** The kinds of those events (as `on()` numbered them). */
    readonly lastKinds: readonly number[] = [],
  ) {
    super(`simulated time stopped advancing at ${timeNs} ns: ${count} events at that instant; the last ones: ${lastEvents.join("; ")}`);
    this.name = "NoProgressError";
  }
}

export class Simulator {
  /** Current simulated time, integer nanoseconds since the start of the run. */
  now = 0;
  /** Events processed so far. */
  events = 0;
  private readonly queue = new EventQueue();
  private readonly handlers: Handler[] = [];
  private readonly ev: PoppedEvent = { time: 0, kind: 0, target: 0, arg: 0 };
  private h1 = 0x811c9dc5 | 0;
  private h2 = 0x01000193 | 0;
  private stopped = false;
  private readonly names: string[] = [];
  /** Events processed at the current instant so far. */
  private sameInstant = 0;
  /** Bound of the no-progress guard (tests lower it). */
  maxEventsAtOneInstant = MAX_EVENTS_AT_ONE_INSTANT;
  /**
   * The model's own dispatch, when it sets one: a single function (a switch over its kinds) that the
   * loop calls for every event instead of the per-kind table, so the call site in the loop sees one
   * function and each kind's handler is called from a call site of its own (V8 can inline both).
   */
  dispatch: ((kind: number, target: number, arg: number) => void) | null = null;
  /** Describes an event for a NoProgressError (the model sets it: CPU, task, what runs there). */
  describeEvent: ((kind: number, target: number, arg: number) => string) | null = null;

  /** Registers the handler of an event kind; returns the kind's number. `name` shows in errors. */
  on(handler: Handler, name?: string): number {
    if (this.handlers.length > MAX_KIND) throw new Error(`Simulator.on: at most ${MAX_KIND + 1} event kinds`);
    this.handlers.push(handler);
    this.names.push(name ?? `kind ${this.handlers.length - 1}`);
    return this.handlers.length - 1;
  }

  /** The handler registered for a kind (a model's dispatch falls back to it for its rare kinds). */
  handler(kind: number): Handler {
    return this.handlers[kind]!;
  }

  /** Schedules an event at absolute time `at` (ns, integer, not in the past). */
  at(at: number, kind: number, target: number, arg = 0): void {
    // isSafeInteger also refuses Infinity (e.g. an interval computed from a rate of 0) and times
    // past 2^53 ns, where integer nanoseconds are no longer exact
    if (!(at >= this.now) || !Number.isSafeInteger(at)) {
      throw new Error(`Simulator.at: time ${at} is not an integer >= now (${this.now})`);
    }
    if (target >>> 24 !== 0) throw new Error(`Simulator.at: target ${target} is not an integer 0..${MAX_TARGET}`);
    this.queue.push(at, kind, target, arg);
  }

  /** Events waiting in the queue (the benchmark's ceiling loop keeps as many pending). */
  get pending(): number {
    return this.queue.size;
  }

  /** Time of the next queued event (+Infinity if none). */
  nextTime(): number {
    return this.queue.peekTime();
  }

  /** Folds an event into the run's digest (also used by model fast paths that skip the queue). */
  fold(time: number, kind: number, target: number): void {
    let a = this.h1, b = this.h2;
    // time >>> 0 is time mod 2^32 for a non-negative integer (the low word), without a float modulo
    a = Math.imul(a ^ (time >>> 0), 0x01000193);
    a = Math.imul(a ^ ((time / 4294967296) | 0), 0x01000193);
    b = Math.imul(b ^ (kind * 65599 + target), 0x85ebca6b);
    b ^= a >>> 13;
    this.h1 = a;
    this.h2 = b;
    this.events++;
  }

  /** A hex digest of every event processed so far (time, kind, target), order included. */
  digest(): string {
    const hex = (x: number) => (x >>> 0).toString(16).padStart(8, "0");
    return hex(this.h1) + hex(this.h2) + "-" + this.events;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Runs events in time order until the queue is empty, `stop()` is called or time passes `until`. */
  run(until: number): void {
    const q = this.queue;
    const ev = this.ev;
    const handlers = this.handlers;
    const dispatch = this.dispatch;
    const max = this.maxEventsAtOneInstant;
    // the digest and counters live in locals inside the loop (written back when it ends)
    let h1 = this.h1, h2 = this.h2, events = this.events, same = this.sameInstant, now = this.now;
    this.stopped = false;
    while (!this.stopped && q.popNotAfter(until, ev)) {
      const t = ev.time;
      if (t === now) {
        if (++same > max) {
          this.h1 = h1; this.h2 = h2; this.events = events; this.sameInstant = same;
          this.stuck(ev);
        }
      } else same = 0;
      this.now = now = t;
      h1 = Math.imul(h1 ^ (t >>> 0), 0x01000193);
      h1 = Math.imul(h1 ^ ((t / 4294967296) | 0), 0x01000193);
      h2 = Math.imul(h2 ^ (ev.kind * 65599 + ev.target), 0x85ebca6b);
      h2 ^= h1 >>> 13;
      events++;
      if (dispatch !== null) dispatch(ev.kind, ev.target, ev.arg);
      else handlers[ev.kind]!(ev.target, ev.arg);
    }
    this.h1 = h1; this.h2 = h2; this.events = events; this.sameInstant = same;
    if (!this.stopped && this.now < until) {
      this.now = until;
      this.sameInstant = 0;
    }
  }

  /** The guard tripped: runs the next few events of the loop to name them, then throws. */
  private stuck(first: PoppedEvent): never {
    const last: string[] = [];
    const kinds: number[] = [];
    const ev: PoppedEvent = { ...first };
    const describe = (e: PoppedEvent) => `${this.names[e.kind]} target ${e.target} arg ${e.arg}${this.describeEvent ? ` (${this.describeEvent(e.kind, e.target, e.arg)})` : ""}`;
    for (;;) {
      last.push(describe(ev));
      kinds.push(ev.kind);
      if (last.length >= LAST_EVENTS) break;
      this.fold(ev.time, ev.kind, ev.target);
      this.handlers[ev.kind]!(ev.target, ev.arg);
      if (this.queue.size === 0 || this.queue.peekTime() !== this.now) break;
      this.queue.popTopInto(ev);
    }
    throw new NoProgressError(this.now, this.sameInstant, last, kinds);
  }
}
