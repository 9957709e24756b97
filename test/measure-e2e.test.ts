// A real measurement: one configuration (stream, 64 B, RPS to the other CPU, receiver on the other CPU),
// 1 s of traffic to 127.0.0.1 (sockperf adds about 2 s of its own start-up), one repeat. It runs on
// this machine kind (Linux, root, writable rps_cpus, sockperf + GNU time + taskset) and is skipped with
// the reason elsewhere. The --trace case also needs tracefs.
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadMeasurementDataset, writeMeasurementDataset } from "../src/measure/dataset";
import { DEFAULT_STATE_DIR, onlineCpus, runMeasurement } from "../src/measure/harness";
import { buildConfigs, parseMeasureArgs } from "../src/measure/plan";
import { COST_TRACE_EVENTS } from "../src/trace/dataset";
import { preflight } from "../src/measure/preflight";
import { LO_RPS_CPUS } from "../src/measure/rps-guard";
import { makeTraceHook } from "../src/measure/trace-hook";
import { captureSupport } from "../src/trace/capture";
import { parseFtraceText } from "../src/trace/ftrace-parse";

function whyNot(): string | null {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root";
  try {
    accessSync(LO_RPS_CPUS, constants.W_OK);
  } catch {
    return `${LO_RPS_CPUS} not writable`;
  }
  if (onlineCpus().length < 2) return "fewer than 2 online CPUs";
  const pf = preflight({ platform: "linux", uid: 0, pathVar: process.env.PATH ?? "", rpsPath: LO_RPS_CPUS, cpusNeeded: [0, 1], onlineCpus: onlineCpus() });
  return pf.ok ? null : pf.problems.join("; ");
}
const reason = whyNot();

describe("softnet-lab measure on the real kernel", () => {
  it.skipIf(reason !== null).each(["lean", "sockperf"])(`measures one configuration end to end with the %s tool and restores rps_cpus${reason ? ` (skipped: ${reason})` : ""}`, async (tool) => {
    const previous = readFileSync(LO_RPS_CPUS, "utf8").trim();
    const opts = parseMeasureArgs(["--tool", tool, "--rps", "other", "--receiver", "other", "--payload", "64", "--repeats", "1", "--seconds", "1"]);
    const configs = buildConfigs(opts, onlineCpus());
    const pf = preflight({ platform: "linux", uid: 0, pathVar: process.env.PATH ?? "", rpsPath: LO_RPS_CPUS, cpusNeeded: [0, 1], onlineCpus: onlineCpus() });
    const res = await runMeasurement(opts, configs, { rpsPath: LO_RPS_CPUS, stateDir: DEFAULT_STATE_DIR, env: process.env, timeBin: pf.tools.time, command: "test", lockWaitMs: 60_000 });
    expect(readFileSync(LO_RPS_CPUS, "utf8").trim()).toBe(previous);
    const [row] = res.rows;
    expect(row.tool).toBe(tool);
    expect(row.window).toBe("tool-markers");
    expect(row.window_s as number).toBeGreaterThan(0.8);
    expect(row.window_s as number).toBeLessThan(2);
    expect(row.received_pps as number).toBeGreaterThan(1000);
    const packets = row.packets as number;
    // RPS steers every loopback packet to CPU 1, which is kicked by IPIs counted in received_rps. The
    // machine-wide counters also hold other work's packets (tests running beside this one, traffic on
    // other devices), so CPU 1's count is compared with the datagrams the tool itself received.
    const processed = row.softnet_processed as number[];
    // (the lean tool's count lies inside the window; sockperf's server counts its warm-up too)
    if (tool === "lean") expect(processed[1]).toBeGreaterThanOrEqual(0.9 * (row.tool_received as number));
    expect(processed[1]).toBeGreaterThanOrEqual(0.5 * packets);
    expect((row.softnet_received_rps as number[])[1]).toBeGreaterThan(0);
    // An RPS kick reaches CPU 1 by a CAL IPI, or without one when CPU 1 polls in idle (the guest's
    // cpuidle-haltpoll driver polls before it halts) and its idle loop runs the callback: so the CAL
    // IPIs are some, and at most the kicks plus the machine's other cross-CPU calls.
    const cal = (row.ipi_cal as number[])[1];
    expect(cal).toBeGreaterThan(0);
    expect(cal).toBeLessThanOrEqual((row.softnet_received_rps as number[])[1] + 0.1 * packets);
    expect(row.sender_involuntary_switches).not.toBeNull();
    expect(res.metadata.kernel.release.length).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), "softnet-lab-e2e-"));
    try {
      writeMeasurementDataset(join(dir, "ds"), res.metadata, res.rows);
      expect(loadMeasurementDataset(join(dir, "ds")).summary[0].runs).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe("softnet-lab measure --trace", () => {
  const traceReason = reason ?? (() => {
    const s = captureSupport();
    return s.ok ? null : s.reason;
  })();
  it.skipIf(traceReason !== null)(`records the kernel tracepoints of a run beside its counters${traceReason ? ` (skipped: ${traceReason})` : ""}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "softnet-lab-trace-"));
    try {
      const hook = makeTraceHook({ dir, maxSeconds: 12, bufferKb: 1024 });
      if (typeof hook === "string") throw new Error(hook);
      const opts = parseMeasureArgs(["--rps", "other", "--receiver", "other", "--mode", "pingpong", "--repeats", "1", "--seconds", "1"]);
      const pf = preflight({ platform: "linux", uid: 0, pathVar: process.env.PATH ?? "", rpsPath: LO_RPS_CPUS, cpusNeeded: [0, 1], onlineCpus: onlineCpus() });
      const res = await runMeasurement(opts, buildConfigs(opts, onlineCpus()), { rpsPath: LO_RPS_CPUS, stateDir: DEFAULT_STATE_DIR, env: process.env, timeBin: pf.tools.time, command: "test", lockWaitMs: 60_000, trace: hook });
      expect(res.rows[0].packets as number).toBeGreaterThan(100);
      const label = "pingpong-64b-rps_other-recv_other.r1";
      const meta = JSON.parse(readFileSync(join(dir, `${label}.capture.json`), "utf8"));
      expect(meta.events).toContain("net:netif_receive_skb");
      const parsed = parseFtraceText(readFileSync(join(dir, `${label}.trace.txt`), "utf8"), { onError: "collect" });
      // The server's CPU 1 is the RPS target: packets are received there, after IPIs sent to it.
      expect(parsed.records.some((r) => r.event === "net:netif_receive_skb" && r.cpu === 1)).toBe(true);
      expect(parsed.records.some((r) => r.event === "ipi:ipi_send_cpu")).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it.skipIf(traceReason !== null)(`--trace-count traces one short run per configuration with the cost tracepoints${traceReason ? ` (skipped: ${traceReason})` : ""}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "softnet-lab-trace-"));
    try {
      const hook = makeTraceHook({ dir, maxSeconds: 12, bufferKb: 4096, events: COST_TRACE_EVENTS, clock: process.arch === "x64" ? "x86-tsc" : undefined });
      if (typeof hook === "string") throw new Error(hook);
      const opts = parseMeasureArgs(["--rps", "other", "--receiver", "other", "--repeats", "1", "--seconds", "1", "--trace", dir, "--trace-count", "200"]);
      const pf = preflight({ platform: "linux", uid: 0, pathVar: process.env.PATH ?? "", rpsPath: LO_RPS_CPUS, cpusNeeded: [0, 1], onlineCpus: onlineCpus() });
      await runMeasurement(opts, buildConfigs(opts, onlineCpus()), { rpsPath: LO_RPS_CPUS, stateDir: DEFAULT_STATE_DIR, env: process.env, timeBin: pf.tools.time, command: "test", lockWaitMs: 60_000, trace: hook });
      // the measured run is not traced; the extra run of 200 datagrams is (repeat 0)
      expect(existsSync(join(dir, "stream-64b-rps_other-recv_other.r1.trace.txt"))).toBe(false);
      const parsed = parseFtraceText(readFileSync(join(dir, "stream-64b-rps_other-recv_other.r0.trace.txt"), "utf8"));
      const count = (e: string) => parsed.records.filter((r) => r.event === e).length;
      expect(count("syscalls:sys_enter_sendto")).toBe(200);
      expect(count("syscalls:sys_exit_sendto")).toBe(200);
      expect(parsed.records.some((r) => String(r.event).endsWith("netif_rx_entry"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
