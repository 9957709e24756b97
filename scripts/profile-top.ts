/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and prints where the time went: the functions with the
 * most self time (and their share), then the share of each source file. Used to write the hot-path
 * profile in docs/design.md.
 * `--under NAME` keeps only the samples taken inside a function called NAME (for example `simulate`,
 * leaving out start-up and module loading).
 * Usage: node --import tsx scripts/profile-top.ts FILE.cpuprofile [--top 25] [--under simulate]
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) {
  console.error("usage: profile-top.ts FILE.cpuprofile [--top N]");
  process.exit(2);
}
const ti = process.argv.indexOf("--top");
const top = ti > 0 ? Number(process.argv[ti + 1]) : 25;
const prof = JSON.parse(readFileSync(file, "utf8")) as Profile;
const ui = process.argv.indexOf("--under");
const under = ui > 0 ? process.argv[ui + 1] : undefined;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
function inside(id: number): boolean {
  if (under === undefined) return true;
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    if (byId.get(at)!.callFrame.functionName === under) return true;
  }
  return false;
}
const self = new Map<number, number>();
prof.samples.forEach((id, i) => {
  if (inside(id)) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fnSelf = new Map<string, number>();
const fileSelf = new Map<string, number>();
for (const [id, us] of self) {
  const f = byId.get(id)!.callFrame;
  const where = f.url ? basename(f.url.replace(/\?.*$/, "")) : "";
  const key = `${f.functionName || "(anonymous)"} ${where}${where ? `:${f.lineNumber + 1}` : ""}`;
  fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
  const fk = where || f.functionName;
  fileSelf.set(fk, (fileSelf.get(fk) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
console.log(`total sampled: ${(total / 1e3).toFixed(0)} ms`);
console.log("\nself time by function:");
for (const [k, us] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
console.log("\nself time by file:");
for (const [k, us] of [...fileSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
