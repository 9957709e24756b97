/**
 * Checks that a chart reads as a static image: renders a Vega-Lite spec headless and walks vega's
 * scenegraph for text that was truncated ("…" from a label limit), text outside the SVG, and text
 * boxes that overlap (axis labels, legend entries, titles, mark labels). Used by test/chart-audit.test.ts
 * on every chart committed in the notebooks.
 */
import { importESM } from "./esm";
import type { VlSpec } from "./spec";
import { itemTextWidth } from "./text-metrics";

interface SceneItem {
  x?: number;
  y?: number;
  text?: unknown;
  opacity?: number;
  fillOpacity?: number;
  limit?: number;
  fontSize?: number;
  bounds: { x1: number; y1: number; x2: number; y2: number };
  items?: SceneMark[];
  mark?: SceneMark;
}
interface SceneMark {
  marktype: string;
  role?: string;
  name?: string;
  items: SceneItem[];
}
interface VegaView {
  runAsync(): Promise<unknown>;
  scenegraph(): { root: SceneMark };
  origin(): [number, number];
  toSVG(): Promise<string>;
  finalize(): void;
}
interface VegaModule {
  parse(spec: object): object;
  textMetrics: { width: (item: object, text: unknown) => number };
  View: new (runtime: object, opts: { renderer: "none" }) => VegaView;
}
interface VegaLiteModule {
  compile(spec: VlSpec): { spec: object };
}

export interface TextBox {
  text: string;
  role: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface ChartProblem {
  kind: "truncated" | "outside" | "overlap";
  message: string;
}

function textOf(t: unknown): string {
  return Array.isArray(t) ? t.map(String).join(" / ") : t == null ? "" : String(t);
}

/** Every visible text item of the rendered chart, with its box in SVG coordinates. */
export async function textBoxes(spec: VlSpec): Promise<{ boxes: TextBox[]; width: number; height: number; svg: string }> {
  const [vl, vega] = await Promise.all([importESM<VegaLiteModule>("vega-lite"), importESM<VegaModule>("vega")]);
  vega.textMetrics.width = itemTextWidth as (item: object, text: unknown) => number;
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    await view.runAsync();
    const svg = await view.toSVG();
    const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
    const width = m ? Number(m[1]) : 0;
    const height = m ? Number(m[2]) : 0;
    const [ox, oy] = view.origin();
    const boxes: TextBox[] = [];
    const walk = (mark: SceneMark, dx: number, dy: number, role: string): void => {
      for (const item of mark.items ?? []) {
        if (mark.marktype === "group") {
          for (const child of item.items ?? []) walk(child, dx + (item.x ?? 0), dy + (item.y ?? 0), child.role ?? role);
        } else if (mark.marktype === "text") {
          const text = textOf(item.text);
          if (text.trim() === "" || item.opacity === 0 || item.fillOpacity === 0) continue;
          const b = item.bounds;
          if (!Number.isFinite(b.x1) || !Number.isFinite(b.y1)) continue;
          boxes.push({ text, role: mark.role ?? role, x1: b.x1 + dx + ox, y1: b.y1 + dy + oy, x2: b.x2 + dx + ox, y2: b.y2 + dy + oy });
        }
      }
    };
    walk(view.scenegraph().root, 0, 0, "root");
    return { boxes, width, height, svg };
  } finally {
    view.finalize();
  }
}

/** The problems a reader of the static SVG would see; `slack` px of overlap or overhang are tolerated. */
export async function auditChart(spec: VlSpec, slack = 1): Promise<ChartProblem[]> {
  const { boxes, width, height, svg } = await textBoxes(spec);
  const problems: ChartProblem[] = [];
  for (const t of svg.match(/<text[^>]*>[^<]*…[^<]*<\/text>/g) ?? []) {
    problems.push({ kind: "truncated", message: `truncated label: ${t.replace(/<[^>]+>/g, "")}` });
  }
  for (const b of boxes) {
    if (b.x1 < -slack || b.y1 < -slack || b.x2 > width + slack || b.y2 > height + slack) {
      problems.push({ kind: "outside", message: `"${b.text}" (${b.role}) at x ${b.x1.toFixed(0)}..${b.x2.toFixed(0)}, y ${b.y1.toFixed(0)}..${b.y2.toFixed(0)} is outside the ${width}x${height} SVG` });
    }
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
      const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
      if (w > slack && h > slack) problems.push({ kind: "overlap", message: `"${a.text}" (${a.role}) overlaps "${b.text}" (${b.role}) by ${w.toFixed(0)}x${h.toFixed(0)} px` });
    }
  }
  return problems;
}
