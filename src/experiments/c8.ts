/**
 * Claim C8 against the design the commit turned down (notebooks/10-unpinned-backlog-threads.ipynb):
 * OpenWrt's `net.core.backlog_threaded` (unpinned napi/backlog-<n> kthreads, as patched and as
 * intended) beside v6.10's pinned smpboot threads and v6.8's softirq path, in five experiments:
 * (a) where unpinned threads win, (b) where they lose, (c) a user pinning them badly, (d) CPU
 * hotplug, (e) PREEMPT_RT placement; then C8's verdict and the rival patch's own claim, computed.
 */
import { makeConfig, type ConfigOverrides } from "../config/parse";
import type { BacklogNapiMode, SimConfig } from "../config/schema";
import { NAPI_STATE_SCHED } from "../kernel/dev";
import type { SimResult } from "../observe/types";
import { Simulation } from "../sim/simulate";
import type { Verdict } from "./claim-verdicts";

/** The designs compared, in chart order. */
export const DESIGNS: readonly BacklogNapiMode[] = ["softirq", "threads", "backlog-threaded-intent", "backlog-threaded"];
export const DESIGN_LABELS: Record<string, string> = {
  softirq: "v6.8 softirq (NET_RX, RPS IPI)",
  threads: "v6.10 pinned smpboot threads",
  "backlog-threaded-intent": "unpinned threads (patch as intended)",
  "backlog-threaded": "unpinned threads (patch as carried)",
};

/** What one run of a design shows: throughput, where the CPU time went, what the threads did. */
export interface DesignRun {
  setup: string;
  mode: BacklogNapiMode;
  label: string;
  received_pps: number;
  /** Per CPU: share of the run not idle (0-1). */
  busy: number[];
  /** CPU time the CPU hog got, ms (null without a hog). */
  hog_ms: number | null;
  /** Round-trip latency p50 / p99, µs (ping-pong only). */
  rtt_p50_us: number | null;
  rtt_p99_us: number | null;
  context_switches_per_packet: number;
  /** IPIs (CAL + RES) per delivered packet, all CPUs. */
  ipis_per_packet: number;
  backlog_thread_wakeups: number;
  /** napi/backlog-<n>: packets processed on a CPU other than n, and CPU changes (se.nr_migrations). */
  remote_packets: number;
  migrations: number;
  /** Backlogs left scheduled with packets and no thread coming (the patch's slip). */
  stranded: number;
  result: SimResult;
}

function hogMs(r: SimResult): number | null {
  const hogs = r.tasks.filter((t) => t.name.startsWith("cpu_hog") || t.name.startsWith("hog"));
  return hogs.length === 0 ? null : hogs.reduce((a, t) => a + t.cpu_ns, 0) / 1e6;
}

/** Runs `overrides` under `mode` and reads the machine as well as the result. */
export function runDesign(setup: string, mode: BacklogNapiMode, overrides: ConfigOverrides): DesignRun {
  const cfg = makeConfig({ ...overrides, backlog_napi: mode });
  const s = new Simulation(cfg);
  s.runUntil(cfg.duration_ms * 1e6);
  const r = s.finish(0);
  const m = s.machine;
  const threads = m.napiBacklogThreads;
  const simNs = r.simulated_ns;
  return {
    setup,
    mode,
    label: DESIGN_LABELS[mode] ?? mode,
    received_pps: r.throughput_pps.received,
    busy: r.per_cpu.map((c) => 1 - c.busy_ns.idle / simNs),
    hog_ms: hogMs(r),
    rtt_p50_us: r.latency_ns === null ? null : r.latency_ns.p50 / 1000,
    rtt_p99_us: r.latency_ns === null ? null : r.latency_ns.p99 / 1000,
    context_switches_per_packet: r.per_packet.context_switches,
    ipis_per_packet: r.per_packet.ipis,
    backlog_thread_wakeups: r.per_cpu.reduce((a, c) => a + c.backlog_thread_wakeups, 0),
    remote_packets: threads.reduce((a, t) => a + t.remotePackets, 0),
    migrations: threads.reduce((a, t) => a + t.nrMigrations, 0),
    stranded: r.warnings.filter((w) => w.includes("nobody will poll it")).length,
    result: r,
  };
}

// ------------------------------------------------------------------------------------------- (a)

/** The two setups of experiment (a): the RPS target CPU is saturated while a third CPU idles. */
export const WIN_SETUPS: Record<string, ConfigOverrides> = {
  "one CPU does it all, RPS off": { scenario: "loopback-stream-same-cpu" },
  "hog on the RPS target": { cpus: 3, workload: "udp-stream", sender_cpu: 0, receiver_cpu: 0, rps_cpus: "2", hog_cpus: "1", rate_pps: 0 },
  "receiver on the RPS target": { cpus: 3, workload: "udp-stream", sender_cpu: 0, receiver_cpu: 1, rps_cpus: "2", rate_pps: 0 },
};

/**
 * (a) Where unpinned threads win: a flat-out stream whose backlog work piles on one CPU while another
 * idles: sender and receiver on CPU 0 with RPS off (2 CPUs), or RPS steering to CPU 1 where a hog or
 * the receiver runs, with CPU 2 idle.
 */
export function whereUnpinnedWins(opts: { duration_ms?: number; seed?: number } = {}): DesignRun[] {
  const out: DesignRun[] = [];
  for (const [setup, o] of Object.entries(WIN_SETUPS)) for (const mode of DESIGNS) out.push(runDesign(setup, mode, { ...o, duration_ms: opts.duration_ms ?? 50, seed: opts.seed ?? 1 }));
  return out;
}

// ------------------------------------------------------------------------------------------- (b)

export const LOSE_SETUPS: Record<string, ConfigOverrides> = {
  "ping-pong, RPS off": { scenario: "loopback-pingpong" },
  "ping-pong, RPS to CPU 1": { scenario: "loopback-pingpong-rps" },
};

/** (b) Where they lose: loopback request/response, every packet a hand-off to a thread that wanders. */
export function whereUnpinnedLoses(opts: { duration_ms?: number; seed?: number } = {}): DesignRun[] {
  const out: DesignRun[] = [];
  for (const [setup, o] of Object.entries(LOSE_SETUPS)) for (const mode of DESIGNS) out.push(runDesign(setup, mode, { ...o, duration_ms: opts.duration_ms ?? 50, seed: opts.seed ?? 1 }));
  return out;
}

// ------------------------------------------------------------------------------------------- (c)

export interface PinRun extends DesignRun {
  /** backlog_thread_cpus, "" = all CPUs. */
  mask: string;
  /** ms of backlog-thread time per CPU. */
  backlog_ms: number[];
}

/** (c) taskset on napi/backlog-<n>: all four threads on CPU 0, on CPU 1, or free; pinned smpboot threads for reference. */
export function badPinning(opts: { duration_ms?: number; seed?: number } = {}): PinRun[] {
  const base: ConfigOverrides = { scenario: "loopback-4cpu-4flows", duration_ms: opts.duration_ms ?? 50, seed: opts.seed ?? 1 };
  const runs: Array<[BacklogNapiMode, string]> = [["threads", ""], ["backlog-threaded-intent", ""], ["backlog-threaded-intent", "0"], ["backlog-threaded-intent", "1"]];
  return runs.map(([mode, mask]) => {
    const d = runDesign("4 CPUs, 4 flows", mode, { ...base, backlog_thread_cpus: mask });
    return { ...d, mask, backlog_ms: d.result.per_cpu.map((c) => c.busy_ns.backlog_thread / 1e6) };
  });
}

// ------------------------------------------------------------------------------------------- (d)

export interface HotplugDesignSample {
  t_us: number;
  cpu1_online: boolean;
  /** Packets in CPU 1's backlog (input_pkt_queue + process_queue). */
  backlog1: number;
  /** The CPU napi/backlog-1 is on (null in the smpboot and softirq designs). */
  thread1_cpu: number | null;
  /** Packets napi/backlog-1 has processed on other CPUs so far. */
  thread1_remote: number;
}

export interface HotplugDesignRun {
  mode: BacklogNapiMode;
  label: string;
  samples: HotplugDesignSample[];
  /** Packets in CPU 1's backlog when it went down, and what dev_cpu_dead re-injected. */
  queued_at_offline: number;
  reinjected: number;
  /** Packets of CPU 1's backlog that napi/backlog-1 processed while CPU 1 was offline. */
  polled_while_offline: number;
  balanced: boolean;
  result: SimResult;
}

/** (d)'s setup: the flood of notebook 06 (2 Mpps into CPU 0, RPS to CPU 1), CPU 1 offline from 2 to 3 ms; the design is added per run. */
export const HOTPLUG_DESIGN_SETUP: ConfigOverrides = {
  workload: "nic-rx", nic_cpu: 0, receiver_cpu: 0, rps_cpus: "2", rate_pps: 2_000_000, nic_batch: 64,
  hotplug: "cpu1:off@2ms,on@3ms", duration_ms: 5, trace: false, trace_ns: 0,
};

/** (d) The flood of notebook 06 under every design, CPU 1 offline from 2 to 3 ms, sampled every 50 µs. */
export function hotplugDesigns(opts: { trace?: boolean; profile?: string; seed?: number } = {}): HotplugDesignRun[] {
  return DESIGNS.map((mode) => hotplugDesignRun(makeConfig({
    ...HOTPLUG_DESIGN_SETUP, profile: opts.profile ?? "", backlog_napi: mode, trace: opts.trace ?? false, seed: opts.seed ?? 1,
  })));
}

/** Runs any config to its end, sampling CPU 1's backlog and napi/backlog-1 every 50 µs (the book's live figure runs its knobs through this). */
export function hotplugDesignRun(cfg: SimConfig): HotplugDesignRun {
  const mode = cfg.backlog_napi;
  const s = new Simulation(cfg);
  const m = s.machine;
  const th = m.napiBacklogThreads[1];
  const samples: HotplugDesignSample[] = [];
  let queuedAtOffline = -1;
  let remoteAtOffline = 0;
  let remoteAtOnline = -1;
  let prevQueued = 0;
  for (let t = 50_000; t <= cfg.duration_ms * 1e6; t += 50_000) {
    s.runUntil(t);
    m.checkInvariants();
    const online = m.cpus[1]!.online;
    const remote = th === undefined ? 0 : th.remotePackets;
    if (!online && queuedAtOffline < 0) {
      queuedAtOffline = th === undefined ? m.hotplugReinjected : prevQueued;
      remoteAtOffline = remote;
    }
    if (online && queuedAtOffline >= 0 && remoteAtOnline < 0) remoteAtOnline = remote;
    prevQueued = m.sd[1]!.backlogLength();
    samples.push({ t_us: t / 1000, cpu1_online: online, backlog1: prevQueued, thread1_cpu: th === undefined ? null : th.cpu, thread1_remote: remote });
  }
  const result = s.finish(0);
  const p = result.packets;
  return {
    mode,
    label: DESIGN_LABELS[mode] ?? mode,
    samples,
    queued_at_offline: queuedAtOffline,
    reinjected: m.hotplugReinjected,
    polled_while_offline: Math.max(0, remoteAtOnline - remoteAtOffline),
    balanced: p.sent === p.delivered + p.dropped.backlog + p.dropped.rcvbuf + p.dropped.nic + p.in_flight,
    result,
  };
}

// ------------------------------------------------------------------------------------------- (e)

export interface RtPlacementRun extends DesignRun {
  /** Share of CPU 1's backlog packets processed on CPU 1 itself. */
  own_cpu_share: number;
  /** The SCHED_FIFO latency task on CPU 2 (the idle CPU of the setup): wakeup latency, µs. */
  rt_wakeup_p99_us: number;
  rt_wakeup_max_us: number;
  hypothetical: boolean;
}

/** (e) PREEMPT_RT: setup (a) "hog on the RPS target" with a cyclictest-like task on CPU 2. */
export function rtPlacement(opts: { duration_ms?: number; seed?: number } = {}): RtPlacementRun[] {
  const o: ConfigOverrides = { ...WIN_SETUPS["hog on the RPS target"], preempt: "rt", rt_task_cpu: 2, duration_ms: opts.duration_ms ?? 50, seed: opts.seed ?? 1 };
  return (["threads", "backlog-threaded-intent"] as const).map((mode) => {
    const d = runDesign("PREEMPT_RT, hog on the RPS target, latency task on CPU 2", mode, o);
    const processed = d.result.per_cpu.map((c) => c.softnet.processed);
    const total = processed.reduce((a, b) => a + b, 0);
    const w = d.result.wakeup_latency_ns!;
    return {
      ...d,
      own_cpu_share: total > 0 ? processed[1]! / total : 0,
      rt_wakeup_p99_us: w.p99 / 1000,
      rt_wakeup_max_us: w.max / 1000,
      hypothetical: d.result.warnings.some((x) => x.includes("hypothetical")),
    };
  });
}

// ------------------------------------------------------------------------------------------- timelines

/** A traced run of `setup` under `mode` for a per-CPU timeline window [from_ns, to_ns). */
export function tracedRun(overrides: ConfigOverrides, mode: BacklogNapiMode, toNs: number): SimResult {
  const cfg = makeConfig({ ...overrides, backlog_napi: mode, duration_ms: Math.max(1, Math.ceil(toNs / 1e6)), trace: true, trace_ns: toNs });
  const s = new Simulation(cfg);
  s.runUntil(cfg.duration_ms * 1e6);
  return s.finish(0);
}

/** CPUs a task's spans ran on inside a trace, with the time on each (ns). */
export function cpusOfTask(r: SimResult, comm: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const sp of r.trace!.spans) if (sp.task === comm && sp.ctx !== "idle") out.set(sp.cpu, (out.get(sp.cpu) ?? 0) + sp.end - sp.start);
  return out;
}

/** The stranding, exactly: CPU 1's backlog after the first packet under each napi_schedule_rps. */
export interface StrandTrace {
  mode: BacklogNapiMode;
  /** napi/backlog-<n> woken by the first remote kick (n), and whether CPU 1's backlog is left SCHED with packets. */
  woken: string[];
  backlog1_sched: boolean;
  backlog1_queued: number;
  delivered: number;
}

/** One request of ping-pong-with-RPS: which backlog thread the first kick wakes, and what is left. */
export function strandTrace(mode: "backlog-threaded" | "backlog-threaded-intent"): StrandTrace {
  const cfg = makeConfig({ scenario: "loopback-pingpong-rps", backlog_napi: mode, duration_ms: 1, trace: true, trace_ns: 200_000 });
  const s = new Simulation(cfg);
  s.runUntil(200_000);
  const m = s.machine;
  const sd1 = m.sd[1]!;
  const r = s.finish(0);
  return {
    mode,
    woken: r.trace!.records.filter((x) => x.event === "sched:sched_wakeup" && String(x.fields.comm).startsWith("napi/backlog-")).map((x) => String(x.fields.comm)).filter((c, i, a) => a.indexOf(c) === i),
    backlog1_sched: (sd1.backlogState & NAPI_STATE_SCHED) !== 0,
    backlog1_queued: sd1.backlogLength(),
    delivered: r.packets.delivered,
  };
}

// ------------------------------------------------------------------------------------------- verdicts

/** The kernel that would show these results for real (the real-kernel column of notebook 08). */
export const C8_REAL_KERNEL =
  "a 6.1 or 6.6 kernel carrying OpenWrt's 760-net-core-add-optional-threading-for-backlog-processi.patch with net.core.backlog_threaded=1 (no mainline kernel has the design); v6.10+ with thread_backlog_napi for the pinned side";

/** Where the two designs are stated (linked, not copied). */
export const C8_SOURCES = {
  commit: "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=dad6b9770263",
  rival_v2_netdev: "https://lore.kernel.org/netdev/?q=%22add+optional+threading+for+backlog+processing%22",
  openwrt_patch_6_6: "https://github.com/openwrt/openwrt/blob/openwrt-24.10/target/linux/generic/pending-6.6/760-net-core-add-optional-threading-for-backlog-processi.patch",
} as const;

export interface ComputedVerdict {
  verdict: Verdict;
  /** When each design is the better one, in the model. */
  conditions: string[];
  evidence: string;
  /** The counts the rule reads (for the robustness table of notebook 08). */
  counts: Record<string, number>;
}

const kpps = (x: number) => `${Math.round(x / 1000)} kpps`;
const find = (rows: DesignRun[], setup: string, mode: BacklogNapiMode) => rows.find((r) => r.setup === setup && r.mode === mode)!;

/** The experiments both verdicts read (about 10 s of simulation). */
export interface C8Evidence {
  wins: DesignRun[];
  loses: DesignRun[];
  pinning: PinRun[];
  hotplug: HotplugDesignRun[];
  rt: RtPlacementRun[];
}

/** `seed` reaches every run; `duration_ms` every run but the hotplug one, whose timeline (CPU 1 off from 2 to 3 ms) is fixed at 5 ms. */
export function c8Evidence(opts: { duration_ms?: number; seed?: number } = {}): C8Evidence {
  return { wins: whereUnpinnedWins(opts), loses: whereUnpinnedLoses(opts), pinning: badPinning(opts), hotplug: hotplugDesigns({ seed: opts.seed }), rt: rtPlacement(opts) };
}

/**
 * C8 ("threaded NAPI with unpinned threads does not fit the backlog; per-CPU smpboot threads do"):
 * reproduced under conditions when the pinned threads are better for loopback hand-offs, PREEMPT_RT
 * placement and hotplug while the unpinned ones are better where one RPS target saturates beside an
 * idle CPU; reproduced if the pinned ones are never worse; not reproduced if they never win.
 */
export function c8Verdict(e: C8Evidence): ComputedVerdict {
  const winSetups = Object.keys(WIN_SETUPS).filter((s) => s !== "one CPU does it all, RPS off");
  const unpinnedWins = winSetups.filter((s) => find(e.wins, s, "backlog-threaded-intent").received_pps > find(e.wins, s, "threads").received_pps);
  const unpinnedLosesToo = winSetups.filter((s) => !unpinnedWins.includes(s));
  const pp = Object.keys(LOSE_SETUPS);
  const pinnedFaster = pp.filter((s) => find(e.loses, s, "threads").rtt_p50_us! < find(e.loses, s, "backlog-threaded-intent").rtt_p50_us!);
  const [rtPinned, rtFree] = e.rt;
  const rtKeeps = rtPinned!.own_cpu_share === 1 && rtFree!.own_cpu_share < 1 && rtFree!.rt_wakeup_max_us > rtPinned!.rt_wakeup_max_us;
  const free = e.pinning.find((p) => p.mode === "backlog-threaded-intent" && p.mask === "")!;
  const cpu0 = e.pinning.find((p) => p.mask === "0")!;
  const badPin = cpu0.received_pps < free.received_pps;
  const hp = (m: BacklogNapiMode) => e.hotplug.find((h) => h.mode === m)!;
  const hotplugReinjects = hp("threads").reinjected > 0 && hp("backlog-threaded-intent").reinjected === 0 && e.hotplug.every((h) => h.balanced);
  const pinnedPoints = pinnedFaster.length === pp.length && rtKeeps && badPin && hotplugReinjects;
  const verdict: Verdict = pinnedPoints ? (unpinnedWins.length > 0 ? "reproduced under conditions" : "reproduced") : unpinnedWins.length > 0 ? "not reproduced" : "reproduced under conditions";
  const a = find(e.wins, "receiver on the RPS target", "threads");
  const ai = find(e.wins, "receiver on the RPS target", "backlog-threaded-intent");
  const b = find(e.loses, "ping-pong, RPS off", "threads");
  const bi = find(e.loses, "ping-pong, RPS off", "backlog-threaded-intent");
  return {
    verdict,
    counts: { unpinned_wins: unpinnedWins.length, of_setups: winSetups.length, pinned_faster_pingpong: pinnedFaster.length, rt_keeps: rtKeeps ? 1 : 0, bad_pin_hurts: badPin ? 1 : 0, hotplug_reinjects: hotplugReinjects ? 1 : 0 },
    conditions: [
      `pinned smpboot threads are better for loopback request/response (round trip ${b.rtt_p50_us!.toFixed(1)} vs ${bi.rtt_p50_us!.toFixed(1)} µs: no thread hand-off for a local backlog, no wandering thread), for PREEMPT_RT placement (every packet of CPU 1's backlog on CPU 1) and for hotplug (dev_cpu_dead re-injects; nothing is left to a thread)`,
      `unpinned threads are better where the RPS target CPU is saturated while another CPU idles and the sending CPU can afford to wake a thread there: ${unpinnedWins.length > 0 ? unpinnedWins.join(", ") : "none of these setups"} (${kpps(ai.received_pps)} vs ${kpps(a.received_pps)} with the receiver on the target)${unpinnedLosesToo.length > 0 ? `; not with ${unpinnedLosesToo.join(", ")} (${unpinnedLosesToo.map((x) => `${kpps(find(e.wins, x, "backlog-threaded-intent").received_pps)} vs ${kpps(find(e.wins, x, "threads").received_pps)} pinned, ${find(e.wins, x, "backlog-threaded-intent").ipis_per_packet.toFixed(2)} vs ${find(e.wins, x, "threads").ipis_per_packet.toFixed(2)} IPIs per packet: with a CPU to itself the thread runs at every kick, in smaller batches, and each batch wakes the receiver on the saturated CPU across CPUs`).join("; ")})` : ""}`,
      "the dummy device and switching at run time (C8's other two points) are design arguments the model does not test",
    ],
    evidence: `unpinned napi/backlog-<n> win in ${unpinnedWins.length} of ${winSetups.length} saturated-target setups (receiver on the target: ${kpps(ai.received_pps)} vs ${kpps(a.received_pps)} pinned); they lose the loopback ping-pong (${b.rtt_p50_us!.toFixed(1)} -> ${bi.rtt_p50_us!.toFixed(1)} µs per round trip, ${bi.context_switches_per_packet.toFixed(1)} vs ${b.context_switches_per_packet.toFixed(1)} switches per packet), a taskset of all four threads to CPU 0 cuts 4-flow throughput from ${kpps(free.received_pps)} to ${kpps(cpu0.received_pps)}, and on RT (hypothetical for the patch) only ${(100 * rtFree!.own_cpu_share).toFixed(0)}% of CPU 1's backlog stays on CPU 1 (latency task max ${rtFree!.rt_wakeup_max_us.toFixed(1)} vs ${rtPinned!.rt_wakeup_max_us.toFixed(1)} µs); device NAPI, its dummy device and run-time switching are not modelled`,
  };
}

/**
 * The rival patch's own claim ("allow the scheduler to better balance processing ... spread the load
 * across idle CPUs"), for the patch as carried and as intended.
 */
export function rivalVerdict(e: C8Evidence): ComputedVerdict {
  const one = "one CPU does it all, RPS off";
  const carriedNoRps = find(e.wins, one, "backlog-threaded").received_pps > find(e.wins, one, "softirq").received_pps;
  const rpsSetups = Object.keys(WIN_SETUPS).filter((s) => s !== one);
  const carriedRpsStalls = rpsSetups.every((s) => find(e.wins, s, "backlog-threaded").received_pps === 0 && find(e.wins, s, "backlog-threaded").stranded > 0);
  const intentWinsIn = rpsSetups.filter((s) => {
    const i = find(e.wins, s, "backlog-threaded-intent").received_pps;
    return i > find(e.wins, s, "softirq").received_pps && i > find(e.wins, s, "threads").received_pps;
  });
  const intentRps = intentWinsIn.length > 0;
  // the claim holds somewhere (under conditions) or nowhere
  const verdict: Verdict = carriedNoRps || intentRps ? "reproduced under conditions" : "not reproduced";
  const o = find(e.wins, one, "backlog-threaded");
  const os = find(e.wins, one, "softirq");
  return {
    verdict,
    counts: { carried_wins_rps_off: carriedNoRps ? 1 : 0, carried_stalls_with_rps: carriedRpsStalls ? 1 : 0, intended_wins_with_rps: intentWinsIn.length, of_rps_setups: rpsSetups.length },
    conditions: [
      `as carried, without RPS steering to another CPU: the thread moves the backlog work to an idle CPU (${kpps(o.received_pps)} vs ${kpps(os.received_pps)} with NET_RX in sendto)`,
      carriedRpsStalls ? "as carried, with RPS steering to another CPU: never; the first kick wakes the sending CPU's own backlog thread and the target's backlog is stranded (0 packets delivered)" : "as carried, with RPS: not stranded in these runs",
      intentRps ? `as intended (waking the target's thread): also with RPS, in ${intentWinsIn.join(", ")}${intentWinsIn.length < rpsSetups.length ? ` (not in ${rpsSetups.filter((x) => !intentWinsIn.includes(x)).join(", ")})` : ""}` : "as intended: not better with RPS in these runs",
    ],
    evidence: `RPS off, stream on one CPU: ${kpps(o.received_pps)} as carried vs ${kpps(os.received_pps)} softirq; RPS to a busy CPU with one idle: ${rpsSetups.map((s) => `${s}: carried ${kpps(find(e.wins, s, "backlog-threaded").received_pps)}, intended ${kpps(find(e.wins, s, "backlog-threaded-intent").received_pps)}, pinned ${kpps(find(e.wins, s, "threads").received_pps)}`).join("; ")}`,
  };
}
