/**
 * The event queue: a binary min-heap keyed by (time, insertion order), stored in parallel typed
 * arrays so scheduling an event allocates nothing. Equal-time events fire in the order they were
 * scheduled, which makes every run repeat exactly (the SimPy rule).
 */
export class EventQueue {
  private time: Float64Array;
  private seq: Float64Array;
  private kind: Int32Array;
  private target: Int32Array;
  private arg: Float64Array;
  private n = 0;
  private nextSeq = 0;

  constructor(capacity = 64) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kind = new Int32Array(capacity);
    this.target = new Int32Array(capacity);
    this.arg = new Float64Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Time of the earliest event, or +Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.time[0]! : Infinity;
  }

  push(time: number, kind: number, target: number, arg: number): void {
    if (this.n === this.time.length) this.grow();
    const s = this.nextSeq++;
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
    this.kind[i] = kind;
    this.target[i] = target;
    this.arg[i] = arg;
  }

  /** Removes the earliest event; read it first with the `top*` getters. */
  popTopInto(out: PoppedEvent): boolean {
    if (this.n === 0) return false;
    out.time = this.time[0]!;
    out.kind = this.kind[0]!;
    out.target = this.target[0]!;
    out.arg = this.arg[0]!;
    const last = --this.n;
    if (last > 0) {
      const t = this.time[last]!;
      const s = this.seq[last]!;
      const k = this.kind[last]!;
      const g = this.target[last]!;
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
      this.kind[i] = k;
      this.target[i] = g;
      this.arg[i] = a;
    }
    return true;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from]!;
    this.seq[to] = this.seq[from]!;
    this.kind[to] = this.kind[from]!;
    this.target[to] = this.target[from]!;
    this.arg[to] = this.arg[from]!;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap); t.set(this.time); this.time = t;
    const s = new Float64Array(cap); s.set(this.seq); this.seq = s;
    const k = new Int32Array(cap); k.set(this.kind); this.kind = k;
    const g = new Int32Array(cap); g.set(this.target); this.target = g;
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
