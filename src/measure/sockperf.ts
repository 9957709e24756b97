/**
 * sockperf (Debian package `sockperf`, 3.7) as the harness drives it: the command lines (UDP to
 * 127.0.0.1 only, bounded by `-t`) and parsers for what the server, the throughput client and the
 * ping-pong client print. Output is parsed from text so the parsers are tested on captured runs.
 */

/** The only address the harness ever sends to. */
export const LOOPBACK = "127.0.0.1";

export function serverArgv(port: number | string): string[] {
  return ["sockperf", "server", "-i", LOOPBACK, "-p", String(port)];
}

/** Client command: `throughput` floods one way, `ping-pong` waits for each reply before the next send. */
export function clientArgv(mode: "stream" | "pingpong" | "idle", port: number | string, seconds: number, payload: number): string[] {
  if (mode === "idle") throw new Error("clientArgv: the idle configuration runs no client");
  return ["sockperf", mode === "stream" ? "throughput" : "ping-pong", "-i", LOOPBACK, "-p", String(port), "-t", String(seconds), "-m", String(payload)];
}

/** Lines that bound the test period in the client's output (sockperf prints them as it goes). */
export const START_MARKER = "Starting test...";
export const END_MARKER = "Test end";

function strip(text: string): string {
  // sockperf colours some lines with ANSI escapes.
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

function need<T>(v: T | null | undefined, what: string, text: string): T {
  if (v === null || v === undefined) throw new Error(`sockperf output: no ${what} found in:\n${text.slice(-1500)}`);
  return v;
}

export interface ServerResult {
  received: number;
}

/** `sockperf: Total 210198 messages received and handled` (printed when the server stops on SIGINT). */
export function parseServerOutput(text: string): ServerResult {
  const t = strip(text);
  const m = /Total (\d+) messages received and handled/.exec(t);
  return { received: Number(need(m, "'Total N messages received and handled' line", t)[1]) };
}

export interface ThroughputResult {
  sent: number;
  runtimeS: number;
  /** sockperf's own "Message Rate" (it subtracts its warm-up messages). */
  rateMsgPerS: number;
}

export function parseThroughputOutput(text: string): ThroughputResult {
  const t = strip(text);
  const total = need(/Total of (\d+) messages sent in ([\d.]+) sec/.exec(t), "'Total of N messages sent in T sec' line", t);
  const rate = need(/Message Rate is (\d+) \[msg\/sec\]/.exec(t), "'Message Rate' line", t);
  return { sent: Number(total[1]), runtimeS: Number(total[2]), rateMsgPerS: Number(rate[1]) };
}

export interface PingPongResult {
  runtimeS: number;
  sent: number;
  received: number;
  /** One-way latency (sockperf reports half the round trip), microseconds. */
  avgUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  minUs: number;
  observations: number;
}

export function parsePingPongOutput(text: string): PingPongResult {
  const t = strip(text);
  const total = need(/\[Total Run\] RunTime=([\d.]+) sec;.*SentMessages=(\d+); ReceivedMessages=(\d+)/.exec(t), "'[Total Run]' line", t);
  const pct = (p: string) => Number(need(new RegExp(`percentile ${p.replace(".", "\\.")} =\\s*([\\d.]+)`).exec(t), `percentile ${p}`, t)[1]);
  const obs = (w: string) => Number(need(new RegExp(`<${w}> observation =\\s*([\\d.]+)`).exec(t), `<${w}> observation`, t)[1]);
  return {
    runtimeS: Number(total[1]),
    sent: Number(total[2]),
    received: Number(total[3]),
    avgUs: Number(need(/avg-latency=([\d.]+)/.exec(t), "avg-latency", t)[1]),
    p50Us: pct("50.000"),
    p90Us: pct("90.000"),
    p99Us: pct("99.000"),
    maxUs: obs("MAX"),
    minUs: obs("MIN"),
    observations: Number(need(/Total (\d+) observations/.exec(t), "'Total N observations'", t)[1]),
  };
}

/** First line of `sockperf --version`, e.g. "3.7-no.git". */
export function parseSockperfVersion(text: string): string | null {
  const m = /version #?([\w.-]+)/.exec(strip(text));
  return m ? m[1] : null;
}
