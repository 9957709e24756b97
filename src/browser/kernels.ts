/**
 * The browser's stand-in for src/live/kernels.ts (which reads datasets/real with node:fs and the
 * kernel set): the same rows, computed by that module when the book was built and embedded
 * (esbuild `define` of __SOFTNET_KERNELS__; scripts/lib/book/bundle.ts NODE_STAND_INS).
 */
import type { KernelBars } from "../live/kernels";

export type { KernelBars, KernelRow } from "../live/kernels";

declare const __SOFTNET_KERNELS__: KernelBars;

export function kernelBars(): KernelBars {
  if (typeof __SOFTNET_KERNELS__ === "undefined") throw new Error("the book was built without the real-kernel rows");
  return __SOFTNET_KERNELS__;
}
