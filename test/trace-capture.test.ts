import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import * as dgram from "node:dgram";
import { spawn, spawnSync } from "node:child_process";
import { captureSupport, findTracefs, withTraceCapture, TraceCaptureError } from "../src/trace/capture";
import { parseFtraceText } from "../src/trace/ftrace-parse";
import { receiveWhere } from "../src/trace/analyze";

const support = captureSupport();
const hasUnshare = spawnSync("unshare", ["--version"]).status === 0;
const reason = support.ok ? "" : support.reason;
const CHILD = path.join("test", "fixtures", "trace-capture-child.ts");

/** Every tracefs setting a capture may touch, plus the tracefs mounts and instances. */
function tracefsState(): Record<string, string> {
  const mounts = fs.readFileSync("/proc/mounts", "utf8").split("\n").filter((l) => / tracefs /.test(l)).join("\n");
  const root = findTracefs();
  const state: Record<string, string> = { mounts };
  if (!root) return state;
  for (const f of ["tracing_on", "current_tracer", "trace_clock", "options/irq-info", "set_event"]) {
    state[f] = fs.readFileSync(path.join(root, f), "utf8");
  }
  // A never-used top-level buffer reads "7 (expanded: 1408)"; once used it holds the expanded size,
  // and the kernel rounds sizes to its pages (1408 reads back as 1410): compare in 16 KiB steps.
  const size = fs.readFileSync(path.join(root, "buffer_size_kb"), "utf8");
  state.buffer_size_kb = String(Math.round(Number(/expanded: (\d+)/.exec(size)?.[1] ?? size.trim()) / 16));
  // Instances of other live processes (another capture running beside the tests) are not ours to judge.
  const ours = (name: string): boolean => {
    const pid = Number(/^softnet-lab-(\d+)-\d+$/.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid)) return true;
    if (pid === process.pid) return true;
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true; // its process is gone: a leftover
    }
  };
  state.instances = fs.readdirSync(path.join(root, "instances")).filter(ours).sort().join(",");
  return state;
}

/** Sends `n` datagrams to ourselves over 127.0.0.1 and waits for them. */
async function loopbackPackets(n: number): Promise<void> {
  const rx = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => rx.bind(0, "127.0.0.1", resolve));
  const got = new Promise<void>((resolve) => {
    let k = 0;
    rx.on("message", () => ++k === n && resolve());
  });
  const tx = dgram.createSocket("udp4");
  for (let i = 0; i < n; i++) tx.send(Buffer.from("softnet-lab"), rx.address().port, "127.0.0.1");
  await got;
  tx.close();
  rx.close();
}

function runChild(mode: string, opts: { signal?: NodeJS.Signals } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, mode], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (opts.signal && out.includes("capturing\n")) child.kill(opts.signal);
    });
    child.stderr.on("data", (d: Buffer) => void (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`child did not finish: ${out}`));
    }, 30_000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

describe("capture option checks (no root needed)", () => {
  it("names the bad option and its allowed values", async () => {
    await expect(withTraceCapture({ events: [] }, () => 0)).rejects.toThrow(/events must be a non-empty list/);
    await expect(withTraceCapture({ events: ["softirq_entry"] }, () => 0)).rejects.toThrow(/"softirq_entry" is not a "subsystem:event" name/);
    await expect(withTraceCapture({ events: ["irq:softirq_entry"], bufferKb: 10 }, () => 0)).rejects.toThrow(/bufferKb must be an integer 64..65536, got 10/);
    await expect(withTraceCapture({ events: ["irq:softirq_entry"], maxSeconds: 0 }, () => 0)).rejects.toThrow(/maxSeconds must be > 0 and <= 300/);
    await expect(withTraceCapture({ events: ["irq:softirq_entry"], instance: "../x" }, () => 0)).rejects.toThrow(TraceCaptureError);
  });
});

describe.skipIf(!support.ok)(`real tracefs capture (skipped: ${reason || "n/a"})`, () => {
  it("records loopback packets in a private instance and leaves tracefs as it was", async () => {
    const before = tracefsState();
    const { capture } = await withTraceCapture(
      { events: ["net:netif_receive_skb", "irq:softirq_entry", "irq:softirq_exit", "sched:sched_switch"], bufferKb: 256, maxSeconds: 10 },
      async ({ marker }) => {
        marker("softnet-lab test");
        await loopbackPackets(5);
      },
    );
    expect(tracefsState()).toEqual(before);
    expect(fs.existsSync(capture.dir)).toBe(false);
    const parsed = parseFtraceText(capture.text);
    expect(parsed.header.irqInfo).toBe(true);
    expect(receiveWhere(parsed.records, { dev: "lo" }).packets).toBeGreaterThanOrEqual(5);
    expect(parsed.records.some((r) => r.event === "ftrace:print" && r.fields.buf === "softnet-lab test")).toBe(true);
    expect(capture.perCpu.length).toBeGreaterThan(0);
  });

  it("restores everything when the work throws", async () => {
    const before = tracefsState();
    await expect(
      withTraceCapture({ events: ["sched:sched_switch"], bufferKb: 128 }, async () => {
        throw new Error("work failed on purpose");
      }),
    ).rejects.toThrow("work failed on purpose");
    expect(tracefsState()).toEqual(before);
  });

  it("stops work that runs past maxSeconds, aborts its signal and restores", async () => {
    const before = tracefsState();
    let aborted = false;
    await expect(
      withTraceCapture({ events: ["sched:sched_switch"], bufferKb: 128, maxSeconds: 0.3 }, ({ signal }) => {
        signal.addEventListener("abort", () => (aborted = true));
        return new Promise(() => undefined); // never settles on its own
      }),
    ).rejects.toThrow(/ran longer than maxSeconds=0.3/);
    expect(aborted).toBe(true);
    expect(tracefsState()).toEqual(before);
  });

  it("refuses unknown tracepoints and clocks, naming them", async () => {
    const before = tracefsState();
    await expect(withTraceCapture({ events: ["irq:no_such_event"] }, () => 0)).rejects.toThrow(/tracepoints not found in .*: irq:no_such_event/);
    await expect(withTraceCapture({ events: ["sched:sched_switch"], clock: "sundial" }, () => 0)).rejects.toThrow(/clock must be one of: .*mono.*; got "sundial"/);
    expect(tracefsState()).toEqual(before);
  });

  it("saves and restores the top-level buffer's settings when asked to use it", async () => {
    const before = tracefsState();
    const { capture } = await withTraceCapture(
      { events: ["irq:softirq_entry", "irq:softirq_exit"], instance: null, bufferKb: 512, clock: "global", irqInfo: false },
      () => loopbackPackets(2),
    );
    expect(capture.instance).toBeNull();
    expect(parseFtraceText(capture.text).header.irqInfo).toBe(false);
    expect(tracefsState()).toEqual(before);
  });

  it.each(["instance", "top"])("restores on SIGINT in a %s capture (child process)", async (mode) => {
    const before = tracefsState();
    const res = await runChild(mode, { signal: "SIGINT" });
    expect(res.signal).toBe("SIGINT");
    expect(tracefsState()).toEqual(before);
  });

  it("restores on SIGTERM (child process)", async () => {
    const before = tracefsState();
    const res = await runChild("instance", { signal: "SIGTERM" });
    expect(res.signal).toBe("SIGTERM");
    expect(tracefsState()).toEqual(before);
  });

  it.skipIf(!hasUnshare)("mounts tracefs when none is mounted and unmounts it after (private mount namespace; needs unshare)", () => {
    // Unmount every tracefs/debugfs inside a private mount namespace only; the machine's mounts stay.
    const script =
      "awk '$3==\"tracefs\"||$3==\"debugfs\"{print $2}' /proc/mounts | sort -r | xargs -r -n1 umount; " +
      `exec ${JSON.stringify(process.execPath)} --import tsx ${CHILD} mount`;
    const res = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], { encoding: "utf8", timeout: 30_000 });
    const report = JSON.parse(res.stdout.trim().split("\n").pop() ?? "{}");
    expect(report).toMatchObject({ before: null, mountedByCapture: true, after: null });
    expect(typeof report.used).toBe("string");
  });

  // The child drops to user nobody itself, after loading its modules (so it runs in any checkout,
  // also one inside a 0700 folder that nobody cannot read)
  it("refuses clearly when not root (child process as nobody)", async () => {
    const res = await runChild("refuse");
    expect(res.out).toMatch(/error: tracefs capture needs root \(effective uid is 65534\)/);
  });
});
