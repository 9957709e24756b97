/**
 * A non-NAPI network device: its interrupt handler hands `nic_batch` packets to `netif_rx`, which
 * queues them on a backlog (the local CPU's, or RPS's choice). Plain: the handler runs in hardirq
 * context and NET_RX runs at irq exit. Threaded (`nic_irq=threaded`, forced under PREEMPT_RT): the
 * hardirq only wakes `irq/N-nic0`, the line stays masked until the thread has run (IRQF_ONESHOT),
 * and NET_RX runs in the thread when it re-enables BH.
 * With rate_pps = 0 the device interrupts again as soon as it can: the interrupt storm that leads
 * to receive livelock. Batches whose interrupt could not be taken in time (line masked, CPU in a
 * long hardirq) are counted as arrived and dropped by the device (`dropped.nic`).
 */
import type { Cpu } from "../kernel/cpu";
import { IRQ_DEVICE } from "../kernel/cpu-context";
import { netif_rx } from "../kernel/dev";
import { IrqThread, type ThreadedHandler } from "../kernel/irq-thread";
import type { IrqDevice, Machine } from "../kernel/machine";
import { udpTruesize } from "../kernel/packet";

export class NonNapiDevice implements IrqDevice, ThreadedHandler {
  readonly name = "nic0";
  private readonly m: Machine;
  private readonly index: number;
  /** The CPU its interrupt is routed to (smp_affinity); moves when that CPU goes offline. */
  private cpu: number;
  private readonly batch: number;
  private readonly intervalNs: number;
  private readonly sockets: number[];
  private readonly truesize: number;
  private readonly thread: IrqThread | null;
  private nextFlow = 0;
  private nextAt = 0;
  /** Threaded: the line is masked until the thread function has run. */
  private masked = false;

  constructor(m: Machine, cpu: number, sockets: number[]) {
    this.m = m;
    this.index = m.devices.length;
    this.cpu = cpu;
    this.batch = m.cfg.nic_batch;
    this.intervalNs = m.cfg.rate_pps > 0 ? (1e9 * this.batch) / m.cfg.rate_pps : 0;
    this.sockets = sockets;
    this.truesize = udpTruesize(m.cfg.payload_bytes);
    m.devices.push(this);
    if (m.cfg.nic_irq === "threaded" || m.rt) {
      this.thread = new IrqThread(m, cpu, this.name, this);
      m.addTask(this.thread, false);
    } else this.thread = null;
  }

  start(at: number): void {
    this.nextAt = at;
    this.m.raiseIrqAt(at, this.cpu, IRQ_DEVICE, this.index);
  }

  migrateFrom(from: number, to: number): void {
    if (this.cpu === from) this.cpu = to;
  }

  raiseNow(): void {
    this.m.raiseIrqAt(this.m.sim.now, this.cpu, IRQ_DEVICE, this.index);
  }

  private deliveryCost(): number {
    const m = this.m;
    let ns = m.charge.nic_hardirq.draw();
    for (let i = 0; i < this.batch; i++) ns += m.charge.nic_rx_per_packet.draw() + m.charge.enqueue_to_backlog.draw() + (m.rps.enabled ? m.charge.get_rps_cpu.draw() : 0);
    return ns;
  }

  handlerCost(): number {
    return this.thread !== null ? this.m.charge.irq_entry_exit.draw() : this.deliveryCost();
  }

  handlerEffect(cpu: Cpu): void {
    if (this.thread !== null) {
      // irq_default_primary_handler(): wake the thread, keep the line masked
      this.masked = true;
      this.thread.pending++;
      this.m.sched.tryToWakeUp(cpu, this.thread);
      return;
    }
    this.deliver(cpu);
    this.scheduleNext();
  }

  threadFnCost(): number {
    return this.deliveryCost();
  }

  threadFnEffect(cpu: Cpu): void {
    this.deliver(cpu);
    this.masked = false; // irq_finalize_oneshot(): unmask
    this.scheduleNext();
  }

  private deliver(cpu: Cpu): void {
    const m = this.m;
    for (let i = 0; i < this.batch; i++) {
      const sock = this.sockets[this.nextFlow]!;
      this.nextFlow = (this.nextFlow + 1) % this.sockets.length;
      const pkt = m.pool.alloc(sock, m.cfg.payload_bytes, this.truesize, m.sim.now);
      m.sent++;
      netif_rx(m, cpu, pkt);
    }
  }

  private scheduleNext(): void {
    const m = this.m;
    const now = m.sim.now;
    if (this.intervalNs === 0) {
      m.raiseIrqAt(now, this.cpu, IRQ_DEVICE, this.index);
      return;
    }
    this.nextAt += m.cfg.arrivals === "poisson" ? m.rng.exponentialNs(this.intervalNs) : this.intervalNs;
    // Interrupts that fell while the line was masked or the CPU could not take them coalesce into
    // one: the packets of the batches in between overflowed the device's ring (dropped.nic).
    while (this.nextAt < now - this.intervalNs) {
      m.sent += this.batch;
      m.dropNic += this.batch;
      this.nextAt += this.intervalNs;
    }
    m.raiseIrqAt(Math.max(now, Math.round(this.nextAt)), this.cpu, IRQ_DEVICE, this.index);
  }
}
