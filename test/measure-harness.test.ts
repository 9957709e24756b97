/**
 * The measurement harness under races and signals (issue 17): two starters beside a stale lock never
 * both take it (raced many times, by separate processes); SIGINT, SIGTERM and SIGHUP stop the tools,
 * restore rps_cpus and leave no lock, restore file or /tmp/softnet-lab-tool-* folder; after SIGKILL the
 * tools die with the harness (parent-death signal) and the next run repairs rps_cpus and stops any tool
 * an earlier run recorded; an existing --out is refused before measuring; a busy lock exits 3.
 * rps_cpus is a plain file here and sockperf a fake first on PATH (one case needs root for preflight).
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnvironmentError, exitCodeOf } from "../src/errors";
import { lockPath, restorePath, runMeasurement, toolsPath } from "../src/measure/harness";
import { LockBusyError, MeasureLock } from "../src/measure/lock";
import { measureMain } from "../src/measure/cli";
import { buildConfigs, parseMeasureArgs } from "../src/measure/plan";
import { which } from "../src/measure/preflight";
import { parsePidStat } from "../src/measure/procfs/task";

const ROOT = resolve(__dirname, "..");
const isLinux = process.platform === "linux";
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasTools = isLinux && which("taskset", process.env.PATH ?? "") !== null && which("setpriv", process.env.PATH ?? "") !== null;

let dir: string;
let rpsFile: string;
let stateDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "softnet-lab-harness-"));
  rpsFile = join(dir, "rps_cpus");
  stateDir = join(dir, "state");
  writeFileSync(rpsFile, "0\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8")); // a zombie is dead
  } catch {
    return false;
  }
};
async function gone(pid: number, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** A fake sockperf that records its pid and then sleeps (a server that never binds). */
function fakeSockperf(): string {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "sockperf"), `#!/bin/sh\n[ "$1" = --version ] && exit 0\necho $$ >> ${join(dir, "tool-pids")}\nexec sleep 30\n`);
  chmodSync(join(bin, "sockperf"), 0o755);
  return bin;
}

/** Starts a measurement in a child process (its own TMPDIR, so its tool folders can be counted). */
function startChild(bin: string) {
  const childTmp = join(dir, "child-tmp");
  mkdirSync(childTmp, { recursive: true });
  const script = join(dir, "child.mts");
  writeFileSync(
    script,
    `import { runMeasurement } from ${JSON.stringify(join(ROOT, "src/measure/harness.ts"))};
import { buildConfigs, parseMeasureArgs } from ${JSON.stringify(join(ROOT, "src/measure/plan.ts"))};
const opts = parseMeasureArgs(["--tool", "sockperf", "--rps", "other", "--repeats", "1", "--seconds", "1"]);
await runMeasurement(opts, buildConfigs(opts, [0, 1]), { rpsPath: ${JSON.stringify(rpsFile)}, stateDir: ${JSON.stringify(stateDir)},
  env: { ...process.env, PATH: ${JSON.stringify(bin)} + ":" + process.env.PATH }, timeBin: null, command: "test", handleSignals: true });`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TMPDIR: childTmp } });
  let err = "";
  child.stderr.on("data", (b) => (err += b));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on("close", (code, signal) => r({ code, signal })));
  return { child, exited, childTmp, err: () => err };
}

/** Waits until the child has set rps_cpus and started its (fake) server. */
async function untilToolRuns(c: ReturnType<typeof startChild>): Promise<number[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const pids = existsSync(join(dir, "tool-pids")) ? readFileSync(join(dir, "tool-pids"), "utf8").trim().split("\n").map(Number) : [];
    if (readFileSync(rpsFile, "utf8") === "2" && pids.length > 0) return pids;
    if (Date.now() > deadline || c.child.exitCode !== null) throw new Error(`the child never started its tool: ${c.err()}`);
    await sleep(30);
  }
}

describe("the lock under a race beside a stale lock file (separate processes)", () => {
  it("never has two holders: 4 contenders x 40 trials, each trial a fresh stale lock", { timeout: 120_000 }, async () => {
    const N = 4;
    const TRIALS = 40;
    const children = Array.from({ length: N }, (_, i) =>
      spawn(process.execPath, ["--import", "tsx", join(ROOT, "test/fixtures/lock-race-child.ts"), dir, String(i), String(TRIALS), join(ROOT, "src/measure/lock.ts")], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] }),
    );
    let stderr = "";
    for (const c of children) c.stderr!.on("data", (b) => (stderr += b));
    const results: { id: string; got: boolean; conflict: boolean; error: string | null }[][] = [];
    try {
      for (let t = 0; t < TRIALS; t++) {
        // a lock left by a crashed run: a pid above pid_max, so no live process has it
        writeFileSync(join(dir, "measure.lock"), JSON.stringify({ pid: 4194305, starttime: 1, since: "2026-01-01T00:00:00Z", what: "crashed run" }) + "\n");
        writeFileSync(join(dir, `go-${t}`), "");
        const deadline = Date.now() + 60_000;
        for (;;) {
          const done = existsSync(join(dir, `done-${t}`)) ? readFileSync(join(dir, `done-${t}`), "utf8").trim().split("\n") : [];
          if (done.length === N) {
            results.push(done.map((l) => JSON.parse(l)));
            break;
          }
          if (Date.now() > deadline) throw new Error(`trial ${t} did not finish: ${stderr}`);
          await sleep(5);
        }
        rmSync(join(dir, "measure.lock"), { force: true });
      }
    } finally {
      for (const c of children) c.kill("SIGKILL");
    }
    const flat = results.flat();
    expect(flat.filter((r) => r.error !== null)).toEqual([]);
    expect(flat.filter((r) => r.conflict)).toEqual([]); // never two holders at once
    for (const [t, trial] of results.entries()) expect(trial.some((r) => r.got), `trial ${t}`).toBe(true); // the stale lock was taken over
  });

  it("a takeover interrupted after its reap token: a clear refusal naming both files, never a silent double take", () => {
    const p = join(stateDir, "measure.lock");
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(p, JSON.stringify({ pid: 4194305, starttime: 1, since: "x", what: "crashed run" }));
    const st = statSync(p, { bigint: true });
    writeFileSync(`${p}.reap-${st.ino}-${st.ctimeNs}`, ""); // a starter died between token and unlink
    expect(() => MeasureLock.acquire(p)).toThrow(EnvironmentError);
    expect(() => MeasureLock.acquire(p)).toThrow(/could not take the stale lock .*measure\.lock: another start began taking it over \(.*\.reap-\d+-\d+\) and did not finish; if no other softnet-lab measure is starting, delete both files/);
  });

  it("a busy lock is an EnvironmentError: exit code 3", () => {
    const p = join(stateDir, "measure.lock");
    const a = MeasureLock.acquire(p);
    try {
      let err: unknown;
      try {
        MeasureLock.acquire(p);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LockBusyError);
      expect(exitCodeOf(err)).toBe(3);
    } finally {
      a.release();
    }
  });
});

describe.skipIf(!hasTools)("signals during a measurement (needs Linux, taskset and setpriv)", () => {
  for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    it(`${sig}: the tools stop, rps_cpus is restored, no lock, restore file, tool record or temporary folder is left (exit ${code})`, { timeout: 60_000 }, async () => {
      const c = startChild(fakeSockperf());
      const pids = await untilToolRuns(c);
      c.child.kill(sig);
      const { code: got } = await c.exited;
      expect(got, c.err()).toBe(code);
      expect(readFileSync(rpsFile, "utf8")).toBe("0");
      expect(existsSync(restorePath(stateDir))).toBe(false);
      expect(existsSync(lockPath(stateDir))).toBe(false);
      expect(existsSync(toolsPath(stateDir))).toBe(false);
      expect(readdirSync(c.childTmp).filter((f) => f.startsWith("softnet-lab-tool-"))).toEqual([]);
      for (const pid of pids) expect(await gone(pid), `tool pid ${pid}`).toBe(true);
    });
  }

  it("SIGKILL: the tools die with the harness; the next run restores rps_cpus and takes over the lock", { timeout: 60_000 }, async () => {
    const bin = fakeSockperf();
    const c = startChild(bin);
    const pids = await untilToolRuns(c);
    c.child.kill("SIGKILL");
    await c.exited;
    for (const pid of pids) expect(await gone(pid), `tool pid ${pid} outlived a SIGKILLed harness`).toBe(true);
    expect(readFileSync(rpsFile, "utf8")).toBe("2"); // nobody could restore it yet
    expect(existsSync(restorePath(stateDir))).toBe(true);
    const logged: string[] = [];
    const opts = parseMeasureArgs(["--tool", "sockperf", "--rps", "other", "--repeats", "1", "--seconds", "1"]);
    writeFileSync(join(bin, "sockperf"), "#!/bin/sh\nexit 1\n");
    await expect(runMeasurement(opts, buildConfigs(opts, [0, 1]), { rpsPath: rpsFile, stateDir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeBin: null, command: "test", log: (l) => logged.push(l) })).rejects.toThrow(/could not complete/);
    expect(logged.join("\n")).toMatch(/did not finish: restored .* from 2 to 0/);
    expect(readFileSync(rpsFile, "utf8")).toBe("0");
    expect(existsSync(lockPath(stateDir))).toBe(false);
  });

  it("the next run stops a tool an earlier run recorded that is still running (same pid and start time)", { timeout: 30_000 }, async () => {
    const leftover = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
    leftover.unref();
    const pid = leftover.pid!;
    const starttime = parsePidStat(readFileSync(`/proc/${pid}/stat`, "utf8")).starttime;
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(toolsPath(stateDir), JSON.stringify([{ pid, starttime, argv: ["sockperf", "server"], harness_pid: 4194305 }, { pid: 4194306, starttime: 5, argv: ["gone"], harness_pid: 1 }]));
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "sockperf"), "#!/bin/sh\nexit 1\n");
    chmodSync(join(bin, "sockperf"), 0o755);
    const logged: string[] = [];
    const opts = parseMeasureArgs(["--tool", "sockperf", "--rps", "other", "--repeats", "1", "--seconds", "1"]);
    await expect(runMeasurement(opts, buildConfigs(opts, [0, 1]), { rpsPath: rpsFile, stateDir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeBin: null, command: "test", log: (l) => logged.push(l) })).rejects.toThrow(EnvironmentError);
    expect(logged[0]).toBe(`stopped a tool left running by an earlier measurement (pid ${pid}, harness pid 4194305): sockperf server`);
    expect(await gone(pid)).toBe(true);
    expect(existsSync(toolsPath(stateDir))).toBe(false);
  });
});

describe("measure refuses before measuring", () => {
  it("an existing --out folder: exit 2 at once (also for --dry-run), nothing measured", async () => {
    const out = join(dir, "existing");
    mkdirSync(out);
    for (const extra of [[], ["--dry-run"]]) {
      let err = "";
      const code = await measureMain(["--out", out, "--repeats", "1", ...extra], process.env, { out: () => {}, err: (t) => void (err += t) }, { stateDir });
      expect(code).toBe(2);
      expect(err.split("\n")[0]).toBe(`softnet-lab measure: --out ${out}: already exists; choose another folder or pass --force to replace it`);
    }
    expect(existsSync(lockPath(stateDir))).toBe(false);
  });

  it.skipIf(!isRoot || !hasTools)("a busy lock: exit 3, rps_cpus untouched (fake sockperf; a private state folder)", async () => {
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "sockperf"), "#!/bin/sh\nexit 1\n");
    chmodSync(join(bin, "sockperf"), 0o755);
    const held = MeasureLock.acquire(lockPath(stateDir), "another measurement");
    try {
      let err = "";
      const code = await measureMain(["--tool", "sockperf", "--repeats", "1", "--seconds", "1"], { ...process.env, PATH: `${bin}:${process.env.PATH}` }, { out: () => {}, err: (t) => void (err += t) }, { stateDir });
      expect(code, err).toBe(3);
      expect(err).toMatch(/another measurement holds .*measure\.lock \(pid \d+, another measurement, since/);
    } finally {
      held.release();
    }
  });
});
