/**
 * What a `softnet-lab measure` invocation will run: the command-line options, validated with messages
 * that name the option and its allowed values, and their expansion into run configurations (the full
 * Done-means matrix with `--matrix`), in the interleaved order the repeats are run.
 */
import { formatCpuMask, parseCpuMask } from "./cpumask";
import type { Mode } from "./schema";
import { UsageError } from "../errors";

/** The load tools `measure` can drive: `lean` (tools/udp-blast, the default) or `sockperf`. */
export const LOAD_TOOLS = ["lean", "sockperf"] as const;
export type LoadTool = (typeof LOAD_TOOLS)[number];

export interface RunConfig {
  config_id: string;
  /** Which load tool produces the traffic. */
  tool: LoadTool;
  mode: Mode;
  payload_bytes: number | null;
  /** What was asked: off, other or a hex mask. */
  rps: string;
  /** The mask written to rps_cpus. */
  rps_cpus: string;
  sender_cpu: number | null;
  receiver_cpu: number | null;
  receiver: "same" | "other" | null;
  seconds: number;
}

export interface MeasureOptions {
  tool: LoadTool[];
  rps: string[];
  receiver: ("same" | "other")[];
  payload: number[];
  mode: ("stream" | "pingpong")[];
  repeats: number;
  seconds: number;
  senderCpu: number;
  out: string | null;
  matrix: boolean;
  baseline: boolean;
  dryRun: boolean;
  force: boolean;
  port: number | null;
  trace: string | null;
  /** With trace: one extra traced run of this many datagrams per configuration, instead of tracing every run. */
  traceCount: number | null;
  /** A sentence for the dataset's notes (e.g. what else ran on the machine). */
  note: string | null;
  help: boolean;
}

// The CLI's one usage-error class (a UserInputError: exit 2), re-exported for the measure modules.
export { UsageError } from "../errors";

export const MEASURE_USAGE = `usage: softnet-lab measure [options]

Runs real UDP-over-loopback load (127.0.0.1 only) pinned to chosen CPUs, with rps_cpus of lo set per
run and restored afterwards, and records the kernel's counters. Needs Linux and root.

  --tool LIST         lean | sockperf (default lean: tools/udp-blast, one sendto/recv per datagram, built
                      with gcc on first use); both to put the two side by side
  --rps MASK          off | other | sender | both | a hex CPU mask in the sysfs form (commas between
                      32-bit groups: 1,00000000 is CPU 32); repeat the option to sweep several (default
                      off); other = the CPU that is not the sender's, sender = the sender's CPU, both =
                      the two
  --receiver LIST     same | other: receiver on the sender's CPU or another one (default other)
  --payload LIST      UDP payload bytes, 14..65507 (default 64)
  --mode LIST         stream | pingpong (default stream)
  --matrix            the full set: rps off,other,sender,both x receiver same,other x payload
                      64,1024 x mode stream,pingpong, plus an idle baseline
  --repeats N         runs per configuration, 1..100 (default 5); reported as median, min, max
  --seconds N         traffic time per run (sockperf -t), whole seconds 1..60 (default 2)
  --sender-cpu N      CPU of the sender / ping-pong client (default 0)
  --baseline          add an idle configuration (no traffic): the background rate of every counter
  --no-baseline       leave it out (default with --matrix: included)
  --out DIR           write the dataset there (e.g. datasets/real/my-machine-2026-11-25)
  --force             replace DIR if it exists
  --port N            UDP port of the sockperf server (default: a free one)
  --note TEXT         a sentence for the dataset's notes (what else ran on the machine...)
  --trace DIR         also capture the kernel tracepoints of each run (needs the trace module)
  --trace-count N     with --trace: instead of tracing every run, trace one extra run of N datagrams
                      (N round trips) per lean-tool configuration, with the cost tracepoints (1..100000)
  --dry-run           print what would run and change, run nothing
  -h, --help          this text
`;

const MAX_PAYLOAD = 65_507; // largest UDP payload over IPv4
const MIN_PAYLOAD = 14; // sockperf's message header

function list(opt: string, raw: string): string[] {
  const items = raw.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) throw new UsageError(`${opt}: empty item in "${raw}"`);
  return items;
}

function intIn(opt: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${opt}: expected a whole number ${min}..${max}, got "${raw}"`);
  const v = Number(raw);
  if (v < min || v > max) throw new UsageError(`${opt}: expected a whole number ${min}..${max}, got ${v}`);
  return v;
}

/** Options that may be given several times, one value each (a mask holds commas of its own). */
const REPEATABLE_OPTS = new Set(["--rps"]);
const VALUE_OPTS = new Set(["--tool", "--trace-count", "--rps", "--receiver", "--payload", "--mode", "--repeats", "--seconds", "--sender-cpu", "--out", "--port", "--trace", "--note"]);
const FLAG_OPTS = new Set(["--matrix", "--baseline", "--no-baseline", "--dry-run", "--force", "--help", "-h"]);

/** Parses `measure` arguments (after the subcommand). Throws UsageError with a precise message. */
export function parseMeasureArgs(argv: readonly string[]): MeasureOptions {
  const seen = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf("=");
    const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    if (VALUE_OPTS.has(name)) {
      const value = eq > 0 && a.startsWith("--") ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      if (REPEATABLE_OPTS.has(name)) repeated.set(name, [...(repeated.get(name) ?? []), value]);
      if (seen.has(name) && !REPEATABLE_OPTS.has(name)) throw new UsageError(`${name} given twice; use a comma-separated list instead`);
      seen.set(name, value);
    } else if (FLAG_OPTS.has(a)) flags.add(a === "-h" ? "--help" : a);
    else throw new UsageError(`unknown option "${a}". Options: ${[...VALUE_OPTS, ...FLAG_OPTS].join(", ")}`);
  }
  const matrix = flags.has("--matrix");
  if (matrix) for (const o of ["--rps", "--receiver", "--payload", "--mode"]) if (seen.has(o)) throw new UsageError(`${o} cannot be combined with --matrix (the matrix sets it)`);
  if (flags.has("--baseline") && flags.has("--no-baseline")) throw new UsageError("--baseline and --no-baseline contradict each other");

  const tool = list("--tool", seen.get("--tool") ?? "lean").map((t) => {
    if (!(LOAD_TOOLS as readonly string[]).includes(t)) throw new UsageError(`--tool: expected ${LOAD_TOOLS.join(" or ")}, got "${t}"`);
    return t as LoadTool;
  });
  const rps = (repeated.get("--rps") ?? (matrix ? ["off", "other", "sender", "both"] : ["off"])).map((raw) => {
    const r = raw.trim();
    if (r === "off" || r === "other" || r === "sender" || r === "both") return r;
    if (r === "") throw new UsageError(`--rps: empty value: expected off, other, sender, both or a hex CPU mask`);
    let cpus: number[];
    try {
      cpus = parseCpuMask(r, "--rps");
    } catch {
      throw new UsageError(`--rps: expected off, other, sender, both or a hex CPU mask in the sysfs form (e.g. 2, 3, 1,00000000 for CPU 32; repeat --rps to sweep several), got "${raw}"`);
    }
    return formatCpuMask(cpus); // the canonical sysfs spelling
  });
  if (new Set(rps).size !== rps.length) throw new UsageError(`--rps: the same mask is given twice (${rps.join(", ")})`);
  const receiver = list("--receiver", seen.get("--receiver") ?? (matrix ? "same,other" : "other")).map((r) => {
    if (r !== "same" && r !== "other") throw new UsageError(`--receiver: expected same or other, got "${r}"`);
    return r;
  });
  const payload = list("--payload", seen.get("--payload") ?? (matrix ? "64,1024" : "64")).map((p) => intIn("--payload", p, MIN_PAYLOAD, MAX_PAYLOAD));
  const mode = list("--mode", seen.get("--mode") ?? (matrix ? "stream,pingpong" : "stream")).map((m) => {
    if (m !== "stream" && m !== "pingpong") throw new UsageError(`--mode: expected stream or pingpong, got "${m}"`);
    return m;
  });
  const out = seen.get("--out") ?? null;
  const traceCount = seen.has("--trace-count") ? intIn("--trace-count", seen.get("--trace-count")!, 1, 100_000) : null;
  if (traceCount !== null && !seen.has("--trace")) throw new UsageError("--trace-count needs --trace DIR");
  if (traceCount !== null && !tool.includes("lean")) throw new UsageError("--trace-count needs the lean tool (--tool lean): sockperf cannot stop after N datagrams");
  return {
    tool,
    traceCount,
    rps,
    receiver,
    payload,
    mode,
    repeats: seen.has("--repeats") ? intIn("--repeats", seen.get("--repeats")!, 1, 100) : 5,
    seconds: seen.has("--seconds") ? intIn("--seconds", seen.get("--seconds")!, 1, 60) : 2,
    senderCpu: seen.has("--sender-cpu") ? intIn("--sender-cpu", seen.get("--sender-cpu")!, 0, 4095) : 0,
    out,
    matrix,
    baseline: flags.has("--baseline") || (matrix && !flags.has("--no-baseline")),
    dryRun: flags.has("--dry-run"),
    force: flags.has("--force"),
    port: seen.has("--port") ? intIn("--port", seen.get("--port")!, 1024, 65535) : null,
    trace: seen.get("--trace") ?? null,
    note: seen.get("--note") ?? null,
    help: flags.has("--help"),
  };
}

/** The lowest online CPU that is not `cpu`; throws when there is none. */
export function otherCpu(cpu: number, online: readonly number[]): number {
  const o = online.find((c) => c !== cpu);
  if (o === undefined) throw new UsageError(`"other" needs a second online CPU besides CPU ${cpu}; online: ${online.join(",")}`);
  return o;
}

/** The rps_cpus mask a --rps value stands for, given the sender's CPU. */
export function rpsMask(rps: string, senderCpu: number, online: readonly number[]): string {
  if (rps === "off") return "0";
  if (rps === "other") return formatCpuMask([otherCpu(senderCpu, online)]);
  if (rps === "sender") return formatCpuMask([senderCpu]);
  if (rps === "both") return formatCpuMask([senderCpu, otherCpu(senderCpu, online)]);
  return formatCpuMask(parseCpuMask(rps));
}

/** Expands the options into configurations (baseline first), in a stable order. */
export function buildConfigs(o: MeasureOptions, online: readonly number[]): RunConfig[] {
  if (!online.includes(o.senderCpu)) throw new UsageError(`--sender-cpu: CPU ${o.senderCpu} is not online (online: ${online.join(",")})`);
  const configs: RunConfig[] = [];
  if (o.baseline) {
    configs.push({ config_id: "idle", tool: o.tool[0], mode: "idle", payload_bytes: null, rps: "off", rps_cpus: "0", sender_cpu: null, receiver_cpu: null, receiver: null, seconds: o.seconds });
  }
  for (const tool of o.tool)
    for (const mode of o.mode)
      for (const payload of o.payload)
        for (const rps of o.rps)
          for (const receiver of o.receiver) {
            const mask = rpsMask(rps, o.senderCpu, online);
            const maskCpus = parseCpuMask(mask);
            const bad = maskCpus.filter((c) => !online.includes(c));
            if (bad.length) throw new UsageError(`--rps: mask ${rps} names CPU ${bad.join(",")}, which is not online (online: ${online.join(",")})`);
            const receiverCpu = receiver === "same" ? o.senderCpu : otherCpu(o.senderCpu, online);
            const rpsLabel = rps === "off" || rps === "other" || rps === "sender" || rps === "both" ? `rps_${rps}` : `rps_${mask.replace(/,/g, "_")}`;
            configs.push({
              // The lean tool is the default, so its ids stay those of the first datasets; sockperf's say so.
              config_id: `${mode}-${payload}b-${rpsLabel}-recv_${receiver}${tool === "lean" ? "" : `-${tool}`}`,
              tool,
              mode,
              payload_bytes: payload,
              rps,
              rps_cpus: mask,
              sender_cpu: o.senderCpu,
              receiver_cpu: receiverCpu,
              receiver,
              seconds: o.seconds,
            });
          }
  const ids = new Set<string>();
  for (const c of configs) {
    if (ids.has(c.config_id)) throw new UsageError(`the options name configuration ${c.config_id} twice`);
    ids.add(c.config_id);
  }
  return configs;
}

export interface ScheduledRun {
  config: RunConfig;
  repeat: number;
}

/** Repeat 1 of every configuration, then repeat 2, ...: slow drifts in machine load spread over all
 * configurations instead of biasing the ones measured last. */
export function schedule(configs: readonly RunConfig[], repeats: number): ScheduledRun[] {
  const out: ScheduledRun[] = [];
  for (let r = 1; r <= repeats; r++) for (const c of configs) out.push({ config: c, repeat: r });
  return out;
}

/** Rough wall time of one run: sockperf waits about 2 s before its test starts; the lean tool starts at once. */
export function estimateRunSeconds(c: RunConfig): number {
  if (c.mode === "idle") return c.seconds + 0.1;
  return c.tool === "sockperf" ? c.seconds + 2.6 : c.seconds + 0.4;
}
