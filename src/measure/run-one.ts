/**
 * One run of one configuration: set rps_cpus, start the sockperf server on the receiver CPU, run the
 * client on the sender CPU, snapshot the counters exactly around the client's test period, stop the
 * server, and turn outputs and counter deltas into one dataset row.
 */
import { diffSnapshots, takeSnapshot, type KernelThreads, type ProcFs, type Snapshot } from "./counters";
import { deriveRunColumns } from "./derive";
import type { RunConfig } from "./plan";
import { spawnTool, type ToolProcess } from "./process";
import { parseProcNetUdp } from "./procfs/udp-sockets";
import type { RpsGuard } from "./rps-guard";
import type { Row } from "./schema";
import { clientArgv, END_MARKER, LOOPBACK, parsePingPongOutput, parseServerOutput, parseThroughputOutput, serverArgv, START_MARKER } from "./sockperf";

/** Optional kernel trace capture around the client's life (trace-hook.ts wraps src/trace/capture.ts).
 * `work` must stop when `abort` fires (the capture's time limit or a signal). */
export interface RunTraceHook {
  around<T>(label: string, work: (abort: AbortSignal) => Promise<T>): Promise<T>;
}

export interface RunContext {
  guard: RpsGuard;
  threads: KernelThreads;
  fs: ProcFs;
  /** Environment of the tools (PATH decides which sockperf runs; tests put fakes first). */
  env: NodeJS.ProcessEnv;
  timeBin: string | null;
  port: number;
  cpus: number;
  trace?: RunTraceHook;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls /proc/net/udp until `test` holds for our 127.0.0.1 socket, or gives up after `ms`. */
async function waitForSocket(fs: ProcFs, port: number, ms: number, test: (rxQueue: number | null) => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = parseProcNetUdp(fs.read("/proc/net/udp")).find((x) => x.localPort === port && x.localIp === LOOPBACK);
    if (test(s ? s.rxQueue : null)) return true;
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
}

function tail(text: string): string {
  const lines = text.trimEnd().split("\n");
  return lines.slice(-12).join("\n");
}

function readLoad1(fs: ProcFs): number {
  return Number(fs.read("/proc/loadavg").split(/\s+/)[0]);
}

function configCells(c: RunConfig): Row {
  return {
    config_id: c.config_id,
    mode: c.mode,
    payload_bytes: c.payload_bytes,
    rps: c.rps,
    rps_cpus: c.rps_cpus,
    sender_cpu: c.sender_cpu,
    receiver_cpu: c.receiver_cpu,
    receiver: c.receiver,
    seconds: c.seconds,
  };
}

const NO_TOOL: Row = {
  tool_sent: null,
  tool_received: null,
  tool_runtime_s: null,
  sent_pps: null,
  received_pps: null,
  round_trips_per_s: null,
  latency_avg_us: null,
  latency_p50_us: null,
  latency_p90_us: null,
  latency_p99_us: null,
  latency_max_us: null,
  sender_cpu_s: null,
  receiver_cpu_s: null,
  sender_voluntary_switches: null,
  sender_involuntary_switches: null,
  receiver_voluntary_switches: null,
  receiver_involuntary_switches: null,
};

function finishRow(base: Row, before: Snapshot, after: Snapshot, cpus: number): Row {
  const row: Row = { ...base, ...diffSnapshots(before, after, cpus) };
  return { ...row, ...deriveRunColumns(row) };
}

/** Runs `config` once and returns its row. Leaves rps_cpus set (the caller restores it at the end). */
export async function runOnce(config: RunConfig, repeat: number, ctx: RunContext): Promise<Row> {
  ctx.guard.set(config.rps_cpus);
  const base: Row = { ...configCells(config), repeat, started_at: new Date().toISOString(), loadavg_1m_before: readLoad1(ctx.fs) };
  if (config.mode === "idle") {
    const before = takeSnapshot(ctx.threads, ctx.fs);
    await sleep(config.seconds * 1000);
    const after = takeSnapshot(ctx.threads, ctx.fs);
    return finishRow({ ...base, window: "idle-sleep", ...NO_TOOL }, before, after, ctx.cpus);
  }

  const spawnOpts = (cpu: number | null, timeoutS: number) => ({ env: ctx.env, cpu, hardTimeoutMs: timeoutS * 1000, timeBin: ctx.timeBin });
  let server: ToolProcess | null = null;
  // Set inside runClient (a holder object keeps TypeScript's narrowing honest).
  const started: { client: ToolProcess | null } = { client: null };
  try {
    server = spawnTool(serverArgv(ctx.port), spawnOpts(config.receiver_cpu, config.seconds + 30));
    const bound = await Promise.race([waitForSocket(ctx.fs, ctx.port, 5000, (q) => q !== null), server.exited.then(() => false)]);
    if (!bound) throw new Error(`sockperf server did not bind 127.0.0.1:${ctx.port} within 5 s:\n${tail(server.output())}`);

    // Filled from the client's output callback (a holder object keeps TypeScript's narrowing honest).
    const w: { before: Snapshot | null; after: Snapshot | null } = { before: null, after: null };
    const early = takeSnapshot(ctx.threads, ctx.fs);
    const runClient = async (abort: AbortSignal | null) => {
      started.client = spawnTool(clientArgv(config.mode, ctx.port, config.seconds, config.payload_bytes!), {
        ...spawnOpts(config.sender_cpu, config.seconds + 15),
        onLine: (line) => {
          if (!w.before && line.includes(START_MARKER)) w.before = takeSnapshot(ctx.threads, ctx.fs);
          else if (w.before && !w.after && line.includes(END_MARKER)) w.after = takeSnapshot(ctx.threads, ctx.fs);
        },
      });
      const c = started.client;
      abort?.addEventListener("abort", () => c.signal("SIGKILL"), { once: true });
      return c.exited;
    };
    const cexit = ctx.trace ? await ctx.trace.around(`${config.config_id}.r${repeat}`, runClient) : await runClient(null);
    const client = started.client;
    if (!client) throw new Error("sockperf client was not started");
    if (cexit.timedOut) throw new Error(`sockperf client exceeded its hard timeout (${config.seconds + 15} s) and was killed:\n${tail(client.output())}`);
    if (cexit.code !== 0) throw new Error(`sockperf client failed (exit ${cexit.code ?? cexit.signal}):\n${tail(client.output())}`);
    const window = w.before && w.after ? "tool-markers" : "process-lifetime";
    const snapBefore: Snapshot = w.before && w.after ? w.before : early;
    const snapAfter: Snapshot = w.before && w.after ? w.after : takeSnapshot(ctx.threads, ctx.fs);

    // Let the server empty its socket queue before it is stopped, so its count is complete.
    await waitForSocket(ctx.fs, ctx.port, 1000, (q) => q === null || q === 0);
    server.signal("SIGINT");
    const stopTimer = setTimeout(() => server?.signal("SIGKILL"), 3000);
    const sexit = await server.exited;
    clearTimeout(stopTimer);
    if (sexit.code !== 0) throw new Error(`sockperf server did not stop cleanly (exit ${sexit.code ?? sexit.signal}):\n${tail(server.output())}`);

    const sru = server.rusage();
    const cru = client.rusage();
    const tool: Row = {
      ...NO_TOOL,
      sender_cpu_s: cru ? cru.userS + cru.sysS : null,
      receiver_cpu_s: sru ? sru.userS + sru.sysS : null,
      sender_voluntary_switches: cru ? cru.voluntary : null,
      sender_involuntary_switches: cru ? cru.involuntary : null,
      receiver_voluntary_switches: sru ? sru.voluntary : null,
      receiver_involuntary_switches: sru ? sru.involuntary : null,
    };
    if (config.mode === "stream") {
      const c = parseThroughputOutput(client.output());
      const s = parseServerOutput(server.output());
      Object.assign(tool, { tool_sent: c.sent, tool_received: s.received, tool_runtime_s: c.runtimeS, sent_pps: c.sent / c.runtimeS, received_pps: s.received / c.runtimeS });
    } else {
      const p = parsePingPongOutput(client.output());
      Object.assign(tool, {
        tool_sent: p.sent,
        tool_received: p.received,
        tool_runtime_s: p.runtimeS,
        sent_pps: p.sent / p.runtimeS,
        received_pps: (2 * p.received) / p.runtimeS,
        round_trips_per_s: p.received / p.runtimeS,
        latency_avg_us: p.avgUs,
        latency_p50_us: p.p50Us,
        latency_p90_us: p.p90Us,
        latency_p99_us: p.p99Us,
        latency_max_us: p.maxUs,
      });
    }
    return finishRow({ ...base, window, ...tool }, snapBefore, snapAfter, ctx.cpus);
  } finally {
    started.client?.signal("SIGKILL");
    server?.signal("SIGKILL");
    if (server) await server.exited;
    if (started.client) await started.client.exited;
  }
}
