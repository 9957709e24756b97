/**
 * What the model's events are, per simulated packet, on the 2-CPU flat-out streams (RPS off and RPS
 * to the other CPU): each event kind, and for segment ends the kernel function whose segment ended.
 * Counts only (wraps the handlers; the runs are the same). Used for docs/design.md ("The hot path").
 * Usage: node --import tsx scripts/event-mix.ts [--ms 200]
 */
import { DEFAULT_CONFIG } from "../src/config/schema";
import { Simulator, type Handler } from "../src/engine/sim";
import { Simulation } from "../src/sim/simulate";

const i = process.argv.indexOf("--ms");
const ms = i > 0 ? Number(process.argv[i + 1]) : 200;
for (const [label, rps] of [["RPS off", "0"], ["RPS to the other CPU", "2"]] as const) {
  const counts = new Map<string, number>();
  const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  let sim: Simulation | null = null;
  const on = Simulator.prototype.on;
  Simulator.prototype.on = function (this: Simulator, handler: Handler, name?: string): number {
    const n = name ?? "?";
    const wrapped: Handler = n === "segment end"
      ? (target, arg) => {
          const cpu = sim!.machine.cpus[target]!;
          bump(arg === cpu.gen && cpu.segActive ? `segment end: ${cpu.segFn}` : "segment end (stale: the segment was cut)");
          handler(target, arg);
        }
      : (target, arg) => {
          bump(n);
          handler(target, arg);
        };
    return on.call(this, wrapped, name);
  };
  try {
    sim = new Simulation({ ...DEFAULT_CONFIG, cpus: 2, rps_cpus: rps, duration_ms: ms });
    sim.runUntil(ms * 1e6);
  } finally {
    Simulator.prototype.on = on;
  }
  const r = sim.finish(0);
  const sent = r.packets.sent;
  console.log(`2 CPUs, flat-out UDP stream, ${label}: ${r.events} events, ${sent} packets sent, ${(r.events / sent).toFixed(2)} events per packet`);
  for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${(n / sent).toFixed(3).padStart(7)}  ${k}`);
}
