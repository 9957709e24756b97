/**
 * Runs the load tools as child processes: each in its own process group, pinned with taskset, wrapped in
 * GNU time for its rusage (CPU time and context switches of all its threads, read by wait4 at exit), and
 * bounded by a hard timeout that SIGKILLs the group. Every live child is listed so a signal handler can
 * stop them all.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Rusage {
  elapsedS: number;
  userS: number;
  sysS: number;
  voluntary: number;
  involuntary: number;
}

const RUSAGE_TAG = "softnet-lab-rusage";
/** GNU time format: elapsed, user, system seconds, voluntary (%w) and involuntary (%c) switches. */
export const RUSAGE_FORMAT = `${RUSAGE_TAG} %e %U %S %w %c`;

/** Reads GNU time's output file (it may start with "Command exited with non-zero status N"). */
export function parseRusage(text: string): Rusage | null {
  const line = text.split("\n").find((l) => l.startsWith(RUSAGE_TAG + " "));
  if (!line) return null;
  const v = line.slice(RUSAGE_TAG.length).trim().split(/\s+/).map(Number);
  if (v.length !== 5 || v.some((x) => !Number.isFinite(x))) return null;
  return { elapsedS: v[0], userS: v[1], sysS: v[2], voluntary: v[3], involuntary: v[4] };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

export interface ToolProcess {
  pid: number;
  /** stdout and stderr interleaved as received. */
  output(): string;
  exited: Promise<Exit>;
  /** Signals the whole process group. */
  signal(sig: NodeJS.Signals): void;
  rusage(): Rusage | null;
  /** Writes to the tool's standard input (only when spawned with `stdin: true`). */
  write(text: string): void;
}

const live = new Set<ToolProcess>();

/** SIGKILLs every tool still running (used by the SIGINT/SIGTERM handler and after failures). */
export function killAllTools(): void {
  for (const p of live) p.signal("SIGKILL");
}

export interface SpawnToolOptions {
  /** Binaries by name, resolved by the caller's preflight (tests inject fakes through PATH). */
  env: NodeJS.ProcessEnv;
  cpu: number | null;
  hardTimeoutMs: number;
  onLine?: (line: string) => void;
  /** Path of GNU time; null runs the tool without rusage. */
  timeBin: string | null;
  /** Keep a pipe to the tool's standard input (the lean tool waits there for its start signal). */
  stdin?: boolean;
}

/** Starts `argv` as `time -f ... -o FILE taskset -c CPU argv...` in a new process group. */
export function spawnTool(argv: readonly string[], o: SpawnToolOptions): ToolProcess {
  const dir = mkdtempSync(join(tmpdir(), "softnet-lab-tool-"));
  const rusageFile = join(dir, "rusage");
  const pinned = o.cpu === null ? [...argv] : ["taskset", "-c", String(o.cpu), ...argv];
  const full = o.timeBin ? [o.timeBin, "-f", RUSAGE_FORMAT, "-o", rusageFile, ...pinned] : pinned;
  const child = spawn(full[0], full.slice(1), { env: o.env, detached: true, stdio: [o.stdin ? "pipe" : "ignore", "pipe", "pipe"] });
  // A tool that exits before reading its stdin must not crash the harness with EPIPE.
  child.stdin?.on("error", () => {});
  let out = "";
  let partial = "";
  const onData = (buf: Buffer) => {
    const s = buf.toString("utf8");
    out += s;
    if (o.onLine) {
      partial += s;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) o.onLine(l);
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  let timedOut = false;
  let rusage: Rusage | null = null;
  const signal = (sig: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    signal("SIGKILL");
  }, o.hardTimeoutMs);
  const proc: ToolProcess = {
    pid: child.pid ?? -1,
    output: () => out,
    signal,
    rusage: () => rusage,
    write: (text: string) => {
      if (child.stdin && !child.stdin.destroyed) child.stdin.write(text);
    },
    exited: new Promise<Exit>((resolve) => {
      let done = false;
      const finish = (code: number | null, sig: NodeJS.Signals | null) => {
        if (done) return; // "error" and "close" can both fire for a failed spawn
        done = true;
        clearTimeout(timer);
        live.delete(proc);
        if (partial && o.onLine) o.onLine(partial);
        partial = "";
        try {
          rusage = parseRusage(readFileSync(rusageFile, "utf8"));
        } catch {
          rusage = null;
        }
        rmSync(dir, { recursive: true, force: true });
        resolve({ code, signal: sig, timedOut });
      };
      child.on("error", (e) => {
        out += `\n[spawn error] ${e.message}\n`;
        finish(127, null);
      });
      child.on("close", finish);
    }),
  };
  live.add(proc);
  return proc;
}
