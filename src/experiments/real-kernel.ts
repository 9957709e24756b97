/**
 * The real kernel's column of the verdict table (notebook 08): for each claim, what a dataset measured
 * by `softnet-lab measure` on a running kernel shows, computed from its runs, or precisely what kind of
 * kernel would show it. The kernel's facts (thread_backlog_napi on the command line, PREEMPT_RT, the
 * release) come from the dataset's metadata, so a dataset taken on such a kernel gets its real evidence.
 */
import type { MeasurementDataset } from "../measure/dataset";
import type { Row } from "../measure/schema";
import { C8_REAL_KERNEL } from "./c8";

export type RealStatus = "shown" | "partly shown" | "not shown" | "needs thread_backlog_napi" | "needs PREEMPT_RT" | "needs a patched kernel" | "design argument";

export interface RealEvidence {
  claim: string;
  status: RealStatus;
  text: string;
}

/** The kernel a dataset ran on, as the claims need it. */
export interface KernelFacts {
  release: string;
  /** major.minor as a number: 6.18 -> 618. */
  version: number;
  rt: boolean;
  threadBacklogNapi: boolean;
  backlogThreads: number;
}

export function kernelFacts(ds: MeasurementDataset): KernelFacts {
  const k = ds.metadata.kernel;
  const m = /^(\d+)\.(\d+)/.exec(k.release);
  return {
    release: k.release,
    version: m ? Number(m[1]) * 100 + Number(m[2]) : 0,
    rt: k.preempt === "PREEMPT_RT",
    threadBacklogNapi: k.thread_backlog_napi || k.backlog_napi_threads > 0,
    backlogThreads: k.backlog_napi_threads,
  };
}

const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

const list = (r: Row, col: string): number[] => (Array.isArray(r[col]) ? (r[col] as number[]) : []);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The lean-tool runs of one configuration, by its parts. */
function runsOf(ds: MeasurementDataset, mode: string, payload: number, rps: string, receiver: string): Row[] {
  return ds.runs.filter((r) => r.mode === mode && r.payload_bytes === payload && r.rps === rps && r.receiver === receiver && r.tool !== "sockperf");
}

/** Median over runs of a per-run value. */
const med = (runs: Row[], f: (r: Row) => number) => median(runs.map(f));
/** Share of the packets that softnet_stat counted as processed on `cpu`. */
const processedShare = (r: Row, cpu: number) => list(r, "softnet_processed")[cpu] / Math.max(1, sum(list(r, "softnet_processed")));

const f2 = (x: number) => x.toFixed(2);
const pctS = (x: number) => `${Math.round(100 * x)}%`;
const kpps = (x: number) => `${Math.round(x / 1000)}k`;

/**
 * Evidence per claim C1-C15 from a dataset of `softnet-lab measure --matrix` (lean tool, sender on
 * CPU 0, "other" = CPU 1). Every number is a median over the dataset's repeats.
 */
export function realKernelEvidence(ds: MeasurementDataset): RealEvidence[] {
  const k = kernelFacts(ds);
  const where = `Linux ${k.release}`;
  const off = runsOf(ds, "stream", 64, "off", "other");
  const rps = runsOf(ds, "stream", 64, "other", "other");
  const flood = runsOf(ds, "stream", 64, "off", "same");
  if (off.length === 0 || rps.length === 0) throw new Error(`${ds.dir}: the real-kernel column needs the stream 64 B runs with RPS off and to the other CPU (softnet-lab measure --matrix)`);
  const sender = Number(off[0].sender_cpu);
  const target = Number(rps[0].receiver_cpu);
  const out: RealEvidence[] = [];
  const add = (claim: string, status: RealStatus, text: string) => out.push({ claim, status, text });

  const netRxOff = med(off, (r) => Number(r.net_rx_per_packet));
  const shareOff = med(off, (r) => processedShare(r, sender));
  add("C1", shareOff > 0.95 && Math.abs(netRxOff - 1) < 0.05 ? "shown" : "not shown",
    `${where}: loopback datagrams go through netif_rx into the sending CPU's backlog: with RPS off, ${pctS(shareOff)} were processed on CPU ${sender} (the sender's), ${f2(netRxOff)} NET_RX runs per datagram`);

  const rpsPerPkt = med(rps, (r) => Number(r.received_rps_per_packet));
  const shareRps = med(rps, (r) => processedShare(r, target));
  const netRxTarget = med(rps, (r) => list(r, "net_rx_softirqs")[target] / Math.max(1, Number(r.packets)));
  add("C2", rpsPerPkt > 0 && shareRps > 0.95 ? "shown" : "not shown",
    `${where}, rps_cpus = CPU ${target}: ${pctS(shareRps)} processed on CPU ${target}, started by ${f2(rpsPerPkt)} RPS IPIs per datagram (one per ${f2(1 / rpsPerPkt)} datagrams: the IPI is sent once per batch), ${f2(netRxTarget)} NET_RX runs per datagram there`);

  const rtNote = k.rt ? `${where} is PREEMPT_RT` : `${where} is not PREEMPT_RT (${ds.metadata.kernel.preempt}${ds.metadata.kernel.preempt_runtime ? `, running ${ds.metadata.kernel.preempt_runtime}` : ""})`;
  const ksoftRps = med(rps, (r) => sum(list(r, "ksoftirqd_cpu_ns")) / Math.max(1, Number(r.packets)));
  add("C3", k.rt ? "not shown" : "needs PREEMPT_RT", k.rt ? `${rtNote}; loopback has no device interrupt, so its IRQ thread is not exercised here` : `${rtNote}: no IRQ threads to raise the softirq in (loopback has no device interrupt either)`);
  add("C4", k.rt ? (ksoftRps > 0 ? "shown" : "not shown") : "needs PREEMPT_RT",
    k.rt
      ? `${rtNote}: ksoftirqd ran ${Math.round(ksoftRps)} ns per datagram with RPS to CPU ${target}`
      : `${rtNote}: the RPS IPI's NET_RX ran at irq exit on CPU ${target} (${f2(netRxTarget)} runs per datagram; ksoftirqd ${Math.round(ksoftRps)} ns per datagram), the non-RT side of the claim`);
  add("C5", "needs PREEMPT_RT", `${rtNote}: the warning is PREEMPT_RT's; see the kernels booted in QEMU (notebook 09)`);

  add("C6", netRxTarget > 0 ? "partly shown" : "not shown",
    `${where}: with RPS the softirq runs at the end of the IPI on CPU ${target}, in whatever task the IPI interrupted (${f2(netRxTarget)} runs per datagram); which task pays is not separated by these counters`);

  const ksoftFlood = med(flood, (r) => sum(list(r, "ksoftirqd_cpu_ns")) / Math.max(1, Number(r.packets)));
  add("C7", "partly shown",
    `${where} ${k.version >= 605 ? "has the v6.5 policy (ksoftirqd no longer takes every softirq once active)" : "predates v6.5: ksoftirqd takes every later softirq once active"}; sender and receiver on one CPU: ksoftirqd ran ${Math.round(ksoftFlood)} ns per datagram; the other policy needs a kernel from the other side of v6.5`);

  // the unpinned side of C8 is OpenWrt's backlog_threaded patch (notebook 10), in no stock kernel
  add("C8", k.threadBacklogNapi ? "partly shown" : "needs a patched kernel",
    `${where}${k.threadBacklogNapi ? ` runs the pinned side (${k.backlogThreads} backlog_napi threads)` : " runs neither side"}; the unpinned side needs ${C8_REAL_KERNEL.split("; ")[0]}; the dummy device and run-time switching are design arguments`);

  add("C9", Math.abs(netRxOff - 1) < 0.05 ? "shown" : "not shown",
    `${where}: with RPS off, every datagram ran NET_RX once, inside the sender's sendto() on CPU ${sender} (${f2(netRxOff)} runs per datagram); the hand-off to a thread that hurts is the 2023 RFC, which no released kernel carries`);
  add("C10", "needs a patched kernel", "the 2023 RFC's hand-off (backlog threads even for local packets) was never merged");

  const threadNs = med(rps, (r) => sum(list(r, "backlog_napi_cpu_ns")) / Math.max(1, Number(r.packets)));
  add("C11", k.threadBacklogNapi ? (threadNs === 0 || !Number.isFinite(threadNs) ? "shown" : "partly shown") : "needs thread_backlog_napi",
    k.threadBacklogNapi
      ? `${where} runs backlog_napi threads (${k.backlogThreads}); RPS off: ${f2(netRxOff)} NET_RX runs per datagram, the local short-cut`
      : `${where} runs without thread_backlog_napi on its command line (no backlog_napi/N threads): only the softirq side exists here`);

  const ppsOff = med(off, (r) => Number(r.received_pps));
  const ppsRps = med(rps, (r) => Number(r.received_pps));
  add("C12", k.threadBacklogNapi ? "shown" : "needs thread_backlog_napi",
    `${where}, IPI side, stream 64 B, receiver on CPU ${target}: ${kpps(ppsOff)} datagrams/s with RPS off, ${kpps(ppsRps)} with RPS by IPI (${ppsRps >= ppsOff ? "+" : ""}${pctS(ppsRps / ppsOff - 1)})` +
      (k.threadBacklogNapi ? "; this kernel runs the thread side" : "; the thread side needs the boot option"));

  add("C13", k.threadBacklogNapi ? "shown" : k.rt ? "not shown" : "needs thread_backlog_napi",
    k.threadBacklogNapi ? `${where}: ${k.backlogThreads} backlog_napi threads` : `${where}: no backlog_napi threads without the boot option${k.rt ? "" : " (and no PREEMPT_RT, which would force them)"}`);

  add("C14", "not shown", `${where}: the matrix takes no CPU offline (see the kernels booted in QEMU, notebook 09)`);

  const streams = ds.runs.filter((r) => r.mode === "stream" && r.tool !== "sockperf");
  const worst = (col: string) => streams.reduce((best, r) => (sum(list(r, col)) > sum(list(best, col)) ? r : best), streams[0]);
  const sq = worst("softnet_time_squeeze");
  const dr = worst("softnet_dropped");
  const squeeze = sum(list(sq, "softnet_time_squeeze"));
  const drops = sum(list(dr, "softnet_dropped"));
  const rcvbuf = med(flood, (r) => Number(r.rcvbuf_drop_ratio));
  add("C15", squeeze > 0 || drops > 0 ? "partly shown" : "not shown",
    `${where}: a loopback sender rarely exhausts net_rx_action's budget (time_squeeze at most ${squeeze} in one run, ${sq.config_id}); the backlog overflowed at most ${drops} times in one run (${dr.config_id}); the overload shows mostly at the socket (${pctS(rcvbuf)} of datagrams dropped at a full receive buffer with sender and receiver on one CPU)`);

  add("R1", "needs a patched kernel", `${where} does not carry it: the rival patch's claim needs ${C8_REAL_KERNEL.split("; ")[0]}`);

  return out;
}
