/**
 * The browser's stand-in for src/live/capture.ts (which reads datasets/traces with node:fs): the
 * capture's spacing between datagrams, computed by that module when the book was built and embedded
 * (esbuild `define` of __SOFTNET_CAPTURE_SPACING__; scripts/lib/book/bundle.ts NODE_STAND_INS).
 */
declare const __SOFTNET_CAPTURE_SPACING__: number;

export const CAPTURE = "lo-udp-other-cpu-paced";

export function captureSpacing(): number {
  if (typeof __SOFTNET_CAPTURE_SPACING__ === "undefined") throw new Error("the book was built without the capture's spacing");
  return __SOFTNET_CAPTURE_SPACING__;
}
