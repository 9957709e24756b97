/**
 * Checks before any measurement: Linux, root, the tools on PATH, the rps_cpus file writable, enough
 * CPUs. Each problem is a sentence; a missing tool comes with the exact install line.
 */
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface Tool {
  name: string;
  /** Debian/Ubuntu package that provides it. */
  debPackage: string;
  why: string;
}

/** What sockperf runs need (the lean tool pins itself and reports its own rusage). */
export const SOCKPERF_TOOLS: readonly Tool[] = [
  { name: "sockperf", debPackage: "sockperf", why: "the UDP load (throughput and ping-pong over 127.0.0.1)" },
  { name: "taskset", debPackage: "util-linux", why: "pinning each tool to its CPU" },
  { name: "time", debPackage: "time", why: "GNU time: each tool's CPU time and context switches (wait4 rusage)" },
  { name: "setpriv", debPackage: "util-linux", why: "PR_SET_PDEATHSIG for every tool, so none outlives the harness" },
];
/** What the lean tool needs: a C compiler to build tools/udp-blast on first use. */
export const LEAN_TOOLS: readonly Tool[] = [{ name: "gcc", debPackage: "gcc", why: "building the lean load tool tools/udp-blast on first use" }];
/** Every tool of both load tools (kept for callers that check them all). */
export const MEASURE_TOOLS: readonly Tool[] = [...SOCKPERF_TOOLS, ...LEAN_TOOLS];

/** Finds an executable on a PATH string; null when absent. */
export function which(name: string, pathVar: string): string | null {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

export interface PreflightInput {
  platform: string;
  uid: number | null;
  pathVar: string;
  rpsPath: string;
  /** CPUs the plan uses (ids); each must be online. */
  cpusNeeded: number[];
  onlineCpus: number[];
  /** Skip the root and rps_cpus checks (dry runs). */
  dryRun?: boolean;
  /** The tools to look for (default: all of MEASURE_TOOLS). */
  tools?: readonly Tool[];
}

export interface PreflightResult {
  ok: boolean;
  problems: string[];
  /** Resolved tool paths (only those found). */
  tools: Record<string, string>;
}

export function installLine(missing: readonly Tool[]): string {
  const pkgs = [...new Set(missing.map((t) => t.debPackage))].join(" ");
  return `apt-get install -y --no-install-recommends ${pkgs}`;
}

export function preflight(i: PreflightInput): PreflightResult {
  const problems: string[] = [];
  if (i.platform !== "linux") {
    problems.push(`softnet-lab measure needs Linux (it reads /proc and writes /sys/class/net/lo/queues/rx-0/rps_cpus); this is ${i.platform}.`);
    return { ok: false, problems, tools: {} };
  }
  if (!i.dryRun && i.uid !== 0) problems.push(`softnet-lab measure must run as root (it writes ${i.rpsPath}); run it with sudo or as root. Your uid is ${i.uid}.`);
  const tools: Record<string, string> = {};
  const missing: Tool[] = [];
  for (const t of i.tools ?? MEASURE_TOOLS) {
    const p = which(t.name, i.pathVar);
    if (p) tools[t.name] = p;
    else missing.push(t);
  }
  if (missing.length) {
    const names = missing.map((t) => `${t.name} (${t.why})`).join("; ");
    problems.push(
      `missing tool${missing.length > 1 ? "s" : ""}: ${names}. Install on Debian/Ubuntu as root with:\n    ${installLine(missing)}\n  or run: bash scripts/ensure-deps.sh --measure`,
    );
  }
  if (!i.dryRun) {
    if (!existsSync(i.rpsPath)) problems.push(`${i.rpsPath} does not exist: the kernel has no RPS (CONFIG_RPS) or no loopback device.`);
    else {
      try {
        accessSync(i.rpsPath, constants.W_OK);
        readFileSync(i.rpsPath, "utf8");
      } catch (e) {
        problems.push(`${i.rpsPath} is not writable here (${(e as Error).message}); a container may mount /sys read-only.`);
      }
    }
  }
  const offline = i.cpusNeeded.filter((c) => !i.onlineCpus.includes(c));
  if (offline.length) problems.push(`the plan uses CPU ${offline.join(", ")}, but only CPUs ${i.onlineCpus.join(",")} are online.`);
  return { ok: problems.length === 0, problems, tools };
}
