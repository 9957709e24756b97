/**
 * The change on real kernels beside the model (notebook 09): loads the committed datasets of Debian's
 * kernels booted by `softnet-lab kernels` and, for each kernel, runs the model configuration that
 * stands for it on the same case; then states per claim (C3, C4, C5, C7, C9, C11, C12, C13, C14) what
 * the real kernels show, naming the kernels and the accelerator, for notebook 08's real-kernel column.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { makeConfig } from "../config/parse";
import { loadKernelMatrix, type KernelDataset } from "../kernels/dataset";
import { kernelFacts, fmtRange } from "../kernels/report";
import { DEFAULT_MATRIX_KERNELS, resolveKernel } from "../kernels/set";
import type { SimResult } from "../observe/types";
import type { CostName } from "../kernel/costs";
import { simulate } from "../sim/simulate";
import { spread } from "../measure/stats";
import { GUEST_IDLE, deviceCase, lossRatio, pacedCase, streamCase, type MetricSpread } from "./kernel-cases";

export type { MetricSpread } from "./kernel-cases";

/** The committed matrix (one dataset per kernel configuration). */
export const KERNEL_MATRIX_NAME = "qemu-tcg-debian-kernels-2026-12-06";

/** The nearest datasets/real/<matrix> at or above `from` (the repo root under vitest, its parent for
 * notebooks/). No import.meta: tslab compiles this file as CommonJS. */
export function defaultKernelMatrixDir(from = process.cwd()): string {
  let dir = path.resolve(from);
  for (;;) {
    const c = path.join(dir, "datasets", "real", KERNEL_MATRIX_NAME);
    if (fs.existsSync(c)) return c;
    const up = path.dirname(dir);
    if (up === dir) return path.join(path.resolve(from), "datasets", "real", KERNEL_MATRIX_NAME);
    dir = up;
  }
}

export const KERNEL_MATRIX_DIR = path.join("datasets", "real", KERNEL_MATRIX_NAME);

/** The device-interrupt cases, booted separately (`kernels --matrix --devices`): one dataset per kernel. */
export const KERNEL_DEVICE_MATRIX_NAME = "qemu-tcg-debian-kernels-devices-2026-12-06";

/** Loads the device matrix (same order as loadRealKernels). */
export function loadRealKernelDevices(dir = path.join(path.dirname(defaultKernelMatrixDir()), KERNEL_DEVICE_MATRIX_NAME)): KernelDataset[] {
  return loadRealKernels(dir);
}

export interface DeviceFacts {
  kernel: string;
  configId: string;
  /** Contexts seen on CPU1, where eth0's receive interrupt is pinned. */
  contexts: string[];
  /** Interrupt-thread CPU time per run, ms (range). */
  irqThreadMs: [number, number];
  /** ksoftirqd/1 CPU time per run, ms (range). */
  ksoftirqdMs: [number, number];
  loss: MetricSpread;
  runs: number;
}

/** What the device cases show for one kernel and one case (receiver on the interrupt's CPU or the other). */
export function deviceFacts(d: KernelDataset, configId: "device-stream-64-recv-irqcpu" | "device-stream-64-recv-other"): DeviceFacts {
  const g = d.guestRuns.filter((x) => x.config_id === configId);
  const runs = d.runs.filter((x) => x.config_id === configId);
  const r = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
  return {
    kernel: d.guest.kernel_name,
    configId,
    contexts: [...new Set(g.map((x) => x.context_cpu1))],
    irqThreadMs: r(g.map((x) => x.irq_thread_cpu_ns / 1e6)),
    ksoftirqdMs: r(runs.map((x) => ((x.ksoftirqd_cpu_ns as number[])[1] ?? 0) / 1e6)),
    loss: streamSpread(d, "loss", configId),
    runs: g.length,
  };
}

/** The kernel datasets in the matrix's order (6.1, 6.1-rt, 6.12, 6.12+threads, 6.12-rt, 6.12+preempt=full). */
export function loadRealKernels(dir = defaultKernelMatrixDir()): KernelDataset[] {
  const ds = loadKernelMatrix(dir);
  const order = (n: string) => {
    const i = (DEFAULT_MATRIX_KERNELS as readonly string[]).indexOf(n);
    return i < 0 ? 99 : i;
  };
  return ds.sort((a, b) => order(a.guest.kernel_name) - order(b.guest.kernel_name));
}

/**
 * The model's idle for the QEMU guest: `poll`. The TCG guest's CPU (`-cpu max`) has MONITOR/MWAIT and
 * no cpuidle driver (checked in a boot of 6.1-rt: /sys/devices/system/cpu/cpuidle/current_driver is
 * "none", /proc/cpuinfo lists "monitor"), so x86 idles in mwait_idle with TIF_POLLING_NRFLAG set: a
 * remote smp_call_function sets need_resched instead of sending an IPI and the idle task runs the
 * callback (flush_smp_call_function_queue in do_idle). The model's `poll` stands for that.
 */
export { GUEST_IDLE };

export type Context = "softirq (irq exit / bh enable)" | "ksoftirqd" | "backlog_napi thread" | "idle task" | "none";

export interface ModelFacts {
  kernel: string;
  /** The model keys used. */
  config: string;
  /** Where the model ran NET_RX's work on CPU1 (the RPS target), by most softirq runs. */
  context: Context;
  backlogThreads: boolean;
  ipisPerPacket: number;
  lossRatio: number;
  /** The model printed do_softirq_post_smp_call_flush's warning on the paced stream. */
  warns: boolean;
  /** ksoftirqd/1 wake-ups per packet sent on the stream. */
  ksoftirqdWakeupsPerPacket: number;
}

/** Where the model did NET_RX's work on `cpu`: the context with the most CPU time among softirq (at irq
 * exit or local_bh_enable), ksoftirqd/N and backlog_napi/N (which polls without a softirq in v6.10). */
function dominantContext(r: SimResult, cpu: number): Context {
  const b = r.per_cpu[cpu]!.busy_ns;
  const s = r.per_cpu[cpu]!.softirq_runs;
  const c: [Context, number][] = [
    ["softirq (irq exit / bh enable)", b.softirq],
    ["ksoftirqd", b.ksoftirqd],
    ["backlog_napi thread", b.backlog_thread],
  ];
  c.sort((a, b2) => b2[1] - a[1]);
  if (c[0]![1] > 0) return c[0]![0];
  return s.idle > 0 ? "idle task" : "none";
}

/**
 * The model on the matrix's main case for `kernel` (64 B flat-out stream, sender CPU0, RPS to CPU1,
 * receiver on CPU1, 20 ms) and on its paced case (2000/s, the idle target CPU: C5's warning).
 * `idle` picks the model's idle: `poll` stands for an idle loop with TIF_POLLING_NRFLAG set (mwait),
 * `halt` for one that needs an IPI to wake.
 */
export function modelFacts(kernel: string, idle: "halt" | "poll" = GUEST_IDLE): ModelFacts {
  const m = resolveKernel(kernel).model;
  const stream = simulate(makeConfig(streamCase(m, idle)));
  const paced = simulate(makeConfig(pacedCase(m, idle)));
  const sent = stream.packets.sent;
  return {
    kernel,
    config: `backlog_napi=${m.backlog_napi} preempt=${m.preempt} ksoftirqd_policy=${m.ksoftirqd_policy} hz=${m.hz} idle=${idle}`,
    context: dominantContext(stream, 1),
    backlogThreads: m.backlog_napi !== "softirq",
    ipisPerPacket: stream.per_packet.ipis,
    lossRatio: lossRatio(stream),
    ksoftirqdWakeupsPerPacket: sent > 0 ? stream.per_cpu[1]!.ksoftirqd_wakeups / sent : 0,
    warns: paced.warnings.some((w) => w.includes("do_softirq_post_smp_call_flush")) || stream.warnings.some((w) => w.includes("do_softirq_post_smp_call_flush")),
  };
}

/** The real context name mapped onto the model's (a ping-pong's mixed case counts as the thread). */
export function realContext(c: string): Context {
  if (c.startsWith("backlog_napi thread")) return "backlog_napi thread";
  if (c === "ksoftirqd") return "ksoftirqd";
  if (c === "none") return "none";
  return "softirq (irq exit / bh enable)";
}

export interface BesideRow {
  kernel: string;
  accelerator: string;
  real_context: string;
  model_context: Context;
  real_threads: boolean;
  model_threads: boolean;
  real_ipis_per_packet: string;
  model_ipis_per_packet: number;
  real_loss: string;
  model_loss: number;
  real_warning_runs: string;
  model_warns: boolean;
}

/** One row per kernel: the real kernel's facts (ranges over both boots) beside the model's. */
export function besideModel(ds: readonly KernelDataset[], idle: "halt" | "poll" = GUEST_IDLE): BesideRow[] {
  return ds.map((d) => {
    const f = kernelFacts(d);
    const paced = kernelFacts(d, "paced-2000-64-rps-other");
    const m = modelFacts(d.guest.kernel_name, idle);
    return {
      kernel: f.kernel,
      accelerator: f.accelerator.toUpperCase(),
      real_context: f.rpsContext.join(" / "),
      model_context: m.context,
      real_threads: f.threads.some((t) => t.startsWith("backlog_napi/")),
      model_threads: m.backlogThreads,
      real_ipis_per_packet: fmtRange(f.ipisPerPacket),
      model_ipis_per_packet: Number(m.ipisPerPacket.toPrecision(3)),
      real_loss: fmtRange(f.lossRatio),
      model_loss: Number(m.lossRatio.toPrecision(3)),
      real_warning_runs: `${paced.warningRuns + 0}/${d.guestRuns.length}`,
      model_warns: m.warns,
    };
  });
}

export interface Disagreement {
  kernel: string;
  what: string;
  real: string;
  model: string;
  likely_cause: string;
}

/** Where the model and a real kernel disagree on a fact that does not depend on timing, or in direction. */
export function disagreements(ds: readonly KernelDataset[], idle: "halt" | "poll" = GUEST_IDLE): Disagreement[] {
  const out: Disagreement[] = [];
  for (const d of ds) {
    const f = kernelFacts(d);
    const m = modelFacts(d.guest.kernel_name, idle);
    const realCtx = f.rpsContext.map(realContext);
    if (!realCtx.includes(m.context))
      out.push({ kernel: f.kernel, what: "context that processed the RPS-steered packets", real: f.rpsContext.join(" / "), model: m.context, likely_cause: causeFor(f.kernel, "context") });
    const realThreads = f.threads.some((t) => t.startsWith("backlog_napi/"));
    if (realThreads !== m.backlogThreads) out.push({ kernel: f.kernel, what: "backlog_napi/N threads exist", real: String(realThreads), model: String(m.backlogThreads), likely_cause: "the kernel configuration's mapping" });
    const warned = d.guestRuns.some((g) => g.warnings > 0);
    if (warned !== m.warns)
      out.push({ kernel: f.kernel, what: "do_softirq_post_smp_call_flush warning", real: warned ? `yes (${d.guestRuns.filter((g) => g.warnings > 0).length} of ${d.guestRuns.length} runs)` : "never", model: m.warns ? "yes" : "never", likely_cause: causeFor(f.kernel, "warning") });
  }
  return out;
}

function causeFor(kernel: string, what: "context" | "warning"): string {
  if (what === "warning")
    return "the model warns only when the RPS IPI's callback runs in a polling idle task (idle=poll); the TCG guest's idle loop evidently lets the callback run from the idle task (flush_smp_call_function_queue at the end of do_idle) even where the model's halt idle takes a hardirq";
  if (kernel.endsWith("-rt")) return "under RT the model runs the RPS IPI's softirq in ksoftirqd; the real kernel also runs part of it from the idle task or at the end of threaded contexts";
  return "the model's flat-out sender keeps the target CPU's softirq in one context; the real kernel under TCG splits it between contexts";
}

/** Per claim, the real-kernel evidence from the committed datasets (for notebook 08's real-kernel column). */
export interface ClaimEvidence {
  claim: "C3" | "C4" | "C5" | "C7" | "C9" | "C11" | "C12" | "C13" | "C14";
  /** supports: the real kernels show what the claim says; partial: only part; not-shown: these boots cannot show it. */
  verdict: "supports" | "partial" | "not-shown";
  text: string;
}

function byName(ds: readonly KernelDataset[], n: string): KernelDataset | undefined {
  return ds.find((d) => d.guest.kernel_name === n);
}

function median(xs: number[]): number {
  return spread(xs)?.median ?? NaN;
}

/** Median over runs of a run column for one configuration. */
export function runMedian(d: KernelDataset, configId: string, col: string): number {
  return median(d.runs.filter((r) => r.config_id === configId && typeof r[col] === "number").map((r) => r[col] as number));
}

/** Sum over CPUs, median over runs, of a per-CPU column of guest-runs for one configuration. */
function guestMedian(d: KernelDataset, configId: string, f: (g: KernelDataset["guestRuns"][number]) => number): number {
  return median(d.guestRuns.filter((g) => g.config_id === configId).map(f));
}

export function claimEvidence(ds: readonly KernelDataset[], dev: readonly KernelDataset[] = []): ClaimEvidence[] {
  const acc = [...new Set(ds.map((d) => d.guest.accelerator.toUpperCase()))].join("/");
  const tag = `(Debian kernels in QEMU ${acc}, ${ds[0]?.guest.boots ?? 0} boots x ${ds[0]?.guest.repeats_per_boot ?? 0} runs each)`;
  const k = (n: string) => byName(ds, n);
  const facts = (n: string, id?: string) => {
    const d = k(n);
    return d ? kernelFacts(d, id) : null;
  };
  const out: ClaimEvidence[] = [];
  const rt61 = facts("6.1-rt");
  const rt612 = facts("6.12-rt");
  const thr = facts("6.12+threads");
  const plain61 = facts("6.1");
  const plain612 = facts("6.12");

  const devTag = dev.length ? `(device cases: Debian kernels in QEMU ${[...new Set(dev.map((d) => d.guest.accelerator.toUpperCase()))].join("/")}, ${dev[0]!.guest.boots} boots x ${dev[0]!.guest.repeats_per_boot} runs each)` : "";
  const devRt = dev.filter((d) => d.guest.preempt_rt).map((d) => deviceFacts(d, "device-stream-64-recv-irqcpu"));
  const devPlain = dev.filter((d) => ["6.1", "6.12"].includes(d.guest.kernel_name)).map((d) => deviceFacts(d, "device-stream-64-recv-irqcpu"));
  if (devRt.length && devPlain.length) {
    const rtOk = devRt.every((f) => f.contexts.length === 1 && f.contexts[0] === "irq thread");
    const plainNoThread = devPlain.every((f) => f.irqThreadMs[1] === 0);
    out.push({
      claim: "C3",
      verdict: rtOk && plainNoThread ? "supports" : "partial",
      text: `Datagrams sent from a network namespace out of one virtio-net device and received on the other, whose interrupt is pinned to CPU1: on ${devRt.map((f) => f.kernel).join(" and ")} the interrupt ran in its IRQ thread and NET_RX ran at that thread's end (${devRt.map((f) => `${f.kernel}: ${f.contexts.join(" / ")} in ${f.runs} runs, the thread ${f.irqThreadMs[0].toFixed(0)}..${f.irqThreadMs[1].toFixed(0)} ms per run against ksoftirqd/1 ${f.ksoftirqdMs[0].toFixed(0)}..${f.ksoftirqdMs[1].toFixed(0)} ms`).join("; ")}); on ${devPlain.map((f) => f.kernel).join(" and ")} (not RT, no threadirqs) no interrupt thread ran ${devTag}.`,
    });
  } else
    out.push({
      claim: "C3",
      verdict: "not-shown",
      text: `Not shown by these boots ${tag}: every case runs on the guest's loopback, so no device interrupt (and no IRQ thread) is involved.`,
    });
  if (rt61) {
    out.push({
      claim: "C4",
      verdict: rt61.rpsContext.includes("ksoftirqd") ? "supports" : "partial",
      text: `6.1-rt (before the change): the RPS-steered stream was processed by ${rt61.rpsContext.join(" / ")} on CPU1 in every run, with ${fmtRange(rt61.ipisPerPacket)} IPIs per packet and ${fmtRange(rt61.lossRatio)} of the datagrams lost; 6.12-rt (after): ${rt612 ? rt612.rpsContext.join(" / ") : "not booted"} ${tag}.`,
    });
    const warned = k("6.1-rt")!.guestRuns.filter((g) => g.warnings > 0).length;
    const others = ds.filter((d) => d.guest.kernel_name !== "6.1-rt" && d.guestRuns.some((g) => g.warnings > 0)).map((d) => d.guest.kernel_name);
    out.push({
      claim: "C5",
      verdict: warned > 0 && others.length === 0 ? "supports" : warned > 0 ? "partial" : "not-shown",
      text: warned > 0
        ? `6.1-rt printed "${k("6.1-rt")!.guestRuns.find((g) => g.warnings > 0)!.warning}" in ${warned} of ${k("6.1-rt")!.guestRuns.length} runs (it needs the RPS IPI to land while CPU1 is idle, so it varies from boot to boot); ${others.length ? `also on ${others.join(", ")}` : "no other kernel warned, 6.12-rt (backlog threads) included"} ${tag}.`
        : `No run of 6.1-rt printed the warning ${tag}; it needs the IPI to land on an idle CPU and is timing-dependent under TCG.`,
    });
  }
  const d61 = dev.find((d) => d.guest.kernel_name === "6.1");
  const d612 = dev.find((d) => d.guest.kernel_name === "6.12");
  if (d61 && d612) {
    const a = deviceFacts(d61, "device-stream-64-recv-irqcpu");
    const b = deviceFacts(d612, "device-stream-64-recv-irqcpu");
    const higher = b.loss.min > a.loss.max;
    const ma = modelDevice("6.1", 1);
    const mb = modelDevice("6.12", 1);
    out.push({
      claim: "C7",
      verdict: higher && a.contexts.includes("ksoftirqd") ? "supports" : "partial",
      text: `A flood through the virtio-net device with the receiver on the interrupt's CPU (CPU1): on 6.1 (2016 policy) ksoftirqd/1 processed the packets in every run (${a.ksoftirqdMs[0].toFixed(0)}..${a.ksoftirqdMs[1].toFixed(0)} ms per 1 s run), on 6.12 (since the v6.5 revert) ${b.contexts.join(" / ")} (ksoftirqd/1 ${b.ksoftirqdMs[0].toFixed(0)}..${b.ksoftirqdMs[1].toFixed(0)} ms); the receiver lost ${fmtRange([a.loss.min, a.loss.max])} of the datagrams on 6.1 against ${fmtRange([b.loss.min, b.loss.max])} on 6.12, ${higher ? "more on 6.12 in every run" : "ranges that overlap"} (the model: ${ma.loss.toFixed(2)} against ${mb.loss.toFixed(2)}) ${devTag}.`,
    });
  } else if (plain61 && plain612) {
    out.push({
      claim: "C7",
      verdict: "not-shown",
      text: `Not shown: the flood on a device sharing the receiver's CPU is not in these boots ${tag}.`,
    });
  }
  if (thr && plain612) {
    const ctxOff = k("6.12+threads")!.guestRuns.filter((g) => g.config_id === "pingpong-64-rps-off" || g.config_id === "stream-64-rps-off");
    const offCtx = [...new Set(ctxOff.flatMap((g) => [g.context_cpu0, g.context_cpu1]).filter((c) => c !== "none"))];
    out.push({
      claim: "C9",
      verdict: "not-shown",
      text: `Not shown on 6.12: with thread_backlog_napi and RPS off, the loopback stream's and ping-pong's packets were processed by ${offCtx.join(" / ")} in all ${ctxOff.length} runs, because v6.10 keeps a local backlog on the softirq path (use_local_napi); the RFC's hand-off of every packet to a thread, whose cost C9 describes, is in none of the kernels booted here, so only the model can show it ${tag}.`,
    });
    out.push({
      claim: "C11",
      verdict: offCtx.every((c) => !c.startsWith("backlog")) ? "supports" : "partial",
      text: `6.12 booted with thread_backlog_napi, RPS off (every backlog on the local CPU): NET_RX ran in the sender's softirq at local_bh_enable and backlog_napi/N processed none of the packets in all ${ctxOff.length} stream and ping-pong runs, exactly as without the option; times are not compared under TCG ${tag}.`,
    });
    const netRxThr = k("6.12+threads")!.guestRuns.filter((g) => g.config_id === "stream-64-rps-other").map((g) => g.net_rx_softirqs[1] ?? 0);
    out.push({
      claim: "C12",
      verdict: "partial",
      text: `With RPS to the other CPU, 6.12 started CPU1's backlog by RPS IPI and ran NET_RX there at irq exit (${fmtRange(plain612.ipisPerPacket)} IPIs per packet), while 6.12+threads woke backlog_napi/1 instead (NET_RX ran ${Math.max(...netRxThr)} times on CPU1 in its runs; ${fmtRange(thr.ipisPerPacket)} IPIs per packet): two different mechanisms, as the claim says; whether their results are "the same value" is a matter of times, which TCG does not give ${tag}.`,
    });
  }
  if (thr && rt612 && plain612) {
    out.push({
      claim: "C13",
      verdict: thr.threads.includes("backlog_napi/1") && rt612.threads.includes("backlog_napi/1") && !plain612.threads.some((t) => t.startsWith("backlog_napi/")) ? "supports" : "partial",
      text: `backlog_napi/0 and /1 exist on 6.12 booted with thread_backlog_napi and on 6.12-rt without any option, and on neither 6.12 without it nor 6.1/6.1-rt (before the change) ${tag}.`,
    });
  }
  const hot = ds.map((d) => ({ n: d.guest.kernel_name, g: d.guestRuns.filter((x) => x.config_id === "hotplug-stream-64-rps-cpu1") }));
  const allOk = hot.every((h) => h.g.length > 0 && h.g.every((x) => x.unaccounted === 0 && /offline rc=0/.test(x.hotplug) && /online rc=0 online=0-1/.test(x.hotplug)));
  out.push({
    claim: "C14",
    verdict: allOk ? "supports" : "partial",
    text: `CPU1 went offline and back online in the middle of a stream steered to it on every kernel (${hot.map((h) => h.n).join(", ")}); ${allOk ? "every datagram sent was accounted for (delivered, dropped for a full receive buffer, or dropped at the backlog) in every run" : `datagrams unaccounted for in some runs: ${hot.filter((h) => h.g.some((x) => x.unaccounted > 0)).map((h) => h.n).join(", ")}`} ${tag}.`,
  });
  return out;
}

/** A per-packet metric of the flat-out stream steered to CPU1, over every run of both boots. */
export type StreamMetric = "loss" | "ipis_per_packet" | "switches_per_packet";

/** Median and range of a metric of the stream steered to CPU1 for one kernel. */
export function streamSpread(d: KernelDataset, metric: StreamMetric, configId = "stream-64-rps-other"): MetricSpread {
  const xs =
    metric === "loss"
      ? d.guestRuns.filter((g) => g.config_id === configId && g.lost_ratio !== null).map((g) => g.lost_ratio as number)
      : d.runs.filter((r) => r.config_id === configId && typeof r[metric === "ipis_per_packet" ? "ipis_per_packet" : "system_switches_per_packet"] === "number").map((r) => r[metric === "ipis_per_packet" ? "ipis_per_packet" : "system_switches_per_packet"] as number);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** The model's value of the same metric for a kernel's configuration (flat-out stream, RPS to CPU1). */
export function modelStream(kernel: string, metric: StreamMetric, idle: "halt" | "poll" = GUEST_IDLE): number {
  const r = simulate(makeConfig(streamCase(resolveKernel(kernel).model, idle)));
  if (metric === "loss") return lossRatio(r);
  if (metric === "ipis_per_packet") return r.per_packet.ipis;
  return r.per_packet.context_switches;
}

export type Direction = "higher" | "lower" | "overlap";

export interface DirectionRow {
  metric: StreamMetric;
  /** The change compared: from `a` to `b`. */
  a: string;
  b: string;
  /** Real: b's range entirely above or below a's, else overlap (no direction claimed under TCG). */
  real: Direction;
  real_a: MetricSpread;
  real_b: MetricSpread;
  model: Direction;
  model_a: number;
  model_b: number;
  /** Both have a direction and they differ. */
  disagree: boolean;
}

/** The pairs of kernels the change is about: the option, RT before and after, RT against not RT. */
export const CHANGE_PAIRS: readonly [string, string][] = [
  ["6.12", "6.12+threads"],
  ["6.1-rt", "6.12-rt"],
  ["6.1", "6.1-rt"],
  ["6.12", "6.12-rt"],
];

/**
 * The direction of each timing-dependent metric across each pair, real (only when the ranges over all
 * runs of both boots do not overlap) and in the model; a disagreement is two opposite directions.
 */
export function directions(ds: readonly KernelDataset[], idle: "halt" | "poll" = GUEST_IDLE): DirectionRow[] {
  const out: DirectionRow[] = [];
  const cache = new Map<string, number>();
  const model = (k: string, m: StreamMetric) => {
    const key = `${k}|${m}`;
    if (!cache.has(key)) cache.set(key, modelStream(k, m, idle));
    return cache.get(key)!;
  };
  for (const metric of ["loss", "ipis_per_packet", "switches_per_packet"] as StreamMetric[])
    for (const [a, b] of CHANGE_PAIRS) {
      const da = byName(ds, a);
      const db = byName(ds, b);
      if (!da || !db) continue;
      const ra = streamSpread(da, metric);
      const rb = streamSpread(db, metric);
      const real: Direction = rb.min > ra.max ? "higher" : rb.max < ra.min ? "lower" : "overlap";
      const ma = model(a, metric);
      const mb = model(b, metric);
      const rel = Math.abs(mb - ma) / Math.max(Math.abs(ma), Math.abs(mb), 1e-12);
      const mdir: Direction = rel < 0.05 ? "overlap" : mb > ma ? "higher" : "lower";
      out.push({ metric, a, b, real, real_a: ra, real_b: rb, model: mdir, model_a: ma, model_b: mb, disagree: real !== "overlap" && mdir !== "overlap" && real !== mdir });
    }
  return out;
}

export interface ModelDevice {
  kernel: string;
  receiverCpu: 0 | 1;
  /** Where NET_RX ran on CPU1 (the device interrupt's CPU), by most __do_softirq runs. */
  context: "softirq (irq exit / bh enable)" | "ksoftirqd" | "irq thread" | "none";
  loss: number;
}

/**
 * The model's device flood for a kernel's configuration: the kit's non-NAPI device (`nic-rx`,
 * notebook 04's ksoftirqd scenario: 2 Mpps in batches of 64) interrupting CPU1, the receiver on CPU1
 * or CPU0. The real guest's virtio-net is a NAPI driver and far slower under TCG: only the context
 * and the direction between kernels are compared.
 */
export function modelDevice(kernel: string, receiverCpu: 0 | 1, costs?: Partial<Record<CostName, number>>): ModelDevice {
  const r = simulate(makeConfig({ ...deviceCase(resolveKernel(kernel).model, GUEST_IDLE, receiverCpu), ...(costs ? { costs } : {}) }));
  const s = r.per_cpu[1]!.softirq_runs;
  const c: [ModelDevice["context"], number][] = [
    ["softirq (irq exit / bh enable)", s.irq_exit + s.task],
    ["ksoftirqd", s.ksoftirqd],
    ["irq thread", s.irq_thread],
  ];
  c.sort((a, b) => b[1] - a[1]);
  return { kernel, receiverCpu, context: c[0]![1] > 0 ? c[0]![0] : "none", loss: lossRatio(r) };
}

/** Device cases: where the model's context on CPU1 is not among the contexts the real kernel showed. */
export function deviceDisagreements(dev: readonly KernelDataset[]): Disagreement[] {
  const out: Disagreement[] = [];
  for (const d of dev)
    for (const id of ["device-stream-64-recv-irqcpu", "device-stream-64-recv-other"] as const) {
      const f = deviceFacts(d, id);
      const cpu = id.endsWith("irqcpu") ? 1 : 0;
      const m = modelDevice(d.guest.kernel_name, cpu);
      if (!f.contexts.includes(m.context))
        out.push({
          kernel: d.guest.kernel_name,
          what: `context of the device flood's NET_RX on CPU1, receiver on CPU${cpu}`,
          real: f.contexts.join(" / "),
          model: m.context,
          likely_cause:
            m.context === "ksoftirqd" && f.contexts.includes("irq thread")
              ? "the model's RT IRQ thread hands the rest of a long NET_RX to ksoftirqd (softirq restart limits) where the kernel's thread keeps polling its NAPI device; and the model's device is non-NAPI at 2 Mpps"
              : "the model's flood (a non-NAPI device at 2 Mpps) keeps ksoftirqd/1 runnable, so its softirq runs there about as often as at irq exit; the real virtio-net flood under TCG is far slower and leaves the softirq at irq exit most of the time",
        });
    }
  return out;
}

/**
 * The real-kernel evidence per claim from the committed matrices (loopback and device cases), for
 * notebook 08's real-kernel column: `realKernelClaims().find((e) => e.claim === "C4")!.text`.
 */
export function realKernelClaims(): ClaimEvidence[] {
  return claimEvidence(loadRealKernels(), loadRealKernelDevices());
}

/** The whole default plan booted in one command (`kernels --matrix`), on a less loaded host. */
export const KERNEL_DEFAULT_MATRIX_NAME = "qemu-tcg-debian-kernels-default-2026-12-06";

export function loadRealKernelsDefault(dir = path.join(path.dirname(defaultKernelMatrixDir()), KERNEL_DEFAULT_MATRIX_NAME)): KernelDataset[] {
  return loadRealKernels(dir);
}

/** Mean over a matrix's kernels of the host's 1-minute load average before each kernel's boots. */
export function hostLoad(ds: readonly KernelDataset[]): number {
  return ds.reduce((a, d) => a + (d.metadata.load.before[0] ?? 0), 0) / Math.max(1, ds.length);
}
