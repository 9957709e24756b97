/**
 * Runs the load tools as child processes: each in its own process group, pinned with taskset, wrapped in
 * GNU time for its rusage (CPU time and context switches of all its threads, read by wait4 at exit), and
 * bounded twice: a hard timeout that SIGKILLs the group, and a parent-death signal (util-linux
 * `setpriv --pdeathsig KILL`, on GNU time and on the tool) so no tool outlives the harness, even one
 * that was SIGKILLed. Every live child is listed so a signal handler can stop them all, and recorded
 * (pid, start time, command) in a file of the state folder so the next run finds and stops leftovers.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { which } from "./preflight";
import { parsePidStat } from "./procfs/task";

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
/** Temporary folders of live tools (GNU time's output): removed by killAllTools too. */
const liveDirs = new Set<string>();

/** SIGKILLs every tool still running and removes their temporary folders and their record (signal handlers, failures). */
export function killAllTools(): void {
  for (const p of live) p.signal("SIGKILL");
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  liveDirs.clear();
  // their process groups are SIGKILLed (and each tool has its parent-death signal): nothing to stop next time
  records.clear();
  writeRecords();
}

// ---------------------------------------------------------------- the record of started tools

interface ToolRecord {
  pid: number;
  starttime: number | null;
  argv: string[];
  harness_pid: number;
}

let recordFile: string | null = null;
const records = new Map<number, ToolRecord>();

function startTimeOf(pid: number): number | null {
  try {
    return parsePidStat(readFileSync(`/proc/${pid}/stat`, "utf8")).starttime;
  } catch {
    return null;
  }
}

function writeRecords(): void {
  if (recordFile === null) return;
  if (records.size === 0) {
    rmSync(recordFile, { force: true });
    return;
  }
  const tmp = `${recordFile}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify([...records.values()]) + "\n");
  renameSync(tmp, recordFile);
}

/** Records every tool started from now on in `file` (null: stop recording). The harness sets it. */
export function recordToolsIn(file: string | null): void {
  recordFile = file;
}

/**
 * Stops the tools an earlier run recorded in `file` that are still running (same pid and start
 * time: not a reused pid), by SIGKILL of their process group, and removes the file. Returns a
 * sentence per tool stopped.
 */
export function stopLeftoverTools(file: string): string[] {
  let list: ToolRecord[];
  try {
    list = JSON.parse(readFileSync(file, "utf8")) as ToolRecord[];
  } catch {
    rmSync(file, { force: true });
    return [];
  }
  const out: string[] = [];
  for (const r of Array.isArray(list) ? list : []) {
    if (typeof r?.pid !== "number" || r.pid <= 1 || r.pid === process.pid) continue;
    const now = startTimeOf(r.pid);
    if (now === null || (r.starttime !== null && now !== r.starttime)) continue; // gone, or the pid was reused
    try {
      process.kill(-r.pid, "SIGKILL");
    } catch {
      try {
        process.kill(r.pid, "SIGKILL");
      } catch {
        continue;
      }
    }
    out.push(`stopped a tool left running by an earlier measurement (pid ${r.pid}, harness pid ${r.harness_pid}): ${r.argv.join(" ")}`);
  }
  rmSync(file, { force: true });
  return out;
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

/** `setpriv --pdeathsig KILL` when util-linux's setpriv is on PATH (preflight requires it for real runs). */
function deathSignalPrefix(env: NodeJS.ProcessEnv): string[] {
  const setpriv = which("setpriv", env.PATH ?? "");
  return setpriv ? [setpriv, "--pdeathsig", "KILL"] : [];
}

/**
 * Starts `argv` as `setpriv --pdeathsig KILL time -f ... -o FILE taskset -c CPU setpriv --pdeathsig KILL
 * argv...` in a new process group: GNU time dies with the harness, the tool dies with GNU time.
 */
export function spawnTool(argv: readonly string[], o: SpawnToolOptions): ToolProcess {
  const dir = mkdtempSync(join(tmpdir(), "softnet-lab-tool-"));
  liveDirs.add(dir);
  const rusageFile = join(dir, "rusage");
  const death = deathSignalPrefix(o.env);
  const pinned = o.cpu === null ? [...death, ...argv] : ["taskset", "-c", String(o.cpu), ...death, ...argv];
  const full = o.timeBin ? [...death, o.timeBin, "-f", RUSAGE_FORMAT, "-o", rusageFile, ...pinned] : pinned;
  const child = spawn(full[0], full.slice(1), { env: o.env, detached: true, stdio: [o.stdin ? "pipe" : "ignore", "pipe", "pipe"] });
  // A tool that exits before reading its stdin must not crash the harness with EPIPE.
  child.stdin?.on("error", () => {});
  if (child.pid !== undefined) {
    records.set(child.pid, { pid: child.pid, starttime: startTimeOf(child.pid), argv: [...argv], harness_pid: process.pid });
    writeRecords();
  }
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
        if (child.pid !== undefined && records.delete(child.pid)) writeRecords();
        if (partial && o.onLine) o.onLine(partial);
        partial = "";
        try {
          rusage = parseRusage(readFileSync(rusageFile, "utf8"));
        } catch {
          rusage = null;
        }
        rmSync(dir, { recursive: true, force: true });
        liveDirs.delete(dir);
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
