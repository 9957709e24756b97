// `softnet-lab sweep`: grids expand in a fixed order, bad grids exit 2 naming the key and the
// allowed values, the union of N shards is byte for byte the single-machine sweep, a killed sweep
// resumes without redoing finished rows and ends with the same bytes, and nothing half-written ever
// appears under the final output names.
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/cli/main";
import { checkGrid, gridSize, parseAxis, parseGridFile, parseShard, pointOf, shardIndices, type GridSpec } from "../src/experiments/grid";

const ROOT = join(import.meta.dirname, "..");

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) });
  return { code, out, err };
}

function bin(cwd: string, ...argv: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/softnet-lab.mjs"), ...argv], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), "softnet-sweep-"));

describe("grids", () => {
  it("expand like nested loops, the last axis fastest", () => {
    const spec: GridSpec = { settings: [], axes: [parseAxis("rps_cpus=0,2"), parseAxis("seed=1..3")] };
    expect(gridSize(spec)).toBe(6);
    expect(Array.from({ length: 6 }, (_, i) => pointOf(spec, i).join(" "))).toEqual(["0 1", "0 2", "0 3", "2 1", "2 2", "2 3"]);
  });

  it("ranges, | lists and the list-valued keys", () => {
    expect(parseAxis("rate_pps=100..500:200").values).toEqual(["100", "300", "500"]);
    expect(parseAxis("hog_cpus=0,1|1").values).toEqual(["0,1", "1"]);
    expect(parseAxis("hotplug=|cpu1:off@5ms,on@9ms").values).toEqual(["", "cpu1:off@5ms,on@9ms"]);
  });

  it("a grid file: axes, scenario, fixed settings, comments; mistakes name file and line", () => {
    const spec = parseGridFile("# overload\nscenario=loopback-stream\nset duration_ms=20\nrps_cpus = 0,2  # two\n\nseed=1..2\n", "g.txt");
    expect(spec).toEqual({ scenario: "loopback-stream", settings: [["duration_ms", "20"]], axes: [{ key: "rps_cpus", values: ["0", "2"] }, { key: "seed", values: ["1", "2"] }] });
    expect(() => parseGridFile("rps_cpus=0,2\nseed\n", "g.txt")).toThrow(/^g\.txt:2: seed: missing "="/);
  });

  it("shards are disjoint round-robin slices whose union is the grid", () => {
    const all = [1, 2, 3].flatMap((k) => shardIndices(10, parseShard(`${k}/3`)));
    expect(shardIndices(10, { k: 2, n: 3 })).toEqual([1, 4, 7]);
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it("every configuration is checked before anything runs", () => {
    expect(() => checkGrid({ settings: [], axes: [parseAxis("cpus=2,4"), parseAxis("rps_cpus=3,f")] })).toThrow(/rps_cpus: "f".*in the grid's configuration cpus=2 rps_cpus=f/);
  });
});

describe("bad grids: exit 2, one line naming the key and the allowed values, nothing written", () => {
  const cases: Array<[string, string[], string[]]> = [
    ["bad enum value", ["--grid", "backlog_napi=softirq,thread"], ["backlog_napi", '"thread"', "softirq, threads-always, threads"]],
    ["unknown key", ["--grid", "rps_cpu=0,2"], ["rps_cpu", 'did you mean "rps_cpus"']],
    ["value out of range", ["--grid", "netdev_budget=0,300"], ["netdev_budget", "an integer from 1 to 1000000"]],
    ["a combination the rules refuse", ["--grid", "rps_cpus=0,7"], ["rps_cpus", "CPUs 0-1 exist"]],
    ["a value twice", ["--grid", "seed=1,1"], ["seed", "twice"]],
    ["a key on two axes", ["--grid", "seed=1", "--grid", "seed=2"], ["seed", "on two axes"]],
    ["a bad range", ["--grid", "seed=5..1"], ["seed", "FROM <= TO"]],
    ["no grid", [], ["--grid"]],
    ["a bad shard", ["--grid", "seed=1,2", "--shard", "4/3"], ["--shard", "1 <= K <= N"]],
    ["bad --parallel", ["--grid", "seed=1,2", "--parallel", "0"], ["--parallel", "from 1 to 1024"]],
    ["trace in a sweep", ["--grid", "trace=true"], ["trace", "expected false"]],
    ["a folder as --out", ["--grid", "seed=1,2", "--out", "results/"], ["--out", "not a folder"]],
    ["an --out where nothing can be written", ["--grid", "seed=1,2", "--out", "/proc/softnet-sweep"], ["--out", "cannot"]],
    ["a grid file that is not there", ["--grid-file", "/nonexistent/grid.txt"], ["--grid-file", "ENOENT"]],
  ];
  for (const [what, args, mentions] of cases) {
    it(what, async () => {
      const dir = tmp();
      const r = await cli("sweep", ...(args.includes("--out") ? [] : ["--out", join(dir, "s")]), ...args);
      expect(r.code).toBe(2);
      for (const m of mentions) expect(r.err).toContain(m);
      expect(r.err.split("\n")[0]).not.toMatch(/\n|at .*\.ts:\d+/);
      expect(existsSync(join(dir, "s.csv")) || existsSync(join(dir, "s.json")) || existsSync(join(dir, "s.partial.jsonl"))).toBe(false);
      rmSync(dir, { recursive: true, force: true });
    });
  }
});

const GRID = ["--scenario", "loopback-stream", "--set", "duration_ms=5", "--grid", "rps_cpus=0,2", "--grid", "backlog_napi=softirq,threads,threads-always", "--grid", "seed=1..4"];

describe("shards", () => {
  it("the union of 3 shards, merged, is byte for byte the single-machine sweep (real bin)", () => {
    const dir = tmp();
    expect(bin(dir, "sweep", ...GRID, "--out", "all").code).toBe(0);
    for (const k of [1, 2, 3]) expect(bin(dir, "sweep", ...GRID, "--shard", `${k}/3`, "--out", `shard-${k}`, "--parallel", "1").code).toBe(0);
    const shard2 = JSON.parse(readFileSync(join(dir, "shard-2.json"), "utf8"));
    expect(shard2.shard).toBe("2/3");
    expect(shard2.rows.map((r: { index: number }) => r.index)).toEqual([1, 4, 7, 10, 13, 16, 19, 22]);
    const m = bin(dir, "sweep", "merge", "--out", "merged", "shard-3.json", "shard-1.json", "shard-2.json");
    expect(m.code).toBe(0);
    expect(readFileSync(join(dir, "merged.csv"), "utf8")).toBe(readFileSync(join(dir, "all.csv"), "utf8"));
    expect(readFileSync(join(dir, "merged.json"), "utf8")).toBe(readFileSync(join(dir, "all.json"), "utf8"));
    const csv = readFileSync(join(dir, "all.csv"), "utf8").trimEnd().split("\n");
    expect(csv.length).toBe(25);
    expect(csv[0]!.startsWith("index,rps_cpus,backlog_napi,seed,sent,delivered")).toBe(true);
    // an incomplete set, a shard twice, another sweep's shard: refused with exit 2
    expect(bin(dir, "sweep", "merge", "--out", "m2", "shard-1.json", "shard-2.json").code).toBe(2);
    expect(bin(dir, "sweep", "merge", "--out", "m2", "shard-1.json", "shard-1.json", "shard-2.json").code).toBe(2);
    expect(bin(dir, "sweep", "merge", "--out", "m2", "all.csv").code).toBe(2);
    expect(existsSync(join(dir, "m2.csv"))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});

describe("resume", () => {
  it("a sweep killed mid-way leaves only its partial file, and the rerun redoes no finished row and writes the same bytes", async () => {
    const dir = tmp();
    const grid = ["--scenario", "loopback-stream", "--set", "duration_ms=50", "--grid", "seed=1..60", "--parallel", "1"];
    expect(bin(dir, "sweep", ...grid, "--out", "ref").code).toBe(0);
    const child = spawn(process.execPath, [join(ROOT, "bin/softnet-lab.mjs"), "sweep", ...grid, "--out", "cut"], { cwd: dir, stdio: "ignore" });
    const partial = join(dir, "cut.partial.jsonl");
    const rowsIn = () => (existsSync(partial) ? readFileSync(partial, "utf8").split("\n").filter((l) => l !== "").length - 1 : 0);
    while (rowsIn() < 5) {
      if (child.exitCode !== null) throw new Error("the sweep ended before it could be killed");
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    expect(existsSync(join(dir, "cut.csv")) || existsSync(join(dir, "cut.json"))).toBe(false);
    const before = rowsIn();
    expect(before).toBeGreaterThanOrEqual(5);
    expect(before).toBeLessThan(60);
    // a torn last line, as a kill in the middle of a write leaves it
    writeFileSync(partial, readFileSync(partial, "utf8") + '{"index":59,"see');
    const again = bin(dir, "sweep", ...grid, "--out", "cut");
    expect(again.code).toBe(0);
    expect(again.err).toContain(`resuming, ${before} of 60 configurations already done`);
    expect(again.out).toContain(`${60 - before} run, ${before} resumed`);
    expect(readFileSync(join(dir, "cut.csv"), "utf8")).toBe(readFileSync(join(dir, "ref.csv"), "utf8"));
    expect(readFileSync(join(dir, "cut.json"), "utf8")).toBe(readFileSync(join(dir, "ref.json"), "utf8"));
    expect(existsSync(partial)).toBe(false);
    // finished outputs are not overwritten without --force; another sweep's partial file is refused
    expect(bin(dir, "sweep", ...grid, "--out", "cut").code).toBe(2);
    writeFileSync(join(dir, "other.partial.jsonl"), readFileSync(join(dir, "ref.json"), "utf8").split("\n")[0] + "\n");
    const other = await cli("sweep", ...grid, "--out", join(dir, "other"));
    expect(other.code).toBe(2);
    expect(other.err).toContain("partial file of a different sweep");
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});

describe("progress", () => {
  it("without a terminal: one line at each quarter, on stderr", () => {
    const dir = tmp();
    const r = bin(dir, "sweep", "--set", "duration_ms=2", "--grid", "seed=1..8", "--parallel", "2");
    expect(r.code).toBe(0);
    expect(r.err.trim().split("\n")).toEqual(["sweep: 2/8 configurations", "sweep: 4/8 configurations", "sweep: 6/8 configurations", "sweep: 8/8 configurations"]);
    expect(r.out).toMatch(/^sweep: 8 configurations, 8 run, 0 resumed, [\d.]+ s on 2 worker threads -> sweep\.csv, sweep\.json\n$/);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});

describe("sweepGrid (notebooks)", () => {
  it("gives the rows the command writes, in grid order, with quarter progress lines", async () => {
    const { sweepGrid } = await import("../src/experiments/sweep-grid");
    const dir = tmp();
    const r = await cli("sweep", "--scenario", "loopback-stream", "--set", "duration_ms=5", "--grid", "rps_cpus=0,2", "--grid", "seed=1..3", "--out", join(dir, "s"));
    expect(r.code).toBe(0);
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => void lines.push(s);
    let rows;
    try {
      rows = await sweepGrid({ scenario: "loopback-stream", settings: [["duration_ms", "5"]], axes: ["rps_cpus=0,2", "seed=1..3"] }, { label: "rps", parallel: 2 });
    } finally {
      console.log = log;
    }
    expect(rows).toEqual(JSON.parse(readFileSync(join(dir, "s.json"), "utf8")).rows);
    expect(lines).toEqual(["rps: 2/6 configurations", "rps: 3/6 configurations", "rps: 5/6 configurations", "rps: 6/6 configurations"]);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});

describe("progress bar", () => {
  it("on a terminal: a bar redrawn in place with the count, ending on a newline", async () => {
    const { progressReporter } = await import("../src/cli/sweep");
    let out = "";
    const p = progressReporter(4, 1, true, (s) => void (out += s));
    for (let i = 0; i < 3; i++) p.tick();
    p.end();
    const frames = out.split("\r").filter((f) => f !== "");
    expect(frames[0]).toMatch(/^\[#{15}\.{15}\] 2\/4 configurations 50% [\d.]+ s, ~[\d.]+ s left\x1b\[K$/);
    expect(frames[frames.length - 1]).toMatch(/^\[#{30}\] 4\/4 configurations 100% [\d.]+ s\x1b\[K\n$/);
    expect(out.split("\n").length).toBe(2);
  });
});
