/**
 * The lean load tool (tools/udp-blast/udp-blast.c) as the harness drives it: built on first use with
 * the system C compiler, its command lines (127.0.0.1 only, pinned, bounded), and the parser of the
 * `key=value` lines it prints. It exists so that a measurement shows the kernel's costs rather than a
 * benchmark tool's: one sendto() or recv() per datagram and nothing else in the loop.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../calibrate/profiles";

export const LEAN_SOURCE = join(repoRoot(), "tools", "udp-blast", "udp-blast.c");
export const LEAN_NAME = "udp-blast";

/** Lines the tool prints: servers `ready port=P` once bound, clients `ready` before their loop, both `end` when the loop stops. */
export const LEAN_READY = "ready";
export const LEAN_END = "end";

export class LeanToolBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LeanToolBuildError";
  }
}

export interface LeanBuild {
  path: string;
  /** sha256 of the source, first 12 hex digits: which version of the tool produced a dataset. */
  sourceHash: string;
  compiler: string;
  static: boolean;
}

export function leanSourceHash(source = LEAN_SOURCE): string {
  return createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 12);
}

/**
 * Builds the tool into `outDir` (default build/tools) unless a binary newer than the source is there.
 * `static` links it statically, for an initramfs. Throws LeanToolBuildError with the install line when
 * no compiler is found or the build fails.
 */
export function ensureLeanTool(o: { outDir?: string; static?: boolean; cc?: string; env?: NodeJS.ProcessEnv } = {}): LeanBuild {
  const outDir = o.outDir ?? join(repoRoot(), "build", "tools");
  const cc = o.cc ?? "gcc";
  const env = o.env ?? process.env;
  const path = join(outDir, o.static ? `${LEAN_NAME}-static` : LEAN_NAME);
  const version = spawnSync(cc, ["--version"], { env, encoding: "utf8" });
  if (version.error || version.status !== 0) {
    throw new LeanToolBuildError(`the lean load tool needs a C compiler (${cc}) to build ${LEAN_SOURCE}; install it on Debian/Ubuntu as root with: apt-get install -y --no-install-recommends gcc libc6-dev`);
  }
  const compiler = version.stdout.split("\n")[0].trim();
  const sourceHash = leanSourceHash();
  const fresh = existsSync(path) && statSync(path).mtimeMs >= statSync(LEAN_SOURCE).mtimeMs;
  if (!fresh) {
    mkdirSync(outDir, { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    const args = ["-O2", "-Wall", "-Wextra", "-Werror", ...(o.static ? ["-static"] : []), "-o", tmp, LEAN_SOURCE];
    const r = spawnSync(cc, args, { env, encoding: "utf8" });
    if (r.error || r.status !== 0) {
      rmSync(tmp, { force: true });
      throw new LeanToolBuildError(`building the lean load tool failed (${cc} ${args.join(" ")}):\n${(r.stderr || String(r.error)).trim()}`);
    }
    // Atomic: a concurrent build or a kill mid-build never leaves a half-written binary in place.
    renameSync(tmp, path);
  }
  return { path, sourceHash, compiler, static: !!o.static };
}

export type LeanMode = "stream" | "pingpong";

/** Server: `recv` counts a stream, `pong` echoes a ping-pong. Its own limit is a margin past the client's. */
export function leanServerArgv(bin: string, mode: LeanMode, port: number | string, cpu: number | null, seconds: number): string[] {
  return [bin, mode === "stream" ? "recv" : "pong", "--port", String(port), ...(cpu === null ? [] : ["--cpu", String(cpu)]), "--seconds", String(seconds)];
}

/** Client: waits for one line on stdin (the harness's start signal), then runs for `seconds` or `count` datagrams. */
export function leanClientArgv(
  bin: string,
  mode: LeanMode,
  port: number | string,
  cpu: number | null,
  seconds: number,
  payload: number,
  extra: { count?: number; rate?: number; waitGo?: boolean } = {},
): string[] {
  return [
    bin,
    mode === "stream" ? "send" : "ping",
    "--port",
    String(port),
    ...(cpu === null ? [] : ["--cpu", String(cpu)]),
    "--seconds",
    String(seconds),
    "--payload",
    String(payload),
    ...(extra.count ? ["--count", String(extra.count)] : []),
    ...(extra.rate ? ["--rate", String(extra.rate)] : []),
    ...(extra.waitGo === false ? [] : ["--wait-go"]),
  ];
}

/** The `key=value` lines after `end`, as numbers. Throws when `end` never came (the tool died mid-run). */
export function parseLeanOutput(text: string): Record<string, number> {
  const lines = text.split("\n").map((l) => l.trim());
  const end = lines.indexOf(LEAN_END);
  if (end < 0) throw new Error(`udp-blast output: no '${LEAN_END}' line (the tool stopped before its loop ended):\n${text.slice(-1500)}`);
  const out: Record<string, number> = {};
  for (const l of lines.slice(end + 1)) {
    const m = /^([a-z0-9_]+)=([0-9.]+)$/.exec(l);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** The port a server printed in its `ready port=P` line, or null before it did. */
export function parseLeanReadyPort(text: string): number | null {
  const m = /^ready port=(\d+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

export interface LeanStreamResult {
  sent: number;
  received: number;
  elapsedS: number;
}

export interface LeanPingResult {
  sent: number;
  received: number;
  lost: number;
  elapsedS: number;
  /** Round-trip time percentiles, microseconds. */
  rtt: { min: number; avg: number; p50: number; p90: number; p99: number; p999: number; max: number } | null;
}

export interface LeanRusage {
  cpuS: number;
  voluntary: number;
  involuntary: number;
}

function need(v: Record<string, number>, key: string, who: string): number {
  const x = v[key];
  if (x === undefined || !Number.isFinite(x)) throw new Error(`udp-blast ${who} output: no ${key}= line`);
  return x;
}

export function leanStreamResult(client: Record<string, number>, server: Record<string, number>): LeanStreamResult {
  return { sent: need(client, "sent", "send"), received: need(server, "received", "recv"), elapsedS: need(client, "elapsed_ns", "send") / 1e9 };
}

export function leanPingResult(client: Record<string, number>): LeanPingResult {
  const us = (k: string) => need(client, `rtt_${k}_ns`, "ping") / 1000;
  const received = need(client, "received", "ping");
  return {
    sent: need(client, "sent", "ping"),
    received,
    lost: need(client, "lost", "ping"),
    elapsedS: need(client, "elapsed_ns", "ping") / 1e9,
    rtt: received > 0 ? { min: us("min"), avg: us("avg"), p50: us("p50"), p90: us("p90"), p99: us("p99"), p999: us("p999"), max: us("max") } : null,
  };
}

export function leanRusage(v: Record<string, number>): LeanRusage | null {
  if (v.user_s === undefined || v.sys_s === undefined) return null;
  return { cpuS: v.user_s + v.sys_s, voluntary: v.voluntary_switches ?? 0, involuntary: v.involuntary_switches ?? 0 };
}
