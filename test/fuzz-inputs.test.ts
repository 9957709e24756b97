/**
 * Fuzzing every reader of user input (fast-check, fixed seeds, bounded: well under 60 s together):
 * the config parser, the CLI argument parser (every command, through main()), the dataset loader,
 * the profile loader, the ftrace parser and the jsonl trace reader take generated malformed input.
 * Every outcome must be a result or a UserInputError (through the CLI: exit 0 or 2, one message
 * line naming the command, no stack trace); never another error type, a hang or exit code 1.
 */
import fc from "fast-check";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main";
import { makeConfig, resolveConfig } from "../src/config/parse";
import { KEYS } from "../src/config/schema";
import { SCENARIO_NAMES } from "../src/config/scenarios";
import { UserInputError } from "../src/errors";
import { COST_NAMES } from "../src/kernel/costs";
import { loadDataset, loadMeasurementDataset } from "../src/measure/dataset";
import { loadProfile } from "../src/calibrate/profiles";
import { parseFtraceText } from "../src/trace/ftrace-parse";
import { toFtraceText } from "../src/trace/ftrace-text";
import { readTraceJsonl } from "../src/trace/stream";
import { simulate } from "../src/sim/simulate";

const ROOT = resolve(__dirname, "..");
const DATASET = join(ROOT, "datasets/real/kvm-guest-2cpu-epyc-linux6.18-2026-11-25");
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "softnet-lab-fuzz-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Tallies for the closing line of each property: how many inputs gave a result, how many a clear error. */
function tally() {
  const t = { inputs: 0, results: 0, clearErrors: 0 };
  return {
    t,
    ok: () => (t.inputs++, t.results++),
    clear: () => (t.inputs++, t.clearErrors++),
    line: (what: string) => `${what}: ${t.inputs} inputs, ${t.results} results, ${t.clearErrors} clear errors, 0 stack traces, 0 hangs`,
  };
}

/** Runs `f`; a UserInputError counts as a clear error, anything else fails the property. */
function expectResultOrUserError(f: () => unknown, t: ReturnType<typeof tally>): void {
  try {
    f();
    t.ok();
  } catch (e) {
    if (!(e instanceof UserInputError)) throw new Error(`not a UserInputError: ${(e as Error).stack ?? String(e)}`);
    expect(e.message.length).toBeGreaterThan(0);
    t.clear();
  }
}

const ODD_TEXT = fc.constantFrom("", " ", "0", "-1", "1e3", "0x", "0xg", "NaN", "Infinity", "1_000", "_1", "99999999999999999999", "true", "false", "1,00000000", ",", "f,", "cpu1:off@5ms", "cpu9:off@1s", "cpu1:on@1ms", "cpu0:off@1ms;cpu1:off@1ms", "é", "\u0000", "__proto__", "constructor", "../x", "a=b=c");
const text = fc.oneof(ODD_TEXT, fc.string({ maxLength: 12 }), fc.integer({ min: -1e6, max: 1e9 }).map(String), fc.integer({ min: 0, max: 2 ** 40 }).map((n) => n.toString(16)));

describe("config parser", () => {
  it("random key=value settings and scenarios: a config or a ConfigError", () => {
    const t = tally();
    const key = fc.oneof(fc.constantFrom(...Object.keys(KEYS), ...COST_NAMES.map((n) => `cost.${n}`), "cost.", "cost.nope", "rps", "", " seed", "Seed"), fc.string({ maxLength: 8 }));
    const scenario = fc.option(fc.oneof(fc.constantFrom(...SCENARIO_NAMES), fc.string({ maxLength: 10 })), { nil: undefined });
    fc.assert(
      fc.property(fc.array(fc.tuple(key, text), { maxLength: 5 }), scenario, (settings, sc) => {
        expectResultOrUserError(() => resolveConfig(settings, { scenario: sc }), t);
      }),
      { seed: 17, numRuns: 1500 },
    );
    console.log(t.line("config parser (text)"));
  });

  it("random typed overrides (makeConfig, as a notebook writes them): a config or a ConfigError", () => {
    const t = tally();
    const value = fc.oneof(fc.anything({ maxDepth: 1 }), fc.integer(), fc.double(), fc.boolean(), text);
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.keys(KEYS), "bogus"), value, { maxKeys: 4 }), fc.dictionary(fc.constantFrom(...COST_NAMES, "nope"), value, { maxKeys: 3 }), (scalars, costs) => {
        expectResultOrUserError(() => makeConfig({ ...(scalars as object), costs: costs as never }), t);
      }),
      { seed: 18, numRuns: 1500 },
    );
    console.log(t.line("config parser (typed)"));
  });
});

describe("CLI argument parser, every command through main()", () => {
  it("random argv: exit 0 or 2, the error one line naming the command, never a stack trace", async () => {
    const t = tally();
    const bad = join(tmp, "bad-dataset");
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, "metadata.json"), "{");
    const token = fc.oneof(
      fc.constantFrom(
        "--set", "-s", "--scenario", "--json", "--settings", "--help", "-h", "--", "-", "--trace-format", "jsonl", "ftrace", "chrome", "bogus",
        "--rps", "--receiver", "--payload", "--mode", "--repeats", "--seconds", "--sender-cpu", "--out", "--force", "--port", "--note", "--matrix", "--baseline", "--no-baseline",
        "--dataset", "--name", "--groups", "--ms", "--profile", "send,bogus", "rx_stack", "abc", "50", "4", "off", "other", "1,00000000", "same", "stream", "pingpong",
        `--trace-out=${join(tmp, "t.jsonl")}`, `--trace-out=${join(tmp, "missing", "t.jsonl")}`, "--trace-out=/dev/stdout", `--dataset=${bad}`, `--dataset=${tmp}`, `--out=${join(tmp, "out")}`,
        "duration_ms=2", "cpus=3", "rps_cpus=2", "rps_cpus=1,00000000", "rate_pps=-5", "hotplug=cpu1:off@5ms", "trace=true", "cost.syscall=0", "workload=nic-rx", "seed=7", "=", "==",
      ),
      text,
    );
    const command = fc.constantFrom("simulate", "scenarios", "measure", "compare", "calibrate", "help", "--help", "bogus", "");
    await fc.assert(
      fc.asyncProperty(command, fc.array(token, { maxLength: 6 }), async (cmd, rest) => {
        // keep runs short and harmless: simulations of 1 ms, never a real measurement
        const argv = [cmd, ...rest, ...(cmd === "simulate" ? ["--set", "duration_ms=1"] : cmd === "measure" ? ["--dry-run"] : [])].filter((a, i) => i > 0 || a !== "");
        let out = "";
        let err = "";
        const code = await main(argv, { out: (s) => void (out += s + "\n"), err: (s) => void (err += s + "\n") });
        const shown = JSON.stringify(argv);
        expect([0, 2], `${shown}\n${err}`).toContain(code);
        expect(err, shown).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
        expect(err, shown).not.toMatch(/internal error/);
        if (code === 2 && argv.length > 0) expect(err.split("\n")[0], shown).toMatch(/^softnet-lab|^usage|^Usage|^softnet-lab:/);
        if (code === 0) t.ok();
        else t.clear();
        expect(out.length + err.length).toBeGreaterThan(0);
      }),
      { seed: 19, numRuns: 1500 },
    );
    console.log(t.line("CLI argv"));
  });
});

describe("dataset loader", () => {
  const files = ["metadata.json", "runs.csv", "summary.csv"] as const;
  const original = Object.fromEntries(files.map((f) => [f, readFileSync(join(DATASET, f), "utf8")])) as Record<(typeof files)[number], string>;
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("delete" as const), file: fc.constantFrom(...files) }),
    fc.record({ kind: fc.constant("empty" as const), file: fc.constantFrom(...files) }),
    fc.record({ kind: fc.constant("folder" as const), file: fc.constantFrom(...files) }),
    fc.record({ kind: fc.constant("truncate" as const), file: fc.constantFrom(...files), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant("insert" as const), file: fc.constantFrom(...files), at: fc.double({ min: 0, max: 1, noNaN: true }), what: fc.oneof(fc.constantFrom(",", "\n", '"', "NaN", "-1", "{", "}", "null", "\r\n", ";"), fc.string({ maxLength: 4 })) }),
    fc.record({ kind: fc.constant("cell" as const), file: fc.constantFrom("runs.csv", "summary.csv" as const), row: fc.nat(20), col: fc.nat(80), what: fc.oneof(fc.constantFrom("", "NaN", "-1", "1e999", "x", "1;2", "2026-13-40T00:00:00Z"), fc.string({ maxLength: 5 })) }),
    fc.record({ kind: fc.constant("meta" as const), field: fc.constantFrom("format", "format_version", "cpu", "cpu.count", "kernel", "load", "notes", "settings.repeats"), what: fc.anything({ maxDepth: 1 }) }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

  function apply(dir: string, ms: Mutation[]): void {
    const text: Record<string, string | null> = { ...original };
    const folders = new Set<string>();
    for (const m of ms) {
      if (m.kind === "meta") {
        try {
          const obj = JSON.parse(text["metadata.json"] ?? "{}") as Record<string, unknown>;
          const [a, b] = m.field.split(".");
          if (b && typeof obj[a!] === "object" && obj[a!] !== null) (obj[a!] as Record<string, unknown>)[b] = m.what;
          else obj[a!] = m.what;
          text["metadata.json"] = JSON.stringify(obj);
        } catch {
          /* already not JSON */
        }
        continue;
      }
      const cur = text[m.file];
      if (m.kind === "delete") text[m.file] = null;
      else if (m.kind === "empty") text[m.file] = "";
      else if (m.kind === "folder") folders.add(m.file);
      else if (cur == null) continue;
      else if (m.kind === "truncate") text[m.file] = cur.slice(0, Math.floor(cur.length * m.at));
      else if (m.kind === "insert") {
        const i = Math.floor(cur.length * m.at);
        text[m.file] = cur.slice(0, i) + m.what + cur.slice(i);
      } else if (m.kind === "cell") {
        const lines = cur.split("\n");
        const r = 1 + (m.row % Math.max(1, lines.length - 2));
        const cells = (lines[r] ?? "").split(",");
        cells[m.col % Math.max(1, cells.length)] = m.what;
        lines[r] = cells.join(",");
        text[m.file] = lines.join("\n");
      }
    }
    mkdirSync(dir, { recursive: true });
    for (const f of files) {
      if (folders.has(f)) mkdirSync(join(dir, f));
      else if (text[f] !== null) writeFileSync(join(dir, f), text[f]!);
    }
  }

  it("a real dataset, damaged at random: the dataset or a DatasetError naming file, row and field", () => {
    const t = tally();
    let n = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const dir = join(tmp, `ds-${n++}`);
        apply(dir, ms);
        expectResultOrUserError(() => loadMeasurementDataset(dir), t);
        rmSync(dir, { recursive: true, force: true });
      }),
      { seed: 20, numRuns: 600 },
    );
    // the undamaged dataset loads, and loadDataset refuses what is neither a folder nor a .csv
    expect(loadMeasurementDataset(DATASET).runs.length).toBeGreaterThan(0);
    writeFileSync(join(tmp, "x.txt"), "");
    expect(() => loadDataset(join(tmp, "x.txt"))).toThrow(UserInputError);
    console.log(t.line("dataset loader"));
  });
});

describe("profile loader", () => {
  it("random profile files and names: a profile or a ProfileError", () => {
    const t = tally();
    const dir = join(tmp, "profiles");
    mkdirSync(dir, { recursive: true });
    const valid = JSON.parse(readFileSync(join(ROOT, "profiles/kvm-epyc-2cpu.json"), "utf8")) as Record<string, unknown>;
    const content = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.json({ maxDepth: 2 }),
      fc.record({ costs: fc.dictionary(fc.constantFrom(...COST_NAMES, "bogus", "__proto__"), fc.oneof(fc.integer({ min: -5, max: 2e9 }), fc.double(), fc.string({ maxLength: 3 }), fc.constant(null)), { maxKeys: 4 }) }).map((o) => JSON.stringify({ ...valid, ...o })),
      fc.constant(JSON.stringify(valid).slice(0, 40)),
    );
    const name = fc.oneof(fc.constant("p"), fc.string({ maxLength: 6 }), fc.constantFrom("../profiles/p", "p.json", "", "."));
    fc.assert(
      fc.property(content, name, (c, nm) => {
        writeFileSync(join(dir, "p.json"), c);
        expectResultOrUserError(() => loadProfile(nm, dir), t);
      }),
      { seed: 21, numRuns: 400 },
    );
    console.log(t.line("profile loader"));
  });
});

describe("ftrace parser and jsonl trace reader", () => {
  const trace = simulate(makeConfig({ scenario: "loopback-stream-rps", duration_ms: 1, trace: true, trace_ns: 30_000 })).trace!;
  const ftrace = toFtraceText(trace.records, { nrCpus: 2 });
  const lineEdit = fc.oneof(
    fc.record({ kind: fc.constant("drop" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
    fc.record({ kind: fc.constant("char" as const), at: fc.nat(), pos: fc.nat(200), ch: fc.oneof(fc.constantFrom(" ", ":", "[", "]", "-", "9", ".", "\t", "#"), fc.string({ maxLength: 2 })) }),
    fc.record({ kind: fc.constant("line" as const), at: fc.nat(), line: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("CPU:0 [LOST 3 EVENTS]", "##### CPU 9 buffer started ####", "cpus=2", "# tracer: nop", "  x-1 [007] ..... 0.000001: softirq_entry: vec=12 [action=NET_RX]", "  x-1 [000] ..... 0.000001: softirq_entry: vec=3 [action=TIMER]")) }),
    fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  );
  function edit(text: string, edits: (typeof lineEdit extends fc.Arbitrary<infer E> ? E : never)[]): string {
    const lines = text.split("\n");
    for (const e of edits) {
      const i = lines.length ? e.at % lines.length : 0;
      if (e.kind === "drop") lines.splice(i, 1);
      else if (e.kind === "swap") {
        const j = lines.length ? e.with % lines.length : 0;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      } else if (e.kind === "char") {
        const l = lines[i] ?? "";
        const p = e.pos % (l.length + 1);
        lines[i] = l.slice(0, p) + e.ch + l.slice(p + 1);
      } else if (e.kind === "line") lines.splice(i, 0, e.line);
      else lines.length = i;
    }
    return lines.join("\n");
  }

  it("a real model trace, edited at random, and random text: records or an FtraceParseError, in both error modes", () => {
    const t = tally();
    fc.assert(
      fc.property(fc.oneof({ arbitrary: fc.array(lineEdit, { minLength: 1, maxLength: 4 }).map((e) => edit(ftrace, e)), weight: 4 }, { arbitrary: fc.string({ maxLength: 200 }), weight: 1 }), (text) => {
        expectResultOrUserError(() => parseFtraceText(text), t);
        expectResultOrUserError(() => parseFtraceText(text, { onError: "collect" }), t);
      }),
      { seed: 22, numRuns: 1000 },
    );
    console.log(t.line("ftrace parser"));
  });

  it("a jsonl trace, edited at random: the trace or a UserInputError", () => {
    const t = tally();
    const jsonl = [JSON.stringify({ type: "header", format: "softnet-lab/trace-jsonl", version: 1, cpus: 2 }), ...trace.records.slice(0, 30).map((r) => JSON.stringify({ type: "record", ...r })), JSON.stringify({ type: "end", end_ns: 30_000, records: 30, spans: 0 })].join("\n");
    fc.assert(
      fc.property(fc.array(lineEdit, { minLength: 1, maxLength: 3 }), (e) => expectResultOrUserError(() => readTraceJsonl(edit(jsonl, e)), t)),
      { seed: 23, numRuns: 600 },
    );
    console.log(t.line("jsonl trace reader"));
  });
});

describe("through the CLI", () => {
  it("a damaged dataset behind a symbolic link: exit 2 and one line naming the file and the field", async () => {
    const link = join(tmp, "link-to-bad");
    const bad = join(tmp, "bad2");
    cpSync(DATASET, bad, { recursive: true });
    writeFileSync(join(bad, "runs.csv"), "config_id\nx\n");
    symlinkSync(bad, link);
    let err = "";
    const code = await main(["compare", "--dataset", link], { out: () => {}, err: (s) => void (err += s + "\n") });
    expect(code).toBe(2);
    expect(err).toMatch(/^softnet-lab compare: .*link-to-bad\/runs\.csv: line 1 field "mode": expected a column "mode" in the header\n/);
  });
});
