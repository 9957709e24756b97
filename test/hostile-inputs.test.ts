/**
 * The bad inputs of issue 17, each with what it must give now: malformed datasets to compare and
 * calibrate, bad options, --help of every command, --trace-out onto links, devices and unwritable
 * places, traces too large for memory, hotplug after the end, seeds that reach nothing, the ftrace
 * parser's strictness and the one CPU-mask syntax. Every case runs through the CLI's main() (as
 * the bin does) and checks the exit code and the one-line message; a few run the real bin.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main";
import { makeConfig } from "../src/config/parse";
import { EXIT_CODES_HELP, UserInputError } from "../src/errors";
import { buildConfigs, parseMeasureArgs } from "../src/measure/plan";
import { parseCpuMask as measureMask } from "../src/measure/cpumask";
import { parseCpuMask as kernelMask } from "../src/kernel/rps";
import { parseCpuMask as configMask } from "../src/config/values";
import { simulate, MAX_IN_MEMORY_TRACE_CPU_NS } from "../src/sim/simulate";
import { parseFtraceText, FtraceParseError } from "../src/trace/ftrace-parse";
import { toFtraceText } from "../src/trace/ftrace-text";
import { traceOrder } from "../src/trace/record";
import { normalizeRecords } from "../src/trace/validate";
import { PARAMETER_NAMES } from "../src/calibrate/fit";

const ROOT = resolve(__dirname, "..");
const DATASET = join(ROOT, "datasets/real/kvm-guest-2cpu-epyc-linux6.18-2026-11-25");

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => void (out += t.endsWith("\n") ? t : `${t}\n`), err: (t) => void (err += t.endsWith("\n") ? t : `${t}\n`) });
  return { code, out, err };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "softnet-lab-hostile-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the real dataset with `damage` applied to its folder. */
function damaged(name: string, damage: (dir: string) => void): string {
  const dir = join(tmp, name);
  cpSync(DATASET, dir, { recursive: true });
  damage(dir);
  return dir;
}

describe("malformed datasets given to compare and calibrate: exit 2, one line naming the file", () => {
  const cases: [string, (dir: string) => void, RegExp][] = [
    ["missing metadata.json", (d) => rmSync(join(d, "metadata.json")), /metadata\.json: expected the dataset's metadata\.json \(file missing\)/],
    ["missing runs.csv", (d) => rmSync(join(d, "runs.csv")), /runs\.csv: expected the runs table \(file missing\)/],
    ["missing summary.csv", (d) => rmSync(join(d, "summary.csv")), /summary\.csv: expected the summary table \(file missing\)/],
    ["bad JSON", (d) => writeFileSync(join(d, "metadata.json"), "{ not json"), /metadata\.json: expected valid JSON/],
    ["empty CSV", (d) => writeFileSync(join(d, "runs.csv"), ""), /runs\.csv: expected well-formed CSV, got "CSV: the file is empty/],
    ["garbage CSV", (d) => writeFileSync(join(d, "runs.csv"), '"unterminated\n'), /runs\.csv: expected well-formed CSV/],
    ["a truncated row", (d) => writeFileSync(join(d, "runs.csv"), readFileSync(join(d, "runs.csv"), "utf8").split("\n").slice(0, 2).join("\n").slice(0, -40) + "\n"), /runs\.csv: row 1 \(line 2\): expected \d+ fields like the header/],
    ["a bad header", (d) => writeFileSync(join(d, "summary.csv"), readFileSync(join(d, "summary.csv"), "utf8").replace("config_id", "config")), /summary\.csv: line 1 field "config": expected only the summary columns/],
    ["a NaN field", (d) => writeFileSync(join(d, "runs.csv"), readFileSync(join(d, "runs.csv"), "utf8").replace(/\n([^,]*),([^,]*),(\d+)/, "\n$1,$2,NaN")), /runs\.csv: row \d+ \(line \d+\) field "[a-z_]+": expected .*, got "NaN"/],
    ["a wrong format_version", (d) => writeFileSync(join(d, "metadata.json"), readFileSync(join(d, "metadata.json"), "utf8").replace(/"format_version": \d+/, '"format_version": 99')), /metadata\.json: field "format_version": expected 1 or 2, got "99"/],
    ["an empty folder", (d) => { for (const f of readdirSync(d)) rmSync(join(d, f)); }, /metadata\.json: expected the dataset's metadata\.json \(file missing\)/],
  ];
  for (const [what, damage, message] of cases) {
    it(what, async () => {
      const dir = damaged(what.replace(/\W+/g, "-"), damage);
      for (const cmd of [["compare", "--dataset", dir], ["calibrate", "--dataset", dir, "--name", "x"]]) {
        const r = await cli(...cmd);
        expect(r.code, r.err).toBe(2);
        expect(r.err.split("\n")[0]).toMatch(new RegExp(`^softnet-lab ${cmd[0]}: `));
        expect(r.err.split("\n")[0]).toMatch(message);
        expect(r.err).not.toMatch(/internal error|\n\s+at /);
        expect(r.out).toBe("");
      }
    });
  }

  it("a file instead of a folder", async () => {
    const r = await cli("compare", "--dataset", join(DATASET, "runs.csv"));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^softnet-lab compare: .*runs\.csv: expected a dataset folder \(metadata\.json, runs\.csv, summary\.csv\), not a file/);
  });

  it("a folder that does not exist", async () => {
    const r = await cli("compare", "--dataset", join(tmp, "nothing"));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^softnet-lab compare: --dataset .*nothing: nothing there/);
  });
});

describe("small interface faults", () => {
  it("every command's --help works, exits 0 and ends with the exit-code table", async () => {
    for (const cmd of ["simulate", "scenarios", "measure", "compare", "calibrate"]) {
      const r = await cli(cmd, "--help");
      expect(r.code, cmd).toBe(0);
      expect(r.err, cmd).toBe("");
      expect(r.out.trimEnd().endsWith(EXIT_CODES_HELP), cmd).toBe(true);
    }
    const top = await cli("--help");
    expect(top.out.trimEnd().endsWith(EXIT_CODES_HELP)).toBe(true);
  });

  it("compare --ms abc names --ms and abc", async () => {
    const r = await cli("compare", "--dataset", DATASET, "--ms", "abc");
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[0]).toBe('softnet-lab compare: --ms: "abc" is not allowed: expected an integer from 5 to 1000 (simulated ms per configuration)');
  });

  it("calibrate --groups bogus names the group and the allowed ones, before any work", async () => {
    const r = await cli("calibrate", "--dataset", DATASET, "--name", "x", "--groups", "send,bogus");
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[0]).toBe(`softnet-lab calibrate: --groups: "bogus" is not a fit parameter: expected a comma-separated list of ${PARAMETER_NAMES.join(", ")}`);
    expect(existsSync(join(ROOT, "profiles/x.json"))).toBe(false);
  });

  it("calibrate --steps refuses sizes out of range or not largest first, before any work", async () => {
    for (const steps of ["1,2", "0", "abc", "1,,0.5"]) {
      const r = await cli("calibrate", "--dataset", DATASET, "--name", "x", "--steps", steps);
      expect(r.code, steps).toBe(2);
      expect(r.err.split("\n")[0], steps).toBe(`softnet-lab calibrate: --steps: ${JSON.stringify(steps)} is not allowed: expected log2 step sizes from 0.001 to 4, largest first, comma-separated (e.g. 1,0.5)`);
    }
    expect(existsSync(join(ROOT, "profiles/x.json"))).toBe(false);
  });

  it("an unknown compare option names the allowed ones", async () => {
    const r = await cli("compare", "--datset", DATASET);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option --datset \(did you mean --dataset\?\); options: --dataset DIR, --profile NAME, --ms N, --help/);
  });

  it("a profile that is not JSON is a clear error through --set profile=", async () => {
    const name = `bad-${process.pid}`;
    const file = join(ROOT, "profiles", `${name}.json`);
    writeFileSync(file, "{");
    try {
      const r = await cli("simulate", "--set", `profile=${name}`, "--set", "duration_ms=1");
      expect(r.code).toBe(2);
      expect(r.err.split("\n")[0]).toMatch(new RegExp(`^softnet-lab simulate: profile: "${name}" is not usable: .*${name}\\.json: not valid JSON`));
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe("--trace-out", () => {
  it("writes through a symbolic link: the link stays a link, its target gets the trace", async () => {
    const target = join(tmp, "target.jsonl");
    writeFileSync(target, "old");
    const link = join(tmp, "link.jsonl");
    symlinkSync(target, link);
    const r = await cli("simulate", "--set", "duration_ms=1", "--set", "trace_ns=20000", "--trace-out", link);
    expect(r.code, r.err).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, "utf8")).toMatch(/^\{"type":"header"/);
    expect(readdirSync(tmp).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("refuses /dev/stdout (a link into /proc), /dev/null (a device) and a folder, before running", async () => {
    for (const [path, msg] of [
      ["/dev/stdout", /--trace-out \/dev\/stdout: links to \/proc\/self\/fd\/1, a device or an open file descriptor, not a regular file/],
      ["/dev/null", /--trace-out \/dev\/null: is not a regular file \(a device, pipe or socket\)/],
      [tmp, /is a folder; give a file name/],
    ] as const) {
      const r = await cli("simulate", "--set", "duration_ms=1", "--trace-out", path);
      expect(r.code).toBe(2);
      expect(r.err.split("\n")[0]).toMatch(msg);
      expect(r.out).toBe("");
    }
  });

  it("an unwritable folder is found before the run, not after it", async () => {
    // /proc refuses new files even to root; the run would take minutes (duration_ms=600000)
    const t0 = Date.now();
    const r = await cli("simulate", "--set", "duration_ms=600000", "--trace-out", "/proc/softnet-trace.jsonl");
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[0]).toMatch(/^softnet-lab simulate: --trace-out \/proc\/softnet-trace\.jsonl: cannot write in folder \/proc \(E[A-Z]+\)/);
    expect(r.out).toBe("");
    expect(Date.now() - t0).toBeLessThan(30_000); // not a timing assertion on speed: the run never started
  });

  it("--trace-format needs --trace-out and names the formats", async () => {
    expect((await cli("simulate", "--trace-format", "jsonl")).err).toMatch(/--trace-format says how --trace-out writes the trace: give --trace-out FILE too/);
    const r = await cli("simulate", "--trace-out", join(tmp, "x"), "--trace-format", "csv");
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[0]).toBe('softnet-lab simulate: --trace-format: "csv" is not a trace format: expected one of jsonl, ftrace, chrome');
  });
});

describe("traces that do not fit in memory are refused up front", () => {
  it("CLI: --json with trace=true over 100 ms on 2 CPUs names trace_ns and --trace-out", async () => {
    const r = await cli("simulate", "--set", "trace=true", "--set", "duration_ms=500", "--json");
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[0]).toMatch(/^softnet-lab simulate: trace_ns: "0" \(the whole run: duration_ms=500\) would keep a trace of 500000000 ns x 2 CPUs in memory.*set trace_ns=100000000 or lower, or stream the trace to a file \(softnet-lab simulate --trace-out FILE/);
    expect(r.out).toBe("");
  });

  it("library: simulate() refuses it before running; trace_ns under the limit is accepted", () => {
    expect(() => simulate(makeConfig({ trace: true, duration_ms: 1000 }))).toThrow(UserInputError);
    expect(() => simulate(makeConfig({ trace: true, cpus: 64, duration_ms: 10 }))).toThrow(/at most 3125000 ns of traced time with cpus=64/);
    const ok = simulate(makeConfig({ trace: true, duration_ms: 1000, trace_ns: 20_000, workload: "none" }));
    expect(ok.trace!.end_ns).toBe(20_000);
    expect(MAX_IN_MEMORY_TRACE_CPU_NS).toBe(200_000_000);
  });
});

describe("silent results made loud", () => {
  it("a hotplug event after the end of the run is warned about", async () => {
    const r = simulate(makeConfig({ duration_ms: 2, hotplug: "cpu1:off@5ms" }));
    expect(r.warnings).toContain("hotplug: cpu1 off@5000000 ns comes after the end of the run (duration_ms=2) and never happened; lower its time or raise duration_ms");
    const cli1 = await cli("simulate", "--set", "duration_ms=2", "--set", "hotplug=cpu1:off@5ms");
    expect(cli1.out).toMatch(/warnings\n {2}- hotplug: cpu1 off@5000000 ns comes after the end/);
    expect(simulate(makeConfig({ duration_ms: 2, hotplug: "cpu1:off@1ms" })).warnings.join()).not.toMatch(/hotplug/);
  });

  it("a configuration with no randomness says so; one with some says what the seed reached", async () => {
    const none = simulate(makeConfig({ scenario: "loopback-stream", cost_spread: "none", duration_ms: 2, seed: 5 }));
    expect(none.seed_reached).toEqual([]);
    const other = simulate(makeConfig({ scenario: "loopback-stream", cost_spread: "none", duration_ms: 2, seed: 6 }));
    expect({ ...other, wall_ms: 0, config: null }).toEqual({ ...none, wall_ms: 0, config: null }); // indeed identical
    // the default draws each measured cost: the seed reaches every run
    expect(simulate(makeConfig({ scenario: "loopback-stream", duration_ms: 2 })).seed_reached).toEqual(["cost draws"]);
    expect(simulate(makeConfig({ scenario: "loopback-4cpu-4flows", cost_spread: "none", duration_ms: 2 })).seed_reached).toEqual(["rps flow hash"]);
    expect(simulate(makeConfig({ rate_pps: 100_000, arrivals: "poisson", cost_spread: "none", duration_ms: 2 })).seed_reached).toEqual(["poisson arrivals"]);
    const r = await cli("simulate", "--scenario", "loopback-stream", "--set", "duration_ms=1", "--set", "cost_spread=none");
    expect(r.out).toMatch(/seed {6}1 reached nothing random in this configuration: every seed gives this same result \(the seed reaches the cost draws/);
    const d = await cli("simulate", "--scenario", "loopback-stream", "--set", "duration_ms=1");
    expect(d.out).toMatch(/seed {6}1 reached: cost draws \(another seed gives another run\)/);
    const h = await cli("simulate", "--help");
    expect(h.out.replace(/\s+/g, " ")).toMatch(/Seeds: the seed reaches the cost draws \(cost_spread=measured, the default: each charge of a measured cost draws its duration\), the Poisson arrival times \(arrivals=poisson with rate_pps > 0\) and the RPS flow hash/);
  });
});

describe("one CPU-mask syntax everywhere (sysfs: hex groups of 8 digits, commas between)", () => {
  it("the config, the model and the harness read the same masks and refuse the same", () => {
    for (const m of ["2", "0x3", "1,00000000", "00000000,00000003", "f"]) expect(measureMask(m)).toEqual(configMask(m));
    for (const m of ["2", "1,00000000", "ff"]) expect(kernelMask(m)).toEqual(configMask(m));
    for (const m of ["100000000", "1,,0", "xyz", ""]) {
      expect(() => configMask(m)).toThrow(UserInputError);
      expect(() => measureMask(m)).toThrow(UserInputError);
    }
  });

  it("measure --rps 1,00000000 is one mask (CPU 32), not two; several masks by repeating --rps", () => {
    const one = parseMeasureArgs(["--rps", "1,00000000"]);
    expect(one.rps).toEqual(["1,00000000"]);
    const two = parseMeasureArgs(["--rps", "2", "--rps", "1,00000000"]);
    expect(two.rps).toEqual(["2", "1,00000000"]);
    expect(() => buildConfigs(one, [0, 1])).toThrow(/--rps: mask 1,00000000 names CPU 32, which is not online \(online: 0,1\)/);
    const cfgs = buildConfigs(parseMeasureArgs(["--rps", "2", "--rps", "off"]), [0, 1]);
    expect(cfgs.map((c) => c.rps_cpus)).toEqual(["2", "0"]);
    expect(() => parseMeasureArgs(["--rps", "100000000"])).toThrow(/--rps: expected off, other, sender, both or a hex CPU mask in the sysfs form/);
    expect(() => parseMeasureArgs(["--rps", "2", "--rps", "02"])).toThrow(/the same mask is given twice/);
  });
});

describe("the ftrace parser refuses what is not a trace", () => {
  const header = "# tracer: nop\n#\n# entries-in-buffer/entries-written: 2/2   #P:2\n#\n";
  const rec = (cpu: number, ts: string, text = "softirq_entry: vec=3 [action=NET_RX]") => `          a-1     [${String(cpu).padStart(3, "0")}] .....  ${ts}: ${text}\n`;
  const cases: [string, string, RegExp][] = [
    ["an empty file", "", /^no records: the text is empty/],
    ["a header with no records", header, /^no records: 4 line\(s\) but not one trace record \(a header or markers only/],
    ["timestamps going backwards", header + rec(0, "1.000002") + rec(1, "1.000001"), /^line 6: timestamp 1000001000 ns is earlier than the record before \(1000002000 ns\)/],
    ["a CPU beyond #P", header + rec(2, "1.000001"), /^line 5: CPU 2 does not exist in this trace: its header says #P:2 \(CPUs 0-1\)/],
    ["an unknown softirq vector", header + rec(0, "1.000001", "softirq_raise: vec=12 [action=NET_RX]"), /^line 5: softirq_raise: vec=12 is not a softirq vector \(0-9: HI, TIMER/],
    ["an action that does not match its vector", header + rec(0, "1.000001", "softirq_exit: vec=3 [action=TIMER]"), /^line 5: softirq_exit: action=TIMER does not match vec=3, which is NET_RX/],
  ];
  for (const [what, text, msg] of cases) {
    it(what, () => {
      expect(() => parseFtraceText(text)).toThrow(FtraceParseError);
      expect(() => parseFtraceText(text)).toThrow(msg);
    });
  }
  it("in collect mode the bad lines become warnings, and a model trace still round-trips", () => {
    const res = parseFtraceText(header + rec(0, "1.000002") + rec(1, "1.000001") + rec(0, "1.000003"), { onError: "collect" });
    expect(res.records).toHaveLength(2);
    expect(res.warnings[0]!.message).toMatch(/earlier than the record before/);
    const trace = simulate(makeConfig({ scenario: "loopback-stream-rps", duration_ms: 1, trace: true, trace_ns: 50_000 })).trace!;
    const records = normalizeRecords(trace.records);
    expect(parseFtraceText(toFtraceText(records, { timestamps: "ns" }), { keepFlags: false }).records).toEqual(traceOrder(records));
  });
});

describe("through the real bin", () => {
  it("a malformed dataset: exit 2, no stack trace", () => {
    const dir = damaged("bin-bad", (d) => writeFileSync(join(d, "metadata.json"), "[]"));
    const r = spawnSync(process.execPath, [join(ROOT, "bin/softnet-lab.mjs"), "compare", "--dataset", dir], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^softnet-lab compare: .*metadata\.json: field "format": expected a string, got "\(missing\)"\n/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

