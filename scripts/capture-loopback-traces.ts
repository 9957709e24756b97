/**
 * Captures the small real loopback traces of datasets/traces on this machine: a Node UDP sender and
 * receiver (scripts/trace-udp-peer.ts) pinned with taskset, 127.0.0.1 only, a bounded number of
 * packets, RPS off (lo's rps_cpus is read, never written: it must be 0 before and after, or the
 * capture is refused). Each trace gets a metadata file (kernel, CPU, virtualisation, date, command,
 * events). Needs Linux, root and tracefs.
 *
 *   node --import tsx scripts/capture-loopback-traces.ts [--out datasets/traces] [name...]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { withTraceCapture, captureSupport } from "../src/trace/capture";
import { parseFtraceText } from "../src/trace/ftrace-parse";
import { summarize } from "../src/trace/analyze";
import { TRACE_EVENTS, type TraceMeta } from "../src/trace/dataset";

interface Workload {
  name: string;
  description: string;
  senderCpu: number;
  receiverCpu: number;
  packets: number;
  gapUs: number;
  payloadBytes: number;
}

/** Receiver on the sender's CPU or the other one × paced (one datagram per wakeup) or a back-to-back burst. */
const WORKLOADS: Workload[] = (["same", "other"] as const).flatMap((where) =>
  ([
    ["paced", 60, 200],
    ["burst", 200, 0],
  ] as const).map(([pattern, packets, gapUs]): Workload => {
    const receiverCpu = where === "same" ? 0 : 1;
    const placement = where === "same" ? "sender and receiver on CPU 0" : "sender on CPU 0, receiver on CPU 1";
    const timing = gapUs > 0 ? `${gapUs} µs apart` : "back to back";
    return {
      name: `lo-udp-${where}-cpu-${pattern}`,
      description: `UDP over lo, ${placement}, ${packets} datagrams of 64 B, ${timing}, RPS off`,
      senderCpu: 0, receiverCpu, packets, gapUs, payloadBytes: 64,
    };
  }),
);

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const PEER = path.join(ROOT, "scripts", "trace-udp-peer.ts");
const RPS = "/sys/class/net/lo/queues/rx-0/rps_cpus";
const MAX_BYTES = 300 * 1024;

function readRps(): string {
  return fs.readFileSync(RPS, "utf8").trim();
}

function rpsOff(mask: string): boolean {
  return /^[0,]+$/.test(mask);
}

function spawnPeer(cpu: number, args: string[]): ChildProcessWithoutNullStreams {
  return spawn("taskset", ["-c", String(cpu), process.execPath, "--import", "tsx", PEER, ...args], { cwd: ROOT });
}

/** Resolves with the first stdout line matching `re`; rejects on exit or after `ms`. */
function waitLine(child: ChildProcessWithoutNullStreams, re: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = "";
    let err = "";
    const timer = setTimeout(() => done(new Error(`no ${re} from peer within ${ms} ms; stderr: ${err}`)), ms);
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) done(null, m);
    };
    const onErr = (d: Buffer): void => void (err += d.toString());
    const onExit = (code: number | null): void => done(new Error(`peer exited (${code}) before ${re}; stdout: ${buf} stderr: ${err}`));
    function done(e: Error | null, m?: RegExpExecArray): void {
      clearTimeout(timer);
      child.stdout.off("data", onData);
      child.stderr.off("data", onErr);
      child.off("exit", onExit);
      if (e) reject(e);
      else resolve(m as RegExpExecArray);
    }
    child.stdout.on("data", onData);
    child.stderr.on("data", onErr);
    child.on("exit", onExit);
  });
}

function machine(): TraceMeta["machine"] {
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown";
  const hypervisorFlag = /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo);
  let config: Record<string, string> = {};
  try {
    const text = execFileSync("sh", ["-c", "zcat /proc/config.gz"], { encoding: "utf8", maxBuffer: 64 << 20 });
    for (const key of ["CONFIG_HZ", "CONFIG_PREEMPT_RT", "CONFIG_PREEMPT_DYNAMIC", "CONFIG_PREEMPT_NONE", "CONFIG_PREEMPT_VOLUNTARY", "CONFIG_PREEMPT", "CONFIG_PREEMPT_LAZY", "CONFIG_RPS", "CONFIG_NO_HZ_IDLE", "CONFIG_NO_HZ_FULL"]) {
      const m = new RegExp(`^${key}=(.*)$`, "m").exec(text);
      config[key] = m ? m[1] : "n";
    }
  } catch {
    config = {};
  }
  const cmdline = fs.readFileSync("/proc/cmdline", "utf8").trim();
  // Say only what this machine shows about its virtualisation.
  const evidence: string[] = [];
  if (hypervisorFlag) evidence.push("CPU flag 'hypervisor'");
  const clocksource = /\bclocksource=(\S+)/.exec(cmdline)?.[1];
  if (clocksource) evidence.push(`clocksource=${clocksource} on the kernel command line`);
  if (/firecracker/i.test(cmdline)) evidence.push("'firecracker' on the kernel command line");
  return {
    kernel_release: os.release(),
    kernel_version: os.version(),
    kernel_config: config,
    thread_backlog_napi: /\bthread_backlog_napi\b/.test(cmdline),
    cpu_model: model,
    cpus: os.cpus().length,
    virtualised: hypervisorFlag,
    virtualisation_note: evidence.length ? evidence.join("; ") : "no sign of a hypervisor",
  };
}

async function captureOne(w: Workload, outDir: string): Promise<void> {
  const rpsBefore = readRps();
  if (!rpsOff(rpsBefore)) throw new Error(`${RPS} is ${rpsBefore}; these traces need RPS off (another process is measuring?)`);
  const rx = spawnPeer(w.receiverCpu, ["rx", String(w.packets), "8000"]);
  let tx: ChildProcessWithoutNullStreams | null = null;
  try {
    const port = Number((await waitLine(rx, /ready (\d+)\n/, 8000))[1]);
    tx = spawnPeer(w.senderCpu, ["tx", String(port), String(w.packets), String(w.gapUs), String(w.payloadBytes)]);
    await waitLine(tx, /ready\n/, 8000);
    const sender = tx;
    const { capture } = await withTraceCapture({ events: TRACE_EVENTS, bufferKb: 2048, maxSeconds: 8 }, async ({ signal, marker }) => {
      signal.addEventListener("abort", () => {
        rx.kill("SIGKILL");
        sender.kill("SIGKILL");
      });
      const rxDone = waitLine(rx, /(done|timeout) (\d+)\n/, 7000);
      const txDone = waitLine(sender, /done (\d+)\n/, 7000);
      marker("softnet-lab: go");
      sender.stdin.write("go\n");
      const [r] = await Promise.all([rxDone, txDone]);
      marker("softnet-lab: done");
      if (r[1] !== "done") throw new Error(`receiver got ${r[2]} of ${w.packets} datagrams`);
    });
    const rpsAfter = readRps();
    if (!rpsOff(rpsAfter)) throw new Error(`${RPS} became ${rpsAfter} during the capture; trace discarded`);

    const bytes = Buffer.byteLength(capture.text);
    if (bytes > MAX_BYTES) throw new Error(`${w.name}: trace is ${bytes} bytes, over the ${MAX_BYTES} limit; lower the packet count`);
    const lost = capture.perCpu.filter((c) => c.overrun > 0 || c.dropped > 0);
    if (lost.length) throw new Error(`${w.name}: events lost on CPU ${lost.map((c) => c.cpu).join(",")}; raise bufferKb`);
    const parsed = parseFtraceText(capture.text);
    const summary = summarize(parsed.records, { dev: "lo" });
    const file = `${w.name}.trace.txt`;
    fs.writeFileSync(path.join(outDir, file), capture.text);
    const meta: TraceMeta = {
      name: w.name,
      description: w.description,
      file,
      format: "Linux ftrace `trace` file (tracefs instance, options irq-info on, trace_clock mono)",
      sha256: createHash("sha256").update(capture.text).digest("hex"),
      bytes,
      records: parsed.records.length,
      captured_at: capture.startedAt,
      command: `node --import tsx scripts/capture-loopback-traces.ts ${w.name}`,
      workload: {
        tool: "scripts/trace-udp-peer.ts (Node " + process.version + " dgram, taskset-pinned)",
        destination: "127.0.0.1",
        packets: w.packets,
        payload_bytes: w.payloadBytes,
        gap_us: w.gapUs,
        sender_cpu: w.senderCpu,
        receiver_cpu: w.receiverCpu,
        rps_cpus: rpsBefore,
      },
      capture: {
        events: capture.events,
        clock: capture.clock,
        buffer_kb_per_cpu: capture.bufferKb,
        instance: true,
        duration_ms: Math.round(capture.durationMs * 10) / 10,
        per_cpu: capture.perCpu,
      },
      machine: machine(),
    };
    fs.writeFileSync(path.join(outDir, `${w.name}.meta.json`), JSON.stringify(meta, null, 2) + "\n");
    console.log(
      `${w.name}: ${bytes} B, ${parsed.records.length} records, ${summary.packets} packets received; ` +
        `per CPU ${JSON.stringify(summary.receive.perCpu)}, per context ${JSON.stringify(summary.receive.perContext)}, ` +
        `IPIs/packet ${summary.ipis.perPacket.toFixed(2)}, switches/packet ${summary.switches.perPacket.toFixed(2)}`,
    );
  } finally {
    rx.kill("SIGKILL");
    tx?.kill("SIGKILL");
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let outDir = path.join(ROOT, "datasets", "traces");
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") outDir = path.resolve(argv[++i] ?? "");
    else names.push(argv[i]);
  }
  const support = captureSupport();
  if (!support.ok) throw new Error(support.reason);
  const unknown = names.filter((n) => !WORKLOADS.some((w) => w.name === n));
  if (unknown.length) throw new Error(`unknown workload ${unknown.join(", ")}; known: ${WORKLOADS.map((w) => w.name).join(", ")}`);
  if (os.cpus().length < 2) throw new Error("these workloads pin to CPUs 0 and 1; this machine has one CPU");
  fs.mkdirSync(outDir, { recursive: true });
  for (const w of WORKLOADS.filter((x) => names.length === 0 || names.includes(x.name))) await captureOne(w, outDir);
}

main().catch((e) => {
  console.error(`capture-loopback-traces: ${(e as Error).message}`);
  process.exit(1);
});
