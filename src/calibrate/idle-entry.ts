/**
 * How an idle CPU is woken, from captures of scripts/capture-idle-entry.sh (issue 12): after the
 * switch to the idle task, do_idle() sets TIF_POLLING_NRFLAG and runs its prologue (tick_nohz_idle
 * _enter, the cpuidle governor, possibly stopping the tick) before the cpuidle state halts the CPU
 * (power:cpu_idle). A wakeup in that window needs no IPI (set_nr_if_polling succeeds and the kernel
 * traces sched_wake_idle_without_ipi); one before it (the switch still finishing) or after it (the
 * CPU halted) sends a function-call IPI. This module measures the window and classifies wakeups.
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
}

/** Reads one capture: the reader's CPU is the one whose idle task the reader's wakeups target. */
export function readIdleEntryCapture(file: string, readerCpu = 1): IdleEntryCapture {
  const evs = parse(readCaptureText(file));
  const k = cyclesPerNs(evs, file);
  const out: IdleEntryCapture = { file: path.basename(file).replace(/\.gz$/, ""), cycles_per_ns: Math.round(k * 1e4) / 1e4, switch_to_halt: [], woken_without_ipi: [], ipi_before_halt: [], ipi_after_halt: [] };
  let sw = -1;
  let halted = false;
  for (const e of evs) {
    const t = e.cycles / k;
    if (e.cpu === readerCpu && e.name === "sched_switch") {
      if (e.rest.includes(`next_comm=swapper/${readerCpu}`)) {
        sw = t;
        halted = false;
      } else sw = -1;
    } else if (e.cpu === readerCpu && e.name === "cpu_idle" && sw >= 0 && !halted && !/state=4294967295\b/.test(e.rest)) {
      halted = true;
      out.switch_to_halt.push(t - sw);
    } else if (sw >= 0 && e.name === "sched_wake_idle_without_ipi" && e.rest.includes(`cpu=${readerCpu}`)) {
      out.woken_without_ipi.push(t - sw);
    } else if (sw >= 0 && e.name === "ipi_send_cpu" && e.cpu !== readerCpu && new RegExp(`\\bcpu=${readerCpu}\\b`).test(e.rest)) {
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
  return { captures, switch_tail_ns: Math.round(tail), poll_window: s, share_without_ipi: woken ? noIpi.length / woken : 0 };
}
