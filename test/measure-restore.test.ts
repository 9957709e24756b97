// rps_cpus is always put back: after success, after a failing tool, after a thrown error, after SIGTERM,
// and at the next start after a crash (restore file). The lock keeps two measurements apart.
// Most cases use a plain file standing in for rps_cpus and fake sockperf binaries first on PATH; one
// case changes the real /sys/class/net/lo/queues/rx-0/rps_cpus (root only).
import { spawn, spawnSync } from "node:child_process";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, lockPath, restorePath, runMeasurement } from "../src/measure/harness";
import { LockBusyError, MeasureLock } from "../src/measure/lock";
import { buildConfigs, parseMeasureArgs } from "../src/measure/plan";
import { which } from "../src/measure/preflight";
import { LO_RPS_CPUS, recoverCrashedRun, RpsGuard } from "../src/measure/rps-guard";

const isLinux = process.platform === "linux";
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasTools = isLinux && which("taskset", process.env.PATH ?? "") !== null;
let rpsWritable = false;
try {
  accessSync(LO_RPS_CPUS, constants.W_OK);
  rpsWritable = isRoot;
} catch {
  rpsWritable = false;
}

let dir: string;
let rpsFile: string;
let stateDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "softnet-lab-restore-"));
  rpsFile = join(dir, "rps_cpus");
  stateDir = join(dir, "state");
  writeFileSync(rpsFile, "0\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A directory holding a fake `sockperf` with the given shell body, to put first on PATH. */
function fakeSockperf(body: string): string {
  const bin = join(dir, "bin");
  const p = join(bin, "sockperf");
  mkdirSync(bin, { recursive: true });
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return bin;
}

function plan(args: string[]) {
  const opts = parseMeasureArgs(["--tool", "sockperf", "--rps", "other", "--receiver", "other", "--repeats", "1", "--seconds", "1", ...args]);
  return { opts, configs: buildConfigs(opts, [0, 1]) };
}

describe("RpsGuard", () => {
  it("writes the restore file before the change and removes it after restoring", () => {
    const g = new RpsGuard(rpsFile, join(stateDir, "rps-restore.json"));
    g.set("2");
    expect(readFileSync(rpsFile, "utf8")).toBe("2");
    const rec = JSON.parse(readFileSync(join(stateDir, "rps-restore.json"), "utf8"));
    expect(rec).toMatchObject({ path: rpsFile, previous: "0", pid: process.pid });
    g.set("3"); // a second change keeps the first original
    g.restore();
    expect(readFileSync(rpsFile, "utf8")).toBe("0");
    expect(existsSync(join(stateDir, "rps-restore.json"))).toBe(false);
    g.restore(); // idempotent
  });

  it("applies a crashed run's restore file at the next start", () => {
    const restoreFile = join(stateDir, "rps-restore.json");
    const g = new RpsGuard(rpsFile, restoreFile);
    g.set("2"); // ... and the process "dies" here without restore()
    expect(readFileSync(rpsFile, "utf8")).toBe("2");
    const msg = recoverCrashedRun(restoreFile);
    expect(msg).toMatch(/did not finish: restored .* from 2 to 0/);
    expect(readFileSync(rpsFile, "utf8")).toBe("0");
    expect(existsSync(restoreFile)).toBe(false);
    expect(recoverCrashedRun(restoreFile)).toBeNull();
  });
});

describe("MeasureLock", () => {
  it("refuses a second holder and names the first", () => {
    const p = join(stateDir, "measure.lock");
    const a = MeasureLock.acquire(p);
    expect(() => MeasureLock.acquire(p)).toThrow(LockBusyError);
    expect(() => MeasureLock.acquire(p)).toThrow(new RegExp(`pid ${process.pid}`));
    a.release();
    const b = MeasureLock.acquire(p);
    b.release();
    expect(existsSync(p)).toBe(false);
  });

  it("a waiting acquire gets the lock once the holder releases it, and gives up after its wait", async () => {
    const p = join(stateDir, "measure.lock");
    const a = MeasureLock.acquire(p);
    setTimeout(() => a.release(), 300);
    const b = await MeasureLock.acquireWaiting(p, 5000);
    await expect(MeasureLock.acquireWaiting(p, 200)).rejects.toThrow(LockBusyError);
    b.release();
  });

  it("takes over a lock whose owner is gone", () => {
    const p = join(stateDir, "measure.lock");
    mkdirSync(stateDir, { recursive: true });
    // pid 2^22 + 1 is above the kernel's pid_max ceiling, so no live process has it.
    writeFileSync(p, JSON.stringify({ pid: 4194305, starttime: 1, since: "2026-01-01T00:00:00Z", what: "crashed run" }));
    const l = MeasureLock.acquire(p);
    expect(JSON.parse(readFileSync(p, "utf8")).pid).toBe(process.pid);
    l.release();
  });
});

describe.skipIf(!hasTools)("harness failures restore rps_cpus (needs Linux and taskset)", () => {
  const deps = (bin: string) => ({ rpsPath: rpsFile, stateDir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeBin: null, command: "test" });

  it("a tool that exits non-zero", async () => {
    const bin = fakeSockperf("echo 'sockperf: fake failure' >&2; exit 1");
    const { opts, configs } = plan([]);
    await expect(runMeasurement(opts, configs, deps(bin))).rejects.toThrow(/sockperf server did not bind/);
    expect(readFileSync(rpsFile, "utf8")).toBe("0");
    expect(existsSync(restorePath(stateDir))).toBe(false);
    expect(existsSync(lockPath(stateDir))).toBe(false);
  });

  it("an error thrown after rps_cpus was set (the client's output cannot be parsed)", async () => {
    // The server binds a real UDP socket (so the run proceeds), the client prints nothing useful.
    const bin = fakeSockperf(
      `if [ "$1" = server ]; then exec ${process.execPath} -e "const s=require('dgram').createSocket('udp4'); s.bind(Number(process.argv[1]), '127.0.0.1');
process.on('SIGINT', () => { console.log('sockperf: Total 0 messages received and handled'); process.exit(0); }); setTimeout(() => {}, 30000);" "$5"; fi
echo "Starting test..."; sleep 0.2; echo "Test end"; exit 0`,
    );
    const { opts, configs } = plan([]);
    await expect(runMeasurement(opts, configs, deps(bin))).rejects.toThrow(/sockperf output: no 'Total of N messages sent/);
    expect(readFileSync(rpsFile, "utf8")).toBe("0");
    expect(existsSync(restorePath(stateDir))).toBe(false);
  });

  it("a new measurement first repairs what a crashed one left (restore file), then restores to the repaired value", async () => {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(rpsFile, "3"); // left changed by a run that was SIGKILLed
    writeFileSync(restorePath(stateDir), JSON.stringify({ path: rpsFile, previous: "0", pid: 4194305, written_at: "2026-11-25T00:00:00Z" }));
    const bin = fakeSockperf("exit 1");
    const { opts, configs } = plan([]);
    const logged: string[] = [];
    await expect(runMeasurement(opts, configs, { ...deps(bin), log: (l) => logged.push(l) })).rejects.toThrow(/did not bind/);
    expect(logged[0]).toMatch(/did not finish: restored .* from 3 to 0/);
    expect(readFileSync(rpsFile, "utf8")).toBe("0");
    expect(existsSync(restorePath(stateDir))).toBe(false);
  });

  it("SIGTERM in the middle of a run kills the tools and restores", async () => {
    const bin = fakeSockperf('[ "$1" = --version ] && exit 0; exec sleep 30');
    const script = join(dir, "child.mts");
    const harness = resolve(__dirname, "../src/measure/harness.ts");
    const planMod = resolve(__dirname, "../src/measure/plan.ts");
    writeFileSync(
      script,
      `import { runMeasurement } from ${JSON.stringify(harness)};
import { buildConfigs, parseMeasureArgs } from ${JSON.stringify(planMod)};
const opts = parseMeasureArgs(["--tool", "sockperf", "--rps", "other", "--repeats", "1", "--seconds", "1"]);
await runMeasurement(opts, buildConfigs(opts, [0, 1]), { rpsPath: ${JSON.stringify(rpsFile)}, stateDir: ${JSON.stringify(stateDir)},
  env: { ...process.env, PATH: ${JSON.stringify(bin)} + ":" + process.env.PATH }, timeBin: null, command: "test", handleSignals: true });`,
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: resolve(__dirname, ".."), stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (b) => (err += b));
    const deadline = Date.now() + 15_000;
    while (readFileSync(rpsFile, "utf8") !== "2") {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child never set rps_cpus: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300)); // let it spawn the fake server
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(code).toBe(143);
    expect(readFileSync(rpsFile, "utf8")).toBe("0");
    expect(existsSync(restorePath(stateDir))).toBe(false);
    expect(existsSync(lockPath(stateDir))).toBe(false);
    // No fake tool survives its parent.
    const ps = spawnSync("pgrep", ["-f", `${bin}/sockperf`], { encoding: "utf8" });
    expect(ps.stdout.trim()).toBe("");
  }, 30_000);
});

describe.skipIf(!rpsWritable || !hasTools)("the real lo rps_cpus (needs root and a writable sysfs)", () => {
  it("is back to its previous value after a failing run", { timeout: 90_000 }, async () => {
    const previous = readFileSync(LO_RPS_CPUS, "utf8").trim();
    const bin = fakeSockperf("exit 1");
    const { opts, configs } = plan([]);
    await expect(
      runMeasurement(opts, configs, { rpsPath: LO_RPS_CPUS, stateDir: DEFAULT_STATE_DIR, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeBin: null, command: "test", lockWaitMs: 60_000 }),
    ).rejects.toThrow(/did not bind/);
    expect(readFileSync(LO_RPS_CPUS, "utf8").trim()).toBe(previous);
    expect(existsSync(restorePath(DEFAULT_STATE_DIR))).toBe(false);
  });
});
