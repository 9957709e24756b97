/**
 * How an idle CPU is woken, from captures of scripts/capture-idle-entry.sh (issue 12): after the
 * switch to the idle task, do_idle() sets TIF_POLLING_NRFLAG and runs its prologue (tick_nohz_idle
 * _enter, the cpuidle governor, possibly stopping the tick) before the cpuidle state halts the CPU
 * (power:cpu_idle). A wakeup in that window needs no IPI (set_nr_if_polling succeeds and the kernel
 * traces sched_wake_idle_without_ipi); one before it (the switch still finishing) or after it (the
 * CPU halted) sends a function-call IPI. This module measures the window and classifies wakeups.
 *
 * It also reads the wakeups that reach the reader while it is still on its way to sleep: it has set
 * TASK_INTERRUPTIBLE (so try_to_wake_up traces sched_waking) but its CPU has not yet traced the
 * sched_switch away. Early in that path the task is still on the run queue: try_to_wake_up takes
 * ttwu_runnable(), which waits for the rq lock that __schedule() holds until the switch is over, and
 * then wakes a polling idle CPU without an IPI. Late in it the task is dequeued but still on_cpu:
 * ttwu_queue_wakelist() queues it and sends the IPI at once. The gap between the waking and the
 * switch's record separates the two, which gives the two parts of the path.
 */
import fs from "node:fs";
import path from "node:path";
import { readCaptureText, spread, type Spread } from "./trace-costs";

interface Ev {
  cpu: number;
  cycles: number;
  name: string;
  rest: string;
}

const LINE = /\[(\d{3})\]\s+\S+\s+(\d+):\s+([a-z_]+):\s?(.*)$/;

function parse(text: string): Ev[] {
  const out: Ev[] = [];
  for (const line of text.split("\n")) {
    const m = LINE.exec(line);
    if (m) out.push({ cpu: Number(m[1]), cycles: Number(m[2]), name: m[3]!, rest: m[4]! });
  }
  return out;
}

/** Cycles per ns from the two `softnet-lab wall_ns=` markers that bracket the window. */
function cyclesPerNs(evs: readonly Ev[], file: string): number {
  const marks = evs.filter((e) => e.name === "tracing_mark_write" && e.rest.includes("softnet-lab wall_ns="));
  if (marks.length < 2) throw new Error(`${file}: expected two softnet-lab wall_ns= markers (x86-tsc captures convert with them)`);
  const ns = (e: Ev) => Number(/wall_ns=(\d+)/.exec(e.rest)![1]);
  const a = marks[0]!;
  const b = marks[marks.length - 1]!;
  return (b.cycles - a.cycles) / (ns(b) - ns(a));
}

export interface IdleEntryCapture {
  file: string;
  cycles_per_ns: number;
  /** sched_switch to the idle task .. its cpuidle state entry (power:cpu_idle), ns. */
  switch_to_halt: number[];
  /** Wakeups of the reader's idle CPU after the switch to idle, ns after that sched_switch. */
  woken_without_ipi: number[];
  ipi_before_halt: number[];
  ipi_after_halt: number[];
  /** Wakings while the reader was on its way to sleep: ns before its sched_switch away, and whether an IPI was sent. */
  block_path: { gap: number; ipi: boolean }[];
  /** Wakings while the reader was on its way to sleep that stopped the sleep (no switch away followed). */
  block_absorbed: number;
  /** Wakings of the idle reader: ns from sched_waking to the wakelist's decision (ipi_send_cpu or sched_wake_idle_without_ipi). */
  waking_to_decision: number[];
}

/** Reads one capture: the reader's CPU is the one whose idle task the reader's wakeups target. */
export function readIdleEntryCapture(file: string, readerCpu = 1): IdleEntryCapture {
  const evs = parse(readCaptureText(file));
  const k = cyclesPerNs(evs, file);
  const out: IdleEntryCapture = { file: path.basename(file).replace(/\.gz$/, ""), cycles_per_ns: Math.round(k * 1e4) / 1e4, switch_to_halt: [], woken_without_ipi: [], ipi_before_halt: [], ipi_after_halt: [], block_path: [], block_absorbed: 0, waking_to_decision: [] };
  let sw = -1;
  let halted = false;
  const target = new RegExp(`\\bcpu=${readerCpu}\\b`);
  const wakingTarget = `target_cpu=${String(readerCpu).padStart(3, "0")}`;
  // the block-path tracker: is the reader current on its CPU (switched in, its switch away not yet
  // traced), and the last waking of it from another CPU with what followed
  let readerOn = false;
  let wakeAt = -1;
  let inBlock = false;
  let decision: boolean | null = null; // true: IPI sent, false: none needed, null: not seen yet
  let gap = -1; // ns from the waking to the reader's switch away, once traced
  const settle = () => {
    if (inBlock && gap >= 0 && decision !== null) out.block_path.push({ gap, ipi: decision });
  };
  for (const e of evs) {
    const t = e.cycles / k;
    if (e.cpu === readerCpu && e.name === "sched_switch") {
      if (e.rest.includes(`next_comm=swapper/${readerCpu}`)) {
        if (inBlock && gap < 0) {
          gap = t - wakeAt;
          settle();
        }
        readerOn = false;
        sw = t;
        halted = false;
      } else {
        // switched back in: a waking on the way to sleep that saw no switch away stopped the sleep
        if (inBlock && gap < 0) out.block_absorbed++;
        inBlock = false;
        readerOn = true;
        sw = -1;
      }
      continue;
    }
    if (e.cpu !== readerCpu && e.name === "sched_waking" && e.rest.includes(wakingTarget)) {
      wakeAt = t;
      inBlock = readerOn;
      decision = null;
      gap = -1;
    } else if (e.cpu !== readerCpu && wakeAt >= 0 && decision === null && (e.name === "ipi_send_cpu" || e.name === "sched_wake_idle_without_ipi") && target.test(e.rest)) {
      decision = e.name === "ipi_send_cpu";
      if (!inBlock) out.waking_to_decision.push(t - wakeAt);
      else settle();
    }

    if (e.cpu === readerCpu && e.name === "cpu_idle" && sw >= 0 && !halted && !/state=4294967295\b/.test(e.rest)) {
      halted = true;
      out.switch_to_halt.push(t - sw);
    } else if (sw >= 0 && e.name === "sched_wake_idle_without_ipi" && e.rest.includes(`cpu=${readerCpu}`)) {
      out.woken_without_ipi.push(t - sw);
    } else if (sw >= 0 && e.name === "ipi_send_cpu" && e.cpu !== readerCpu && target.test(e.rest)) {
      (halted ? out.ipi_after_halt : out.ipi_before_halt).push(t - sw);
    }
  }
  return out;
}

export interface IdleEntryResult {
  captures: IdleEntryCapture[];
  /** Where the switch ends and polling starts: the 5th percentile of the IPI-less wakeups' offsets. */
  switch_tail_ns: number;
  /** The polling window after the switch: switch_to_halt less switch_tail_ns, ns. */
  poll_window: Spread;
  /** Share of the reader's wakeups (of an idle CPU) that needed no IPI. */
  share_without_ipi: number;
  /**
   * The reader's way to sleep, from the wakings that reached it there (ns before its switch away):
   * `dequeued` is where wakings stop needing an IPI (the gap that best separates the two kinds: the
   * task left the run queue that long before the switch's record), `queued` how long before that the
   * path began (the 90th percentile of the IPI-less gaps, less `dequeued`).
   */
  block_path: { samples: number; with_ipi: number; dequeued_ns: number; queued_ns: number; absorbed: number };
  /** sched_waking .. the wakelist's decision (IPI or none) for an idle reader: where in try_to_wake_up it falls. */
  waking_to_decision: Spread;
}

/** The threshold on `gap` that misclassifies fewest samples as "IPI below, none above" (ties: the lowest). */
export function separatingGap(samples: readonly { gap: number; ipi: boolean }[]): number {
  const s = [...samples].sort((a, b) => a.gap - b.gap);
  // with the threshold below every sample, every IPI sample lies on the wrong side
  let wrong = s.filter((x) => x.ipi).length;
  let best = 0;
  let bestWrong = wrong;
  for (let i = 0; i < s.length; i++) {
    // move the threshold past sample i
    wrong += s[i]!.ipi ? -1 : 1;
    if (wrong < bestWrong) {
      bestWrong = wrong;
      best = Math.round(s[i]!.gap);
    }
  }
  return best;
}

/** Every capture of a folder (files ending .trace.txt or .trace.txt.gz), pooled. */
export function deriveIdleEntry(dir: string): IdleEntryResult {
  const files = fs.readdirSync(dir).filter((f) => /\.trace\.txt(\.gz)?$/.test(f)).sort();
  if (files.length === 0) throw new Error(`${dir}: no *.trace.txt captures`);
  const captures = files.map((f) => readIdleEntryCapture(path.join(dir, f)));
  const all = (f: (c: IdleEntryCapture) => number[]) => captures.flatMap(f);
  const noIpi = all((c) => c.woken_without_ipi).sort((a, b) => a - b);
  const tail = noIpi.length ? noIpi[Math.floor(noIpi.length * 0.05)]! : 0;
  const window = all((c) => c.switch_to_halt).map((x) => Math.max(0, x - tail));
  const s = spread(window.map((x) => Math.round(x)));
  if (s === null) throw new Error(`${dir}: no switch to idle followed by a cpuidle entry`);
  const woken = noIpi.length + all((c) => c.ipi_before_halt).length + all((c) => c.ipi_after_halt).length;
  const block = captures.flatMap((c) => c.block_path);
  const dequeued = separatingGap(block);
  const quiet = spread(block.filter((b) => !b.ipi).map((b) => Math.round(b.gap)));
  const decision = spread(all((c) => c.waking_to_decision).map((x) => Math.round(x)));
  if (quiet === null || decision === null) throw new Error(`${dir}: no wakings of the reader on its way to sleep, or none of it idle`);
  return {
    captures,
    switch_tail_ns: Math.round(tail),
    poll_window: s,
    share_without_ipi: woken ? noIpi.length / woken : 0,
    block_path: { samples: block.length, with_ipi: block.filter((b) => b.ipi).length, dequeued_ns: dequeued, queued_ns: Math.max(0, quiet.p90 - dequeued), absorbed: captures.reduce((a, c) => a + c.block_absorbed, 0) },
    waking_to_decision: decision,
  };
}
