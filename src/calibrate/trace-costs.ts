/**
 * Cost-table entries from the kernel's own clock: reads tracefs captures of short lean-tool runs
 * (`softnet-lab measure --trace DIR --trace-count N`, events COST_TRACE_EVENTS) and measures each
 * modelled function between the tracepoints that bracket it, on the CPU that ran it. This kernel has no
 * function_graph tracer and no kprobes, so brackets are tracepoints: netif_rx_entry/exit, the send and
 * receive system calls, the NET_RX softirq, the IPI from ipi_send_cpu to its handler, the handler itself,
 * sched_waking/sched_wakeup. Each tracepoint costs time itself; that cost is measured from the closest
 * pair the trace has (netif_rx_entry then netif_rx, with no work between) and subtracted once for every
 * tracepoint inside a bracket. What no bracket isolates keeps its default and says so.
 */
import fs from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { COSTS, type CostName } from "../kernel/costs";
import { bareName, NET_RX_VEC } from "../trace/events";
import { parseFtraceText } from "../trace/ftrace-parse";
import type { KernelTraceRecord } from "../trace/record";

export interface Spread {
  n: number;
  p10: number;
  p50: number;
  p90: number;
}

export interface CostDerivation {
  /** The value the table gets, ns. */
  ns: number;
  /** "trace": measured between tracepoints; "default": not visible in tracepoints, the default kept. */
  kind: "trace" | "default";
  /** Spread of the per-event samples behind `ns` (trace entries only). */
  spread: Spread | null;
  /** Which captures and which bracket, in words. */
  how: string;
}

export interface TraceCostResult {
  /** Cost of one tracepoint hit on this machine (subtracted from every bracket), ns. */
  tracepoint_ns: number;
  /** The consecutive pair of tracepoints it was measured from. */
  tracepoint_pair: string;
  costs: Record<CostName, number>;
  derivation: Record<CostName, CostDerivation>;
  /** The captures read, by configuration id. */
  captures: string[];
  /** udp_recvmsg by which CPU queued the datagram (where the socket's queue was written). */
  recvmsg_by_queueing_cpu: RecvmsgPlacement[];
}

/**
 * One stream capture with the reader on the other CPU: the reader's non-sleeping recvfrom (the same
 * bracket as udp_recvmsg's cost, tracepoint hits subtracted), and on which CPU the datagrams were
 * queued (sk_data_ready: the softirq that wrote the socket's queue, its memory accounting and the
 * reader's wait state). RPS off or to the sender's CPU: queued by the sender's CPU; RPS to the
 * reader's CPU: by the reader's own CPU; RPS to both: where the flow hash put it.
 */
export interface RecvmsgPlacement {
  id: string;
  payload: number;
  /** Share of sk_data_ready hits on the reader's CPU. */
  queued_on_reader_cpu: number;
  recvfrom: Spread;
}

/** A capture's configuration, from its file name `<mode>-<payload>b-rps_<x>-recv_<y>.r0.trace.txt[.gz]`. */
export interface CaptureConfig {
  id: string;
  mode: "stream" | "pingpong";
  payload: number;
  rps: string;
  receiver: "same" | "other";
}

export function parseCaptureName(file: string): CaptureConfig | null {
  const m = /^(stream|pingpong)-(\d+)b-rps_([a-z0-9]+)-recv_(same|other)\.r\d+\.trace\.txt(\.gz)?$/.exec(path.basename(file));
  if (!m) return null;
  return { id: `${m[1]}-${m[2]}b-rps_${m[3]}-recv_${m[4]}`, mode: m[1] as CaptureConfig["mode"], payload: Number(m[2]), rps: m[3], receiver: m[4] as CaptureConfig["receiver"] };
}

export function readCaptureText(file: string): string {
  const buf = fs.readFileSync(file);
  return file.endsWith(".gz") ? gunzipSync(buf).toString("utf8") : buf.toString("utf8");
}

type Rec = KernelTraceRecord & { name: string };

/** Records per CPU in time order, each with its bare event name. */
function perCpu(records: readonly KernelTraceRecord[]): Map<number, Rec[]> {
  const m = new Map<number, Rec[]>();
  for (const r of records) {
    const list = m.get(r.cpu) ?? [];
    list.push({ ...r, name: bareName(String(r.event)) });
    m.set(r.cpu, list);
  }
  for (const list of m.values()) list.sort((a, b) => a.ts - b.ts);
  return m;
}

export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { n: s.length, p10: q(0.1), p50: q(0.5), p90: q(0.9) };
}

const median = (v: readonly number[]) => spread(v)?.p50 ?? NaN;
const mean = (v: readonly number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);

/** A bracket on one CPU: the records strictly between index i and j. */
interface Bracket {
  raw: number;
  inner: Rec[];
  /** Timestamps of the opening and the closing record. */
  start: number;
  end: number;
}

/** Finds on each CPU every `open` followed by its `close` (the first one after it), with what lies between. */
function brackets(cpus: Map<number, Rec[]>, open: (r: Rec) => boolean, close: (r: Rec, o: Rec) => boolean, maxInner = 400): Bracket[] {
  const out: Bracket[] = [];
  for (const list of cpus.values()) {
    for (let i = 0; i < list.length; i++) {
      if (!open(list[i])) continue;
      for (let j = i + 1; j < list.length && j - i <= maxInner; j++) {
        if (close(list[j], list[i])) {
          out.push({ raw: list[j].ts - list[i].ts, inner: list.slice(i + 1, j), start: list[i].ts, end: list[j].ts });
          break;
        }
        if (open(list[j])) break; // a second opening before the close: not a clean bracket
      }
    }
  }
  return out;
}

/** Raw time of the nested irq and softirq sections inside a bracket (they are not the bracket's work). */
function nestedIrqNs(inner: readonly Rec[]): number {
  let ns = 0;
  const open: Rec[] = [];
  for (const r of inner) {
    if (r.name === "softirq_entry" || r.name.endsWith("_entry")) open.push(r);
    else if ((r.name === "softirq_exit" || r.name.endsWith("_exit")) && open.length) {
      const o = open.pop()!;
      if (open.length === 0) ns += r.ts - o.ts;
    }
  }
  return ns;
}

function countNested(inner: readonly Rec[]): number {
  // records inside nested sections are already inside nestedIrqNs; count the rest
  let depth = 0;
  let n = 0;
  for (const r of inner) {
    if (r.name.endsWith("_entry")) depth++;
    if (depth === 0) n++;
    if (r.name.endsWith("_exit") && depth > 0) depth--;
  }
  return n;
}

/** A bracket's own work: raw time less nested interrupts less one tracepoint cost per hit it contains. */
function own(b: Bracket, tp: number): number {
  return b.raw - nestedIrqNs(b.inner) - (1 + countNested(b.inner)) * tp;
}

const isNetRx = (r: Rec) => Number(r.fields.vec) === NET_RX_VEC;

/** How a NET_RX run's fixed part divides, which no tracepoint separates: the reference table's
 * proportions (profiles/reference-published.json), fixed here so a re-derivation does not feed on itself. */
const NET_RX_SPLIT = { do_softirq: 60, net_rx_action: 80, process_backlog_call: 40 } as const;

interface Capture {
  cfg: CaptureConfig;
  cpus: Map<number, Rec[]>;
  records: Rec[];
  /** Timestamp resolution after conversion, ns: 1 for TSC captures, 1000 for the µs the mono clock prints. */
  resolutionNs: number;
}

/**
 * Converts a capture's timestamps to ns. The trace file prints ns clocks in µs; the x86-tsc clock prints
 * TSC cycles, which the harness's start and end markers (CLOCK_MONOTONIC ns, `mono_ns=`) convert.
 */
function toNs(records: KernelTraceRecord[], digits: number | null, file: string): number {
  if (digits !== 0) return digits === 6 ? 1000 : 1;
  const marks = records.filter((r) => r.event === "ftrace:print" && /mono_ns=\d+/.test(String(r.fields.buf ?? r.raw ?? "")));
  if (marks.length < 2) throw new Error(`${file}: timestamps are clock cycles but the capture has no start/end markers with mono_ns= to convert them`);
  const ns = (r: KernelTraceRecord) => Number(/mono_ns=(\d+)/.exec(String(r.fields.buf ?? r.raw))![1]);
  const a = marks[0];
  const b = marks[marks.length - 1];
  const perCycle = (ns(b) - ns(a)) / (b.ts - a.ts);
  if (!(perCycle > 0.05 && perCycle < 20)) throw new Error(`${file}: the markers give ${perCycle} ns per cycle, not a plausible TSC`);
  for (const r of records) r.ts = r.ts * perCycle;
  return 1;
}

function loadCaptures(dir: string): Capture[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder of trace captures`);
  const out: Capture[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const cfg = parseCaptureName(f);
    if (!cfg) continue;
    const parsed = parseFtraceText(readCaptureText(path.join(dir, f)));
    const resolutionNs = toNs(parsed.records, parsed.header.timestampDigits, f);
    const cpus = perCpu(parsed.records);
    out.push({ cfg, cpus, records: [...cpus.values()].flat().sort((a, b) => a.ts - b.ts), resolutionNs });
  }
  if (out.length === 0) throw new Error(`${dir}: no captures named <mode>-<payload>b-rps_<x>-recv_<y>.r<N>.trace.txt[.gz]`);
  return out;
}

const pick = (caps: readonly Capture[], f: (c: CaptureConfig) => boolean) => caps.filter((c) => f(c.cfg));

/**
 * Derives the cost table from the captures in `dir`. Entries come from the configurations where the
 * bracket is clean: the send path from streams with RPS off and the receiver on the other CPU (no
 * receiver work on the sender's CPU), NET_RX per packet from the packets inside each NET_RX run, IPIs
 * from RPS to the other CPU, wakeups and switches from ping-pong.
 */
export function deriveCostsFromTraces(dir: string): TraceCostResult {
  const all = loadCaptures(dir);
  // µs timestamps: a duration d shows as floor or ceil of d, in proportions that make the mean exact
  // (the start's phase is uniform), while the median snaps to whole µs. TSC captures use the median.
  const coarse = all.some((c) => c.resolutionNs > 1);
  const center = (v: readonly number[]) => (coarse ? mean(v) : median(v));
  const d = {} as Record<CostName, CostDerivation>;
  const set = (name: CostName, samples: number[], how: string) => {
    const s = spread(samples);
    if (!s || s.n < 5 || !(s.p50 >= 0)) {
      d[name] = { ns: COSTS[name].ns, kind: "default", spread: null, how: `too few clean samples (${s?.n ?? 0}) for: ${how}; the default is kept` };
      return;
    }
    d[name] = { ns: Math.max(0, Math.round(coarse ? mean(samples) : s.p50)), kind: "trace", spread: roundSpread(s), how: coarse ? `${how} (mean of µs-resolution samples)` : how };
  };
  const keep = (name: CostName, why: string) => {
    d[name] = { ns: COSTS[name].ns, kind: "default", spread: null, how: why };
  };

  // One tracepoint hit: the smallest median gap between two consecutive tracepoints on one CPU, over
  // the pairs that occur often (netif_rx_exit then net_dev_xmit: loopback_xmit only updates its stats
  // between them). An upper bound: the pair still has a few instructions of real work between.
  const gapsByPair = new Map<string, number[]>();
  for (const c of all)
    for (const list of c.cpus.values())
      for (let i = 0; i + 1 < list.length; i++) {
        const key = `${list[i].name} -> ${list[i + 1].name}`;
        const g = gapsByPair.get(key);
        if (g) g.push(list[i + 1].ts - list[i].ts);
        else gapsByPair.set(key, [list[i + 1].ts - list[i].ts]);
      }
  let tpPair = "";
  let tp = Infinity;
  for (const [key, g] of gapsByPair) {
    if (g.length < 50) continue;
    const m = center(g);
    if (m > 0 && m < tp) {
      tp = m;
      tpPair = key;
    }
  }
  tp = Math.round(tp);
  if (!Number.isFinite(tp)) throw new Error(`${dir}: too few events to measure a tracepoint's own cost (no pair of consecutive tracepoints occurs 50 times)`);

  const streamOff64 = pick(all, (c) => c.mode === "stream" && c.payload === 64 && c.rps === "off" && c.receiver === "other");
  const streamOff1024 = pick(all, (c) => c.mode === "stream" && c.payload === 1024 && c.rps === "off" && c.receiver === "other");
  const streamRps64 = pick(all, (c) => c.mode === "stream" && c.payload === 64 && c.rps === "other" && c.receiver === "other");
  const rpsAny = pick(all, (c) => c.rps === "other");
  const pingpong = pick(all, (c) => c.mode === "pingpong" && c.payload === 64);

  const bs = (cs: readonly Capture[], open: (r: Rec) => boolean, close: (r: Rec, o: Rec) => boolean) => cs.flatMap((c) => brackets(c.cpus, open, close));
  const sameTask = (r: Rec, o: Rec) => r.pid === o.pid;

  // netif_rx() -> enqueue_to_backlog(): netif_rx_entry .. netif_rx_exit (RPS off: no get_rps_cpu work).
  const rxOff = bs(streamOff64, (r) => r.name === "netif_rx_entry", (r) => r.name === "netif_rx_exit").map((b) => own(b, tp));
  set("enqueue_to_backlog", rxOff, "netif_rx_entry .. netif_rx_exit (netif_rx, enqueue_to_backlog, raising NET_RX), stream 64 B, RPS off, receiver on the other CPU");
  const rxRps = bs(streamRps64, (r) => r.name === "netif_rx_entry", (r) => r.name === "netif_rx_exit").map((b) => own(b, tp));
  const rpsExtra = center(rxRps) - center(rxOff);
  set("get_rps_cpu", rxRps.map((x) => x - center(rxOff)), "netif_rx_entry .. netif_rx_exit with RPS to the other CPU, less the same without RPS (get_rps_cpu, rps_ipi_queued)");
  if (!(rpsExtra >= 0)) keep("get_rps_cpu", "the RPS netif_rx was not slower than the plain one in these captures; the default is kept");

  // loopback_xmit and what __dev_queue_xmit does around it: net_dev_start_xmit .. net_dev_xmit, less the netif_rx inside.
  const xmit = bs(streamOff64, (r) => r.name === "net_dev_start_xmit", (r) => r.name === "net_dev_xmit").map((b) => own(b, tp) - center(rxOff));
  set("dev_queue_xmit", xmit, "net_dev_start_xmit .. net_dev_xmit (loopback_xmit) less the netif_rx inside it, stream 64 B, RPS off");

  // NET_RX, read inside each run (softirq_entry .. softirq_exit of vector NET_RX): the time from one
  // netif_receive_skb hit to the next is one packet's way up to the socket (sk_data_ready and any
  // wakeup inside taken out); the last packet ends where process_backlog returns (napi_poll). What
  // is left of the run (entry to the first packet, napi_poll to the exit) is the per-run fixed part.
  const perPacket: number[] = [];
  const fixedPart: number[] = [];
  const netRxRuns = bs(all, (r) => r.name === "softirq_entry" && isNetRx(r), (r) => r.name === "softirq_exit" && isNetRx(r));
  for (const b of netRxRuns) {
    if (b.inner.some((r) => r.name === "ipi_send_cpu" || r.name.endsWith("_entry"))) continue; // RPS IPIs sent, or interrupted
    const idx = b.inner.map((r, i) => (r.name === "netif_receive_skb" ? i : -1)).filter((i) => i >= 0);
    const poll = b.inner.findIndex((r) => r.name === "napi_poll");
    if (idx.length === 0 || poll < idx[idx.length - 1]) continue;
    const stops = [...idx, poll];
    for (let j = 0; j + 1 < stops.length; j++) {
      const seg: Bracket = { raw: b.inner[stops[j + 1]].ts - b.inner[stops[j]].ts, inner: b.inner.slice(stops[j] + 1, stops[j + 1]), start: b.inner[stops[j]].ts, end: b.inner[stops[j + 1]].ts };
      perPacket.push(own(seg, tp) - wakeNs(seg.inner));
    }
    const head: Bracket = { raw: b.inner[idx[0]].ts - b.start, inner: b.inner.slice(0, idx[0]), start: b.start, end: b.inner[idx[0]].ts };
    const tail: Bracket = { raw: b.end - b.inner[poll].ts, inner: b.inner.slice(poll + 1), start: b.inner[poll].ts, end: b.end };
    fixedPart.push(own(head, tp) + own(tail, tp));
  }
  set("netif_receive_skb", perPacket, "inside each NET_RX run: one netif_receive_skb hit to the next (the last: to napi_poll), less sk_data_ready's hit and any wakeup inside (__netif_receive_skb up to the socket queue)");
  const fixedMedian = center(fixedPart);
  if (fixedPart.length >= 5 && fixedMedian > 0) {
    // The rest of a run: __do_softirq's dispatch, net_rx_action, one process_backlog call.
    const parts = Object.keys(NET_RX_SPLIT) as (keyof typeof NET_RX_SPLIT)[];
    const sum = parts.reduce((a, p) => a + NET_RX_SPLIT[p], 0);
    for (const p of parts) {
      d[p] = { ns: Math.round((fixedMedian * NET_RX_SPLIT[p]) / sum), kind: "trace", spread: null, how: `the rest of a NET_RX run (softirq_entry to the first netif_receive_skb, napi_poll to softirq_exit; median ${Math.round(fixedMedian)} ns over ${fixedPart.length} runs: do_softirq + net_rx_action + process_backlog_call), split in the proportions of the reference table (profiles/reference-published.json): tracepoints do not separate the three` };
    }
  } else for (const p of ["do_softirq", "net_rx_action", "process_backlog_call"] as CostName[]) keep(p, "too few clean NET_RX runs to measure the per-run part; the default is kept");
  // The sender's system call: sys_enter_sendto .. sys_exit_sendto less the NET_RX softirq inside it.
  const sendOwn = (cs: readonly Capture[]) => bs(cs, (r) => r.name === "sys_enter_sendto", (r, o) => r.name === "sys_exit_sendto" && sameTask(r, o)).filter((b) => !b.inner.some((r) => r.name === "sched_switch")).map((b) => own(b, tp));
  const send64 = sendOwn(streamOff64);
  const send1024 = sendOwn(streamOff1024);
  // The receiver's system call when data is queued (no sleep inside).
  const recvOwn = (cs: readonly Capture[]) => bs(cs, (r) => r.name === "sys_enter_recvfrom", (r, o) => r.name === "sys_exit_recvfrom" && sameTask(r, o)).filter((b) => !b.inner.some((r) => r.name === "sched_switch")).map((b) => own(b, tp));
  const recv64 = recvOwn(streamOff64);
  const recv1024 = recvOwn(streamOff1024);
  // The copy: for every configuration measured at both sizes, the median system call at 1024 B less
  // the one at 64 B, per KiB of the 960 B difference; the median of those differences.
  const copySamples: number[] = [];
  for (const c1 of all.filter((c) => c.cfg.mode === "stream" && c.cfg.payload === 1024)) {
    const c0 = all.find((c) => c.cfg.mode === "stream" && c.cfg.payload === 64 && c.cfg.rps === c1.cfg.rps && c.cfg.receiver === c1.cfg.receiver);
    if (!c0) continue;
    for (const f of [sendOwn, recvOwn]) {
      const a = f([c0]);
      const b = f([c1]);
      if (a.length >= 20 && b.length >= 20) copySamples.push(((center(b) - center(a)) * 1024) / 960);
    }
  }
  const copySpread = spread(copySamples);
  // A difference whose spread straddles zero is noise, not a copy cost: then the default stays.
  const copyResolved = copySpread !== null && copySamples.length >= 2 && !(copySpread.p10 < 0 && copySpread.p90 > 0);
  const copyKb = copyResolved ? Math.max(0, Math.round(median(copySamples))) : COSTS.copy_per_kb.ns;
  d.copy_per_kb = !copyResolved && copySpread
    ? { ns: copyKb, kind: "default", spread: roundSpread(copySpread), how: `the 1024 B less 64 B difference of the system calls is within the noise here (p10..p90 ${Math.round(copySpread.p10)}..${Math.round(copySpread.p90)} ns per KiB over ${copySamples.length} configuration pairs), so the default is kept` }
    : copySamples.length >= 2
    ? { ns: copyKb, kind: "trace", spread: roundSpread(spread(copySamples)!), how: `for each stream configuration captured at 64 B and 1024 B, the median sendto (and recvfrom that found data) at 1024 B less that at 64 B, per KiB of the 960 B difference; the median of the ${copySamples.length} differences` }
    : { ns: COSTS.copy_per_kb.ns, kind: "default", spread: null, how: "no pairs of 64 B and 1024 B captures; the default is kept" };
  const copy64 = Math.round((copyKb * 64) / 1024);
  keep("syscall", "system call entry and exit lie outside every tracepoint bracket (the sys_enter/sys_exit tracepoints fire inside them); the default is kept");
  const below = COSTS.syscall.ns + d.dev_queue_xmit.ns + d.enqueue_to_backlog.ns + copy64;
  set("udp_sendmsg", send64.map((x) => x - below), "sys_enter_sendto .. sys_exit_sendto less nested NET_RX, stream 64 B, RPS off, receiver on the other CPU, less syscall, dev_queue_xmit, enqueue_to_backlog and the 64 B copy");
  set("udp_recvmsg", recv64.map((x) => x - COSTS.syscall.ns - copy64), "sys_enter_recvfrom .. sys_exit_recvfrom that did not sleep, stream 64 B, RPS off, receiver on the other CPU, less syscall and the 64 B copy");

  // User space between two calls of the same task, nothing else on its CPU between.
  const gaps = (cs: readonly Capture[], from: string, to: string) => {
    const out: number[] = [];
    for (const c of cs)
      for (const list of c.cpus.values())
        for (let i = 0; i + 1 < list.length; i++) if (list[i].name === from && list[i + 1].name === to && list[i].pid === list[i + 1].pid) out.push(list[i + 1].ts - list[i].ts - tp);
    return out;
  };
  set("user_send_loop", gaps(streamOff64, "sys_exit_sendto", "sys_enter_sendto"), "sys_exit_sendto .. the next sys_enter_sendto of the lean sender (its loop in user space)");
  set("user_recv_loop", gaps(streamOff64, "sys_exit_recvfrom", "sys_enter_recvfrom"), "sys_exit_recvfrom .. the next sys_enter_recvfrom of the lean receiver");
  set("user_pingpong", gaps(pingpong, "sys_exit_recvfrom", "sys_enter_sendto"), "ping-pong: sys_exit_recvfrom .. sys_enter_sendto of the same task (the reply or the next request)");

  // try_to_wake_up on the waker's CPU: sched_waking .. sched_wakeup when both land there.
  // Waking a task onto a remote CPU can send a reschedule IPI from inside try_to_wake_up: those
  // brackets hold an IPI send (a VM exit), which the model charges as ipi_send, so they are left out.
  const ttwu = bs(all, (r) => r.name === "sched_waking", (r, o) => r.name === "sched_wakeup" && Number(r.fields.pid) === Number(o.fields.pid));
  set("try_to_wake_up", ttwu.filter((b) => !b.inner.some((r) => r.name === "ipi_send_cpu")).map((b) => own(b, tp)), "sched_waking .. sched_wakeup of the same task on the waker's CPU without an IPI sent inside (try_to_wake_up with the wakee activated there)");

  // A context switch: a blocking recvfrom costs its task the switch out and the switch back in; a
  // recvfrom that found data does not. The difference is one switch's worth of __schedule.
  const recvNonBlocking = recvOwn(pingpong);
  const switchSamples: number[] = [];
  for (const c of pingpong)
    for (const list of c.cpus.values())
      for (let i = 0; i < list.length; i++) {
        if (list[i].name !== "sys_enter_recvfrom") continue;
        const pid = list[i].pid;
        // the switch away from this task, then (after others ran) the switch back to it, then its return
        let j = i + 1;
        while (j < list.length && !(list[j].name === "sched_switch" && Number(list[j].fields.prev_pid) === pid)) {
          if (list[j].name === "sys_exit_recvfrom") break;
          j++;
        }
        if (j >= list.length || list[j].name !== "sched_switch") continue;
        let k = j + 1;
        while (k < list.length && !(list[k].name === "sched_switch" && Number(list[k].fields.next_pid) === pid)) k++;
        let e = k + 1;
        while (e < list.length && !(list[e].name === "sys_exit_recvfrom" && list[e].pid === pid)) {
          if (list[e].name === "sys_enter_recvfrom" || list[e].name === "sched_switch") break;
          e++;
        }
        if (k >= list.length || e >= list.length || list[e].name !== "sys_exit_recvfrom") continue;
        const before: Bracket = { raw: list[j].ts - list[i].ts, inner: list.slice(i + 1, j), start: list[i].ts, end: list[j].ts };
        const after: Bracket = { raw: list[e].ts - list[k].ts, inner: list.slice(k + 1, e), start: list[k].ts, end: list[e].ts };
        switchSamples.push(own(before, tp) + own(after, tp) + tp - center(recvNonBlocking.length ? recvNonBlocking : recv64));
      }
  // The model charges the way to sleep up to the sched_switch record separately (schedule_queued +
  // schedule_dequeued, measured in the idle-entry captures) and context_switch once per switch, out
  // and back in: each sample is split accordingly.
  const wayToSleep = COSTS.schedule_queued.ns + COSTS.schedule_dequeued.ns;
  set("context_switch", switchSamples.map((x) => (x - wayToSleep) / 2), `ping-pong 64 B: a recvfrom that slept (its time before the switch away plus after the switch back) less a recvfrom that found data, less the way to sleep up to the sched_switch record (schedule_queued + schedule_dequeued, ${wayToSleep} ns), halved: one switch's tail (out, and again back in)`);

  // IPIs: ipi_send_cpu on the sender .. the handler's entry on the target; split by what the target was doing.
  const ipiBusy: number[] = [];
  const ipiIdle: number[] = [];
  const handler: number[] = [];
  const sendCost: number[] = [];
  for (const c of rpsAny.length ? rpsAny : all) {
    const current = new Map<number, number>(); // cpu -> pid running
    const recs = c.records;
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i];
      if (r.name === "sched_switch") current.set(r.cpu, Number(r.fields.next_pid));
      if (r.name !== "ipi_send_cpu") continue;
      const target = Number(r.fields.cpu);
      if (!Number.isInteger(target) || target === r.cpu) continue;
      const idle = current.get(target) === 0;
      const arrive = recs.slice(i + 1, i + 400).find((x) => x.cpu === target && (x.name === "call_function_single_entry" || x.name === "reschedule_entry"));
      if (arrive) (idle ? ipiIdle : ipiBusy).push(arrive.ts - r.ts - tp);
      const list = c.cpus.get(r.cpu)!;
      const at = list.indexOf(r);
      if (at >= 0 && at + 1 < list.length && list[at + 1].name === "softirq_exit") sendCost.push(list[at + 1].ts - r.ts - tp);
    }
    handler.push(...brackets(c.cpus, (r) => r.name === "call_function_single_entry", (r) => r.name === "call_function_single_exit").filter((b) => !b.inner.some((r) => r.name === "sched_waking")).map((b) => own(b, tp)));
  }
  set("ipi_send", sendCost, "ipi_send_cpu .. the end of the sender's NET_RX run that sent it (net_rps_send_ipi: the APIC write, a VM exit in a guest)");
  set("ipi_latency", ipiBusy, "ipi_send_cpu on the sender .. call_function_single_entry on a busy target (delivery through the hypervisor)");
  // In a guest, a halted vCPU is woken by the host directly, while a running one must first be kicked
  // out of guest mode; so a halted target can be reached sooner than a busy one. The model adds
  // idle_exit_halt on top of ipi_latency, so it gets the difference, or 0 where halted targets win.
  const busy = center(ipiBusy);
  const idleExtra = center(ipiIdle) - busy;
  set("idle_exit_halt", ipiIdle.map((x) => Math.max(0, x - busy)), `the same latency to a target that was idle (halted), less the busy-target median (idle ${Math.round(center(ipiIdle))} ns, busy ${Math.round(busy)} ns): waking a halted vCPU${idleExtra < 0 ? "; here a halted target was reached sooner than a busy one, so the extra is 0" : ""}`);
  if (idleExtra < 0 && d.idle_exit_halt) d.idle_exit_halt.ns = 0;
  set("rps_trigger_softirq", handler, "call_function_single_entry .. call_function_single_exit without a wakeup inside (rps_trigger_softirq: the backlog onto the poll list, NET_RX raised)");
  keep("irq_entry_exit", "hardirq entry and exit lie outside the handler's tracepoints; the default is kept (calibration may adjust it)");
  for (const name of ["idle_entry_poll", "schedule_queued", "schedule_dequeued", "ttwu_queue_wakelist"] as const) {
    keep(name, "measured from captures with power:cpu_idle, sched_waking and sched_wake_idle_without_ipi (src/calibrate/idle-entry.ts, datasets/traces/idle-entry-*), which these captures do not record; the default is that measurement");
  }
  set("tick", bs(all, (r) => r.name === "local_timer_entry", (r) => r.name === "local_timer_exit").map((b) => own(b, tp)), "local_timer_entry .. local_timer_exit (the tick's handler)");

  for (const name of Object.keys(COSTS) as CostName[]) {
    if (!d[name]) keep(name, "no tracepoint bracket applies to this entry in loopback captures; the default is kept");
  }
  const costs = {} as Record<CostName, number>;
  for (const name of Object.keys(COSTS) as CostName[]) costs[name] = d[name].ns;
  // Where the socket's queue was written, and what the reader's recvfrom costs for it (issue 12:
  // cache lines that move between CPUs would show here as a dearer recvfrom when queued remotely).
  const recvmsg_by_queueing_cpu: RecvmsgPlacement[] = [];
  for (const c of all.filter((x) => x.cfg.mode === "stream" && x.cfg.receiver === "other")) {
    const reads = c.records.filter((x) => x.name === "sys_enter_recvfrom");
    const ready = c.records.filter((x) => x.name === "sk_data_ready");
    const s = spread(recvOwn([c]));
    if (!s || reads.length === 0 || ready.length === 0) continue;
    const readerCpu = reads[0].cpu;
    const onReader = ready.filter((x) => x.cpu === readerCpu).length / ready.length;
    recvmsg_by_queueing_cpu.push({ id: c.cfg.id, payload: c.cfg.payload, queued_on_reader_cpu: Math.round(onReader * 1000) / 1000, recvfrom: roundSpread(s) });
  }
  return { tracepoint_ns: tp, tracepoint_pair: tpPair, costs, derivation: d, captures: all.map((c) => c.cfg.id), recvmsg_by_queueing_cpu };
}

function roundSpread(s: Spread): Spread {
  return { n: s.n, p10: Math.round(s.p10), p50: Math.round(s.p50), p90: Math.round(s.p90) };
}

/** Raw time of try_to_wake_up sections (sched_waking .. sched_wakeup of the same pid) inside a bracket. */
function wakeNs(inner: readonly Rec[]): number {
  let ns = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i].name !== "sched_waking") continue;
    const pid = Number(inner[i].fields.pid);
    const w = inner.slice(i + 1).find((r) => r.name === "sched_wakeup" && Number(r.fields.pid) === pid);
    if (w) ns += w.ts - inner[i].ts;
  }
  return ns;
}
