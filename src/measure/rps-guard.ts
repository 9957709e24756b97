/**
 * Sets `rps_cpus` of lo's receive queue for a run and always puts the old value back. Before the first
 * change the old value is saved in a restore file, so a run that crashed (or was SIGKILLed) is repaired
 * by `recoverCrashedRun` at the next start. `restore` is synchronous so signal and exit handlers can call it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic";
import { sameMask } from "./cpumask";
import { EnvironmentError } from "../errors";

export const LO_RPS_CPUS = "/sys/class/net/lo/queues/rx-0/rps_cpus";

interface RestoreRecord {
  path: string;
  previous: string;
  pid: number;
  written_at: string;
}

function readMask(path: string): string {
  return readFileSync(path, "utf8").trim();
}

/**
 * Applies a restore file left by a run that did not finish, then removes it. Returns a sentence saying
 * what was done, or null when there was nothing to repair.
 */
export function recoverCrashedRun(restoreFile: string): string | null {
  if (!existsSync(restoreFile)) return null;
  let rec: RestoreRecord;
  try {
    rec = JSON.parse(readFileSync(restoreFile, "utf8")) as RestoreRecord;
  } catch (e) {
    throw new EnvironmentError(`the restore file ${restoreFile} is unreadable (${(e as Error).message}); check rps_cpus by hand and delete the file`);
  }
  if (typeof rec.path !== "string" || typeof rec.previous !== "string") throw new EnvironmentError(`the restore file ${restoreFile} lacks path/previous; check rps_cpus by hand and delete the file`);
  const now = readMask(rec.path);
  writeFileSync(rec.path, rec.previous);
  rmSync(restoreFile, { force: true });
  return `an earlier run (pid ${rec.pid}, ${rec.written_at}) did not finish: restored ${rec.path} from ${now} to ${rec.previous}`;
}

export class RpsGuard {
  private original: string | null = null;

  constructor(
    readonly rpsPath: string,
    readonly restoreFile: string,
  ) {}

  current(): string {
    return readMask(this.rpsPath);
  }

  /** Writes `mask` (a hex CPU mask) and checks that the kernel took it. */
  set(mask: string): void {
    if (this.original === null) {
      const previous = this.current();
      // The restore file must exist before the first change, or a crash could leave the change behind.
      const rec: RestoreRecord = { path: this.rpsPath, previous, pid: process.pid, written_at: new Date().toISOString() };
      writeFileAtomic(this.restoreFile, JSON.stringify(rec) + "\n");
      this.original = previous;
    }
    try {
      writeFileSync(this.rpsPath, mask);
    } catch (e) {
      throw new Error(`could not write ${mask} to ${this.rpsPath}: ${(e as Error).message}`);
    }
    const got = this.current();
    if (!sameMask(got, mask)) throw new Error(`wrote ${mask} to ${this.rpsPath} but it reads back ${got}`);
  }

  /** Puts the value seen before the first `set` back and removes the restore file. Idempotent. */
  restore(): void {
    if (this.original === null) return;
    writeFileSync(this.rpsPath, this.original);
    const got = this.current();
    if (!sameMask(got, this.original)) throw new Error(`restoring ${this.rpsPath}: wrote ${this.original} but it reads back ${got}`);
    this.original = null;
    rmSync(this.restoreFile, { force: true });
  }

  /** True between the first `set` and `restore`. */
  get changed(): boolean {
    return this.original !== null;
  }
}
