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
import { LEAN_END, LEAN_READY, leanClientArgv, leanPingResult, leanRusage, leanServerArgv, leanStreamResult, parseLeanOutput } from "./lean-tool";

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
  /** The built lean tool (tools/udp-blast); null when only sockperf runs. */
  leanBin: string | null;
  port: number;
  cpus: number;
  trace?: RunTraceHook;
}

/** A run bounded by a datagram count instead of time (the lean tool's short traced runs). */
export interface RunLimits {
  count?: number;
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
    tool: c.tool,
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

/** The traffic columns of a row, from either tool's counts: a ping-pong delivers two datagrams per round trip. */
function trafficCells(mode: "stream" | "pingpong", sent: number, received: number, seconds: number, latencyUs: { avg: number; p50: number; p90: number; p99: number; max: number } | null): Row {
  if (mode === "stream") return { tool_sent: sent, tool_received: received, tool_runtime_s: seconds, sent_pps: sent / seconds, received_pps: received / seconds };
  return {
    tool_sent: sent,
    tool_received: received,
    tool_runtime_s: seconds,
    sent_pps: sent / seconds,
    received_pps: (2 * received) / seconds,
    round_trips_per_s: received / seconds,
    latency_avg_us: latencyUs?.avg ?? null,
    latency_p50_us: latencyUs?.p50 ?? null,
    latency_p90_us: latencyUs?.p90 ?? null,
    latency_p99_us: latencyUs?.p99 ?? null,
    latency_max_us: latencyUs?.max ?? null,
  };
}

function finishRow(base: Row, before: Snapshot, after: Snapshot, cpus: number): Row {
  const row: Row = { ...base, ...diffSnapshots(before, after, cpus) };
  return { ...row, ...deriveRunColumns(row) };
}

/** Runs `config` once and returns its row. Leaves rps_cpus set (the caller restores it at the end). */
export async function runOnce(config: RunConfig, repeat: number, ctx: RunContext, limits: RunLimits = {}): Promise<Row> {
  ctx.guard.set(config.rps_cpus);
  const base: Row = { ...configCells(config), repeat, started_at: new Date().toISOString(), loadavg_1m_before: readLoad1(ctx.fs) };
  if (config.mode === "idle") {
    const before = takeSnapshot(ctx.threads, ctx.fs);
    await sleep(config.seconds * 1000);
    const after = takeSnapshot(ctx.threads, ctx.fs);
    return finishRow({ ...base, window: "idle-sleep", ...NO_TOOL }, before, after, ctx.cpus);
  }
  if (config.tool === "lean") return runLean(config, repeat, ctx, base, limits);
  return runSockperf(config, repeat, ctx, base);
}

/**
 * The lean tool's run: the server binds and says `ready port=P`; the client sets up, says `ready` and
 * waits for a line on stdin; the counters are snapshotted, the client is released, and the second
 * snapshot is taken once its loop has ended (`end`) and the receiver has drained what it sent, so the
 * window holds the loop and its tail, and nothing of start-up.
 */
async function runLean(config: RunConfig, repeat: number, ctx: RunContext, base: Row, limits: RunLimits): Promise<Row> {
  if (!ctx.leanBin) throw new Error("the lean tool was not built (runMeasurement builds it when a configuration uses it)");
  const bin = ctx.leanBin;
  const mode = config.mode === "pingpong" ? "pingpong" : "stream";
  let server: ToolProcess | null = null;
  const started: { client: ToolProcess | null } = { client: null };
  try {
    server = spawnTool(leanServerArgv(bin, mode, ctx.port, config.receiver_cpu, config.seconds + 30), { env: ctx.env, cpu: null, hardTimeoutMs: (config.seconds + 35) * 1000, timeBin: null });
    const bound = await Promise.race([waitForSocket(ctx.fs, ctx.port, 5000, (q) => q !== null), server.exited.then(() => false)]);
    if (!bound) throw new Error(`udp-blast server did not bind 127.0.0.1:${ctx.port} within 5 s:\n${tail(server.output())}`);

    const w: { before: Snapshot | null; ended: boolean } = { before: null, ended: false };
    const runClient = async (abort: AbortSignal | null) => {
      const argv = leanClientArgv(bin, mode, ctx.port, config.sender_cpu, config.seconds, config.payload_bytes!, { count: limits.count });
      const c = spawnTool(argv, {
        env: ctx.env,
        cpu: null,
        hardTimeoutMs: (config.seconds + 15) * 1000,
        timeBin: null,
        stdin: true,
        onLine: (line) => {
          const l = line.trim();
          if (!w.before && l === LEAN_READY) {
            w.before = takeSnapshot(ctx.threads, ctx.fs);
            c.write("go\n");
          } else if (w.before && l === LEAN_END) w.ended = true;
        },
      });
      started.client = c;
      abort?.addEventListener("abort", () => c.signal("SIGKILL"), { once: true });
      return c.exited;
    };
    const cexit = ctx.trace ? await ctx.trace.around(`${config.config_id}.r${repeat}`, runClient) : await runClient(null);
    const client = started.client;
    if (!client) throw new Error("udp-blast client was not started");
    if (cexit.timedOut) throw new Error(`udp-blast client exceeded its hard timeout (${config.seconds + 15} s) and was killed:\n${tail(client.output())}`);
    if (cexit.code !== 0) throw new Error(`udp-blast client failed (exit ${cexit.code ?? cexit.signal}):\n${tail(client.output())}`);
    if (!w.before || !w.ended) throw new Error(`udp-blast client ended without its ready/end lines:\n${tail(client.output())}`);

    // The window closes once what the loop sent has been received: the socket queue empty and the
    // backlog's last batch processed, so every counter of the window sees the same datagrams (the
    // snapshot itself reads a dozen files, while a backlog tail would still be moving).
    await waitForSocket(ctx.fs, ctx.port, 1000, (q) => q === null || q === 0);
    await sleep(20);
    const after = takeSnapshot(ctx.threads, ctx.fs);
    server.signal("SIGINT");
    const stopTimer = setTimeout(() => server?.signal("SIGKILL"), 3000);
    const sexit = await server.exited;
    clearTimeout(stopTimer);
    if (sexit.code !== 0) throw new Error(`udp-blast server did not stop cleanly (exit ${sexit.code ?? sexit.signal}):\n${tail(server.output())}`);

    const cv = parseLeanOutput(client.output());
    const sv = parseLeanOutput(server.output());
    const cru = leanRusage(cv);
    const sru = leanRusage(sv);
    const tool: Row = {
      ...NO_TOOL,
      sender_cpu_s: cru ? cru.cpuS : null,
      receiver_cpu_s: sru ? sru.cpuS : null,
      sender_voluntary_switches: cru ? cru.voluntary : null,
      sender_involuntary_switches: cru ? cru.involuntary : null,
      receiver_voluntary_switches: sru ? sru.voluntary : null,
      receiver_involuntary_switches: sru ? sru.involuntary : null,
    };
    if (mode === "stream") {
      const r = leanStreamResult(cv, sv);
      Object.assign(tool, trafficCells("stream", r.sent, r.received, r.elapsedS, null));
    } else {
      const p = leanPingResult(cv);
      // One-way latency is half the round trip, as sockperf reports it, so the two tools' columns compare.
      const half = (x: number) => x / 2;
      const lat = p.rtt ? { avg: half(p.rtt.avg), p50: half(p.rtt.p50), p90: half(p.rtt.p90), p99: half(p.rtt.p99), max: half(p.rtt.max) } : null;
      Object.assign(tool, trafficCells("pingpong", p.sent, p.received, p.elapsedS, lat));
    }
    return finishRow({ ...base, window: "tool-markers", ...tool }, w.before, after, ctx.cpus);
  } finally {
    started.client?.signal("SIGKILL");
    server?.signal("SIGKILL");
    if (server) await server.exited;
    if (started.client) await started.client.exited;
  }
}

/** sockperf's run: markers in its output bound the window (it waits ~2 s before its test starts). */
async function runSockperf(config: RunConfig, repeat: number, ctx: RunContext, base: Row): Promise<Row> {
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
      Object.assign(tool, trafficCells("stream", c.sent, s.received, c.runtimeS, null));
    } else {
      const p = parsePingPongOutput(client.output());
      Object.assign(tool, trafficCells("pingpong", p.sent, p.received, p.runtimeS, { avg: p.avgUs, p50: p.p50Us, p90: p.p90Us, p99: p.p99Us, max: p.maxUs }));
    }
    return finishRow({ ...base, window, ...tool }, snapBefore, snapAfter, ctx.cpus);
  } finally {
    started.client?.signal("SIGKILL");
    server?.signal("SIGKILL");
    if (server) await server.exited;
    if (started.client) await started.client.exited;
  }
}
