/**
 * CPU masks and lists as the kernel writes them: hex masks with comma-separated 32-bit groups
 * (`rps_cpus`: "2", "00000000,00000003") and CPU lists ("0-1,3": /sys/devices/system/cpu/online).
 */

/** Parses a hex mask ("0x" prefix and commas allowed) into sorted CPU ids; throws on anything else. */
export function parseCpuMask(mask: string): number[] {
  const clean = mask.trim().replace(/^0x/i, "").replace(/,/g, "");
  if (!/^[0-9a-fA-F]+$/.test(clean)) throw new Error(`"${mask}" is not a hex CPU mask (e.g. 0, 2, 3, 00000000,00000002)`);
  const cpus: number[] = [];
  const digits = clean.split("").reverse();
  digits.forEach((d, i) => {
    const v = parseInt(d, 16);
    for (let b = 0; b < 4; b++) if (v & (1 << b)) cpus.push(i * 4 + b);
  });
  return cpus;
}

/** Formats CPU ids as a plain hex mask without leading zeros ("0" for none), as rps_cpus accepts. */
export function formatCpuMask(cpus: readonly number[]): string {
  let hex = "";
  const max = cpus.length ? Math.max(...cpus) : 0;
  for (let nib = 0; nib <= max >> 2; nib++) {
    let v = 0;
    for (let b = 0; b < 4; b++) if (cpus.includes(nib * 4 + b)) v |= 1 << b;
    hex = v.toString(16) + hex;
  }
  return hex.replace(/^0+(?=.)/, "");
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
