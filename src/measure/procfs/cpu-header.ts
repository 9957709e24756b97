/**
 * The header line shared by /proc/softirqs and /proc/interrupts: one `CPU<n>` column per CPU (online
 * CPUs only in /proc/interrupts), which gives the CPU id of each count column.
 */
export function parseCpuHeader(line: string, file: string): number[] {
  return line
    .trim()
    .split(/\s+/)
    .map((h) => {
      const m = /^CPU(\d+)$/.exec(h);
      if (!m) throw new Error(`${file} header: expected CPU<n> columns, got "${h}"`);
      return Number(m[1]);
    });
}
