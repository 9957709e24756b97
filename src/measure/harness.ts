/**
 * Runs a whole measurement: takes the lock, repairs what a crashed run left (rps_cpus from the restore
 * file, tools still running from the tool record), runs every scheduled run, and restores rps_cpus on
 * success, on error and on SIGINT, SIGTERM or SIGHUP (killing the tools first). Returns the rows and
 * the machine metadata; writing the dataset is the caller's job. A run that fails is an
 * EnvironmentError (exit 3): the machine or a tool could not complete it.
 */
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { cpuSlots, findKernelThreads, realProcFs, takeSnapshot, type ProcFs } from "./counters";
import { parseCpuList } from "./cpumask";
import { DATASET_FORMAT, DATASET_FORMAT_VERSION, type DatasetMetadata } from "./dataset";
import { ensureLeanTool } from "./lean-tool";
import { MeasureLock } from "./lock";
import { collectMachineFacts, readLoadavg } from "./metadata";
import { schedule, type MeasureOptions, type RunConfig } from "./plan";
import { killAllTools, recordToolsIn, stopLeftoverTools } from "./process";
import { EnvironmentError } from "../errors";
import { recoverCrashedRun, RpsGuard } from "./rps-guard";
import { runOnce, type RunTraceHook } from "./run-one";
import type { Row } from "./schema";

export interface HarnessDeps {
  rpsPath: string;
  /** Holds the lock and the restore file (default /run/softnet-lab: cleared at reboot, like rps_cpus). */
  stateDir: string;
  /** Environment of the tools; its PATH decides which binaries run. */
  env: NodeJS.ProcessEnv;
  timeBin: string | null;
  /** The built lean tool, when a configuration uses it. */
  leanBin?: string | null;
  /** Versions of tools the caller prepared (the lean tool's source hash and compiler), added to the metadata. */
  toolVersions?: Record<string, string>;
  fs?: ProcFs;
  log?: (line: string) => void;
  /** Command line recorded in the metadata. */
  command: string;
  note?: string | null;
  trace?: RunTraceHook;
  /** How long to wait for another measurement's lock before refusing (default 0: refuse at once). */
  lockWaitMs?: number;
  /** Install SIGINT/SIGTERM/SIGHUP handlers (the CLI does; tests that call in-process do not). */
  handleSignals?: boolean;
}

export interface MeasurementResult {
  rows: Row[];
  metadata: DatasetMetadata;
}

export const DEFAULT_STATE_DIR = "/run/softnet-lab";
export const lockPath = (stateDir: string) => join(stateDir, "measure.lock");
export const restorePath = (stateDir: string) => join(stateDir, "rps-restore.json");
/** The tools the current measurement started (pid, start time, command), for the next run to stop. */
export const toolsPath = (stateDir: string) => join(stateDir, "tools.json");

/** A scheduled run could not complete (a tool failed, timed out or printed nothing usable). Exit 3. */
export class RunFailedError extends EnvironmentError {
  constructor(message: string) {
    super(message);
    this.name = "RunFailedError";
  }
}

/** Exit status after a signal, as a shell reports it (128 + the signal number). */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
const HANDLED_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Asks the kernel for a free UDP port on 127.0.0.1. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

export function onlineCpus(fs: ProcFs = realProcFs): number[] {
  return parseCpuList(fs.read("/sys/devices/system/cpu/online"));
}

export async function runMeasurement(opts: MeasureOptions, configs: readonly RunConfig[], deps: HarnessDeps): Promise<MeasurementResult> {
  const fs = deps.fs ?? realProcFs;
  const log = deps.log ?? (() => {});
  const t0 = process.hrtime.bigint();
  const lock = await MeasureLock.acquireWaiting(lockPath(deps.stateDir), deps.lockWaitMs ?? 0);
  const guard = new RpsGuard(deps.rpsPath, restorePath(deps.stateDir));
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    killAllTools();
    recordToolsIn(null);
    try {
      guard.restore();
    } finally {
      lock.release();
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    log(`\n${sig}: stopping the tools and restoring ${deps.rpsPath}`);
    try {
      cleanup();
    } catch (e) {
      process.stderr.write(`softnet-lab measure: restore failed: ${(e as Error).message}\n`);
    }
    process.exit(SIGNAL_EXIT[sig] ?? 143);
  };
  const onExit = () => {
    try {
      cleanup();
    } catch {
      /* nothing more can be done at exit; the restore file repairs it next time */
    }
  };
  if (deps.handleSignals) for (const sig of HANDLED_SIGNALS) process.on(sig, onSignal);
  process.on("exit", onExit);
  try {
    for (const line of stopLeftoverTools(toolsPath(deps.stateDir))) log(line);
    recordToolsIn(toolsPath(deps.stateDir));
    const repaired = recoverCrashedRun(restorePath(deps.stateDir));
    if (repaired) log(repaired);
    const threads = findKernelThreads(fs);
    const cpus = cpuSlots(takeSnapshot(threads, fs));
    const facts = collectMachineFacts(fs, deps.env, threads.backlogNapi.size, cpus);
    const loadBefore = readLoadavg(fs);
    const rpsBefore = guard.current();
    const port = opts.port ?? (await freeUdpPort());
    const runs = schedule(configs, opts.repeats);
    const rows: Row[] = [];
    const leanBin = deps.leanBin ?? (configs.some((c) => c.tool === "lean" && c.mode !== "idle") ? ensureLeanTool({ env: deps.env }).path : null);
    const ctx = { guard, threads, fs, env: deps.env, timeBin: deps.timeBin, leanBin, port, cpus };
    // With --trace-count the measured runs stay untraced (tracing slows the kernel down) and each
    // configuration gets one short traced run of its own afterwards.
    const traceEveryRun = deps.trace && !opts.traceCount ? deps.trace : undefined;
    for (const [i, r] of runs.entries()) {
      let row: Row;
      try {
        row = await runOnce(r.config, r.repeat, { ...ctx, trace: traceEveryRun });
      } catch (e) {
        throw new RunFailedError(`run ${i + 1} of ${runs.length} (${r.config.config_id} #${r.repeat}) could not complete: ${(e as Error).message}`);
      }
      rows.push(row);
      const pps = typeof row.received_pps === "number" ? `${Math.round(row.received_pps)} pps` : "idle";
      log(`[${i + 1}/${runs.length}] ${r.config.config_id} #${r.repeat}: ${pps}, load ${row.loadavg_1m_before}`);
    }
    if (deps.trace && opts.traceCount) {
      const traced = configs.filter((c) => c.mode !== "idle" && c.tool === "lean");
      for (const [i, c] of traced.entries()) {
        try {
          await runOnce(c, 0, { ...ctx, trace: deps.trace }, { count: opts.traceCount });
        } catch (e) {
          throw new RunFailedError(`traced run ${i + 1} of ${traced.length} (${c.config_id}) could not complete: ${(e as Error).message}`);
        }
        log(`[trace ${i + 1}/${traced.length}] ${c.config_id}: ${opts.traceCount} datagrams traced`);
      }
    }
    cleanup();
    const loadAfter = readLoadavg(fs);
    const notes = [...facts.notes];
    const maxLoad = Math.max(...rows.map((r) => r.loadavg_1m_before as number), loadBefore[0]);
    notes.push(
      `Load average before the measurement ${loadBefore.join(" ")}, after ${loadAfter.join(" ")}, highest 1-minute value before a run ${maxLoad}; ` +
        `the tools themselves keep about one CPU busy, so the rest is other work sharing the ${facts.cpu.online || cpus} CPUs. See loadavg_1m_before and cpu_busy_ticks per run.`,
    );
    notes.push(`rps_cpus of lo was ${rpsBefore} before the measurement and was restored to it afterwards.`);
    if (deps.note) notes.push(deps.note);
    const metadata: DatasetMetadata = {
      format: DATASET_FORMAT,
      format_version: DATASET_FORMAT_VERSION,
      created_at: new Date().toISOString(),
      machine_kind: facts.machine_kind,
      kernel: facts.kernel,
      cpu: facts.cpu,
      virtualization: facts.virtualization,
      tools: { ...facts.tools, ...deps.toolVersions },
      sysctl: facts.sysctl,
      load: { before: loadBefore, after: loadAfter },
      settings: { repeats: opts.repeats, seconds: opts.seconds, sender_cpu: opts.senderCpu, command: deps.command },
      duration_s: Math.round(Number(process.hrtime.bigint() - t0) / 1e7) / 100,
      notes,
    };
    return { rows, metadata };
  } finally {
    try {
      cleanup();
    } finally {
      process.removeListener("exit", onExit);
      if (deps.handleSignals) for (const sig of HANDLED_SIGNALS) process.removeListener(sig, onSignal);
    }
  }
}
