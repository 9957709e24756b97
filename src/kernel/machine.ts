/**
 * The machine: every CPU with its softnet_data, softirq and hardirq frames, ksoftirqd, the scheduler,
 * the UDP sockets, the packet pool and the run-wide counters, wired to the simulation engine.
 * Workloads add tasks, sockets and devices; `simulate()` builds one, runs it and reads it.
 */
import { isBacklogThreaded, type SimConfig } from "../config/schema";
import type { Rng } from "../engine/rng";
import type { Simulator } from "../engine/sim";
import type { Recorder } from "../observe/recorder";
import type { CostName } from "./costs";
import { CostDraw, type CostSource } from "./cost-draw";
import { Cpu } from "./cpu";
import { IRQ_HRTIMER, IRQ_TICK } from "./cpu-context";
import { cpuHotplug, parseHotplug, stopCpuAtTaskLevel } from "./hotplug";
import { BacklogThread } from "./backlog-thread";
import { NapiBacklogThread } from "./napi-backlog-thread";
import { NAPI_STATE_THREADED, SoftnetData } from "./dev";
import { IdleTask } from "./idle";
import { irqArrive, IrqRunner } from "./irq";
import { NetRxAction } from "./net-rx-action";
import { PacketPool } from "./packet";
import { ProcessBacklog } from "./process-backlog";
import { Rps } from "./rps";
import { Scheduler } from "./sched";
import { Ksoftirqd, MAX_SOFTIRQ_TIME_MS, SoftirqRunner } from "./softirq";
import { TASK_RUNNING, type Task } from "./task";
import type { UdpSocket } from "./udp";

/** A source of device interrupts (a non-NAPI driver): the hardirq frame asks it for cost and effect. */
export interface IrqDevice {
  readonly name: string;
  handlerCost(cpu: Cpu): number;
  handlerEffect(cpu: Cpu): void;
  /** CPU hotplug: interrupts bound to `from` move to `to`. */
  migrateFrom(from: number, to: number): void;
  /** Re-raise an interrupt that was in flight to a CPU that went offline. */
  raiseNow(): void;
}

export class Machine {
  readonly cfg: SimConfig;
  readonly costs: Record<CostName, number>;
  /** Per-charge cost draws (cost_spread=measured) or the medians (cost_spread=none). */
  readonly draw: CostDraw;
  /** Each cost-table entry's source, by name: `m.charge.udp_sendmsg.draw()` is one charge (the hot path's form of `cost`). */
  readonly charge: Record<CostName, CostSource>;
  readonly sim: Simulator;
  readonly rng: Rng;
  rec: Recorder | null;

  // event kinds
  readonly EV_SEG_END: number;
  readonly EV_IRQ: number;
  readonly EV_POLL: number;
  readonly EV_TICK: number;
  readonly EV_TIMER: number;
  readonly EV_HOTPLUG: number;
  readonly EV_USER_RETURN: number;

  readonly cpus: Cpu[] = [];
  readonly sd: SoftnetData[] = [];
  readonly irq: IrqRunner[] = [];
  readonly softirq: SoftirqRunner[] = [];
  readonly netrx: NetRxAction[] = [];
  readonly pb: ProcessBacklog[] = [];
  readonly ksoftirqd: Ksoftirqd[] = [];
  /** backlog_napi/N, when backlog_napi is threads or threads-always. */
  readonly backlogThreads: BacklogThread[] = [];
  /** napi/backlog-<n>, when backlog_napi is backlog-threaded or backlog-threaded-intent (OpenWrt). */
  readonly napiBacklogThreads: NapiBacklogThread[] = [];
  /** backlog_napi is one of OpenWrt's backlog-threaded modes. */
  readonly backlogThreaded: boolean;
  readonly tasks: Task[] = [];
  readonly sockets: UdpSocket[] = [];
  readonly devices: IrqDevice[] = [];
  readonly pool = new PacketPool();
  readonly sched: Scheduler;
  readonly rps: Rps;

  /** PREEMPT_RT semantics (preempt=rt). */
  readonly rt: boolean;
  readonly jiffyNs: number;
  /** msecs_to_jiffies(MAX_SOFTIRQ_TIME) */
  readonly maxSoftirqJiffies: number;

  // packet accounting (sent = delivered + dropped + in flight)
  sent = 0;
  delivered = 0;
  dropBacklog = 0;
  dropRcvbuf = 0;
  /** Packets a device received but could not hand to netif_rx (its interrupt was not taken in time). */
  dropNic = 0;
  /** Packets dev_cpu_dead re-injected from offline CPUs. */
  hotplugReinjected = 0;
  /** Packets taken off a queue by a segment that is processing them (net_rx_action, recvmsg). */
  held = 0;
  /** Round-trip times of ping-pong exchanges, ns. */
  latencies: number[] = [];
  /** Wakeup latencies of the SCHED_FIFO latency task (timer expiry to running), ns. */
  wakeupLatencies: number[] = [];
  /** PREEMPT_RT: times per CPU the idle task ran an IPI callback that raised a softirq (WARN_ON_ONCE). */
  rtIdleSoftirqWarnings: number[] = [];
  readonly warnings: string[] = [];

  private nextPid = 100;

  constructor(cfg: SimConfig, sim: Simulator, rng: Rng, rec: Recorder | null) {
    this.cfg = cfg;
    this.costs = cfg.costs;
    this.draw = new CostDraw(cfg.costs, cfg.cost_spread, cfg.seed);
    this.charge = this.draw.of;
    this.sim = sim;
    this.rng = rng;
    this.rec = rec;
    this.rt = cfg.preempt === "rt";
    this.backlogThreaded = isBacklogThreaded(cfg.backlog_napi);
    this.jiffyNs = Math.round(1e9 / cfg.hz);
    this.maxSoftirqJiffies = Math.ceil((MAX_SOFTIRQ_TIME_MS * 1e6) / this.jiffyNs);
    this.EV_SEG_END = sim.on((cpu, gen) => this.cpus[cpu]!.onSegEnd(gen), "segment end");
    this.EV_IRQ = sim.on((cpu, type) => irqArrive(this.cpus[cpu]!, type & 0xff, type >> 8), "interrupt");
    this.EV_POLL = sim.on((cpu) => {
      const c = this.cpus[cpu]!;
      if (c.isIdle()) c.idleTask.run(c);
    }, "idle poll");
    this.EV_TICK = sim.on((cpu) => this.onTick(cpu), "tick");
    this.EV_TIMER = sim.on((task) => {
      const t = this.tasks[task]!;
      irqArrive(this.cpus[t.cpu]!, IRQ_HRTIMER, task);
    }, "hrtimer");
    this.EV_HOTPLUG = sim.on((cpu, up) => cpuHotplug(this, this.cpus[cpu]!, up === 1), "hotplug");
    this.EV_USER_RETURN = sim.on((cpu, gen) => this.irq[cpu]!.exitToUserMode(this.cpus[cpu]!, gen), "return to user mode");
    // The two kinds of nearly every event get call sites of their own; the rare ones go through the table
    const cpus = this.cpus;
    const segEnd = this.EV_SEG_END, irq = this.EV_IRQ;
    sim.dispatch = (kind, target, arg) => {
      if (kind === segEnd) cpus[target]!.onSegEnd(arg);
      else if (kind === irq) irqArrive(cpus[target]!, arg & 0xff, arg >> 8);
      else sim.handler(kind)(target, arg);
    };
    sim.describeEvent = (kind, target) => {
      if (kind === this.EV_TIMER) {
        const t = this.tasks[target];
        return t ? `timer of ${t.comm} on cpu${t.cpu}${this.cpus[t.cpu]?.online === false ? " (offline)" : ""}` : `task ${target}`;
      }
      const c = this.cpus[target];
      return c ? `cpu${c.id}${c.online ? "" : " (offline)"}, running ${c.curr.comm}` : `target ${target}`;
    };
    this.sched = new Scheduler(this);
    for (let i = 0; i < cfg.cpus; i++) {
      const idle = new IdleTask(this, i);
      idle.id = this.tasks.length;
      this.tasks.push(idle);
      const cpu = new Cpu(this, i, idle);
      this.cpus.push(cpu);
      const sd = new SoftnetData(i);
      this.sd.push(sd);
      this.irq.push(new IrqRunner(this));
      this.softirq.push(new SoftirqRunner(this));
      const pb = new ProcessBacklog(this, sd);
      this.pb.push(pb);
      this.netrx.push(new NetRxAction(this, sd, pb));
    }
    for (let i = 0; i < cfg.cpus; i++) {
      const k = new Ksoftirqd(this, i, this.allocPid());
      this.ksoftirqd.push(k);
      this.addTask(k, false);
    }
    if (this.backlogThreaded) {
      // backlog_set_threaded(true): kthread_run("napi/backlog-%d") for every CPU, then THREADED on
      // every backlog; the threads take the taskset mask of backlog_thread_cpus ("" = every CPU)
      const all = Array.from({ length: cfg.cpus }, (_, i) => i);
      const mask = cfg.backlog_thread_cpus === "" ? all : cfg.backlog_thread_cpus.split(",").map(Number);
      for (let i = 0; i < cfg.cpus; i++) {
        const t = new NapiBacklogThread(this, i, this.allocPid(), mask.slice());
        this.napiBacklogThreads.push(t);
        this.addTask(t, false);
      }
      for (let i = 0; i < cfg.cpus; i++) this.sd[i]!.backlogState |= NAPI_STATE_THREADED;
    } else if (cfg.backlog_napi !== "softirq") {
      // smpboot_register_percpu_thread(&backlog_threads) -> backlog_napi_setup(): THREADED bit
      for (let i = 0; i < cfg.cpus; i++) {
        const t = new BacklogThread(this, i, this.allocPid());
        this.backlogThreads.push(t);
        this.addTask(t, false);
        this.sd[i]!.backlogState |= NAPI_STATE_THREADED;
      }
    }
    this.rps = new Rps(this, cfg.rps_cpus, cfg.seed);
  }

  /** One charge of a cost-table entry: drawn from its measured spread, or its median (cost-draw.ts). */
  cost(name: CostName): number {
    return this.draw.cost(name);
  }

  allocPid(): number {
    return this.nextPid++;
  }

  /** Registers a task; a runnable one is queued on its CPU and picked when the run starts. */
  addTask(t: Task, runnable: boolean): void {
    t.id = this.tasks.length;
    this.tasks.push(t);
    if (runnable) {
      t.state = TASK_RUNNING;
      const cpu = this.cpus[t.cpu]!;
      t.onRq = true;
      t.deadline = t.vruntime + this.sched.slice;
      cpu.rq.push(t);
    } else t.state = 1;
  }

  /** Schedules an interrupt of `type` (cpu.ts IRQ_*) with a small argument at absolute time `at`. */
  raiseIrqAt(at: number, cpu: number, type: number, arg: number): void {
    this.sim.at(at, this.EV_IRQ, cpu, type | (arg << 8));
  }

  jiffies(): number {
    return Math.floor(this.sim.now / this.jiffyNs);
  }

  devName(pkt: number): string {
    void pkt;
    return this.devices.length > 0 ? this.devices[0]!.name : "lo";
  }

  /** Starts the machine: every CPU's idle loop looks for work, the ticks begin, hotplug is planned. */
  start(): void {
    for (const cpu of this.cpus) {
      this.sim.at(0, this.EV_POLL, cpu.id);
      this.sim.at(this.jiffyNs, this.EV_TICK, cpu.id);
    }
    for (const e of parseHotplug(this.cfg.hotplug, this.cfg.cpus)) this.sim.at(e.atNs, this.EV_HOTPLUG, e.cpu, e.online ? 1 : 0);
  }

  private onTick(id: number): void {
    const cpu = this.cpus[id]!;
    this.sim.at(this.sim.now + this.jiffyNs, this.EV_TICK, id);
    // NO_HZ idle: an idle CPU takes no tick
    if (cpu.online && !cpu.isIdle()) irqArrive(cpu, IRQ_TICK, 0);
  }

  /** CPU hotplug: the CPU has reached task level with an offline request pending; true if it went down. */
  stopCpu(cpu: Cpu): boolean {
    return stopCpuAtTaskLevel(this, cpu);
  }

  /** Packets waiting in queues: backlogs and socket receive queues. */
  queued(): number {
    let n = 0;
    for (const sd of this.sd) n += sd.backlogLength();
    for (const sk of this.sockets) n += sk.queue.length;
    return n;
  }

  /**
   * Invariants the model keeps; throws with a precise message when one breaks. Packets in flight
   * are the live skbs: queued, or held by the segment processing them.
   */
  checkInvariants(): void {
    const dropped = this.dropBacklog + this.dropRcvbuf + this.dropNic;
    const inFlight = this.pool.live;
    if (this.sent !== this.delivered + dropped + inFlight) {
      throw new Error(`packet accounting: sent ${this.sent} != delivered ${this.delivered} + dropped ${dropped} + in flight ${inFlight}`);
    }
    const queued = this.queued();
    if (inFlight !== queued + this.held) {
      throw new Error(`packet pool: ${inFlight} live packets but ${queued} queued + ${this.held} in processing`);
    }
    for (const sd of this.sd) {
      const sched = (sd.backlogState & 1) !== 0;
      if (sd.input_pkt_queue.length > this.cfg.netdev_max_backlog + 1) {
        throw new Error(`cpu${sd.cpu}: input_pkt_queue holds ${sd.input_pkt_queue.length} > netdev_max_backlog + 1`);
      }
      if (sd.backlogOnPollList && !sched) throw new Error(`cpu${sd.cpu}: backlog on poll_list without NAPI_STATE_SCHED`);
      if (sd.input_pkt_queue.length > 0 && !sched) throw new Error(`cpu${sd.cpu}: packets in input_pkt_queue but the backlog NAPI is not scheduled`);
    }
    for (const cpu of this.cpus) {
      if (cpu.sp < 1 || cpu.sp > 3) throw new Error(`cpu${cpu.id}: frame stack depth ${cpu.sp}`);
      if (cpu.bhCount < 0) throw new Error(`cpu${cpu.id}: negative BH count`);
      for (const t of cpu.rq) if (t.state !== TASK_RUNNING) throw new Error(`cpu${cpu.id}: sleeping task ${t.comm} on the run queue`);
    }
  }
}
