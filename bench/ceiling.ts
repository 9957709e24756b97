/**
 * The ceiling the model is measured against: a bare event loop over typed arrays with the model's
 * shape (the same number of pending events, a (time, insertion order) binary heap, each event
 * folded into a digest and replaced by one new event a few hundred ns later), doing no model work.
 * Its events per second are what this machine can do at best for a loop of that shape.
 */

/** Runs `events` events of a bare loop holding `pending` events; returns events per wall second. */
export function ceilingEventsPerSecond(pending: number, events: number): { eps: number; digest: number } {
  const cap = Math.max(1, pending);
  const time = new Float64Array(cap);
  const seq = new Float64Array(cap);
  const kind = new Int32Array(cap);
  let n = 0;
  let nextSeq = 0;
  let x = 0x2545f491; // xorshift32 state: the gaps between events
  const gap = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return 100 + ((x >>> 0) % 900);
  };
  const push = (t: number, k: number) => {
    let i = n++;
    const s = nextSeq++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (time[p]! < t || (time[p] === t && seq[p]! < s)) break;
      time[i] = time[p]!;
      seq[i] = seq[p]!;
      kind[i] = kind[p]!;
      i = p;
    }
    time[i] = t;
    seq[i] = s;
    kind[i] = k;
  };
  for (let i = 0; i < cap; i++) push(gap(), i & 7);
  let h = 0x811c9dc5 | 0;
  const t0 = process.hrtime.bigint();
  for (let e = 0; e < events; e++) {
    // pop the earliest
    const now = time[0]!;
    const k = kind[0]!;
    const last = --n;
    if (last > 0) {
      const t = time[last]!, s = seq[last]!, kk = kind[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        let c = l;
        if (r < last && (time[r]! < time[l]! || (time[r] === time[l] && seq[r]! < seq[l]!))) c = r;
        if (t < time[c]! || (t === time[c] && s < seq[c]!)) break;
        time[i] = time[c]!;
        seq[i] = seq[c]!;
        kind[i] = kind[c]!;
        i = c;
      }
      time[i] = t;
      seq[i] = s;
      kind[i] = kk;
    }
    h = Math.imul(h ^ (now >>> 0), 0x01000193); // the low word, as the engine's digest takes it
    h = Math.imul(h ^ k, 0x01000193);
    push(now + gap(), (k + 1) & 7);
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return { eps: events / wall, digest: h };
}
