/**
 * The live figures (src/live/figures.ts) against the committed notebooks: every chart of the book is
 * either live or listed in NOT_LIVE with a reason; each live figure matches exactly one chart and,
 * with no knob turned, rebuilds that chart exactly (so the committed output is a true first frame);
 * its knobs are configuration keys; a bad knob is refused with the CLI's own message; a turned knob
 * changes the chart's data.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KEYS } from "../src/config/schema";
import { resolveConfig } from "../src/config/parse";
import { ConfigError } from "../src/config/errors";
import { LIVE_FIGURES, NOT_LIVE, runFigure, specTitle } from "../src/live/figures";
import { VEGALITE_MIMES, readNotebook } from "../scripts/lib/ipynb";
import { listNotebooks } from "../scripts/lib/run-notebook";

/** JSON with sorted keys: committed notebooks store specs with sorted keys. */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]));
  return v;
}

const charts = listNotebooks().flatMap((f) => readNotebook(f).cells.flatMap((c) => c.outputs ?? [])
  .map((o) => VEGALITE_MIMES.map((m) => o.data?.[m]).find((s) => s !== undefined))
  .filter((s) => s !== undefined)
  .map((spec) => ({ notebook: path.basename(f, ".ipynb"), spec, title: specTitle(spec) })));

describe("live figures against the committed notebooks", () => {
  it("every chart of the book is a live figure or listed in NOT_LIVE with a reason", () => {
    const unaccounted = charts.filter((c) => !LIVE_FIGURES.some((f) => f.title.test(c.title)) && !NOT_LIVE.some((n) => n.title.test(c.title)));
    expect(unaccounted.map((c) => `${c.notebook}: ${c.title}`)).toEqual([]);
    const both = charts.filter((c) => LIVE_FIGURES.some((f) => f.title.test(c.title)) && NOT_LIVE.some((n) => n.title.test(c.title)));
    expect(both.map((c) => c.title)).toEqual([]);
  });

  it.each(LIVE_FIGURES.map((f) => [f.id, f] as const))("%s rebuilds its committed chart exactly with no knob turned", (_id, fig) => {
    const matches = charts.filter((c) => fig.title.test(c.title));
    expect(matches.map((c) => c.title)).toHaveLength(1);
    const { spec } = runFigure(fig, {}, matches[0]!.title);
    expect(JSON.stringify(canon(spec))).toBe(JSON.stringify(canon(matches[0]!.spec)));
  });

  it("every knob is a configuration key and every base setting resolves", () => {
    for (const f of LIVE_FIGURES) {
      for (const k of f.knobs) expect(Object.keys(KEYS), f.id).toContain(k);
      expect(() => f.runs(f.base).map((s) => resolveConfig(s)), f.id).not.toThrow();
    }
  });

  it("every knob starts at the value the figure's runs really use (no run overrides a knob)", () => {
    for (const f of LIVE_FIGURES) {
      for (const k of f.knobs) {
        const start = f.base[k] ?? String(KEYS[k].default);
        for (const c of f.runs(f.base).map((s) => resolveConfig(s))) expect(String(c[k]), `${f.id} ${k}`).toBe(start);
        // and turning it reaches every run
        const turned = k === "duration_ms" ? "3" : k === "hog_cpus" ? "" : undefined;
        if (turned !== undefined && turned !== start) {
          for (const c of f.runs({ ...f.base, [k]: turned }).map((s) => resolveConfig(s))) expect(String(c[k]), `${f.id} ${k} turned`).toBe(turned);
        }
      }
    }
  });

  it("a bad knob value is refused with the CLI's message, before any run", () => {
    const fig = LIVE_FIGURES.find((f) => f.id === "00-tour/four-datagrams")!;
    let cli: unknown;
    try {
      resolveConfig({ rps_cpus: "zz" });
    } catch (e) {
      cli = e;
    }
    expect(cli).toBeInstanceOf(ConfigError);
    expect(() => runFigure(fig, { rps_cpus: "zz" }, "t")).toThrow((cli as Error).message);
    expect(() => runFigure(fig, { seed: "1" }, "t")).toThrow(/not one of its knobs/);
  });

  it("turning a knob changes the chart's data (RPS to CPU 1 moves NET_RX to CPU 1)", () => {
    const fig = LIVE_FIGURES.find((f) => f.id === "00-tour/four-datagrams")!;
    const base = runFigure(fig, {}, "t");
    const rps = runFigure(fig, { rps_cpus: "2" }, "t");
    expect(rps.digests).not.toEqual(base.digests);
    const delivered = (s: unknown) => ((s as { datasets: { events: { kind: string; cpu: number }[] } }).datasets.events)
      .filter((e) => e.kind === "deliver").map((e) => e.cpu);
    expect(new Set(delivered(base.spec))).toEqual(new Set([0]));
    expect(new Set(delivered(rps.spec))).toEqual(new Set([1]));
  });
});
