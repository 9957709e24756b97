/**
 * A CPU's idle states (kernel/sched/idle.c do_idle, cpuidle): entering idle, whether an idle CPU is
 * polling (TIF_POLLING_NRFLAG, so a wakeup or an IPI needs no interrupt) or halted, and the polling
 * window a switch to the idle task draws ahead. The idle task itself is idle.ts.
 */
import type { Cpu } from "./cpu";
import { CTX_IDLE } from "./cpu-context";

/**
 * Idle and polling (TIF_POLLING_NRFLAG) at time `at` (now, or when a sender reaches its check, a
 * little later): a wakeup or IPI then needs no interrupt. A CPU still switching to its idle task
 * polls from the end of the switch, for the window that switch drew ahead.
 */
export function isPolling(cpu: Cpu, at: number): boolean {
  let since: number;
  if (cpu.isIdle()) since = cpu.idleSince;
  else if (cpu.switching && cpu.curr === cpu.idleTask && cpu.sp === 1 && cpu.idlePredrawnFor >= 0 && at >= cpu.idlePredrawnFor) since = cpu.idlePredrawnFor;
  else return false;
  const mode = cpu.m.cfg.idle;
  if (mode === "poll") return true;
  // do_idle()'s prologue polls before the cpuidle state halts (idle_entry_poll); haltpoll keeps polling longer
  if (at < cpu.idlePollUntil) return true;
  if (mode === "haltpoll") return at - since < cpu.m.cfg.haltpoll_ns;
  return false;
}

/** Draws the polling window of an idle period starting at `endAt` (a switch to the idle task draws it ahead). */
export function predrawIdle(cpu: Cpu, endAt: number): void {
  cpu.idlePredrawnFor = endAt;
  cpu.idlePollUntil = cpu.m.cfg.idle === "poll" ? 0 : endAt + cpu.m.charge.idle_entry_poll.draw();
}

/** The idle loop has nothing to do: halt (or poll) until an interrupt or a polled wakeup. */
export function goIdle(cpu: Cpu): void {
  const m = cpu.m;
  const now = m.sim.now;
  cpu.idleSince = now;
  // do_idle(): TIF_POLLING_NRFLAG is set through the prologue (tick_nohz_idle_enter, the governor,
  // maybe stopping the tick) until the cpuidle state's HLT; a wakeup meanwhile needs no IPI. The
  // switch that brought the idle task in may have drawn the window already (see predrawIdle).
  if (cpu.idlePredrawnFor !== now) predrawIdle(cpu, now);
  cpu.idlePredrawnFor = -1;
  cpu.segCtx = CTX_IDLE;
  if (m.rec !== null) cpu.idleOpen = true;
}
