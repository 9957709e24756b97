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
