/**
 * Processes a test started through the kit and that must be gone: those whose environment names
 * `pid` as the kit's parent (the QEMU watchdog and QEMU set SOFTNET_PARENT).
 */
import { readdirSync, readFileSync } from "node:fs";

export function leftBehind(pid: number | undefined): number[] {
  const found: number[] = [];
  for (const p of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${p}/environ`, "latin1").split("\0").includes(`SOFTNET_PARENT=${pid}`)) found.push(Number(p));
    } catch {
      /* gone or not ours */
    }
  }
  return found;
}
