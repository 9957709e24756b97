/**
 * The measured dataset notebooks 03 and 05 draw beside the model (this kit's lean-tool matrix on its
 * own machine kind), read with the dataset loader. In the book's bundle src/browser/measured.ts
 * stands in for this module with the same dataset, read by this loader at build time and embedded.
 */
import path from "node:path";
import { repoRoot } from "../calibrate/profiles";
import { loadMeasurementDataset, type MeasurementDataset } from "../measure/dataset";

/** Where the rows come from, relative to the repository (the figure names it under its chart). */
export const MEASURED_DATASET = "datasets/real/kvm-guest-2cpu-epyc-linux6.18-lean-2026-12-06";

let loaded: MeasurementDataset | undefined;

/** The whole dataset (metadata, runs, summary), as the comparison and the fit read it; read once. */
export function measuredDataset(): MeasurementDataset {
  if (!loaded) {
    const ds = loadMeasurementDataset(path.join(repoRoot(), MEASURED_DATASET));
    loaded = { ...ds, dir: MEASURED_DATASET };
  }
  return loaded;
}

export function measuredSummary(): Record<string, unknown>[] {
  return measuredDataset().summary;
}
