/**
 * The tracefs plumbing of a capture (capture.ts): whether tracefs can be used here, finding or
 * mounting it, reading and writing its files, saving each setting so it can be put back (a Restorer
 * runs the undo actions last-first, synchronously, so a signal handler can run them), the lock on the
 * top-level buffer, leftover instances of killed captures, and the per-CPU buffer statistics.
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

export interface PerCpuStats {
  cpu: number;
  entries: number;
  overrun: number;
  dropped: number;
}

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
export class Restorer {
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

export function read(file: string): string {
  return fs.readFileSync(file, "utf8");
}

export function write(file: string, value: string): void {
  try {
    fs.writeFileSync(file, value);
  } catch (e) {
    throw new TraceCaptureError(`cannot write ${JSON.stringify(value)} to ${file}: ${(e as Error).message}`);
  }
}

/** The current value of a "[selected] other other" file (trace_clock, current_tracer lists). */
export function bracketed(text: string): string {
  const m = /\[([^\]]+)\]/.exec(text);
  return m ? m[1] : text.trim();
}

export function mountTracefs(restorer: Restorer): string {
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
export function removeStaleInstances(tracefs: string): void {
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

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Exclusive use of the top-level buffer among softnet-lab processes (a pid file; stale ones are taken over). */
export function lockTopLevel(restorer: Restorer): void {
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
export function saveFile(restorer: Restorer, file: string, current: (text: string) => string = (t) => t.trim()): void {
  const value = current(read(file));
  restorer.push(`restore ${file}`, () => fs.writeFileSync(file, value));
}

/** Saves the set of enabled events (set_event) and puts exactly that set back on restore. */
export function saveEnabledEvents(restorer: Restorer, dir: string): void {
  const file = path.join(dir, "set_event");
  const enabled = read(file).split("\n").filter((l) => l.trim() !== "");
  restorer.push(`restore ${file}`, () => {
    fs.writeFileSync(file, ""); // truncating set_event disables every event
    for (const e of enabled) fs.writeFileSync(file, e + "\n", { flag: "a" });
  });
}

export function removeInstance(dir: string): void {
  try {
    fs.writeFileSync(path.join(dir, "tracing_on"), "0");
    fs.writeFileSync(path.join(dir, "events", "enable"), "0");
  } catch {
    // The directory is going away anyway.
  }
  fs.rmdirSync(dir);
}

export function readPerCpuStats(dir: string): PerCpuStats[] {
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
