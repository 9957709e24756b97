/**
 * Per-CPU busy-time accounting: the running segment's elapsed time is charged to its context
 * (Cpu.busy, by CTX_*) and to its task (CPU time, softirq time, vruntime), and when tracing it
 * becomes spans on the timeline (the owed pieces at its front under their own function names, its
 * user-mode window as "user"); an idle period becomes an idle span.
 */
import type { Cpu } from "./cpu";
import { CTX_HARDIRQ, CTX_IDLE, CTX_SOFTIRQ } from "./cpu-context";
import type { Task } from "./task";

/** Charges the running segment's elapsed time up to `now` (update_curr, account_irq_enter_time). */
export function account(cpu: Cpu, now: number): void {
  const dt = now - cpu.segStart;
  if (dt <= 0) return;
  const ctx = cpu.segCtx;
  cpu.busy[ctx]! += dt;
  const t = cpu.segTask;
  if (ctx === CTX_SOFTIRQ || ctx === CTX_HARDIRQ) {
    if (ctx === CTX_SOFTIRQ) t.softirqNs += dt;
    // without IRQ time accounting the interrupted task pays for the interrupt in its vruntime
    if (!cpu.irqTimeAccounting) t.vruntime += dt;
  } else if (ctx !== CTX_IDLE) {
    t.cpuNs += dt;
    t.vruntime += dt;
  }
  if (cpu.rec !== null) {
    let from = cpu.segStart;
    const ends = cpu.segPartEnd;
    for (let i = 0; i < ends.length && from < now; i++) {
      const e = ends[i]! < now ? ends[i]! : now;
      if (e > from) {
        cpu.rec.span(cpu.id, from, e, ctx, t, cpu.segPartFn[i]!);
        from = e;
      }
    }
    if (now > from) spanMain(cpu, from, now, ctx, t);
  }
  cpu.segStart = now;
}

/** Records [from, to) of the running segment, labelling its user-mode window "user". */
function spanMain(cpu: Cpu, from: number, to: number, ctx: number, t: Task): void {
  const rec = cpu.rec!;
  const uf = cpu.segUFrom > from ? cpu.segUFrom : from;
  const ut = cpu.segUTo < to ? cpu.segUTo : to;
  if (ut <= uf) {
    rec.span(cpu.id, from, to, ctx, t, cpu.segFn);
    return;
  }
  if (uf > from) rec.span(cpu.id, from, uf, ctx, t, cpu.segFn);
  rec.span(cpu.id, uf, ut, ctx, t, "user");
  if (to > ut) rec.span(cpu.id, ut, to, ctx, t, cpu.segFn);
}

/** Tracing: the idle period that ends now becomes an idle span (halted, or polling in idle). */
export function closeIdleSpan(cpu: Cpu, now: number): void {
  cpu.idleOpen = false;
  if (now > cpu.idleSince && cpu.rec !== null) {
    const mode = cpu.m.cfg.idle;
    const polled = mode === "poll" ? "poll_idle" : mode === "haltpoll" ? "haltpoll / default_idle" : "default_idle (hlt)";
    cpu.rec.span(cpu.id, cpu.idleSince, now, CTX_IDLE, cpu.idleTask, polled);
  }
}
