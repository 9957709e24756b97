/**
 * An exclusive lock file, so two measurements never fight over rps_cpus. The file holds the owner's
 * pid and process start time; a lock whose owner is gone (or whose pid was reused) is stale and taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { parsePidStat } from "./procfs/task";
import { EnvironmentError } from "../errors";

interface LockOwner {
  pid: number;
  starttime: number | null;
  since: string;
  what: string;
}

export class LockBusyError extends EnvironmentError {
  constructor(
    readonly path: string,
    readonly owner: LockOwner,
  ) {
    super(`another measurement holds ${path} (pid ${owner.pid}, ${owner.what}, since ${owner.since}); wait for it to finish. If that process is gone, the lock is taken over automatically on the next start.`);
    this.name = "LockBusyError";
  }
}

function startTime(pid: number): number | null {
  try {
    return parsePidStat(readFileSync(`/proc/${pid}/stat`, "utf8")).starttime;
  } catch {
    return null;
  }
}

/** True when the process recorded in the lock still exists and is the same process (not a reused pid). */
function ownerAlive(o: LockOwner): boolean {
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const now = startTime(o.pid);
  return o.starttime === null || now === null || now === o.starttime;
}

export class MeasureLock {
  private released = false;
  private constructor(readonly path: string) {}

  /** Takes the lock or throws LockBusyError naming the holder. */
  static acquire(path: string, what = "softnet-lab measure"): MeasureLock {
    mkdirSync(dirname(path), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, "wx", 0o644);
        const owner: LockOwner = { pid: process.pid, starttime: startTime(process.pid), since: new Date().toISOString(), what };
        writeSync(fd, JSON.stringify(owner) + "\n");
        closeSync(fd);
        return new MeasureLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      let owner: LockOwner | null = null;
      try {
        owner = JSON.parse(readFileSync(path, "utf8")) as LockOwner;
      } catch {
        owner = null; // unreadable or half-written by a crashed owner: stale
      }
      if (owner && typeof owner.pid === "number" && ownerAlive(owner)) throw new LockBusyError(path, owner);
      rmSync(path, { force: true });
    }
    throw new Error(`could not take the lock ${path} (it kept reappearing)`);
  }

  /** Like acquire, but while another live measurement holds the lock, retries for up to `waitMs`. */
  static async acquireWaiting(path: string, waitMs: number, what = "softnet-lab measure"): Promise<MeasureLock> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return MeasureLock.acquire(path, what);
      } catch (e) {
        if (!(e instanceof LockBusyError) || Date.now() >= deadline) throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Removes the lock file; safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      const owner = JSON.parse(readFileSync(this.path, "utf8")) as LockOwner;
      if (owner.pid !== process.pid) return; // not ours any more: leave it alone
    } catch {
      return;
    }
    rmSync(this.path, { force: true });
  }
}
