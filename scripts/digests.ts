/**
 * `npm run digests [-- <commit>]`: compares the event digest of every named scenario and of a grid
 * of the older backlog_napi modes (softirq, threads-always, threads) x preemption models, hotplug and
 * more, between this checkout and <commit> (default: the merge-base with main). Prints each case
 * that differs; exit 1 if any does.
 */
import { baseCommit, compareWith, digestGrid } from "./lib/digest-grid";

const commit = baseCommit(process.argv[2]);
const { compared, diffs } = compareWith(commit, digestGrid());
for (const d of diffs) console.log(`DIFFERS  ${d.label}: ${d.base} -> ${d.here}`);
console.log(`${compared} runs compared with ${commit.slice(0, 12)}: ${diffs.length === 0 ? "every digest is the same" : `${diffs.length} differ`}`);
process.exit(diffs.length === 0 ? 0 : 1);
