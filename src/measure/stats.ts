/**
 * Aggregation of repeated runs: median, min and max of each summary metric per configuration, the
 * figures `summary.csv` holds. Medians resist the odd run disturbed by other work on a shared machine.
 */
import { CONFIG_COLUMNS, SUMMARY_METRICS, type Row } from "./schema";

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median (mean of the two middle values for an even count), min and max; null for no values. */
export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

/** Groups run rows by config_id (first-seen order) and builds one summary row per configuration. */
export function summarizeRuns(runs: readonly Row[]): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of runs) {
    const id = String(r.config_id);
    const g = groups.get(id);
    if (g) g.push(r);
    else groups.set(id, [r]);
  }
  const out: Row[] = [];
  for (const rows of groups.values()) {
    const s: Row = {};
    for (const c of CONFIG_COLUMNS) s[c.name] = rows[0][c.name];
    s.runs = rows.length;
    for (const m of SUMMARY_METRICS) {
      const sp = spread(rows.map((r) => r[m]).filter((v): v is number => typeof v === "number"));
      s[`${m}_median`] = sp ? sp.median : null;
      s[`${m}_min`] = sp ? sp.min : null;
      s[`${m}_max`] = sp ? sp.max : null;
    }
    out.push(s);
  }
  return out;
}
