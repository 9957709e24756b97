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
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";

export class TraceCaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TraceCaptureError";
  }
}

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

export interface PerCpuStats {
  cpu: number;
  entries: number;
  overrun: number;
  dropped: number;
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

/** Whether a capture can run here, and if not, why (reason is "" when ok). */
export function captureSupport(): { ok: boolean; reason: string } {
  if (process.platform !== "linux") return { ok: false, reason: `tracefs capture needs Linux; this is ${process.platform}` };
  const euid = typeof process.geteuid === "function" ? process.geteuid() : -1;
  if (euid !== 0) return { ok: false, reason: `tracefs capture needs root (effective uid is ${euid}); run it with sudo` };
  let filesystems = "";
  try {
    filesystems = fs.readFileSync("/proc/filesystems", "utf8");
  } catch {
    return { ok: false, reason: "cannot read /proc/filesystems to look for tracefs" };
  }
  if (!/\btracefs\b/.test(filesystems)) {
    return { ok: false, reason: "this kernel has no tracefs (no 'tracefs' in /proc/filesystems; it needs CONFIG_TRACING)" };
  }
  return { ok: true, reason: "" };
}

/** A tracefs mount that is already there, or null. Reads /proc/mounts (octal escapes decoded). */
export function findTracefs(): string | null {
  let mounts = "";
  try {
    mounts = fs.readFileSync("/proc/mounts", "utf8");
  } catch {
    return null;
  }
  for (const line of mounts.split("\n")) {
    const [, dir, type] = line.split(" ");
    if (type !== "tracefs") continue;
    const decoded = dir.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (fs.existsSync(path.join(decoded, "trace"))) return decoded;
  }
  const viaDebugfs = "/sys/kernel/debug/tracing";
  return fs.existsSync(path.join(viaDebugfs, "trace")) ? viaDebugfs : null;
}

/** Undo actions, run last-first, each at most once; synchronous so a signal handler can run them. */
class Restorer {
  private readonly undo: { what: string; run: () => void }[] = [];
  private done = false;
  readonly errors: string[] = [];

  push(what: string, run: () => void): void {
    this.undo.push({ what, run });
  }

  restore(): void {
    if (this.done) return;
    this.done = true;
    while (this.undo.length) {
      const u = this.undo.pop() as { what: string; run: () => void };
      try {
        u.run();
      } catch (e) {
        this.errors.push(`${u.what}: ${(e as Error).message}`);
      }
    }
  }
}

function read(file: string): string {
  return fs.readFileSync(file, "utf8");
}

function write(file: string, value: string): void {
  try {
    fs.writeFileSync(file, value);
  } catch (e) {
    throw new TraceCaptureError(`cannot write ${JSON.stringify(value)} to ${file}: ${(e as Error).message}`);
  }
}

/** The current value of a "[selected] other other" file (trace_clock, current_tracer lists). */
function bracketed(text: string): string {
  const m = /\[([^\]]+)\]/.exec(text);
  return m ? m[1] : text.trim();
}

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

function mountTracefs(restorer: Restorer): string {
  const standard = "/sys/kernel/tracing";
  const useStandard = fs.existsSync(standard) && fs.statSync(standard).isDirectory();
  const target = useStandard ? standard : fs.mkdtempSync(path.join(os.tmpdir(), "softnet-lab-tracefs-"));
  if (!useStandard) restorer.push(`remove ${target}`, () => fs.rmdirSync(target));
  try {
    execFileSync("mount", ["-t", "tracefs", "nodev", target], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? "").trim();
    restorer.restore();
    throw new TraceCaptureError(`cannot mount tracefs on ${target} (mount -t tracefs nodev ${target}): ${stderr || (e as Error).message}`);
  }
  restorer.push(`unmount ${target}`, () => execFileSync("umount", [target], { stdio: "ignore" }));
  return target;
}

/** Removes instances named softnet-lab-<pid>-<n> whose process is gone (left by a SIGKILLed capture). */
function removeStaleInstances(tracefs: string): void {
  const dir = path.join(tracefs, "instances");
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const m = /^softnet-lab-(\d+)-\d+$/.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      fs.rmdirSync(path.join(dir, name));
    } catch {
      // Busy or gone: leave it.
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Exclusive use of the top-level buffer among softnet-lab processes (a pid file; stale ones are taken over). */
function lockTopLevel(restorer: Restorer): void {
  const lock = path.join(os.tmpdir(), "softnet-lab-tracefs-top.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      restorer.push(`remove ${lock}`, () => fs.unlinkSync(lock));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = Number(fs.readFileSync(lock, "utf8"));
      if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) {
        throw new TraceCaptureError(`the top-level trace buffer is in use by softnet-lab process ${owner} (${lock}); use an instance instead`);
      }
      fs.unlinkSync(lock);
    }
  }
  throw new TraceCaptureError(`cannot take the lock ${lock}`);
}

/** Saves a file's value now and writes it back on restore. */
function saveFile(restorer: Restorer, file: string, current: (text: string) => string = (t) => t.trim()): void {
  const value = current(read(file));
  restorer.push(`restore ${file}`, () => fs.writeFileSync(file, value));
}

/** Saves the set of enabled events (set_event) and puts exactly that set back on restore. */
function saveEnabledEvents(restorer: Restorer, dir: string): void {
  const file = path.join(dir, "set_event");
  const enabled = read(file).split("\n").filter((l) => l.trim() !== "");
  restorer.push(`restore ${file}`, () => {
    fs.writeFileSync(file, ""); // truncating set_event disables every event
    for (const e of enabled) fs.writeFileSync(file, e + "\n", { flag: "a" });
  });
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

function removeInstance(dir: string): void {
  try {
    fs.writeFileSync(path.join(dir, "tracing_on"), "0");
    fs.writeFileSync(path.join(dir, "events", "enable"), "0");
  } catch {
    // The directory is going away anyway.
  }
  fs.rmdirSync(dir);
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

function readPerCpuStats(dir: string): PerCpuStats[] {
  const perCpuDir = path.join(dir, "per_cpu");
  if (!fs.existsSync(perCpuDir)) return [];
  return fs
    .readdirSync(perCpuDir)
    .filter((d) => /^cpu\d+$/.test(d))
    .map((d) => {
      const stats = read(path.join(perCpuDir, d, "stats"));
      const num = (key: string): number => Number(new RegExp(`^${key}: (\\d+)`, "m").exec(stats)?.[1] ?? 0);
      return { cpu: Number(d.slice(3)), entries: num("entries"), overrun: num("overrun"), dropped: num("dropped events") };
    })
    .sort((a, b) => a.cpu - b.cpu);
}
