/**
 * CPU hotplug (kernel/cpu.c, net/core/dev.c dev_cpu_dead, kernel/smpboot.c). Taking a CPU offline
 * waits until it is at task level (the stopper task would preempt whatever runs there), moves its
 * tasks to an online CPU (their affinity is broken, as select_fallback_rq does), parks its per-CPU
 * threads (ksoftirqd/N, backlog_napi/N), moves device interrupts, then runs `dev_cpu_dead` on a
 * surviving CPU: the backlog NAPI's state is reset (v6.10 keeps NAPI_STATE_THREADED), v6.8 sends the
 * dead CPU's pending RPS IPIs, and every packet of its process_queue and input_pkt_queue is
 * re-injected with netif_rx, so RPS may steer it again. Nothing is lost.
 * Bringing a CPU online unparks (wakes) its threads; tasks stay where they were moved.
 */
import type { Cpu } from "./cpu";
import { NAPI_STATE_THREADED, net_rps_send_ipi, netif_rx } from "./dev";
import type { Machine } from "./machine";
import { CSD_RPS } from "./smp";
import { wakeup_softirqd } from "./softirq";
import { TASK_RUNNING, TASK_SLEEPING, type Task } from "./task";

export interface HotplugEvent {
  cpu: number;
  online: boolean;
  atNs: number;
}

const TIME_UNITS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };

/**
 * Parses a hotplug plan such as "cpu1:off@5ms,on@9ms;cpu2:off@3ms" and checks it against the CPU
 * count: every CPU exists, and no moment leaves zero CPUs online. Throws an Error whose message says
 * what is wrong and what is allowed.
 */
export function parseHotplug(spec: string, cpus: number): HotplugEvent[] {
  const s = spec.trim();
  if (s === "") return [];
  const events: HotplugEvent[] = [];
  for (const part of s.split(";")) {
    const m = /^\s*cpu(\d+)\s*:\s*(.+)$/.exec(part);
    if (m === null) throw new Error(`"${part.trim()}" is not of the form cpuN:off@<time>[,on@<time>] (time units ns, us, ms, s)`);
    const cpu = Number(m[1]);
    if (cpu >= cpus) throw new Error(`cpu${cpu} does not exist (cpus=${cpus}: CPUs 0-${cpus - 1} exist)`);
    for (const act of m[2]!.split(",")) {
      const a = /^\s*(off|on)\s*@\s*(\d+(?:\.\d+)?)\s*(ns|us|ms|s)\s*$/.exec(act);
      if (a === null) throw new Error(`"${act.trim()}" is not off@<time> or on@<time> (e.g. off@5ms, on@9.5ms; units ns, us, ms, s)`);
      events.push({ cpu, online: a[1] === "on", atNs: Math.round(Number(a[2]) * TIME_UNITS[a[3]!]!) });
    }
  }
  events.sort((x, y) => x.atNs - y.atNs || x.cpu - y.cpu);
  const online = new Array<boolean>(cpus).fill(true);
  for (const e of events) {
    if (online[e.cpu] === e.online) throw new Error(`cpu${e.cpu} is already ${e.online ? "online" : "offline"} at ${e.atNs} ns`);
    online[e.cpu] = e.online;
    if (!online.some((x) => x)) throw new Error(`taking cpu${e.cpu} offline at ${e.atNs} ns would leave no CPU online: the last online CPU cannot go offline`);
  }
  return events;
}

/** smpboot threads (parked with their CPU); OpenWrt's napi/backlog-<n> are ordinary kthreads that move. */
function isPerCpuThread(t: Task): boolean {
  return (t.kind === "ksoftirqd" || t.kind === "backlog_thread") && !t.balanced;
}

/**
 * Where migrate_tasks() puts a task leaving the dying CPU: the survivor, unless the task has a
 * cpus_mask (taskset) with another online CPU in it (select_fallback_rq: the first allowed online
 * CPU); a mask with no online CPU left is broken (every CPU allowed again).
 */
function destinationOf(m: Machine, t: Task, survivor: Cpu): Cpu {
  const mask = t.allowed;
  if (mask === null || mask.includes(survivor.id)) return survivor;
  for (const c of m.cpus) if (c.online && mask.includes(c.id)) return c;
  t.allowed = m.cpus.map((c) => c.id);
  return survivor;
}

/** The CPU that takes over: the lowest-numbered other online CPU. */
function survivorOf(m: Machine, dead: Cpu): Cpu {
  for (const c of m.cpus) if (c.online && c !== dead) return c;
  throw new Error(`cpu${dead.id}: the last online CPU cannot go offline`);
}

/** EV_HOTPLUG handler: `online` 1 brings the CPU up, 0 takes it down (retrying until it is quiescent). */
export function cpuHotplug(m: Machine, cpu: Cpu, online: boolean): void {
  if (online) {
    cpuUp(m, cpu);
    return;
  }
  if (cpu.sp !== 1 || cpu.switching) {
    // busy in an interrupt or a softirq: the stopper runs when the CPU is back at task level
    cpu.stopPending = true;
    return;
  }
  stopCpuAtTaskLevel(m, cpu);
}

/**
 * The CPU is at task level with an offline request (from EV_HOTPLUG, or from Cpu.resumeTop): takes
 * it down and returns true, unless a task that would migrate holds the CPU's BH lock (PREEMPT_RT):
 * local_bh_disable() takes softirq_ctrl.lock, a local_lock, which migrate_disable()s the task, even
 * while it is preempted with its softirq stashed, and CPU unplug waits in balance_hotplug_wait()
 * until no such pinned task is left. Nothing signals the release, so the request is retried later
 * (without holding off preemption meanwhile: the owner must get the CPU back to release the lock).
 * A per-CPU thread holding it (ksoftirqd/N) is parked with its state and resumes it on this CPU.
 */
export function stopCpuAtTaskLevel(m: Machine, cpu: Cpu): boolean {
  const owner = cpu.bhOwner;
  // the idle task flushing queued callbacks (flush_smp_call_function_queue, interrupts off) is not
  // preempted by the stopper either: the wakeups it is activating would be lost
  const idleFlush = cpu.curr === cpu.idleTask && (cpu.segActive || cpu.remNs[0]! >= 0);
  if (idleFlush || (owner !== null && !isPerCpuThread(owner))) {
    cpu.stopPending = false;
    m.sim.at(m.sim.now + 1000, m.EV_HOTPLUG, cpu.id, 0);
    return false;
  }
  cpuDown(m, cpu);
  return true;
}

/** Takes `cpu` down now (it is at task level: no softirq or hardirq frame, not switching). */
export function cpuDown(m: Machine, cpu: Cpu): void {
  cpu.stopPending = false;
  const survivor = survivorOf(m, cpu);
  // the stopper preempts curr: its segment is saved on the task
  const curr = cpu.curr;
  cpu.preemptForStop();
  cpu.online = false;
  // migrate_tasks(): every task that can move goes to the survivor, with its affinity broken
  const movers: Task[] = [];
  if (curr !== cpu.idleTask && curr.state === TASK_RUNNING) movers.push(curr);
  for (const t of cpu.rq) movers.push(t);
  cpu.rq.length = 0;
  // smpcfd_dying_cpu(): callbacks still queued run now. A task on the wakelist is already
  // TASK_RUNNING (try_to_wake_up set it before queueing): sched_ttwu_pending() activates it here,
  // and it moves like the others. RPS callbacks are moot: dev_cpu_dead() re-injects the packets.
  for (const csd of cpu.csdQueue.splice(0)) if (csd !== CSD_RPS) movers.push(m.tasks[csd]!);
  for (const t of movers) {
    t.onRq = false;
    if (isPerCpuThread(t)) {
      t.parked = true;
      t.state = TASK_SLEEPING;
      continue;
    }
    if (t.pinned === cpu.id) t.pinned = -1;
    const dest = destinationOf(m, t, survivor);
    if (t.balanced) t.nrMigrations++;
    t.cpu = dest.id;
    m.sched.enqueueMigrated(dest, t);
  }
  for (const t of m.tasks) {
    if (t.cpu === cpu.id && t.kind !== "idle") {
      if (isPerCpuThread(t)) t.parked = true;
      else {
        if (t.pinned === cpu.id) t.pinned = -1;
        t.cpu = destinationOf(m, t, survivor).id;
      }
    }
  }
  cpu.softirqPending = 0;
  cpu.needResched = false;
  cpu.pendingIrqType.length = 0;
  cpu.pendingIrqArg.length = 0;
  for (const d of m.devices) d.migrateFrom(cpu.id, survivor.id);
  dev_cpu_dead(m, cpu, survivor);
  if (m.rec !== null) m.rec.record(survivor, "sched:sched_switch", { prev_comm: curr.comm, prev_pid: curr.pid, prev_prio: 120, prev_state: "offline", next_comm: `cpu${cpu.id} offline`, next_pid: 0, next_prio: 120 });
}

/** dev_cpu_dead(oldcpu), run on `survivor`. */
export function dev_cpu_dead(m: Machine, dead: Cpu, survivor: Cpu): void {
  const oldsd = m.sd[dead.id]!;
  if (m.backlogThreaded && (oldsd.backlogState & NAPI_STATE_THREADED) !== 0) {
    // OpenWrt's backlog_threaded patch returns early for a THREADED backlog: no IPIs, no re-injection;
    // the queue stays with napi/backlog-<n>, an ordinary kthread that has moved to a live CPU
    // (whether anyone polls it depends on its NAPI state: see the notebook)
    return;
  }
  // the backlog NAPI is never moved: its state is reset (v6.10 keeps THREADED)
  oldsd.backlogOnPollList = false;
  oldsd.backlogState &= NAPI_STATE_THREADED;
  oldsd.in_net_rx_action = false;
  oldsd.in_napi_threaded_poll = false;
  // v6.8: send out the IPIs the dead CPU still owed (with backlog threads the list is unused)
  if (m.cfg.backlog_napi === "softirq") net_rps_send_ipi(m, survivor, oldsd);
  else oldsd.rps_ipi_list.length = 0;
  // re-inject the dead CPU's packets, process_queue first
  let n = 0;
  for (let p = oldsd.process_queue.shift(); p >= 0; p = oldsd.process_queue.shift()) {
    netif_rx(m, survivor, p);
    n++;
  }
  for (let p = oldsd.input_pkt_queue.shift(); p >= 0; p = oldsd.input_pkt_queue.shift()) {
    netif_rx(m, survivor, p);
    n++;
  }
  m.hotplugReinjected += n;
  // dev_cpu_dead runs in the hotplug thread with BH enabled: pending NET_RX runs soon after;
  // the model hands it to the survivor's ksoftirqd
  if (survivor.softirqPending !== 0) wakeup_softirqd(m, survivor);
}

function cpuUp(m: Machine, cpu: Cpu): void {
  cpu.online = true;
  cpu.idleSince = m.sim.now;
  for (const t of m.tasks) {
    if (t.parked && t.pinned === cpu.id) {
      // smpboot unpark: kthread_unpark() wakes the thread; it finishes what it was parked in the
      // middle of (ksoftirqd/N may hold the BH lock) or finds nothing to do and sleeps again
      t.parked = false;
      m.sched.tryToWakeUp(cpu, t);
    }
  }
  // the idle loop looks for work
  m.sim.at(m.sim.now, m.EV_POLL, cpu.id);
}
