/**
 * The browser's stand-in for src/live/measured.ts (which reads datasets/real with node:fs): the same
 * dataset (metadata, runs, summary), loaded by that module's loader when the book was built and
 * embedded in the bundle (esbuild `define` of __SOFTNET_MEASURED__; scripts/lib/book/bundle.ts NODE_STAND_INS).
 */
import type { MeasurementDataset } from "../measure/dataset";

declare const __SOFTNET_MEASURED__: MeasurementDataset;

export const MEASURED_DATASET = "datasets/real/kvm-guest-2cpu-epyc-linux6.18-lean-2026-12-06";

export function measuredDataset(): MeasurementDataset {
  return typeof __SOFTNET_MEASURED__ === "undefined" ? { dir: MEASURED_DATASET, metadata: {} as MeasurementDataset["metadata"], runs: [], summary: [] } : __SOFTNET_MEASURED__;
}

export function measuredSummary(): Record<string, unknown>[] {
  return measuredDataset().summary;
}
