/**
 * The real capture notebook 05 draws beside the model (datasets/traces/lo-udp-other-cpu-paced), as the
 * live chart of the model's side needs it: the spacing between its datagrams, which sets the model's
 * rate. In the book's bundle src/browser/capture.ts stands in for this module with the spacing this
 * module computed at build time, embedded.
 */
import path from "node:path";
import { repoRoot } from "../calibrate/profiles";
import { medianSpacing } from "../experiments/trace-beside";
import { loadTraceDataset } from "../trace/index";

/** The capture's name in datasets/traces/. */
export const CAPTURE = "lo-udp-other-cpu-paced";

let spacing: number | undefined;

/** The capture's median spacing between datagrams (ns), read and computed once. */
export function captureSpacing(): number {
  if (spacing === undefined) spacing = medianSpacing(loadTraceDataset(CAPTURE, path.join(repoRoot(), "datasets", "traces")).records);
  return spacing;
}
