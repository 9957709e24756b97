/**
 * Chart rendering figures: for each chart kind, the spec size, the SVG size and the time to build the
 * spec, render the SVG (warm, median of 5) and convert it to PNG. Prints a table; asserts nothing.
 * Run: node node_modules/tsx/dist/cli.mjs bench/charts.ts
 */
import { barsSpec, busySpec, cdfSpec, chartBundle, timelineSpec, toPng, toSvg, type VlSpec } from "../src/charts/index";
import { fakeResult, latencySamples } from "../test/fixtures/results";
import { busyTrace, loopbackPingPong } from "../test/fixtures/traces";

const r = fakeResult(4, (c) => ({ task: 4e6, softirq: 1e6 * c, hardirq: 2e5, ksoftirqd: 0, backlog_thread: 0 }), { rx: 1000, ipis: 10, switches: 0.1 });
const cases: [string, () => VlSpec][] = [
  ["timeline, 4 packets (41 spans)", () => timelineSpec(loopbackPingPong(2))],
  ["timeline, 24 packets (241 spans)", () => timelineSpec(loopbackPingPong(12))],
  ["timeline, 4 CPUs, 400 spans", () => timelineSpec(busyTrace(4, 400))],
  ["timeline, 4 CPUs, 20k spans (binned)", () => timelineSpec(busyTrace(4, 20000))],
  ["timeline, 4 CPUs, 200k spans (binned)", () => timelineSpec(busyTrace(4, 200000))],
  ["bars, 3 configs x 2 series", () => barsSpec(["a", "b", "c"].flatMap((label, i) => [{ label, series: "model", value: i + 1 }, { label, series: "measured", value: i + 1.2, min: i + 1, max: i + 1.4 }]), { yTitle: "y" })],
  ["CDF, 2 series x 10k samples", () => cdfSpec([{ series: "a", samples: latencySamples(10000, 8000, 3000, 50, 40000) }, { series: "b", samples: latencySamples(10000, 9000, 3000, 20, 60000) }])],
  ["busy time, 4 CPUs", () => busySpec(r)],
];

const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const t0 = performance.now();
await toSvg(barsSpec([{ label: "x", series: "s", value: 1 }], { yTitle: "y" }));
console.log(`first render (loads vega and vega-lite): ${ms(t0)} ms\n`);
console.log("chart | build ms | spec KB | SVG ms (median of 5) | SVG KB | PNG ms (2x) | PNG KB | bundle ms");
for (const [name, build] of cases) {
  let t = performance.now();
  const spec = build();
  const buildMs = ms(t);
  const svgTimes: number[] = [];
  let svg = "";
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    svg = await toSvg(spec);
    svgTimes.push(ms(t));
  }
  t = performance.now();
  const png = await toPng(svg);
  const pngMs = ms(t);
  t = performance.now();
  await chartBundle(spec);
  const bundleMs = ms(t);
  const kb = (n: number): number => Math.round(n / 102.4) / 10;
  console.log(`${name} | ${buildMs} | ${kb(JSON.stringify(spec).length)} | ${median(svgTimes)} | ${kb(svg.length)} | ${pngMs} | ${kb(png.length)} | ${bundleMs}`);
}
