/**
 * Renders Vega-Lite specs in Node: to SVG with vega's headless View (no canvas needed; text widths are
 * estimated), and to PNG through resvg. Used by the display bundle, the tests and the book.
 */
import { importESM } from "./esm";
import type { VlSpec } from "./spec";
import { itemTextWidth } from "./text-metrics";

/** The few parts of vega-lite's and vega's module APIs this file uses. */
interface VegaLiteModule {
  compile(spec: VlSpec, opts?: { logger?: Logger }): { spec: object };
}
interface VegaView {
  toSVG(scaleFactor?: number): Promise<string>;
  finalize(): void;
}
interface VegaModule {
  parse(spec: object): object;
  textMetrics: { width: (item: object, text: unknown) => number };
  View: new (runtime: object, opts: { renderer: "none"; logger?: Logger }) => VegaView;
}
interface ResvgModule {
  Resvg: new (svg: string, opts: object) => { render(): { asPng(): Uint8Array } };
}
interface Logger {
  level(l?: number): number | Logger;
  error(...args: unknown[]): Logger;
  warn(...args: unknown[]): Logger;
  info(...args: unknown[]): Logger;
  debug(...args: unknown[]): Logger;
}

export interface RenderOptions {
  /** Called with each warning vega-lite or vega reports; by default warnings are dropped. */
  onWarning?: (message: string) => void;
}

export interface PngOptions extends RenderOptions {
  /** Pixel density: 2 gives a crisp image on high-DPI screens (default 2). */
  scale?: number;
}

/**
 * Headless views have no `window`, so every interval selection (zoom, pan) makes vega warn that it
 * cannot listen there. The warning says nothing about the chart; it is dropped.
 */
const HEADLESS_NOISE = /Can not resolve event source: window/;

/** A vega logger that forwards warnings and errors to `sink` instead of the console. */
function collectingLogger(sink: ((message: string) => void) | undefined): Logger {
  let level = 2;
  const forward = (min: number, tag: string, args: unknown[]): void => {
    const message = `${tag} ${args.map(String).join(" ")}`;
    if (sink && level >= min && !HEADLESS_NOISE.test(message)) sink(message);
  };
  const logger: Logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args) { forward(1, "ERROR", args); return logger; },
    warn(...args) { forward(2, "WARN", args); return logger; },
    info() { return logger; },
    debug() { return logger; },
  };
  return logger;
}

async function modules(): Promise<{ vl: VegaLiteModule; vega: VegaModule }> {
  const [vl, vega] = await Promise.all([importESM<VegaLiteModule>("vega-lite"), importESM<VegaModule>("vega")]);
  // vega has no canvas in Node and would guess 0.8 em per character; vega supports replacing the
  // measure (vl-convert does the same). This process-wide switch only affects headless rendering.
  vega.textMetrics.width = itemTextWidth as (item: object, text: unknown) => number;
  return { vl, vega };
}

/** Compiles a Vega-Lite spec to a Vega spec (vega-lite 6 emits a Vega v6 `$schema`). */
export async function compileToVega(spec: VlSpec, opts: RenderOptions = {}): Promise<object> {
  const { vl } = await modules();
  return vl.compile(spec, { logger: collectingLogger(opts.onWarning) }).spec;
}

/**
 * Shrinks vega's SVG without changing what it shows: coordinates rounded to 0.1 px (vega writes 15
 * digits), elements drawn fully transparent dropped (labels hidden until zoom), default opacity
 * attributes removed. Typically halves a timeline's size, which matters in a committed notebook.
 */
export function compactSvg(svg: string): string {
  return svg
    .replace(/<text[^>]*\sopacity="0"[^>]*>[^<]*<\/text>/g, "")
    .replace(/<path[^>]*\sopacity="0"[^>]*\/>/g, "")
    .replace(/\sopacity="1"/g, "")
    .replace(/<path(?![^>]*\sstroke=")([^>]*)\sstroke-width="[^"]*"/g, "<path$1")
    .replace(/(\s[a-z-]+=")([^"]*)"/g, (_m, head: string, value: string) => {
      const v = value.replace(/-?\d+\.\d{2,}/g, (num) => String(Math.round(Number(num) * 10) / 10));
      return `${head}${v}"`;
    });
}

/** Renders a Vega-Lite spec to an SVG document string in its initial state (no interaction). */
export async function toSvg(spec: VlSpec, opts: RenderOptions = {}): Promise<string> {
  const { vl, vega } = await modules();
  const logger = collectingLogger(opts.onWarning);
  const vgSpec = vl.compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none", logger });
  try {
    return compactSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Renders a Vega-Lite spec, or an SVG string already rendered, to PNG bytes on a white background.
 * Vega writes `font-family: sans-serif`; resvg would otherwise pick a serif fallback.
 */
export async function toPng(input: VlSpec | string, opts: PngOptions = {}): Promise<Uint8Array> {
  const scale = opts.scale ?? 2;
  if (!(scale > 0 && scale <= 8)) throw new Error(`toPng: scale must be a number in (0, 8], got ${String(opts.scale)}`);
  const svg = typeof input === "string" ? input : await toSvg(input, opts);
  const mod = await importESM<ResvgModule & { default?: ResvgModule }>("@resvg/resvg-js");
  const Resvg = (mod.Resvg ?? mod.default?.Resvg) as ResvgModule["Resvg"];
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return new Uint8Array(resvg.render().asPng());
}
