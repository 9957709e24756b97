/**
 * Plain-text tables and number formats for terminal output: right-aligned numeric columns,
 * thousands separators, percentages and microseconds, all independent of the locale.
 */

/** 1234567 -> "1,234,567"; fractions keep `digits` decimals. */
export function group(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return String(n);
  const [int, frac] = Math.abs(n).toFixed(digits).split(".");
  const body = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${n < 0 ? "-" : ""}${body}${frac ? `.${frac}` : ""}`;
}

/** Share of `whole` as a percentage with one decimal ("12.5%"); "-" when whole is 0. */
export function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "-";
}

/** Nanoseconds as microseconds with two decimals ("12.34 us"). */
export function us(ns: number): string {
  return `${group(ns / 1000, 2)} us`;
}

/** A count in a readable magnitude: "2.4 M", "35.1 k", "812". */
export function magnitude(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)} k`;
  return n.toFixed(0);
}

/**
 * Aligns `rows` under `headers`, two spaces apart, indented by two. Columns whose cells are all
 * numbers (or "-") are right-aligned, others left-aligned.
 */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? group(c) : c)));
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === "number" || /^[-\d.,%]+( \w+)?$/.test(String(r[i]))));
  const width = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) =>
    "  " + r.map((c, i) => (numeric[i] ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join("  ").trimEnd();
  return [line(headers), ...cells.map(line)].join("\n");
}
