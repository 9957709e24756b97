/**
 * The packet pool: an skb is an integer id into parallel typed arrays (flow, size, truesize, the time
 * it entered the stack). Ids are recycled through a free list, so a long run allocates nothing per packet.
 */
export class PacketPool {
  flow = new Int32Array(1024);
  len = new Int32Array(1024);
  truesize = new Int32Array(1024);
  bornAt = new Float64Array(1024);
  private free: number[] = [];
  private next = 0;
  /** Packets currently allocated (in some queue or socket). */
  live = 0;

  alloc(flow: number, len: number, truesize: number, now: number): number {
    let id: number;
    if (this.free.length > 0) id = this.free.pop()!;
    else {
      if (this.next === this.flow.length) this.grow();
      id = this.next++;
    }
    this.flow[id] = flow;
    this.len[id] = len;
    this.truesize[id] = truesize;
    this.bornAt[id] = now;
    this.live++;
    return id;
  }

  /** kfree_skb / consume_skb. */
  release(id: number): void {
    this.free.push(id);
    this.live--;
  }

  private grow(): void {
    const cap = this.flow.length * 2;
    const f = new Int32Array(cap); f.set(this.flow); this.flow = f;
    const l = new Int32Array(cap); l.set(this.len); this.len = l;
    const t = new Int32Array(cap); t.set(this.truesize); this.truesize = t;
    const b = new Float64Array(cap); b.set(this.bornAt); this.bornAt = b;
  }
}

/**
 * skb->truesize of a UDP datagram over lo: the data buffer (payload + UDP/IP/Ethernet headers,
 * rounded to a cache line) plus struct sk_buff and skb_shared_info (~576 bytes together on x86-64).
 * A 64-byte datagram comes to 768 bytes, close to what `ss -m` shows for small datagrams.
 */
export function udpTruesize(payload: number): number {
  const data = payload + 8 + 20 + 14;
  return Math.ceil(data / 64) * 64 + 576;
}
