/**
 * Event digests of every named scenario and a grid of the modes that existed before OpenWrt's
 * backlog-threaded modes (issue 18), computed in this checkout and in another commit of the repo
 * (by default the merge-base with main), so a change to the model can prove that every existing
 * mode and scenario still runs event for event the same. Used by `npm run digests` and its test.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO, PATHS } from "./repo";

/** One run of the grid: `makeConfig` overrides (a scenario name and settings), and a label. */
export interface GridCase {
  label: string;
  overrides: Record<string, string | number | boolean>;
}

const SCENARIO_NAMES = [
  "loopback-stream", "loopback-stream-rps", "loopback-stream-same-cpu", "loopback-4cpu-4flows", "loopback-pingpong",
  "loopback-pingpong-rps", "nic-rx-overload", "hog-beside-rps", "ksoftirqd-2016", "ksoftirqd-6.5",
];

/**
 * Every named scenario under every older backlog_napi mode and preemption model, plus hotplug,
 * the 2016 ksoftirqd policy, polling idle, IRQ threads and a latency task on RPS setups.
 */
export function digestGrid(durationMs = 4): GridCase[] {
  const out: GridCase[] = [];
  for (const scenario of SCENARIO_NAMES) {
    for (const mode of ["softirq", "threads-always", "threads"]) {
      for (const preempt of ["none", "full", "rt"]) {
        out.push({ label: `${scenario} ${mode} ${preempt}`, overrides: { scenario, backlog_napi: mode, preempt, duration_ms: durationMs } });
      }
      out.push({ label: `${scenario} ${mode} hotplug`, overrides: { scenario, backlog_napi: mode, hotplug: "cpu1:off@1ms,on@2500us", duration_ms: durationMs } });
    }
  }
  const extra: Array<Record<string, string | number | boolean>> = [
    { workload: "udp-stream", rps_cpus: "2", hog_cpus: "1", rate_pps: 300_000, ksoftirqd_policy: "2016", backlog_napi: "threads" },
    { workload: "udp-pingpong", rps_cpus: "3", idle: "poll", backlog_napi: "threads" },
    { workload: "udp-pingpong", rps_cpus: "3", idle: "haltpoll", backlog_napi: "softirq", preempt: "rt" },
    { workload: "nic-rx", nic_irq: "threaded", rps_cpus: "2", rate_pps: 500_000, nic_batch: 8, backlog_napi: "threads", rt_task_cpu: 1 },
    { workload: "udp-stream", cpus: 4, flows: 3, rps_cpus: "e", hotplug: "cpu2:off@1ms;cpu3:off@2ms", backlog_napi: "threads-always" },
    { workload: "udp-stream", rps_cpus: "2", backlog_napi: "threads", backlog_wake_delay_ns: 5_000 },
  ];
  extra.forEach((o, i) => out.push({ label: `extra ${i}`, overrides: { ...o, duration_ms: durationMs } }));
  return out;
}

/** The runner written into a checkout: computes each case's digest with that checkout's model. */
const RUNNER = `
import { makeConfig } from "./src/config/parse";
import { simulate } from "./src/sim/simulate";
const cases = JSON.parse(process.argv[2]);
const out = {};
for (const c of cases) out[c.label] = simulate(makeConfig(c.overrides)).digest;
process.stdout.write(JSON.stringify(out));
`;

/** Digests of `cases` computed by the model in `root` (a checkout with src/). */
export function digestsIn(root: string, cases: GridCase[]): Record<string, string> {
  const runner = path.join(root, `.digest-runner-${process.pid}.ts`);
  fs.writeFileSync(runner, RUNNER);
  try {
    const tsx = path.join(PATHS.nodeModules, "tsx", "dist", "loader.mjs");
    const out = execFileSync(process.execPath, ["--import", tsx, runner, JSON.stringify(cases)], { cwd: root, maxBuffer: 64 << 20, encoding: "utf8" });
    return JSON.parse(out) as Record<string, string>;
  } finally {
    fs.rmSync(runner, { force: true });
  }
}

/** The commit to compare with: `ref` as given, or the merge-base of HEAD and main (HEAD itself without a main branch). */
export function baseCommit(ref?: string): string {
  const git = (...a: string[]) => execFileSync("git", a, { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  if (ref !== undefined) return git("rev-parse", ref);
  try {
    return git("merge-base", "HEAD", "main");
  } catch {
    return git("rev-parse", "HEAD");
  }
}

/** A temporary checkout of `commit` (src/ and what it imports), with this checkout's node_modules linked. */
export function checkoutOf(commit: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "softnet-digest-"));
  const tar = execFileSync("git", ["archive", "--format=tar", commit, "src", "profiles", "package.json", "tsconfig.json"], { cwd: REPO, maxBuffer: 256 << 20 });
  execFileSync("tar", ["-x", "-C", dir], { input: tar });
  fs.symlinkSync(PATHS.nodeModules, path.join(dir, "node_modules"));
  return dir;
}

export interface DigestDiff {
  label: string;
  base: string;
  here: string;
}

/** Cases whose digest differs between `commit` and this checkout (empty: every case is the same run). */
export function compareWith(commit: string, cases: GridCase[]): { compared: number; diffs: DigestDiff[] } {
  const dir = checkoutOf(commit);
  try {
    const base = digestsIn(dir, cases);
    const here = digestsIn(REPO, cases);
    const diffs = cases.filter((c) => base[c.label] !== here[c.label]).map((c) => ({ label: c.label, base: base[c.label]!, here: here[c.label]! }));
    return { compared: cases.length, diffs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
