/**
 * The result paragraphs of the notebooks, rendered from the values the cells computed (notebooks 01,
 * 02, 03, 06 and 08 print them with `say`), so a model change rewrites the sentence instead of
 * leaving it stale. Each function takes the rows its notebook already has and returns markdown.
 */
import { argmax, argmin, direction, listing, share } from "./prose";
import type { DelayRow } from "../experiments/handoff";
import type { C12Row } from "../experiments/rps";
import type { HotplugRun } from "../experiments/hotplug";
import type { ComparisonRow } from "../calibrate/compare";

/** One bar of notebook 01's "fate of the packets" chart. */
export interface FateRow {
  label: string;
  series: string;
  value: number;
}

/** "26.5 %" when both ends print the same, else "22.1 % to 26.5 %". */
function range(lo: number, hi: number): string {
  return share(lo) === share(hi) ? share(lo) : `${share(lo)} to ${share(hi)}`;
}

/** Notebook 01, section 4: what `netdev_max_backlog` changes under overload. */
export function backlogLimitSummary(rows: readonly FateRow[]): string {
  const limits = [...new Set(rows.map((r) => r.label))];
  const get = (limit: string, series: string) => rows.find((r) => r.label === limit && r.series.startsWith(series))?.value ?? 0;
  const backlog = limits.map((l) => get(l, "dropped: backlog"));
  const rcvbuf = limits.map((l) => get(l, "dropped: socket"));
  const read = limits.map((l) => get(l, "read"));
  const smallest = limits[0]!;
  const most = limits[argmax(backlog)]!;
  const fewest = limits[argmin(backlog)]!;
  const rest = limits.slice(1);
  const restRead = read.slice(1);
  const readMin = Math.min(...restRead), readMax = Math.max(...restRead);
  const readSame = direction(readMax, readMin, 0.05) === "same";
  const parts: string[] = [];
  parts.push(`The backlog drops the most packets at a limit of ${most} (${share(Math.max(...backlog))} of those sent) and the fewest at ${fewest} (${share(Math.min(...backlog))}).`);
  const smallRead = read[0]!;
  parts.push(`With the smallest backlog (${smallest}) the receiver reads ${share(smallRead, 2)} of the packets and the socket buffer drops ${share(rcvbuf[0]!)}; ` +
    `from ${rest[0]} up it reads ${readSame ? `about the same share (${range(readMin, readMax)})` : `between ${share(readMin)} and ${share(readMax)}`} ` +
    `and the socket buffer drops ${range(Math.min(...rcvbuf.slice(1)), Math.max(...rcvbuf.slice(1)))}.`);
  if (smallRead < readMin) {
    parts.push(`So a tiny backlog does not only move drops: the reader gets fewer packets than with any larger one.`);
  }
  if (readSame) {
    parts.push(`Past ${rest[0]}, a larger backlog does not create capacity: CPU 1 still cannot process and read the whole flood, so the packets read stay about the same while the drops move between the backlog and the socket buffer.`);
  }
  return parts.join(" ");
}

const WORKLOAD_NAMES: Record<string, string> = { "udp-stream": "the flat-out stream", "udp-pingpong": "the request/response ping-pong" };

function trend(values: readonly number[]): "rises" | "falls" | "moves both ways" {
  let up = true, down = true;
  for (let i = 1; i < values.length; i++) {
    if (values[i]! < values[i - 1]!) up = false;
    if (values[i]! > values[i - 1]!) down = false;
  }
  return up ? "rises" : down ? "falls" : "moves both ways";
}

/** Notebook 02, section 4 (C10): the hand-off delay sweep against in-call processing. */
export function delaySummary(rows: readonly DelayRow[]): string {
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const lines: string[] = [];
  const reached: string[] = [];
  let best: DelayRow | undefined;
  for (const w of workloads) {
    const s = rows.filter((r) => r.workload === w).sort((a, b) => a.delay_ns - b.delay_ns);
    const t = trend(s.map((r) => r.vs_in_call));
    const first = s[0]!, last = s[s.length - 1]!;
    lines.push(`- On ${WORKLOAD_NAMES[w] ?? w} the rate ${t === "moves both ways" ? "moves both ways" : `${t} with each longer delay`}: ` +
      `${share(first.vs_in_call)} of in-call processing at ${first.delay_ns / 1000} µs, ${share(last.vs_in_call)} at ${last.delay_ns / 1000} µs.`);
    for (const r of s) {
      if (!best || r.vs_in_call > best.vs_in_call) best = r;
      if (r.vs_in_call >= 1) reached.push(`${WORKLOAD_NAMES[w] ?? w} at ${r.delay_ns / 1000} µs (${share(r.vs_in_call)})`);
    }
  }
  const verdict = reached.length === 0
    ? `At no delay does either workload reach in-call processing: the best is ${share(best!.vs_in_call)}, ${WORKLOAD_NAMES[best!.workload] ?? best!.workload} at ${best!.delay_ns / 1000} µs. Delaying the hand-off does not rescue it.`
    : `In-call processing is reached or passed by ${listing(reached)}: a delayed hand-off can match processing inside the call there, so "delaying hurts" does not hold at every delay.`;
  const spread = workloads.map((w) => {
    const v = rows.filter((r) => r.workload === w).map((r) => r.vs_in_call);
    return Math.max(...v) - Math.min(...v);
  });
  const matters = Math.max(...spread) > 0.1
    ? `The timing is not without effect: the delay moves the rate by up to ${share(Math.max(...spread))} of in-call processing, so "immediately or after a while makes no difference" does not hold in the model.`
    : `The timing changes the rate by at most ${share(Math.max(...spread))} of in-call processing: "immediately or after a while" makes little difference.`;
  return `${lines.join("\n")}\n\n${verdict} ${matters}`;
}

function conditionPhrase(c: C12Row): string {
  return `${c.cpus} CPUs with the receiver on ${c.receiver === "same" ? "the sender's CPU" : "another CPU"}`;
}

/** Notebook 03, section 3 (C12): what the RPS matrix says, condition by condition. */
export function c12Summary(verdicts: readonly C12Row[], tolerance = 0.1): string {
  const close = (c: C12Row) => Math.abs(c.thread_vs_ipi - 1) <= tolerance;
  const lowers = verdicts.filter((c) => c.ipi_vs_off < 1 || c.thread_vs_off < 1);
  const spare = verdicts.filter((c) => c.spare), hogs = verdicts.filter((c) => !c.spare);
  const spareClose = spare.filter(close), hogsClose = hogs.filter(close);
  const out: string[] = [];
  out.push(lowers.length === 0
    ? `- **"drops"** holds nowhere: enabling RPS raises loopback throughput in all ${verdicts.length} conditions, with either kick (IPI/off ${Math.min(...verdicts.map((c) => c.ipi_vs_off)).toFixed(2)} to ${Math.max(...verdicts.map((c) => c.ipi_vs_off)).toFixed(2)}, thread/off ${Math.min(...verdicts.map((c) => c.thread_vs_off)).toFixed(2)} to ${Math.max(...verdicts.map((c) => c.thread_vs_off)).toFixed(2)}).`
    : `- **"drops"**: enabling RPS lowers loopback throughput, with at least one kick, in ${lowers.length} of ${verdicts.length} conditions: ${listing(lowers.map((c) => `${conditionPhrase(c)}${c.spare ? ", spare CPU time" : ", hogs"}`))}.`);
  const describe = (set: C12Row[], all: C12Row[]) => set.length === all.length ? `in all ${all.length}` : set.length === 0 ? `in none of the ${all.length}` : `in ${set.length} of the ${all.length} (${listing(set.map(conditionPhrase))})`;
  out.push(`- **"the same value"** (thread and IPI within ${(100 * tolerance).toFixed(0)} %): with spare CPU time it holds ${describe(spareClose, spare)} conditions; with a CPU hog on every CPU it holds ${describe(hogsClose, hogs)}.` +
    (hogsClose.length < hogs.length ? ` Where they part under hogs, the thread must win the CPU from the hog through the scheduler, while the IPI's softirq runs at irq exit, on the hog's time.` : ""));
  const holds = verdicts.filter((c) => c.holds);
  out.push(holds.length === 0
    ? `So in this model C12 is *not reproduced*: in no condition does RPS lower throughput with both kicks ending within ${(100 * tolerance).toFixed(0)} % of each other.`
    : `So C12 holds in ${holds.length} of ${verdicts.length} conditions: ${listing(holds.map((c) => `${conditionPhrase(c)}${c.spare ? ", spare CPU time" : ", hogs"}`))}.`);
  return `${out.slice(0, 2).join("\n")}\n\n${out[2]}`;
}

/** Notebook 06, section 2 (C14): where the packets went, hotplug kept apart from overload. */
export function hotplugSummary(runs: readonly HotplugRun[]): string {
  const lines = runs.map((r) => {
    const p = r.result.packets;
    const dropped = p.dropped.backlog + p.dropped.rcvbuf + p.dropped.nic;
    const unaccounted = p.sent - (p.delivered + dropped + p.in_flight);
    return `- \`backlog_napi=${r.mode}\`: ${r.reinjected} packets re-injected by \`dev_cpu_dead\`; of ${p.sent} sent, ${p.delivered} read, ${p.in_flight} still queued, ` +
      `${dropped} dropped by overload (full backlog ${p.dropped.backlog}, full socket buffer ${p.dropped.rcvbuf}, at the device ${p.dropped.nic}), ` +
      `${unaccounted} unaccounted for.`;
  });
  const lost = runs.some((r) => {
    const p = r.result.packets;
    return p.sent !== p.delivered + p.dropped.backlog + p.dropped.rcvbuf + p.dropped.nic + p.in_flight;
  });
  const verdict = lost
    ? "Some packets are unaccounted for: the hotplug path lost them."
    : "Every packet is accounted for: hotplug itself loses none (the re-injected packets go through `netif_rx` again). The drops are overload drops, counted by their cause: the 2 Mpps flood is more than the two CPUs process.";
  return `${lines.join("\n")}\n\n${verdict}`;
}

/** Notebook 08: how often the model switches on the same-CPU stream against the measured kernel. */
export function switchesSummary(rows: readonly ComparisonRow[], release: string): string {
  const pick = rows.filter((r) => r.metric === "switches_per_packet" && /^stream-\d+b-rps_off-recv_same$/.test(r.config));
  if (pick.length === 0) throw new Error("switchesSummary: no same-CPU stream rows with RPS off in the comparison");
  const word = { higher: "more often than", lower: "less often than", same: "about as often as (within 5 %)" } as const;
  const parts = pick.map((r) => {
    const bytes = r.config.split("-")[1]!.replace("b", " B");
    return `${word[direction(r.model, r.real, 0.05)]} the measured kernel with ${bytes} datagrams (model ${r.model.toFixed(2)}, measured ${r.real.toFixed(2)} switches per datagram)`;
  });
  return `**The scheduler** is a reduction of v6.8's EEVDF; on the same-CPU stream with RPS off the model switches ${listing(parts)}, on Linux ${release} (\`05\`, \`docs/calibration-report.md\`).`;
}
