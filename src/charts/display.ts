/**
 * Shows a chart in a notebook as ONE output carrying three forms: the Vega-Lite 6 spec (drawn
 * interactively by the book, by classic Notebook through the kit's custom.js, and by front ends that know v6),
 * an SVG rendered in Node (GitHub, nbconvert HTML, untrusted notebooks) and a text description.
 */
import { createRequire } from "node:module";
import { toSvg, type RenderOptions } from "./render";
import { VEGA_LITE_SCHEMA, type VlSpec } from "./spec";

export const VEGALITE_MIME = "application/vnd.vegalite.v6+json";

export interface ChartBundle {
  "application/vnd.vegalite.v6+json": VlSpec;
  "image/svg+xml": string;
  "text/plain": string;
}

export interface ShowOptions extends RenderOptions {
  /** Replaces the text/plain description (default: the chart's title and description). */
  text?: string;
}

export type DisplayWriter = (msg: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

function titleOf(spec: VlSpec): string | undefined {
  const t = spec.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return undefined;
}

/** Counts inline data rows: top-level `data.values` and every named `datasets` entry. */
function dataSummary(spec: VlSpec): string {
  const parts: string[] = [];
  const values = (spec.data as { values?: unknown } | undefined)?.values;
  if (Array.isArray(values)) parts.push(`${values.length} rows`);
  const sets = spec.datasets as Record<string, unknown> | undefined;
  if (sets && typeof sets === "object") {
    for (const name of Object.keys(sets)) {
      const v = sets[name];
      if (Array.isArray(v) && v.length > 0) parts.push(`${name}: ${v.length}`);
    }
  }
  return parts.join(", ");
}

/**
 * A short readable description of a chart: its title, then its `description` (the kit's builders
 * write one that summarises the data) or, for hand-written specs, the amount of data.
 */
export function describeSpec(spec: VlSpec): string {
  const title = titleOf(spec) ?? "Vega-Lite chart";
  const desc = typeof spec.description === "string" ? spec.description : "";
  if (desc !== "") return desc.startsWith(title) ? desc : `${title}: ${desc}`;
  const data = dataSummary(spec);
  return data === "" ? title : `${title} (${data})`;
}

/** The spec as emitted: a Vega-Lite 6 `$schema` (added when missing; another version is an error). */
function asV6(spec: VlSpec): VlSpec {
  if (!spec || typeof spec !== "object" || Array.isArray(spec)) throw new Error("show: spec must be a Vega-Lite spec object");
  const schema = spec.$schema;
  if (schema === undefined) return { $schema: VEGA_LITE_SCHEMA, ...spec };
  if (typeof schema !== "string" || !/\/vega-lite\/v6(\.[\d.]+)?\.json$/.test(schema)) {
    throw new Error(`show: spec.$schema is ${JSON.stringify(schema)}; charts are emitted as Vega-Lite 6 (${VEGA_LITE_SCHEMA}), the version the kit renders with`);
  }
  return spec;
}

/** Builds the display bundle without emitting it (for tests, the book and scripts). */
export async function chartBundle(spec: VlSpec, opts: ShowOptions = {}): Promise<ChartBundle> {
  const v6 = asV6(spec);
  return {
    [VEGALITE_MIME]: v6,
    "image/svg+xml": await toSvg(v6, opts),
    "text/plain": opts.text ?? describeSpec(v6),
  };
}

/**
 * tslab's display writer while a cell runs, found in Node's module cache rather than required, so
 * that outside a kernel nothing of tslab (and its zeromq addon) is loaded. It is the writer tslab's
 * own `display.*` use; they emit one MIME type per output, this emits the whole bundle at once.
 */
export function tslabWriter(): DisplayWriter | undefined {
  const cache = createRequire(`${process.cwd()}/`).cache;
  for (const key of Object.keys(cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(key)) continue;
    const writer = (cache[key]?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof writer === "function") return writer as DisplayWriter;
  }
  return undefined;
}

/**
 * Displays a chart. In a tslab notebook it emits one display_data output and resolves to undefined
 * (so the cell prints nothing more). Elsewhere (plain Node, tests) it prints the text description
 * and resolves to the bundle.
 */
export async function show(spec: VlSpec, opts: ShowOptions = {}): Promise<ChartBundle | undefined> {
  const bundle = await chartBundle(spec, opts);
  const writer = tslabWriter();
  if (writer) {
    writer({ data: { ...bundle }, metadata: {}, transient: {} }, false);
    return undefined;
  }
  console.log(bundle["text/plain"]);
  return bundle;
}
