/**
 * The fixed colours and orders of the charts, so every chart (and every notebook) tells CPU contexts
 * and series apart the same way. Colours are from the Okabe-Ito palette, which stays distinguishable
 * with the common forms of colour blindness (Okabe & Ito, "Color Universal Design", 2008).
 */
import type { SpanContext } from "../observe/types";

/** Legend order of CPU contexts: the task, then what interrupts it, then the threads, then idle. */
export const CONTEXT_ORDER: readonly SpanContext[] = ["task", "softirq", "hardirq", "ksoftirqd", "backlog_thread", "idle"];

export const CONTEXT_COLORS: Readonly<Record<SpanContext, string>> = {
  task: "#56B4E9", // sky blue
  softirq: "#D55E00", // vermillion
  hardirq: "#CC79A7", // reddish purple
  ksoftirqd: "#E69F00", // orange
  backlog_thread: "#009E73", // bluish green
  idle: "#E3E3E3", // light grey: present but quiet
};

/** Legend labels; they name the kernel context a reader will meet in the source. */
export const CONTEXT_LABELS: Readonly<Record<SpanContext, string>> = {
  task: "task",
  softirq: "softirq (in a task)",
  hardirq: "hardirq / IPI",
  ksoftirqd: "ksoftirqd/N",
  backlog_thread: "backlog_napi/N",
  idle: "idle",
};

/** Marks for tracepoint records on the timeline, in legend order. */
export const EVENT_KINDS = ["enqueue", "deliver", "ipi", "wakeup"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_STYLE: Readonly<Record<EventKind, { label: string; shape: string; color: string }>> = {
  enqueue: { label: "packet queued (netif_rx)", shape: "triangle-down", color: "#0072B2" },
  deliver: { label: "packet delivered (netif_receive_skb)", shape: "circle", color: "#000000" },
  ipi: { label: "IPI sent (ipi_send_cpu) → handler", shape: "diamond", color: "#7A2E8E" },
  wakeup: { label: "task woken (sched_wakeup)", shape: "triangle-up", color: "#666666" },
};

/** Series colours for comparison charts (bars, lines, CDFs), in order of first appearance. */
export const SERIES_COLORS: readonly string[] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

/**
 * One colour per meaning across every comparison chart: a series whose name says what it is (the
 * model, a measurement, a kernel or kick mechanism) always gets the same Okabe-Ito colour, the colour
 * its context has on the timeline where there is one (softirq vermillion, backlog thread green,
 * ksoftirqd orange, hardirq/RT purple). First matching rule wins; case is ignored.
 */
export const SERIES_MEANINGS: readonly { meaning: string; test: RegExp; color: string }[] = [
  { meaning: "calibrated model", test: /calibrated/i, color: "#56B4E9" },
  { meaning: "a measurement or published figure", test: /published|measured|\breal\b|robot|QEMU/i, color: "#000000" },
  { meaning: "the model", test: /^model/i, color: "#0072B2" },
  { meaning: "RPS off (the baseline)", test: /^RPS off$/i, color: "#999999" },
  { meaning: "ksoftirqd", test: /2016|ksoftirqd/i, color: CONTEXT_COLORS.ksoftirqd },
  { meaning: "unpinned backlog threads (OpenWrt)", test: /unpinned|backlog_threaded|backlog-threaded|OpenWrt/i, color: "#E69F00" },
  { meaning: "the 2023 RFC (always the thread)", test: /RFC|threads-always|always the thread/i, color: "#56B4E9" },
  { meaning: "backlog threads (v6.10)", test: /v6\.10|backlog_napi|backlog thread|thread kick|threads\b|=threads/i, color: CONTEXT_COLORS.backlog_thread },
  { meaning: "PREEMPT_RT / IRQ thread", test: /PREEMPT_RT|-rt\b|\bRT\b|irq thread/i, color: CONTEXT_COLORS.hardirq },
  { meaning: "v6.8: softirq (NET_RX at irq exit, IPI kick)", test: /v6\.8|softirq|NET_RX|\bIPI\b|irq exit/i, color: CONTEXT_COLORS.softirq },
];

/**
 * Colours for `series` in order: by meaning where a rule matches and its colour is still free in this
 * chart, else the next unused colour of SERIES_COLORS (so one chart never repeats a colour).
 */
export function seriesColors(series: readonly string[]): string[] {
  const used = new Set<string>();
  const out: (string | null)[] = series.map((s) => {
    const rule = SERIES_MEANINGS.find((m) => m.test.test(s));
    if (rule && !used.has(rule.color)) {
      used.add(rule.color);
      return rule.color;
    }
    return null;
  });
  return out.map((c) => {
    if (c !== null) return c;
    const free = SERIES_COLORS.find((x) => !used.has(x)) ?? SERIES_COLORS[used.size % SERIES_COLORS.length]!;
    used.add(free);
    return free;
  });
}
