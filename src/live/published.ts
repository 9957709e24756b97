/**
 * The published figures (datasets/published/claims-figures.csv) for the live figures that draw them
 * beside the model, read with the dataset loader. In the book's bundle src/browser/published.ts stands
 * in for this module with the same rows, loaded by this loader at build time and embedded.
 */
import path from "node:path";
import { repoRoot } from "../calibrate/profiles";
import { loadPublishedFigures } from "../measure/dataset";
import type { Row } from "../measure/schema";

/** Where the rows come from, relative to the repository (the figures name it under their chart). */
export const PUBLISHED_CSV = "datasets/published/claims-figures.csv";

export function publishedRows(): Row[] {
  return loadPublishedFigures(path.join(repoRoot(), PUBLISHED_CSV)).rows;
}
