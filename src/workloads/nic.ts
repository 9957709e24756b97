/**
 * A non-NAPI network device: its hardirq handler hands `nic_batch` packets to `netif_rx`, which queues
 * them on a backlog (the local CPU's, or RPS's choice). With rate_pps = 0 it interrupts again as soon
 * as the previous handler has run: the interrupt storm that leads to receive livelock.
 */
import { IRQ_DEVICE, type Cpu } from "../kernel/cpu";
import { netif_rx } from "../kernel/dev";
import type { IrqDevice, Machine } from "../kernel/machine";
import { udpTruesize } from "../kernel/packet";

export class NonNapiDevice implements IrqDevice {
  readonly name = "nic0";
  private readonly m: Machine;
  private readonly index: number;
  private readonly cpu: number;
  private readonly batch: number;
  private readonly intervalNs: number;
  private readonly sockets: number[];
  private readonly truesize: number;
  private nextFlow = 0;
  private nextAt = 0;

  constructor(m: Machine, cpu: number, sockets: number[]) {
    this.m = m;
    this.index = m.devices.length;
    this.cpu = cpu;
    this.batch = m.cfg.nic_batch;
    this.intervalNs = m.cfg.rate_pps > 0 ? (1e9 * this.batch) / m.cfg.rate_pps : 0;
    this.sockets = sockets;
    this.truesize = udpTruesize(m.cfg.payload_bytes);
    m.devices.push(this);
  }

  start(at: number): void {
    this.nextAt = at;
    this.m.raiseIrqAt(at, this.cpu, IRQ_DEVICE, this.index);
  }

  handlerCost(): number {
    const c = this.m.costs;
    const perPkt = c.nic_rx_per_packet + c.enqueue_to_backlog + (this.m.rps.enabled ? c.get_rps_cpu : 0);
    return c.nic_hardirq + this.batch * perPkt;
  }

  handlerEffect(cpu: Cpu): void {
    const m = this.m;
    for (let i = 0; i < this.batch; i++) {
      const sock = this.sockets[this.nextFlow]!;
      this.nextFlow = (this.nextFlow + 1) % this.sockets.length;
      const pkt = m.pool.alloc(sock, m.cfg.payload_bytes, this.truesize, m.sim.now);
      m.sent++;
      netif_rx(m, cpu, pkt);
    }
    // the next interrupt
    if (this.intervalNs === 0) {
      this.m.raiseIrqAt(m.sim.now, this.cpu, IRQ_DEVICE, this.index);
      return;
    }
    const gap = m.cfg.arrivals === "poisson" ? m.rng.exponentialNs(this.intervalNs) : this.intervalNs;
    this.nextAt += gap;
    this.m.raiseIrqAt(Math.max(m.sim.now, Math.round(this.nextAt)), this.cpu, IRQ_DEVICE, this.index);
  }
}
