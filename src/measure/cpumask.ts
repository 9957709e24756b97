/**
 * CPU masks and lists as the kernel writes them: hex masks with comma-separated 32-bit groups
 * (`rps_cpus`: "2", "00000000,00000003") and CPU lists ("0-1,3": /sys/devices/system/cpu/online).
 * Masks have one grammar in the whole kit, the sysfs one of config/values.ts (bitmap_parse: groups of
 * at most 8 hex digits, rightmost = CPUs 0-31); this module only words its errors for the harness.
 */
import { formatCpuMask as formatSysfsMask, parseCpuMask as parseSysfsMask } from "../config/values";
import { UserInputError } from "../errors";

/** Parses a sysfs hex mask ("0x" prefix and 32-bit comma groups allowed) into sorted CPU ids. */
export function parseCpuMask(mask: string, option = "mask"): number[] {
  try {
    return parseSysfsMask(mask);
  } catch (e) {
    const why = /\((.*)\)/.exec((e as Error).message.split(": expected")[0] ?? "")?.[1] ?? "";
    throw new UserInputError(`${option}: "${mask}" is not a hex CPU mask${why ? ` (${why})` : ""}: expected the sysfs form, e.g. 0, 2, 3, 1,00000000 (CPU 32), 00000000,00000003`);
  }
}

/** Formats CPU ids as the shortest mask rps_cpus accepts ("0" for none; commas between 32-bit groups). */
export function formatCpuMask(cpus: readonly number[]): string {
  return formatSysfsMask(cpus);
}

/** Parses a CPU list such as "0-3,5" into sorted ids. */
export function parseCpuList(list: string): number[] {
  const out = new Set<number>();
  for (const part of list.trim().split(",")) {
    if (part === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`"${list}" is not a CPU list (e.g. 0-1,3)`);
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    for (let c = a; c <= b; c++) out.add(c);
  }
  return [...out].sort((x, y) => x - y);
}

/** True when two masks name the same CPUs ("02" and "2", "00000000,00000002" and "2"). */
export function sameMask(a: string, b: string): boolean {
  return parseCpuMask(a).join(",") === parseCpuMask(b).join(",");
}
