/**
 * The benchmark: runs the standard scenarios single-threaded and prints simulated packets per
 * wall-clock second and events per second (target: >= 1,000,000 packets/s on the 2-CPU streams).
 * Each scenario runs once to warm up the JIT, then `--repeat` times (default 3); the best run counts.
 * Usage: npm run bench [-- --ms 1000 --repeat 3 --json]
 */
import { DEFAULT_CONFIG, type SimConfig } from "../src/config/schema";
import { simulate } from "../src/sim/simulate";

interface Scenario {
  name: string;
  over: Partial<SimConfig>;
}

const SCENARIOS: Scenario[] = [
  { name: "2 CPUs, flat-out UDP stream, RPS off", over: { cpus: 2, rps_cpus: "0" } },
  { name: "2 CPUs, flat-out UDP stream, RPS to the other CPU", over: { cpus: 2, rps_cpus: "2" } },
  { name: "4 CPUs, 4 flows, RPS to all CPUs", over: { cpus: 4, flows: 4, rps_cpus: "f" } },
];

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const ms = arg("ms", 1000);
const repeat = arg("repeat", 3);
const json = process.argv.includes("--json");
const rows: Record<string, string | number>[] = [];
for (const sc of SCENARIOS) {
  const cfg: SimConfig = { ...DEFAULT_CONFIG, ...sc.over, duration_ms: ms };
  simulate({ ...cfg, duration_ms: Math.min(ms, 100) }); // warm-up
  let best = { pps: 0, eps: 0, wall: 0, sent: 0, events: 0, mem: 0 };
  for (let r = 0; r < repeat; r++) {
    const t0 = process.hrtime.bigint();
    const res = simulate(cfg);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const pps = res.packets.sent / wall;
    if (pps > best.pps) best = { pps, eps: res.events / wall, wall, sent: res.packets.sent, events: res.events, mem: process.memoryUsage().heapUsed };
  }
  rows.push({
    scenario: sc.name,
    simulated_ms: ms,
    packets: best.sent,
    events: best.events,
    wall_s: Number(best.wall.toFixed(3)),
    packets_per_wall_s: Math.round(best.pps),
    events_per_wall_s: Math.round(best.eps),
    heap_mb: Math.round(best.mem / 1e6),
  });
}
if (json) console.log(JSON.stringify(rows, null, 2));
else {
  console.table(rows);
  const target = 1_000_000;
  for (const r of rows.slice(0, 2)) {
    const ok = (r.packets_per_wall_s as number) >= target;
    console.log(`${ok ? "MEETS" : "BELOW"} target ${target.toLocaleString("en")} packets/s: ${r.scenario}: ${(r.packets_per_wall_s as number).toLocaleString("en")}`);
  }
}
