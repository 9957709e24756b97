/**
 * The event queue: a binary min-heap keyed by (time, insertion order), stored in parallel typed
 * arrays so scheduling an event allocates nothing. Equal-time events fire in the order they were
 * scheduled, which makes every run repeat exactly (the SimPy rule).
 * A one-entry register in front of the heap holds the earliest event when it was pushed as the
 * earliest (the common case: a CPU schedules the end of the segment it just started); pushing and
 * popping it skips the heap. The order is exactly the heap's order.
 * An event's kind (0..255) and target (0..2^24-1) share one Int32 slot, so each step of a sift moves
 * four numbers, not five (Simulator checks both ranges).
 */
export class EventQueue {
  private time: Float64Array;
  private seq: Float64Array;
  /** kind << 24 | target */
  private kt: Int32Array;
  private arg: Float64Array;
  private n = 0;
  private nextSeq = 0;
  // the register: holds an event that precedes every event in the heap
  private hasReg = false;
  private regTime = 0;
  private regSeq = 0;
  private regKind = 0;
  private regTarget = 0;
  private regArg = 0;

  constructor(capacity = 64) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kt = new Int32Array(capacity);
    this.arg = new Float64Array(capacity);
  }

  get size(): number {
    return this.hasReg ? this.n + 1 : this.n;
  }

  /** Time of the earliest event, or +Infinity when empty. */
  peekTime(): number {
    if (this.hasReg) return this.regTime;
    return this.n > 0 ? this.time[0]! : Infinity;
  }

  push(time: number, kind: number, target: number, arg: number): void {
    const s = this.nextSeq++;
    if (!this.hasReg) {
      if (this.n === 0 || time < this.time[0]!) {
        this.setReg(time, s, kind, target, arg);
        return;
      }
    } else if (time < this.regTime) {
      // the new event comes first: the register's event moves into the heap
      this.heapPush(this.regTime, this.regSeq, this.regKind, this.regTarget, this.regArg);
      this.setReg(time, s, kind, target, arg);
      return;
    }
    this.heapPush(time, s, kind, target, arg);
  }

  private setReg(time: number, seq: number, kind: number, target: number, arg: number): void {
    this.hasReg = true;
    this.regTime = time;
    this.regSeq = seq;
    this.regKind = kind;
    this.regTarget = target;
    this.regArg = arg;
  }

  private heapPush(time: number, s: number, kind: number, target: number, arg: number): void {
    if (this.n === this.time.length) this.grow();
    // sift up
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = this.time[p]!;
      if (pt < time || (pt === time && this.seq[p]! < s)) break;
      this.move(p, i);
      i = p;
    }
    this.time[i] = time;
    this.seq[i] = s;
    this.kt[i] = (kind << 24) | target;
    this.arg[i] = arg;
  }

  /** Removes the earliest event into `out` if there is one at or before `until`; false otherwise. */
  popNotAfter(until: number, out: PoppedEvent): boolean {
    if (this.hasReg) {
      if (this.regTime > until) return false;
    } else if (this.n === 0 || this.time[0]! > until) return false;
    return this.popTopInto(out);
  }

  /** Removes the earliest event and copies it into `out`; false when empty. */
  popTopInto(out: PoppedEvent): boolean {
    if (this.hasReg) {
      this.hasReg = false;
      out.time = this.regTime;
      out.kind = this.regKind;
      out.target = this.regTarget;
      out.arg = this.regArg;
      return true;
    }
    if (this.n === 0) return false;
    out.time = this.time[0]!;
    const kt0 = this.kt[0]!;
    out.kind = kt0 >>> 24;
    out.target = kt0 & 0xffffff;
    out.arg = this.arg[0]!;
    const last = --this.n;
    if (last > 0) {
      const t = this.time[last]!;
      const s = this.seq[last]!;
      const k = this.kt[last]!;
      const a = this.arg[last]!;
      // sift down
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        let c = l;
        if (r < last) {
          const rt = this.time[r]!;
          const lt = this.time[l]!;
          if (rt < lt || (rt === lt && this.seq[r]! < this.seq[l]!)) c = r;
        }
        const ct = this.time[c]!;
        if (t < ct || (t === ct && s < this.seq[c]!)) break;
        this.move(c, i);
        i = c;
      }
      this.time[i] = t;
      this.seq[i] = s;
      this.kt[i] = k;
      this.arg[i] = a;
    }
    return true;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from]!;
    this.seq[to] = this.seq[from]!;
    this.kt[to] = this.kt[from]!;
    this.arg[to] = this.arg[from]!;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap); t.set(this.time); this.time = t;
    const s = new Float64Array(cap); s.set(this.seq); this.seq = s;
    const k = new Int32Array(cap); k.set(this.kt); this.kt = k;
    const a = new Float64Array(cap); a.set(this.arg); this.arg = a;
  }
}

/** Reusable holder for a popped event, so the run loop allocates nothing. */
export interface PoppedEvent {
  time: number;
  kind: number;
  target: number;
  arg: number;
}
