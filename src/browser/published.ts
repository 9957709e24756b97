/**
 * The browser's stand-in for src/live/published.ts (which reads datasets/published with node:fs):
 * the same rows, loaded by that module's loader when the book was built and embedded in the bundle
 * (esbuild `define` of __SOFTNET_PUBLISHED__; scripts/lib/book/bundle.ts NODE_STAND_INS).
 */
import type { Row } from "../measure/schema";

declare const __SOFTNET_PUBLISHED__: Row[];

export const PUBLISHED_CSV = "datasets/published/claims-figures.csv";

export function publishedRows(): Row[] {
  return typeof __SOFTNET_PUBLISHED__ === "undefined" ? [] : __SOFTNET_PUBLISHED__;
}
