/**
 * The simulation engine: an integer-nanosecond clock, the event queue and the run loop. It knows
 * nothing about kernels: handlers are registered per event kind and receive (target, arg).
 * Every processed event is folded into a running digest, so two runs can be compared byte for byte.
 */
import { EventQueue, type PoppedEvent } from "./queue";

export type Handler = (target: number, arg: number) => void;

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

  /** Registers the handler of an event kind; returns the kind's number. */
  on(handler: Handler): number {
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /** Schedules an event at absolute time `at` (ns, integer, not in the past). */
  at(at: number, kind: number, target: number, arg = 0): void {
    // isSafeInteger also refuses Infinity (e.g. an interval computed from a rate of 0) and times
    // past 2^53 ns, where integer nanoseconds are no longer exact
    if (!(at >= this.now) || !Number.isSafeInteger(at)) {
      throw new Error(`Simulator.at: time ${at} is not an integer >= now (${this.now})`);
    }
    this.queue.push(at, kind, target, arg);
  }

  /** Time of the next queued event (+Infinity if none). */
  nextTime(): number {
    return this.queue.peekTime();
  }

  /** Folds an event into the run's digest (also used by model fast paths that skip the queue). */
  fold(time: number, kind: number, target: number): void {
    let a = this.h1, b = this.h2;
    a = Math.imul(a ^ (time % 4294967296), 0x01000193);
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
    this.stopped = false;
    while (!this.stopped && q.size > 0 && q.peekTime() <= until) {
      q.popTopInto(ev);
      this.now = ev.time;
      this.fold(ev.time, ev.kind, ev.target);
      handlers[ev.kind]!(ev.target, ev.arg);
    }
    if (!this.stopped && this.now < until) this.now = until;
  }
}
