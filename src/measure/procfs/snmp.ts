/**
 * Parser for /proc/net/snmp (and the same-shaped /proc/net/netstat): for each protocol a line of field
 * names followed by a line of values, both starting with `Proto:`. Udp InDatagrams, InErrors,
 * RcvbufErrors and NoPorts are the ones the harness reads.
 */

export type Snmp = Record<string, Record<string, number>>;

export function parseSnmp(text: string): Snmp {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const out: Snmp = {};
  for (let i = 0; i < lines.length; i += 2) {
    const head = /^(\w+):\s*(.*)$/.exec(lines[i]);
    const vals = lines[i + 1] !== undefined ? /^(\w+):\s*(.*)$/.exec(lines[i + 1]) : null;
    if (!head || !vals || head[1] !== vals[1]) throw new Error(`snmp line ${i + 1}: expected a "Proto: names" line followed by a "Proto: values" line`);
    const names = head[2].trim().split(/\s+/);
    const values = vals[2].trim().split(/\s+/).map(Number);
    if (names.length !== values.length || values.some((v) => !Number.isFinite(v))) {
      throw new Error(`snmp ${head[1]}: ${names.length} names but values "${vals[2].trim()}"`);
    }
    out[head[1]] = Object.fromEntries(names.map((n, j) => [n, values[j]]));
  }
  return out;
}
