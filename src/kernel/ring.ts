/**
 * A growable FIFO of integers (packet ids), the model's `sk_buff_head`: O(1) push and shift,
 * and `spliceTailInit`, the one-step move of a whole queue that `process_backlog` relies on.
 */
export class IntRing {
  private buf: Int32Array;
  private head = 0;
  private n = 0;

  constructor(capacity = 16) {
    let c = 1;
    while (c < capacity) c <<= 1;
    this.buf = new Int32Array(c);
  }

  get length(): number {
    return this.n;
  }

  push(v: number): void {
    if (this.n === this.buf.length) this.grow();
    this.buf[(this.head + this.n) & (this.buf.length - 1)] = v;
    this.n++;
  }

  /** Removes and returns the oldest element; -1 when empty. */
  shift(): number {
    if (this.n === 0) return -1;
    const v = this.buf[this.head]!;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.n--;
    return v;
  }

  peek(i = 0): number {
    return i < this.n ? this.buf[(this.head + i) & (this.buf.length - 1)]! : -1;
  }

  /** skb_queue_splice_tail_init: moves every element of `from` to the tail of this queue. */
  spliceTailInit(from: IntRing): void {
    while (from.n > 0) this.push(from.shift());
  }

  clear(): void {
    this.head = 0;
    this.n = 0;
  }

  toArray(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) out.push(this.peek(i));
    return out;
  }

  private grow(): void {
    const nb = new Int32Array(this.buf.length * 2);
    for (let i = 0; i < this.n; i++) nb[i] = this.buf[(this.head + i) & (this.buf.length - 1)]!;
    this.buf = nb;
    this.head = 0;
  }
}
