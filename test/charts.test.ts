/**
 * The chart module: every builder's spec compiles with vega-lite without warnings and renders to SVG;
 * the timeline draws what a trace holds (lanes, contexts in the fixed palette, packets, IPIs, short
 * spans, nesting, big traces binned); the display bundle has exactly three MIME types. PNGs of every
 * chart are written to test-artifacts/charts/ for a human to look at.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  CONTEXT_COLORS,
  CONTEXT_LABELS,
  CONTEXT_ORDER,
  EVENT_STYLE,
  VEGA_LITE_SCHEMA,
  barsSpec,
  busySpec,
  cdfPoints,
  cdfSpec,
  chartBundle,
  compactSvg,
  compileToVega,
  importESM,
  linesSpec,
  metricRows,
  percentile,
  show,
  timelineData,
  timelineSpec,
  toPng,
  toSvg,
  type VlSpec,
} from "../src/charts/index";
import { textWidth } from "../src/charts/text-metrics";
import type { Trace } from "../src/observe/types";
import { fakeResult, latencySamples } from "./fixtures/results";
import { busyTrace, loopbackPingPong, nestedTrace } from "./fixtures/traces";

const ARTIFACTS = path.resolve(__dirname, "..", "test-artifacts", "charts");

/** Renders a spec, failing on any vega-lite or vega warning. */
async function render(spec: VlSpec): Promise<string> {
  const warnings: string[] = [];
  const svg = await toSvg(spec, { onWarning: (m) => warnings.push(m) });
  expect(warnings).toEqual([]);
  expect(svg.startsWith("<svg")).toBe(true);
  return svg;
}

/** The rectangles of one fill colour in an SVG as drawn by vega: `M x,y h w v h ...`. */
function rects(svg: string, fill: string): { x: number; y: number; w: number; h: number }[] {
  const re = new RegExp(`<path d="M(-?[\\d.]+),(-?[\\d.]+)h(-?[\\d.]+)v(-?[\\d.]+)[^"]*" fill="${fill}"`, "g");
  return Array.from(svg.matchAll(re), (m) => ({ x: +m[1], y: +m[2], w: +m[3], h: +m[4] }));
}

/** The visible text of an SVG, in document order. */
function texts(svg: string): string[] {
  return Array.from(svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g), (m) => m[1]);
}

const r68 = fakeResult(2, (c) => ({ task: 4e6, softirq: c === 0 ? 3e6 : 1e6, hardirq: 2e5, ksoftirqd: 0, backlog_thread: 0 }), { rx: 1000, ipis: 10, switches: 0.1 });
const r610 = fakeResult(2, (c) => ({ task: 4e6, softirq: 2e5, hardirq: 2e5, ksoftirqd: 0, backlog_thread: c === 1 ? 3.5e6 : 0 }), { rx: 800, ipis: 400, switches: 1.7, drops: 30 });
const runs = [
  { label: "v6.8 softirq", result: r68 },
  { label: "v6.10 threads", result: r610 },
];

/** Every chart kind, as a notebook would build it; each is rendered and saved as a PNG. */
const GALLERY: [string, () => VlSpec][] = [
  ["timeline-loopback", () => timelineSpec(loopbackPingPong(2), { title: "Four packets over loopback (udp-pingpong, 2 round trips)" })],
  ["timeline-nested", () => timelineSpec(nestedTrace(), { title: "A softirq recorded inside the task it interrupts" })],
  ["timeline-busy", () => timelineSpec(busyTrace(4, 400), { title: "4 CPUs, 400 spans" })],
  ["timeline-binned", () => timelineSpec(busyTrace(4, 20000), { title: "4 CPUs, 20,000 spans (binned)" })],
  [
    "bars",
    () =>
      barsSpec(
        [...metricRows(runs, "switches_per_packet"), ...metricRows(runs, "switches_per_packet").map((r) => ({ ...r, series: "measured", value: r.value * 1.1, min: r.value, max: r.value * 1.2 }))],
        { title: "Context switches per packet", yTitle: "context switches per packet" },
      ),
  ],
  [
    "lines",
    () =>
      linesSpec(
        [1, 2, 4, 8].flatMap((k) => [
          { label: k * 1e5, series: "softirq", value: Math.min(k, 6) * 1e5 },
          { label: k * 1e5, series: "threads", value: Math.min(k, 5) * 9e4, min: Math.min(k, 5) * 8.5e4, max: Math.min(k, 5) * 9.5e4 },
        ]),
        { title: "Throughput under offered load", xTitle: "offered load (packets/s)", yTitle: "received (packets/s)", logX: true },
      ),
  ],
  [
    "cdf",
    () =>
      cdfSpec(
        [
          { series: "softirq in the call", samples: latencySamples(3000, 8000, 3000, 50, 40000) },
          { series: "backlog thread", samples: latencySamples(3000, 9500, 4000, 20, 60000) },
        ],
        { title: "Round-trip latency" },
      ),
  ],
  ["cdf-log", () => cdfSpec([{ series: "one", samples: latencySamples(500, 8000, 3000, 50, 40000) }], { logX: true, percentiles: [50, 90, 99.9] })],
  ["busy", () => busySpec(r68, { title: "Where CPU time goes" })],
  ["busy-multi", () => busySpec(runs, { unit: "ms" })],
];

describe("rendering", () => {
  it("importESM loads vega-lite and vega under vitest", async () => {
    const vl = await importESM<{ compile: unknown }>("vega-lite");
    const vega = await importESM<{ View: unknown }>("vega");
    expect(typeof vl.compile).toBe("function");
    expect(typeof vega.View).toBe("function");
    expect(await importESM("vega-lite")).toBe(vl);
  });

  it.each(GALLERY)("%s: compiles with vega-lite, renders to SVG and PNG without warnings", async (name, build) => {
    const spec = build();
    expect(spec.$schema).toBe(VEGA_LITE_SCHEMA);
    const warnings: string[] = [];
    const vg = (await compileToVega(spec, { onWarning: (m) => warnings.push(m) })) as { $schema?: string };
    expect(vg.$schema).toMatch(/vega\/v\d+\.json$/);
    expect(warnings).toEqual([]);
    const svg = await render(spec);
    const png = await toPng(svg, { scale: 2 });
    expect(Array.from(png.slice(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(5000);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, `${name}.png`), png);
    writeFileSync(path.join(ARTIFACTS, `${name}.svg`), svg);
  });

  it("toPng also takes a spec directly and rejects a bad scale", async () => {
    const spec = barsSpec([{ label: "a", series: "s", value: 1 }], { yTitle: "y" });
    const png = await toPng(spec, { scale: 1 });
    expect(png[1]).toBe(0x50);
    await expect(toPng(spec, { scale: 0 })).rejects.toThrow(/scale must be a number in \(0, 8\]/);
  });

  it("compactSvg rounds coordinates and drops only what is invisible", () => {
    const svg = '<svg><path d="M1.23456,2h3.98765v4Z" fill="#fff" opacity="1" stroke-width="0.5"/><text opacity="0">hidden</text><text x="1">shown 1.23456</text></svg>';
    expect(compactSvg(svg)).toBe('<svg><path d="M1.2,2h4v4Z" fill="#fff"/><text x="1">shown 1.23456</text></svg>');
  });

  it("measures text with DejaVu Sans advances instead of vega's 0.8 em guess", () => {
    // u d p _ s e n d m s g: 1298+1300+1300+1024+1067+1260+1298+1300+1995+1067+1300 = 14209 units of 2048 per em.
    expect(textWidth("udp_sendmsg", 10)).toBeCloseTo((14209 / 2048) * 10, 6);
    expect(textWidth("CPU 0", 12, true)).toBeGreaterThan(textWidth("CPU 0", 12));
  });
});

describe("per-CPU timeline", () => {
  const trace = loopbackPingPong(2);

  it("has one lane per CPU present, in order, labelled on the axis", async () => {
    const d = timelineData(trace);
    expect(d.lanes).toEqual([
      { cpu: 0, lane: 0 },
      { cpu: 1, lane: 1 },
    ]);
    const withRecordOnly: Trace = { ...trace, records: [...trace.records, { ts: 10, cpu: 3, comm: "x", pid: 1, event: "net:netif_rx", fields: {} }] };
    expect(timelineData(withRecordOnly).lanes.map((l) => l.cpu)).toEqual([0, 1, 3]);
    expect(timelineData(trace, { cpus: [1] }).lanes).toEqual([{ cpu: 1, lane: 0 }]);
    const svgText = texts(await render(timelineSpec(trace)));
    expect(svgText).toContain("CPU 0");
    expect(svgText).toContain("CPU 1");
    expect(svgText.filter((t) => /^CPU \d$/.test(t))).toHaveLength(2);
  });

  it("colours contexts with the fixed palette, legend in the fixed order", async () => {
    const spec = timelineSpec(trace);
    const bars = (spec.layer as VlSpec[]).find((l) => (l.data as { name?: string }).name === "spans") as { encoding: { color: { scale: { domain: string[]; range: string[] } } } };
    expect(bars.encoding.color.scale.domain).toEqual(["task", "softirq", "hardirq", "ksoftirqd", "backlog_thread", "idle"]);
    expect(bars.encoding.color.scale.range).toEqual(CONTEXT_ORDER.map((c) => CONTEXT_COLORS[c]));
    const svg = await render(spec);
    const labels = texts(svg);
    const at = CONTEXT_ORDER.map((c) => labels.indexOf(CONTEXT_LABELS[c]));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    // The loopback exchange has task, softirq, hardirq and idle time: all four colours are drawn.
    for (const c of ["task", "softirq", "hardirq", "idle"] as const) expect(rects(svg, CONTEXT_COLORS[c]).length).toBeGreaterThan(0);
  });

  it("marks the four packets, their delivery and the IPIs, with arrows to the IPI handlers", async () => {
    const d = timelineData(trace);
    expect(d.counts.events).toEqual({ enqueue: 4, deliver: 4, ipi: 4, wakeup: 4 });
    expect(d.events.filter((e) => e.kind === "enqueue").map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    const ipis = d.links.filter((l) => l.kind === "ipi");
    expect(ipis).toHaveLength(4);
    // Each IPI ends where a hardirq span of its target starts, 1.25 µs later in the fixture.
    for (const l of ipis) {
      expect(l.t1 - l.t0).toBeCloseTo(1.25, 6);
      const targetLane = Math.floor(l.y1);
      expect(d.spans.some((s) => s.ctx === "hardirq" && s.lane === targetLane && s.t0 === l.t1)).toBe(true);
    }
    expect(d.links.filter((l) => l.kind === "packet")).toHaveLength(4);
    const svg = await render(timelineSpec(trace));
    for (const kind of ["enqueue", "deliver", "ipi"] as const) expect(svg).toContain(`fill="${EVENT_STYLE[kind].color}"`);
    expect(texts(svg)).toEqual(expect.arrayContaining(["#1", "#2", "#3", "#4"]));
  });

  it("draws no marks when the trace has no records, and hides kinds switched off", () => {
    expect(timelineData({ ...trace, records: [] }).events).toEqual([]);
    const d = timelineData(trace, { events: { ipis: false, wakeups: false } });
    expect(new Set(d.events.map((e) => e.kind))).toEqual(new Set(["enqueue", "deliver"]));
    expect(d.links.every((l) => l.kind === "packet")).toBe(true);
  });

  it("keeps a 50 ns span visible (at least 2 px) in a 100 µs window", async () => {
    const t: Trace = {
      spans: [
        { cpu: 0, start: 0, end: 40_000, ctx: "task", task: "a", fn: "udp_sendmsg" },
        { cpu: 0, start: 40_000, end: 40_050, ctx: "hardirq", task: "a", fn: "irq_handler" },
        { cpu: 0, start: 40_050, end: 100_000, ctx: "task", task: "a", fn: "udp_sendmsg" },
      ],
      records: [],
      end_ns: 100_000,
    };
    const svg = await render(timelineSpec(t, { width: 800 }));
    const irq = rects(svg, CONTEXT_COLORS.hardirq);
    expect(irq).toHaveLength(1);
    expect(irq[0].w).toBeGreaterThanOrEqual(2);
    expect(irq[0].x).toBeCloseTo(320, 0); // 40 µs of 100 µs across 800 px
    expect(irq[0].h).toBeGreaterThan(20);
  });

  it("insets nested spans and ends a parent's label where its first child starts", () => {
    const d = timelineData(nestedTrace());
    expect(d.spans.map((s) => [s.fn, s.d])).toEqual([
      ["udp_sendmsg", 0],
      ["net_rx_action", 1],
      ["process_backlog", 2],
      ["irq_handler", 3],
    ]);
    expect(d.spans.map((s) => s.tl)).toEqual([3, 3.5, 4, 4.05]);
    // Only top-level spans make the owner strip: one stretch of "iperf".
    expect(d.owners).toEqual([{ cpu: 0, lane: 0, task: "iperf", t0: 0, t1: 10, shade: 1 }]);
  });

  it("clips spans to the time window and keeps their real duration", () => {
    const d = timelineData(trace, { from_ns: 2_000, to_ns: 3_000 });
    expect(d.from_us).toBe(2);
    expect(d.to_us).toBe(3);
    const pb = d.spans.find((s) => s.fn === "process_backlog");
    expect(pb).toMatchObject({ t0: 2, t1: 3, dur: 1.2 });
    expect(d.spans.every((s) => s.t0 >= 2 && s.t1 <= 3)).toBe(true);
  });

  it("bins a trace too big to draw span by span, conserving CPU time, and says so", async () => {
    const big = busyTrace(4, 20000);
    const d = timelineData(big, { maxSpans: 600 });
    expect(d.mode).toBe("bins");
    expect(d.spans).toEqual([]);
    expect(d.notes.join(" ")).toMatch(/20000 spans, more than 600: each CPU is shown as \d+ bins/);
    expect(d.notes.join(" ")).toMatch(/tracepoint marks left out/);
    // Shares add up to the busy time of each CPU (the fixture's spans are not nested).
    const binsPerLane = d.bins.filter((b) => b.lane === 0 && !b.end).length;
    for (const lane of [0, 1, 2, 3]) {
      const shareSum = d.bins.filter((b) => b.lane === lane && !b.end).reduce((a, b) => a + CONTEXT_ORDER.reduce((s, c) => s + (b[c] ?? 0), 0), 0);
      const spanNs = big.spans.filter((s) => s.cpu === lane).reduce((a, s) => a + s.end - s.start, 0);
      expect((shareSum / binsPerLane) * big.end_ns).toBeCloseTo(spanNs, -4);
    }
    const spec = timelineSpec(big);
    expect((spec.title as { subtitle: string[] }).subtitle.join(" ")).toMatch(/more than 600/);
    const svg = await render(spec);
    expect(svg.length).toBeLessThan(200_000);
  });

  it("keeps a few hundred spans' SVG within tens of KB", async () => {
    const d = timelineData(loopbackPingPong(12));
    expect(d.counts.spans).toBeGreaterThan(200);
    const svg = await render(timelineSpec(loopbackPingPong(12)));
    expect(svg.length).toBeLessThan(90_000);
  });

  it("rejects bad input with the field and the allowed values", () => {
    const bad = { ...trace, spans: [{ ...trace.spans[0], ctx: "napi" }] } as unknown as Trace;
    expect(() => timelineSpec(bad)).toThrow(/trace\.spans\[0\]\.ctx is "napi"; allowed: task, softirq, hardirq, ksoftirqd, backlog_thread, idle/);
    expect(() => timelineSpec(trace, { from_ns: 5, to_ns: 5 })).toThrow(/to_ns \(5\) must be greater than from_ns \(5\)/);
    expect(() => timelineSpec(trace, { cpus: [] })).toThrow(/cpus must be a non-empty list/);
    const backwards = { ...trace, spans: [{ ...trace.spans[0], start: 10, end: 5 }] };
    expect(() => timelineSpec(backwards)).toThrow(/spans\[0\] ends \(5\) before it starts \(10\)/);
    expect(() => timelineSpec({ spans: [] } as unknown as Trace)).toThrow(/run the model with trace=true/);
    expect(() => timelineSpec(r68)).toThrow(/this SimResult has no trace; run the simulation with trace=true/);
    expect(timelineSpec({ ...r68, trace }).description).toBe(timelineSpec(trace).description);
  });
});

describe("comparison charts", () => {
  it("bars: one bar per label and series, in the given order, with error bars for ranges", async () => {
    const rows = [
      { label: "a", series: "model", value: 2 },
      { label: "b", series: "model", value: 3 },
      { label: "a", series: "measured", value: 2.5, min: 2, max: 3 },
      { label: "b", series: "measured", value: 3.5, min: 3, max: 4 },
    ];
    const spec = barsSpec(rows, { yTitle: "things per packet" });
    const svg = await render(spec);
    expect(rects(svg, "#0072B2")).toHaveLength(2);
    expect(rects(svg, "#000000")).toHaveLength(2); // one colour per meaning: the model blue, a measurement black
    expect(spec.description).toBe("things per packet (bars): model: a: 2, b: 3; measured: a: 2.5, b: 3.5.");
    expect(() => barsSpec([{ label: "a", series: "s", value: Number.NaN }], { yTitle: "y" })).toThrow(/rows\[0\]\.value must be a finite number/);
    expect(() => barsSpec([{ label: "a", series: "s", value: 1, min: 0 }], { yTitle: "y" })).toThrow(/only one of min\/max/);
    expect(() => barsSpec([{ label: "a", series: "s", value: 1 }], { yTitle: "y", seriesOrder: ["t"] })).toThrow(/not in seriesOrder/);
  });

  it("lines: numeric labels make a quantitative axis, logY needs positive values", () => {
    const spec = linesSpec([{ label: 1, series: "s", value: 1 }, { label: 10, series: "s", value: 2 }], { yTitle: "y", logX: true });
    const line = (spec.layer as VlSpec[])[0] as { encoding: { x: { type: string; scale: { type: string } } } };
    expect(line.encoding.x.type).toBe("quantitative");
    expect(line.encoding.x.scale.type).toBe("log");
    expect(() => linesSpec([{ label: "a", series: "s", value: 1 }], { yTitle: "y", logX: true })).toThrow(/logX needs numeric labels/);
    expect(() => linesSpec([{ label: 1, series: "s", value: 0 }], { yTitle: "y", logY: true })).toThrow(/logY needs values/);
  });

  it("metrics read SimResults by name and refuse what a run does not have", () => {
    expect(metricRows(runs, "ipis_per_packet").map((r) => r.value)).toEqual([0.01, 0.5]);
    expect(metricRows(runs, "drops").map((r) => r.value)).toEqual([0, 30]);
    expect(metricRows([{ ...runs[0], series: "measured" }], "rx_pps")[0]).toEqual({ label: "v6.8 softirq", series: "measured", value: 100000 });
    expect(() => metricRows([{ label: "x", result: { ...r68, latency_ns: null } }], "latency_p99_us")).toThrow(/has no latency_p99_us/);
    expect(() => metricRows(runs, "nope" as "drops")).toThrow(/unknown metric "nope"; allowed: rx_pps/);
  });

  it("busy: shares per CPU and context add up to the simulated time", () => {
    const spec = busySpec(r68);
    const rows = (spec.data as { values: { cpu: string; share: number }[] }).values;
    for (const cpu of ["CPU 0", "CPU 1"]) expect(rows.filter((r) => r.cpu === cpu).reduce((a, r) => a + r.share, 0)).toBeCloseTo(1, 6);
    expect(spec.description).toBe("Where CPU time goes: CPU 0 task 40% softirq 30% hardirq 2% idle 28%; CPU 1 task 40% softirq 10% hardirq 2% idle 48%.");
    expect(() => busySpec(r68, { unit: "s" as "ms" })).toThrow(/unit must be "share" or "ms"/);
  });
});

describe("latency CDF", () => {
  it("uses nearest-rank percentiles", () => {
    const s = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(100);
    expect(percentile(s, 10)).toBe(10);
    expect(percentile(s, 11)).toBe(20);
  });

  it("thins long series but keeps the ends and a monotone curve, ns in, µs out", () => {
    const sorted = latencySamples(10000, 8000, 3000, 50, 40000).sort((a, b) => a - b);
    const pts = cdfPoints(sorted, 400);
    expect(pts.length).toBeLessThanOrEqual(402);
    expect(pts[0]).toEqual({ x: sorted[0] / 1000, F: 0 });
    expect(pts[pts.length - 1]).toEqual({ x: sorted[sorted.length - 1] / 1000, F: 1 });
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i].x).toBeGreaterThanOrEqual(pts[i - 1].x);
      expect(pts[i].F).toBeGreaterThan(pts[i - 1].F);
    }
  });

  it("marks the percentiles asked for and describes each series", () => {
    const spec = cdfSpec([{ series: "a", samples: [1000, 2000, 3000, 4000] }], { percentiles: [50] });
    const marks = (spec.datasets as { marks: { p: number; x: number; label: string }[] }).marks;
    expect(marks).toEqual([{ series: "a", i: 0, p: 50, F: 0.5, x: 2, label: "p50 2 µs" }]);
    expect(spec.description).toBe("Latency distribution (CDF): a: 4 samples, p50 2 µs, p99 4 µs, max 4 µs.");
    expect(() => cdfSpec([{ series: "a", samples: [] }])).toThrow(/samples must be a non-empty array/);
    expect(() => cdfSpec([{ series: "a", samples: [0, 1] }], { logX: true })).toThrow(/logX needs samples > 0/);
    expect(() => cdfSpec([{ series: "a", samples: [1] }], { percentiles: [0] })).toThrow(/percentiles\[0\] must be in \(0, 100\]/);
  });
});

describe("display", () => {
  afterEach(() => vi.restoreAllMocks());

  it("builds one bundle with exactly the three MIME types and a v6 $schema", async () => {
    const spec = timelineSpec(loopbackPingPong(1), { title: "One round trip" });
    const b = await chartBundle(spec);
    expect(Object.keys(b).sort()).toEqual(["application/vnd.vegalite.v6+json", "image/svg+xml", "text/plain"]);
    expect(b["application/vnd.vegalite.v6+json"].$schema).toBe("https://vega.github.io/schema/vega-lite/v6.json");
    expect(b["image/svg+xml"]).toMatch(/^<svg[^>]*>/);
    expect(b["text/plain"]).toMatch(/^One round trip: CPUs 0, 1, 0–\d+(\.\d+)? µs; \d+ spans \(task \d+, softirq \d+, hardirq \d+, idle \d+\); 2 packets queued, 2 delivered, 2 IPIs, 2 wakeups\.$/);
  });

  it("adds a v6 $schema to a hand-written spec and refuses another version", async () => {
    const spec = { title: "hand-made", data: { values: [{ a: 1 }, { a: 2 }] }, mark: "bar", encoding: { y: { field: "a", type: "quantitative" } } };
    const b = await chartBundle(spec);
    expect(b["application/vnd.vegalite.v6+json"].$schema).toBe(VEGA_LITE_SCHEMA);
    expect(b["text/plain"]).toBe("hand-made (2 rows)");
    await expect(chartBundle({ ...spec, $schema: "https://vega.github.io/schema/vega-lite/v5.json" })).rejects.toThrow(/emitted as Vega-Lite 6/);
  });

  it("show outside Jupyter prints the description and returns the bundle", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const b = await show(busySpec(r68));
    expect(b && Object.keys(b)).toHaveLength(3);
    expect(log).toHaveBeenCalledWith(b?.["text/plain"]);
  });
});
