/**
 * Captures a real kernel trace through tracefs around a piece of work: mounts tracefs if needed,
 * enables the requested tracepoints, runs the work, reads the `trace` text, and puts every setting
 * back as it was, on success, on error, on timeout and on SIGINT/SIGTERM/SIGHUP.
 *
 * By default it records into a private tracefs instance (instances/softnet-lab-<pid>-<n>), which has
 * its own buffer, events, clock and options: the top-level buffer and other users of tracefs are not
 * touched at all, and removing the instance undoes everything. `instance: null` records into the
 * top-level buffer instead; then every file it writes is saved first and restored afterwards (its
 * previous buffer contents cannot be restored: they are cleared), under a lock file so two
 * softnet-lab captures never share it.
 *
 * Needs Linux, root and a kernel with tracefs; otherwise it refuses with a TraceCaptureError saying
 * which of them is missing. Node-only (fs, child_process): notebooks import it only to capture.
 * This file is the capture itself; tracefs.ts holds the tracefs plumbing it uses (finding or
 * mounting tracefs, saving and restoring its files, the top-level lock, per-CPU buffer stats).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  bracketed, captureSupport, findTracefs, lockTopLevel, mountTracefs, read, readPerCpuStats, removeInstance, removeStaleInstances, Restorer,
  saveEnabledEvents, saveFile, TraceCaptureError, write, type PerCpuStats,
} from "./tracefs";

export { captureSupport, findTracefs, TraceCaptureError, type PerCpuStats } from "./tracefs";

export interface CaptureOptions {
  /** Tracepoints as "subsystem:event", e.g. "irq:softirq_entry". */
  events: readonly string[];
  /** Ring buffer size per CPU in KiB, 64..65536. Default 4096. */
  bufferKb?: number;
  /** Longest time the work may run, 0 < s <= 300. Default 10. On expiry the work's signal aborts and the capture fails. */
  maxSeconds?: number;
  /** Private instance name (default softnet-lab-<pid>-<n>); null records into the top-level buffer. */
  instance?: string | null;
  /** trace_clock: "mono" (default: CLOCK_MONOTONIC, comparable with process.hrtime), "global", "local"... */
  clock?: string;
  /** Print the irq-info flag columns (default true). */
  irqInfo?: boolean;
  /** Use this tracefs mount instead of looking one up or mounting one. */
  tracefs?: string;
}

export interface CaptureContext {
  /** Aborted when maxSeconds expires or a signal arrives: stop the work (kill child processes). */
  signal: AbortSignal;
  /** Writes a line into the trace (trace_marker → tracing_mark_write events). */
  marker(text: string): void;
}

export interface TraceCapture {
  /** The `trace` file as read after tracing stopped. */
  text: string;
  tracefs: string;
  /** Directory the capture used (the instance, or the tracefs root). */
  dir: string;
  instance: string | null;
  mountedByCapture: boolean;
  clock: string;
  events: string[];
  bufferKb: number;
  irqInfo: boolean;
  /** Wall-clock start (ISO 8601) and duration of the traced work. */
  startedAt: string;
  durationMs: number;
  /** per_cpu/cpuN/stats after the run: overrun > 0 or dropped > 0 means events were lost. */
  perCpu: PerCpuStats[];
  kernel: string;
}

const LIMITS = { bufferKb: [64, 65536], maxSeconds: [0, 300] } as const;
let instanceCounter = 0;

function validate(opts: CaptureOptions): Required<Omit<CaptureOptions, "tracefs" | "instance">> & Pick<CaptureOptions, "tracefs" | "instance"> {
  if (!Array.isArray(opts.events) || opts.events.length === 0) {
    throw new TraceCaptureError("events must be a non-empty list of \"subsystem:event\" names");
  }
  for (const e of opts.events) {
    if (typeof e !== "string" || !/^[\w-]+:[\w-]+$/.test(e)) {
      throw new TraceCaptureError(`events: ${JSON.stringify(e)} is not a "subsystem:event" name`);
    }
  }
  const bufferKb = opts.bufferKb ?? 4096;
  if (!Number.isInteger(bufferKb) || bufferKb < LIMITS.bufferKb[0] || bufferKb > LIMITS.bufferKb[1]) {
    throw new TraceCaptureError(`bufferKb must be an integer ${LIMITS.bufferKb[0]}..${LIMITS.bufferKb[1]}, got ${bufferKb}`);
  }
  const maxSeconds = opts.maxSeconds ?? 10;
  if (typeof maxSeconds !== "number" || !(maxSeconds > LIMITS.maxSeconds[0] && maxSeconds <= LIMITS.maxSeconds[1])) {
    throw new TraceCaptureError(`maxSeconds must be > 0 and <= ${LIMITS.maxSeconds[1]}, got ${maxSeconds}`);
  }
  if (opts.instance != null && !/^[\w.-]+$/.test(opts.instance)) {
    throw new TraceCaptureError(`instance must be a plain directory name ([A-Za-z0-9_.-]), got ${JSON.stringify(opts.instance)}`);
  }
  return {
    events: [...opts.events],
    bufferKb,
    maxSeconds,
    clock: opts.clock ?? "mono",
    irqInfo: opts.irqInfo ?? true,
    tracefs: opts.tracefs,
    instance: opts.instance,
  };
}

/**
 * Runs `work` with the tracepoints on and returns its result with the captured trace text.
 * Every tracefs setting it changed is back to its previous value when this returns or throws.
 */
export async function withTraceCapture<T>(
  options: CaptureOptions,
  work: (ctx: CaptureContext) => Promise<T> | T,
): Promise<{ result: T; capture: TraceCapture }> {
  const opts = validate(options);
  const support = captureSupport();
  if (!support.ok) throw new TraceCaptureError(support.reason);

  const restorer = new Restorer();
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    abort.abort(new TraceCaptureError(`capture interrupted by ${sig}`));
    restorer.restore();
    detach();
    process.kill(process.pid, sig); // default action now that our handler is gone
  };
  const onExit = (): void => restorer.restore();
  const detach = (): void => {
    for (const s of signals) process.removeListener(s, onSignal);
    process.removeListener("exit", onExit);
  };
  for (const s of signals) process.on(s, onSignal);
  process.on("exit", onExit);

  let failed = false;
  try {
    let tracefs = opts.tracefs ?? findTracefs();
    const mountedByCapture = !tracefs;
    if (!tracefs) tracefs = mountTracefs(restorer);
    if (!fs.existsSync(path.join(tracefs, "trace"))) throw new TraceCaptureError(`${tracefs} is not a tracefs mount (no 'trace' file)`);

    const missing = opts.events.filter((e) => !fs.existsSync(path.join(tracefs as string, "events", ...e.split(":"), "enable")));
    if (missing.length) {
      throw new TraceCaptureError(`tracepoints not found in ${tracefs}/events: ${missing.join(", ")} (see ${tracefs}/available_events)`);
    }
    const clocks = read(path.join(tracefs, "trace_clock"));
    if (!clocks.split(/\s+/).map((c) => c.replace(/[[\]]/g, "")).includes(opts.clock)) {
      throw new TraceCaptureError(`clock must be one of: ${clocks.trim()}; got ${JSON.stringify(opts.clock)}`);
    }

    let dir = tracefs;
    let instance: string | null = null;
    if (opts.instance === null) {
      lockTopLevel(restorer);
      // Save everything this capture writes, before writing any of it.
      saveFile(restorer, path.join(dir, "tracing_on"));
      saveFile(restorer, path.join(dir, "current_tracer"));
      saveFile(restorer, path.join(dir, "buffer_size_kb"), (t) => (/expanded: (\d+)/.exec(t)?.[1] ?? t.trim().split(/\s/)[0]));
      saveFile(restorer, path.join(dir, "trace_clock"), bracketed);
      saveFile(restorer, path.join(dir, "options", "irq-info"));
      saveEnabledEvents(restorer, dir);
      write(path.join(dir, "tracing_on"), "0");
      write(path.join(dir, "current_tracer"), "nop");
    } else {
      removeStaleInstances(tracefs);
      instance = opts.instance ?? `softnet-lab-${process.pid}-${++instanceCounter}`;
      dir = path.join(tracefs, "instances", instance);
      if (fs.existsSync(dir)) throw new TraceCaptureError(`tracefs instance ${dir} already exists (another capture?); remove it with rmdir`);
      fs.mkdirSync(dir);
      const created = dir;
      restorer.push(`remove instance ${created}`, () => removeInstance(created));
      write(path.join(dir, "tracing_on"), "0"); // a new instance starts with tracing on
    }

    write(path.join(dir, "buffer_size_kb"), String(opts.bufferKb));
    write(path.join(dir, "trace_clock"), opts.clock);
    write(path.join(dir, "options", "irq-info"), opts.irqInfo ? "1" : "0");
    for (const e of opts.events) write(path.join(dir, "events", ...e.split(":"), "enable"), "1");
    write(path.join(dir, "trace"), ""); // clears the buffer

    const marker = (text: string): void => fs.writeFileSync(path.join(dir, "trace_marker"), text.replace(/\n/g, " "));
    const startedAt = new Date().toISOString();
    const t0 = process.hrtime.bigint();
    write(path.join(dir, "tracing_on"), "1");
    let result: T;
    try {
      result = await boundedRun(() => work({ signal: abort.signal, marker }), opts.maxSeconds, abort);
    } finally {
      write(path.join(dir, "tracing_on"), "0");
    }
    const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const text = read(path.join(dir, "trace"));
    const perCpu = readPerCpuStats(dir);
    return {
      result,
      capture: {
        text, tracefs, dir, instance, mountedByCapture, clock: opts.clock, events: [...opts.events],
        bufferKb: opts.bufferKb, irqInfo: opts.irqInfo, startedAt, durationMs, perCpu, kernel: os.release(),
      },
    };
  } catch (e) {
    failed = true;
    restorer.restore();
    detach();
    if (restorer.errors.length) (e as Error).message += `; also could not restore: ${restorer.errors.join("; ")}`;
    throw e;
  } finally {
    restorer.restore();
    detach();
    if (restorer.errors.length && !failed) {
      // Never silent: a setting that could not be put back matters more than the capture.
      throw new TraceCaptureError(`could not restore every tracefs setting: ${restorer.errors.join("; ")}`);
    }
  }
}

async function boundedRun<T>(run: () => Promise<T> | T, maxSeconds: number, abort: AbortController): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const work = Promise.resolve().then(run);
  work.catch(() => undefined); // a late rejection after the timeout must not go unhandled
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new TraceCaptureError(`the traced work ran longer than maxSeconds=${maxSeconds}; capture stopped`);
      abort.abort(err);
      reject(err);
    }, maxSeconds * 1000);
  });
  const aborted = new Promise<never>((_, reject) => {
    abort.signal.addEventListener("abort", () => reject(abort.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([work, timeout, aborted]);
  } finally {
    clearTimeout(timer);
  }
}
