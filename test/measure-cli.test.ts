// The measure command line: option errors name the option and the allowed values, the matrix expands to
// the Done-means set, --dry-run shows every command and change, and the command refuses clearly when a
// tool is missing (a fake, empty PATH), when not root, or when not on Linux.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main";
import { measureMain } from "../src/measure/cli";
import { buildConfigs, parseMeasureArgs, schedule, UsageError } from "../src/measure/plan";
import { installLine, MEASURE_TOOLS, preflight } from "../src/measure/preflight";

function capture() {
  const io = { outText: "", errText: "", out: (t: string) => void (io.outText += t), err: (t: string) => void (io.errText += t) };
  return io;
}

describe("options", () => {
  it.each([
    [["--bogus"], /unknown option "--bogus"/],
    [["--rps", "sometimes"], /--rps: expected off, other, sender, both or a hex CPU mask/],
    [["--tool", "iperf"], /--tool: expected lean or sockperf, got "iperf"/],
    [["--trace-count", "100"], /--trace-count needs --trace DIR/],
    [["--tool", "sockperf", "--trace", "/tmp/x", "--trace-count", "100"], /--trace-count needs the lean tool/],
    [["--receiver", "left"], /--receiver: expected same or other, got "left"/],
    [["--payload", "10"], /--payload: expected a whole number 14\.\.65507, got 10/],
    [["--payload", "64,70000"], /--payload: expected a whole number 14\.\.65507, got 70000/],
    [["--mode", "stream,rr"], /--mode: expected stream or pingpong, got "rr"/],
    [["--seconds", "0"], /--seconds: expected a whole number 1\.\.60, got 0/],
    [["--seconds", "1.5"], /--seconds: expected a whole number 1\.\.60, got "1\.5"/],
    [["--repeats"], /--repeats needs a value/],
    [["--matrix", "--rps", "off"], /--rps cannot be combined with --matrix/],
    [["--baseline", "--no-baseline"], /contradict/],
    [["--mode", "stream", "--mode", "pingpong"], /--mode given twice/],
  ])("%j is refused", (argv, msg) => {
    expect(() => parseMeasureArgs(argv)).toThrow(UsageError);
    expect(() => parseMeasureArgs(argv)).toThrow(msg);
  });

  it("--matrix is the Done-means set plus an idle baseline, 5 repeats interleaved, with the lean tool", () => {
    const o = parseMeasureArgs(["--matrix", "--seconds", "2"]);
    const c = buildConfigs(o, [0, 1]);
    expect(c).toHaveLength(33);
    expect(c[0].mode).toBe("idle");
    const traffic = c.slice(1);
    expect(new Set(traffic.map((x) => `${x.mode}/${x.payload_bytes}/${x.rps_cpus}/${x.receiver_cpu}`)).size).toBe(32);
    // RPS off, to the other CPU, to the sender's CPU, to both
    expect(new Set(traffic.map((x) => x.rps_cpus))).toEqual(new Set(["0", "2", "1", "3"]));
    expect(traffic.every((x) => x.sender_cpu === 0 && x.tool === "lean")).toBe(true);
    const s = schedule(c, o.repeats);
    expect(s).toHaveLength(165);
    expect(s.slice(0, 33).every((r) => r.repeat === 1)).toBe(true);
    expect(s[33]).toMatchObject({ repeat: 2, config: { config_id: "idle" } });
  });

  it("--tool lean,sockperf puts both tools' configurations side by side; sockperf's ids say so", () => {
    const c = buildConfigs(parseMeasureArgs(["--tool", "lean,sockperf", "--rps", "off", "--no-baseline"]), [0, 1]);
    expect(c.map((x) => [x.tool, x.config_id])).toEqual([
      ["lean", "stream-64b-rps_off-recv_other"],
      ["sockperf", "stream-64b-rps_off-recv_other-sockperf"],
    ]);
  });

  it("'other' follows the sender CPU and masks must name online CPUs", () => {
    const c = buildConfigs(parseMeasureArgs(["--rps", "other", "--sender-cpu", "1"]), [0, 1]);
    expect(c[0]).toMatchObject({ rps_cpus: "1", receiver_cpu: 0, sender_cpu: 1 });
    expect(() => buildConfigs(parseMeasureArgs(["--rps", "4"]), [0, 1])).toThrow(/names CPU 2, which is not online/);
    expect(() => buildConfigs(parseMeasureArgs(["--receiver", "other"]), [0])).toThrow(/needs a second online CPU/);
  });
});

describe("measureMain", () => {
  it("--dry-run prints every command, all to 127.0.0.1, and the rps_cpus writes", async () => {
    const io = capture();
    expect(await measureMain(["--matrix", "--dry-run", "--out", "datasets/real/x"], process.env, io)).toBe(0);
    expect(io.outText).toMatch(/33 configuration\(s\) x 5 repeat\(s\) = 165 runs/);
    const lean = io.outText.split("\n").filter((l) => l.includes("udp-blast "));
    expect(lean.length).toBe(64);
    expect(lean.every((l) => l.includes("127.0.0.1"))).toBe(true);
    const sp = capture();
    expect(await measureMain(["--tool", "sockperf", "--rps", "off", "--rps", "other", "--receiver", "same,other", "--mode", "stream,pingpong", "--payload", "64,1024", "--dry-run"], process.env, sp)).toBe(0);
    const cmds = sp.outText.split("\n").filter((l) => l.includes("sockperf "));
    expect(cmds.length).toBe(32);
    expect(cmds.every((l) => l.includes("-i 127.0.0.1"))).toBe(true);
    expect(io.outText).toContain("write 2 to /sys/class/net/lo/queues/rx-0/rps_cpus");
    expect(io.outText).toMatch(/restored to its current value/);
  });

  it("bad options exit 2 with the message", async () => {
    const io = capture();
    expect(await measureMain(["--payload", "1"], process.env, io)).toBe(2);
    expect(io.errText).toMatch(/--payload: expected a whole number 14\.\.65507/);
  });

  it("is dispatched by the softnet-lab CLI", async () => {
    const io = capture();
    expect(await main(["measure", "--help"], io)).toBe(0);
    expect(io.outText).toContain("usage: softnet-lab measure");
    expect(await main(["measure", "--mode", "flood"], io)).toBe(2);
    expect(io.errText).toContain("--mode: expected stream or pingpong");
  });

  it("--help exits 0", async () => {
    const io = capture();
    expect(await measureMain(["--help"], process.env, io)).toBe(0);
    expect(io.outText).toContain("--matrix");
  });

  it.skipIf(process.platform !== "linux")("refuses with the install line when the tools are not on PATH (exit 3)", async () => {
    const empty = mkdtempSync(join(tmpdir(), "softnet-lab-path-"));
    try {
      const io = capture();
      expect(await measureMain(["--repeats", "1", "--tool", "sockperf"], { PATH: empty }, io)).toBe(3);
      expect(io.errText).toContain("missing tools: sockperf");
      expect(io.errText).toContain("apt-get install -y --no-install-recommends sockperf util-linux time");
      expect(io.errText).toContain("bash scripts/ensure-deps.sh --measure");
      const lean = capture();
      expect(await measureMain(["--repeats", "1"], { PATH: empty }, lean)).toBe(3);
      expect(lean.errText).toContain("missing tool: gcc (building the lean load tool tools/udp-blast on first use)");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("preflight", () => {
  const base = { platform: "linux", uid: 0, pathVar: "", rpsPath: "/nonexistent/rps_cpus", cpusNeeded: [0, 1], onlineCpus: [0, 1] };
  it("refuses non-Linux systems first", () => {
    const r = preflight({ ...base, platform: "darwin" });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.stringMatching(/needs Linux .* this is darwin/)]);
  });
  it("refuses non-root users and a missing rps_cpus file, and names one missing tool with its package", () => {
    const r = preflight({ ...base, uid: 1000 });
    expect(r.problems.join("\n")).toMatch(/must run as root .* Your uid is 1000/);
    expect(r.problems.join("\n")).toMatch(/rps_cpus does not exist/);
    expect(installLine([MEASURE_TOOLS[0]])).toBe("apt-get install -y --no-install-recommends sockperf");
  });
  it("refuses CPUs that are offline", () => {
    expect(preflight({ ...base, cpusNeeded: [0, 3] }).problems.join("\n")).toMatch(/uses CPU 3, but only CPUs 0,1 are online/);
  });
});
