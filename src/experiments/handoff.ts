/**
 * Notebook 02's RFC regression beside the kernel test robot's published figures, read here from
 * datasets/published (so Node-side); the simulated hand-off runs and the comparison itself are in
 * ./handoff-runs.ts (browser-safe), re-exported here for the notebook.
 */
import { loadPublishedFigures } from "../measure/dataset";
import { rfcRegressionRows, type HandoffRow, type RegressionRow } from "./handoff-runs";

export * from "./handoff-runs";

/**
 * The RFC's regression as published beside the model's (rfcRegressionRows).
 * `publishedCsv` is the path of claims-figures.csv (notebooks: ../datasets/published/...).
 */
export function rfcRegression(rows: HandoffRow[], publishedCsv: string): RegressionRow[] {
  return rfcRegressionRows(rows, loadPublishedFigures(publishedCsv).rows, publishedCsv);
}
