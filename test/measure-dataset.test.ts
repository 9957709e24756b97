// Dataset loading and validation: a malformed dataset is refused with the file, row, field and what was
// expected; writing is atomic; the committed real datasets and published figures load; the README
// documents every column. Synthetic rows here are test fixtures, not measurements.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCsv, formatCsv } from "../src/measure/csv";
import { DatasetError, loadDataset, loadMeasurementDataset, loadPublishedFigures, writeMeasurementDataset, type DatasetMetadata } from "../src/measure/dataset";
import { deriveRunColumns } from "../src/measure/derive";
import { PUBLISHED_COLUMNS, RUN_COLUMNS, SUMMARY_METRICS, type Row } from "../src/measure/schema";
import { spread, summarizeRuns } from "../src/measure/stats";

const ROOT = resolve(__dirname, "..");

function metadata(): DatasetMetadata {
  return {
    format: "softnet-lab/measure-dataset",
    format_version: 2,
    created_at: "2026-11-25T07:00:00.000Z",
    machine_kind: "test fixture",
    kernel: { release: "6.18.0", config_source: null, preempt: "PREEMPT_NONE", preempt_dynamic: true, preempt_runtime: null, hz: 250, rps: true, flow_limit: true, irq_time_accounting: false, thread_backlog_napi: false, backlog_napi_threads: 0, cmdline_flags: [] },
    cpu: { model: "test", count: 2, online: "0-1" },
    virtualization: { virtualized: true, hypervisor_flag: true, systemd_detect_virt: "kvm" },
    tools: { sockperf: "3.7" },
    sysctl: { "net.core.netdev_max_backlog": "1000" },
    load: { before: [0.1, 0.2, 0.3], after: [0.1, 0.2, 0.3] },
    settings: { repeats: 2, seconds: 2, sender_cpu: 0, command: "test" },
    duration_s: 10,
    notes: [],
  };
}

function run(repeat: number, pps: number): Row {
  const raw: Row = {
    tool: "lean", config_id: "stream-64b-rps_other-recv_other", mode: "stream", payload_bytes: 64, rps: "other", rps_cpus: "2", sender_cpu: 0, receiver_cpu: 1, receiver: "other", seconds: 2,
    repeat, started_at: `2026-11-25T07:00:0${repeat}.000Z`, loadavg_1m_before: 0.5, window: "tool-markers", window_s: 2,
    tool_sent: 2 * pps + 100, tool_received: 2 * pps, tool_runtime_s: 2, sent_pps: pps + 50, received_pps: pps, round_trips_per_s: null,
    latency_avg_us: null, latency_p50_us: null, latency_p90_us: null, latency_p99_us: null, latency_max_us: null,
    sender_cpu_s: 1.9, receiver_cpu_s: 1.2, sender_voluntary_switches: 3, sender_involuntary_switches: 40, receiver_voluntary_switches: 900, receiver_involuntary_switches: 5,
    udp_in_datagrams: 2 * pps, udp_in_errors: 100, udp_rcvbuf_errors: 100, udp_no_ports: 0, ctxt: 5000,
    softnet_processed: [0, 2 * pps + 100], softnet_dropped: [0, 0], softnet_time_squeeze: [0, 3], softnet_received_rps: [0, 700], softnet_flow_limit_count: [0, 0],
    net_rx_softirqs: [10, 700], ipi_cal: [5, 705], ipi_res: [200, 30], timer_loc: [500, 500], ksoftirqd_cpu_ns: [0, 12345], ksoftirqd_switches: [0, 4], backlog_napi_cpu_ns: null,
    cpu_busy_ticks: [200, 150], cpu_softirq_ticks: [1, 40], cpu_steal_ticks: [0, 0], cpu_idle_ticks: [300, 350],
  };
  return { ...raw, ...deriveRunColumns(raw) };
}

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "softnet-lab-ds-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function written(): string {
  const d = join(dir, "ds");
  writeMeasurementDataset(d, metadata(), [run(1, 100000), run(2, 120000)]);
  return d;
}

/** Replaces one cell of a CSV file (row 1-based, by column name). */
function editCell(file: string, row: number, field: string, value: string) {
  const t = parseCsv(readFileSync(file, "utf8"));
  const j = t.header.indexOf(field);
  t.records[row - 1].fields[j] = value;
  writeFileSync(file, formatCsv(t.header, t.records.map((r) => r.fields)));
}

function errorOf(f: () => unknown): DatasetError {
  try {
    f();
  } catch (e) {
    if (e instanceof DatasetError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("a measurement dataset", () => {
  it("round-trips through the writer and the loader, with the summary computed from the runs", () => {
    const ds = loadMeasurementDataset(written());
    expect(ds.runs).toHaveLength(2);
    expect(ds.runs[0].softnet_received_rps).toEqual([0, 700]);
    expect(ds.runs[0].backlog_napi_cpu_ns).toBeNull();
    expect(ds.summary).toHaveLength(1);
    expect(ds.summary[0].received_pps_median).toBe(110000);
    expect(ds.summary[0].received_pps_min).toBe(100000);
    expect(ds.summary[0].latency_p50_us_median).toBeNull();
    expect(ds.summary[0].runs).toBe(2);
  });

  it("names the file, the row, the field and what was expected for a bad cell", () => {
    const d = written();
    editCell(join(d, "runs.csv"), 2, "payload_bytes", "sixty-four");
    const e = errorOf(() => loadMeasurementDataset(d));
    expect(e.message).toContain(join(d, "runs.csv"));
    expect(e.message).toMatch(/row 2 \(line 3\) field "payload_bytes": expected an integer >= 1 or empty, got "sixty-four"/);
    expect(e.where).toMatchObject({ row: 2, field: "payload_bytes" });
  });

  it("checks enums, per-CPU lists against the CPU count, and dates", () => {
    const d = written();
    editCell(join(d, "runs.csv"), 1, "mode", "flood");
    expect(() => loadMeasurementDataset(d)).toThrow(/row 1 .*field "mode": expected one of stream, pingpong, idle, got "flood"/);
    const d2 = join(dir, "d2");
    writeMeasurementDataset(d2, metadata(), [run(1, 1)]);
    editCell(join(d2, "runs.csv"), 1, "ipi_cal", "1;2;3");
    expect(() => loadMeasurementDataset(d2)).toThrow(/field "ipi_cal": expected non-negative integers separated by ';', one per CPU \(2 CPUs\)/);
    const d3 = join(dir, "d3");
    writeMeasurementDataset(d3, metadata(), [run(1, 1)]);
    editCell(join(d3, "runs.csv"), 1, "started_at", "yesterday");
    expect(() => loadMeasurementDataset(d3)).toThrow(/field "started_at": expected an ISO 8601 UTC timestamp/);
  });

  it("refuses derived columns that do not follow from the counters", () => {
    const d = written();
    editCell(join(d, "runs.csv"), 2, "net_rx_per_packet", "0.5");
    expect(() => loadMeasurementDataset(d)).toThrow(/row 2 field "net_rx_per_packet": expected 0\.002957101 \(computed from the row's counters.*got "0\.5"/);
  });

  it("refuses a summary that does not match the runs", () => {
    const d = written();
    editCell(join(d, "summary.csv"), 1, "received_pps_median", "999");
    expect(() => loadMeasurementDataset(d)).toThrow(/summary\.csv: row 1 field "received_pps_median": expected 110000 \(recomputed from runs\.csv\), got "999"/);
  });

  it("refuses missing and unknown columns, duplicate repeats and bad metadata", () => {
    const d = written();
    const runs = join(d, "runs.csv");
    const t = parseCsv(readFileSync(runs, "utf8"));
    writeFileSync(runs, formatCsv([...t.header.slice(0, -1), "mystery"], t.records.map((r) => r.fields)));
    expect(() => loadMeasurementDataset(d)).toThrow(/line 1 field "mystery": expected only the runs columns/);
    const d2 = join(dir, "d2");
    writeMeasurementDataset(d2, metadata(), [run(1, 1), run(2, 2)]);
    editCell(join(d2, "runs.csv"), 2, "repeat", "1");
    expect(() => loadMeasurementDataset(d2)).toThrow(/row 2 field "repeat": expected one row per \(config_id, repeat\)/);
    const d3 = join(dir, "d3");
    writeMeasurementDataset(d3, metadata(), [run(1, 1)]);
    const m = JSON.parse(readFileSync(join(d3, "metadata.json"), "utf8"));
    delete m.kernel.hz;
    writeFileSync(join(d3, "metadata.json"), JSON.stringify(m));
    expect(() => loadMeasurementDataset(d3)).toThrow(/metadata\.json: field "kernel\.hz": expected a number or null, got "\(missing\)"/);
  });

  it("writes atomically: a refused dataset leaves nothing behind, an existing one is kept without --force", () => {
    const bad = run(1, 1);
    bad.mode = "flood";
    expect(() => writeMeasurementDataset(join(dir, "bad"), metadata(), [bad])).toThrow(/field "mode"/);
    expect(readdirSync(dir)).toEqual([]);
    const d = written();
    expect(() => writeMeasurementDataset(d, metadata(), [run(1, 5)])).toThrow(/already exists/);
    expect(loadMeasurementDataset(d).runs).toHaveLength(2);
    writeMeasurementDataset(d, metadata(), [run(1, 5)], true);
    expect(loadMeasurementDataset(d).runs).toHaveLength(1);
    expect(readdirSync(dir)).toEqual(["ds"]);
  });
});

describe("statistics", () => {
  it("takes the median of odd and even counts", () => {
    expect(spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(spread([])).toBeNull();
    expect(summarizeRuns([run(1, 10), run(2, 30), run(3, 20)])[0].received_pps_median).toBe(20);
  });
});

describe("committed datasets", () => {
  it("the published figures load and hold every published figure and reference point", () => {
    const p = loadPublishedFigures(join(ROOT, "datasets/published/claims-figures.csv"));
    const values = p.rows.map((r) => r.value);
    for (const v of [607006, 362677, 116234, 95851, 2948, 1722307, 2000, 900000, -40.3, -17.5, -24.2, -16.5, 67, 0.9, 2.0, 2.6, 1.3, 1, 360000, 14]) expect(values).toContain(v);
    expect(p.rows.find((r) => r.value === 67)!.value_high).toBe(198);
    expect(p.rows.every((r) => String(r.source).length > 0)).toBe(true);
  });

  it("a malformed published table names the row and field", () => {
    const f = join(dir, "p.csv");
    writeFileSync(f, "claim,metric,value,value_high,unit,approx,condition,machine,source\nC99,x,1,,pps,exact,c,m,s\n");
    expect(() => loadPublishedFigures(f)).toThrow(/row 1 \(line 2\) field "claim": expected C1 \.\. C15 or ref \(a reference point\), got "C99"/);
  });

  it("every real dataset under datasets/real loads", () => {
    const real = join(ROOT, "datasets/real");
    const dirs = existsSync(real) ? readdirSync(real) : [];
    expect(dirs.length).toBeGreaterThan(0);
    for (const d of dirs) {
      // A `softnet-lab kernels` matrix folder holds one dataset per booted kernel (docs/kernels.md).
      const subs = existsSync(join(real, d, "metadata.json")) ? [join(real, d)] : readdirSync(join(real, d)).map((s) => join(real, d, s));
      expect(subs.length).toBeGreaterThan(0);
      for (const s of subs) {
        const ds = loadDataset(s);
        expect("runs" in ds && ds.runs.length > 0).toBe(true);
      }
    }
  });

  it("datasets/README.md documents every column", () => {
    const readme = readFileSync(join(ROOT, "datasets/README.md"), "utf8");
    for (const c of [...RUN_COLUMNS, ...PUBLISHED_COLUMNS]) expect(readme, c.name).toContain(`\`${c.name}\``);
    for (const m of SUMMARY_METRICS) expect(readme).toContain(`\`${m}\``);
  });
});
