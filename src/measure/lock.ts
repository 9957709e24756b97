/**
 * An exclusive lock file, so two measurements never fight over rps_cpus. The file holds the owner's
 * pid and process start time; a lock whose owner is gone (or whose pid was reused) is stale and taken
 * over, atomically: the lock is created whole with link() (never seen half-written), and a stale lock
 * is deleted only by the one process that creates its reap token, a file named after the stale
 * lock's inode and change time (O_EXCL), so two starters beside one stale lock cannot both delete it
 * and one of them can never delete the other's fresh lock.
 */
import { closeSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync, type BigIntStats } from "node:fs";
import { basename, dirname, join } from "node:path";
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

function statBig(path: string): BigIntStats | null {
  try {
    return statSync(path, { bigint: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/** The reap token of one lock file: its inode and change time name exactly this file, never a later one. */
const reapToken = (path: string, st: BigIntStats) => `${path}.reap-${st.ino}-${st.ctimeNs}`;

/** Reap tokens older than this are removed (no starter holds a view of a lock file that long). */
const TOKEN_MAX_AGE_MS = 3_600_000;

function dropOldTokens(path: string): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.reap-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    try {
      if (Date.now() - statSync(join(dir, n)).mtimeMs > TOKEN_MAX_AGE_MS) rmSync(join(dir, n), { force: true });
    } catch {
      /* another starter removed it */
    }
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export class MeasureLock {
  private released = false;
  private constructor(readonly path: string) {}

  /** Takes the lock or throws LockBusyError naming the holder. */
  static acquire(path: string, what = "softnet-lab measure"): MeasureLock {
    mkdirSync(dirname(path), { recursive: true });
    dropOldTokens(path);
    const owner: LockOwner = { pid: process.pid, starttime: startTime(process.pid), since: new Date().toISOString(), what };
    // The owner record is written to a private file and linked into place: link() fails with EEXIST
    // when the lock exists, and a lock that exists always holds its whole owner record.
    const mine = `${path}.new-${process.pid}`;
    writeFileSync(mine, JSON.stringify(owner) + "\n", { mode: 0o644 });
    let stuckToken: string | null = null;
    try {
      for (let attempt = 0; attempt < 200; attempt++) {
        try {
          linkSync(mine, path);
          return new MeasureLock(path);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        const st = statBig(path);
        if (st === null) continue; // released meanwhile: try again
        let holder: LockOwner | null = null;
        try {
          holder = JSON.parse(readFileSync(path, "utf8")) as LockOwner;
        } catch {
          holder = null; // garbage (not written by this code): stale
        }
        if (holder && typeof holder.pid === "number" && ownerAlive(holder)) throw new LockBusyError(path, holder);
        // Stale. Only the starter that creates this lock file's reap token may delete it.
        let token: number;
        try {
          token = openSync(reapToken(path, st), "wx", 0o644);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
          stuckToken = reapToken(path, st);
          sleepMs(2); // another starter is reaping this very file: give it a moment, then look again
          continue;
        }
        closeSync(token);
        const again = statBig(path);
        // Nobody else can remove this inode (they would need our token), so it is still there.
        if (again !== null && again.ino === st.ino && again.ctimeNs === st.ctimeNs) unlinkSync(path);
      }
      throw new EnvironmentError(
        stuckToken
          ? `could not take the stale lock ${path}: another start began taking it over (${stuckToken}) and did not finish; if no other softnet-lab measure is starting, delete both files`
          : `could not take the lock ${path}: it kept changing hands; try again`,
      );
    } finally {
      rmSync(mine, { force: true });
    }
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
