/**
 * The run to profile: one 2-CPU flat-out UDP stream (RPS off, or RPS to the other CPU with --rps 2),
 * after a warm-up run. Profile it with V8's sampling profiler and read the profile with
 * scripts/profile-top.ts (docs/design.md, "The hot path"):
 *   node --cpu-prof --cpu-prof-dir=build/prof --import tsx bench/profile.ts --rps 0 --ms 5000
 *   node --import tsx scripts/profile-top.ts build/prof/<file>.cpuprofile --under simulate
 */
import { DEFAULT_CONFIG } from "../src/config/schema";
import { simulate } from "../src/sim/simulate";

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}
const rps = arg("rps", "0");
const ms = Number(arg("ms", "5000"));
const cfg = { ...DEFAULT_CONFIG, cpus: 2, rps_cpus: rps, duration_ms: ms };
simulate({ ...cfg, duration_ms: 200 }); // warm-up: the profile then shows optimized code
const t0 = performance.now();
const r = simulate(cfg);
const wall = (performance.now() - t0) / 1000;
console.log(`rps_cpus=${rps}: ${r.events} events, ${r.packets.sent} packets in ${wall.toFixed(2)} s: ${(r.events / wall / 1e6).toFixed(2)} M events/s, ${(r.packets.sent / wall / 1e6).toFixed(2)} M packets/s`);
