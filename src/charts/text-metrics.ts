/**
 * Text widths for rendering without a canvas. Headless vega guesses 0.8 em per character, which
 * truncates span labels and legend entries far earlier than a browser would; this measures with the
 * advance widths of DejaVu Sans (the font the PNGs use, and a wide one, so browsers never overflow).
 */

/** Advance widths of DejaVu Sans in 1/2048 em (read from the hmtx table of fonts-dejavu-core 2.37 DejaVuSans.ttf; ASCII plus a few). */
const ADVANCE: Record<string, number> = {
  " ": 651, "!": 821, '"': 942, "#": 1716, $: 1303, "%": 1946, "&": 1597, "'": 563, "(": 799, ")": 799,
  "*": 1024, "+": 1716, ",": 651, "-": 739, ".": 651, "/": 690, ":": 690, ";": 690, "<": 1716, "=": 1716,
  ">": 1716, "?": 1087, "@": 2048, "[": 799, "\\": 690, "]": 799, "^": 1716, _: 1024, "`": 1024, "{": 1303,
  "|": 690, "}": 1303, "~": 1716,
  a: 1255, b: 1300, c: 1126, d: 1300, e: 1260, f: 721, g: 1300, h: 1298, i: 569, j: 569, k: 1186, l: 569,
  m: 1995, n: 1298, o: 1253, p: 1300, q: 1300, r: 842, s: 1067, t: 803, u: 1298, v: 1212, w: 1675, x: 1212,
  y: 1212, z: 1075,
  A: 1401, B: 1405, C: 1430, D: 1577, E: 1294, F: 1178, G: 1587, H: 1540, I: 604, J: 604, K: 1343, L: 1141,
  M: 1767, N: 1532, O: 1612, P: 1235, Q: 1612, R: 1423, S: 1300, T: 1251, U: 1499, V: 1401, W: 2025, X: 1403,
  Y: 1251, Z: 1403,
  "µ": 1303, "·": 651, "–": 1024, "—": 2048, "…": 2048, "≤": 1716, "≥": 1716, "×": 1716, "→": 1716,
};
const DIGIT = 1303;
const OTHER = 1300;

/** Width in pixels of `text` at `fontSize` px; bold text is about 10% wider in DejaVu Sans. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) units += ch >= "0" && ch <= "9" ? DIGIT : (ADVANCE[ch] ?? OTHER);
  return (units / 2048) * fontSize * (bold ? 1.1 : 1);
}

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}

/**
 * The `textMetrics.width` vega calls for text items. vega also calls it with the untruncated text to
 * size a label's bounds, so the result is capped at the item's `limit` (the truncated text fits it).
 */
export function itemTextWidth(item: TextItem, text: unknown): number {
  const s = text == null ? "" : String(text).trim();
  const size = item.fontSize ?? 11;
  const bold = item.fontWeight === "bold" || (typeof item.fontWeight === "number" && item.fontWeight >= 600);
  const w = textWidth(s, size, bold);
  return item.limit !== undefined && item.limit > 0 ? Math.min(w, item.limit) : w;
}

/**
 * Splits `text` into lines no wider than `maxWidth` px at `fontSize`, at spaces (a word wider than the
 * line stays whole). Axis labels are wrapped instead of truncated: a static SVG cannot show a tooltip.
 */
export function wrapText(text: string, maxWidth: number, fontSize: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const next = line === "" ? word : `${line} ${word}`;
    if (line !== "" && textWidth(next, fontSize) > maxWidth) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line !== "") lines.push(line);
  return lines;
}
