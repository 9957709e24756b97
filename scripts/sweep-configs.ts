/**
 * The seeded random-configuration sweep, benchmark-style (outside the test suite): runs N random valid
 * configurations (scripts/lib/random-configs.ts: every workload, mode, preemption model, hotplug, the
 * RT task, hogs, rates, RPS masks, backlog_wake_delay_ns, costs down to 0) and prints how each ended.
 *   npm run sweep-configs                      # 1000 configurations, seed 736
 *   npm run sweep-configs -- --count 200 --seed 1
 * Exit 0 when every run balanced or ended in a clear user-input error; 1 when any run broke a rule,
 * got stuck without zero costs, or threw anything else (each is printed with its --set arguments).
 */
import fc from "fast-check";
import { arbConfig, asSetArgs, runChecked } from "./lib/random-configs";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) {
    console.error(`sweep-configs: ${name} needs a non-negative integer, got ${JSON.stringify(process.argv[i + 1])}`);
    process.exit(2);
  }
  return v;
}

const count = option("--count", 1000);
const seed = option("--seed", 736);
const t0 = performance.now();
const configs = fc.sample(arbConfig, { numRuns: count, seed });
const tally = { balanced: 0, "user-error": 0, unbalanced: 0, stuck: 0, bug: 0 };
const userErrors = new Map<string, number>();
let events = 0;
configs.forEach((over, i) => {
  const o = runChecked(over);
  if (o.kind === "result") {
    events += o.result.events;
    if (o.problems.length === 0) tally.balanced++;
    else {
      tally.unbalanced++;
      console.log(`#${i + 1} unbalanced: ${o.problems.join("; ")}\n  softnet-lab simulate ${asSetArgs(over)}`);
    }
  } else {
    tally[o.kind]++;
    if (o.kind === "user-error") {
      const key = o.message.includes("zero-time steps") ? "a loop of zero-time steps (cost.* at 0)" : o.message.split(":")[0]!;
      userErrors.set(key, (userErrors.get(key) ?? 0) + 1);
    } else console.log(`#${i + 1} ${o.kind}: ${o.message.split("\n")[0]}\n  softnet-lab simulate ${asSetArgs(over)}`);
  }
});
const secs = (performance.now() - t0) / 1000;
console.log(`${count} configurations (seed ${seed}) in ${secs.toFixed(1)} s, ${(events / secs / 1e6).toFixed(2)} M events/s`);
console.log(`  balanced ${tally.balanced}, clear user-input errors ${tally["user-error"]}, unbalanced ${tally.unbalanced}, stuck ${tally.stuck}, other errors ${tally.bug}`);
for (const [k, n] of [...userErrors].sort((a, b) => b[1] - a[1])) console.log(`  user-input error "${k}": ${n}`);
process.exit(tally.unbalanced + tally.stuck + tally.bug === 0 ? 0 : 1);
