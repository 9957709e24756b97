/**
 * The measured dataset notebook 03 draws beside the model (the summary rows of this kit's lean-tool
 * matrix on its own machine kind), read with the dataset loader. In the book's bundle
 * src/browser/measured.ts stands in for this module with the same rows, read by this loader at build
 * time and embedded.
 */
import path from "node:path";
import { repoRoot } from "../calibrate/profiles";
import { loadMeasurementDataset } from "../measure/dataset";

/** Where the rows come from, relative to the repository (the figure names it under its chart). */
export const MEASURED_DATASET = "datasets/real/kvm-guest-2cpu-epyc-linux6.18-lean-2026-12-06";

export function measuredSummary(): Record<string, unknown>[] {
  return loadMeasurementDataset(path.join(repoRoot(), MEASURED_DATASET)).summary;
}
