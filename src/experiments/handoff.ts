/**
 * Notebook 02's RFC regression beside the kernel test robot's published figures (read from
 * datasets/published, so Node-side); the simulated hand-off runs are in ./handoff-runs.ts
 * (browser-safe) and re-exported here for the notebook.
 */
import { loadPublishedFigures } from "../measure/dataset";
import { change, findHandoff, type HandoffRow } from "./handoff-runs";

export * from "./handoff-runs";

export interface RegressionRow {
  metric: string;
  published_percent: number;
  published_high: number | null;
  published_source: string;
  model_percent: number;
  same_direction: boolean;
}

/**
 * The RFC's regression as published (kernel test robot, read from datasets/published) beside the
 * model's change from `softirq` to `threads-always` on the matching workload.
 * `publishedCsv` is the path of claims-figures.csv (notebooks: ../datasets/published/...).
 */
export function rfcRegression(rows: HandoffRow[], publishedCsv: string): RegressionRow[] {
  const pub = loadPublishedFigures(publishedCsv).rows;
  const figure = (metric: string) => {
    const r = pub.find((x) => x.metric === metric);
    if (!r) throw new Error(`${publishedCsv}: no row with metric "${metric}"`);
    return r;
  };
  const stream = figure("stress-ng UDP throughput change with the RFC");
  const rr = figure("netperf UDP_RR transaction rate change with the RFC");
  const cs = figure("context switch change with the RFC");
  const sBase = findHandoff(rows, "udp-stream", "softirq");
  const sRfc = findHandoff(rows, "udp-stream", "threads-always");
  const pBase = findHandoff(rows, "udp-pingpong", "softirq");
  const pRfc = findHandoff(rows, "udp-pingpong", "threads-always");
  const mk = (metric: string, r: (typeof pub)[number], model: number): RegressionRow => ({
    metric,
    published_percent: r.value as number,
    published_high: (r.value_high as number | null) ?? null,
    published_source: `${r.source} (${r.machine})`,
    model_percent: model,
    same_direction: Math.sign(model) === Math.sign(r.value as number),
  });
  return [
    mk("UDP stream throughput (stress-ng udp / model stream)", stream, change(sBase.rate, sRfc.rate)),
    mk("UDP request/response rate (netperf UDP_RR / model ping-pong)", rr, change(pBase.rate, pRfc.rate)),
    mk("context switches per transaction (robot: all benchmarks / model ping-pong)", cs, change(pBase.switches_per_packet, pRfc.switches_per_packet)),
  ];
}

