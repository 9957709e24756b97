/**
 * `softnet-lab measure --trace DIR`: records the kernel tracepoints of each run's client with the trace
 * module's tracefs capture (src/trace/capture.ts, which restores every tracefs setting itself) and
 * writes `<DIR>/<config>.r<repeat>.trace.txt` plus a `.capture.json` saying how it was taken and whether
 * the ring buffer lost events.
 */
import { join } from "node:path";
import { captureSupport, withTraceCapture } from "../trace/capture";
import { TRACE_EVENTS } from "../trace/dataset";
import { writeFileAtomic } from "./atomic";
import type { RunTraceHook } from "./run-one";

export interface TraceHookOptions {
  dir: string;
  /** Longest client life to trace, s (sockperf's ~2 s start-up + -t + margin). */
  maxSeconds: number;
  /** Ring buffer per CPU, KiB: a flood overruns it and keeps the last part of the run. */
  bufferKb?: number;
  /** Tracepoints to record (default TRACE_EVENTS). */
  events?: readonly string[];
  /** trace_clock (default mono, which the trace file prints in µs). x86-tsc prints TSC cycles: ns
   * resolution; the start and end markers then carry CLOCK_MONOTONIC ns so cycles convert to ns. */
  clock?: string;
}

/** Returns the hook, or a sentence saying why tracing cannot run here. */
export function makeTraceHook(o: TraceHookOptions): RunTraceHook | string {
  const support = captureSupport();
  if (!support.ok) return `--trace: ${support.reason}`;
  return {
    async around<T>(label: string, work: (abort: AbortSignal) => Promise<T>): Promise<T> {
      const { result, capture } = await withTraceCapture({ events: o.events ?? TRACE_EVENTS, bufferKb: o.bufferKb ?? 4096, maxSeconds: o.maxSeconds, clock: o.clock }, async ({ signal, marker }) => {
        marker(`softnet-lab measure: ${label} start mono_ns=${process.hrtime.bigint()}`);
        const r = await work(signal);
        marker(`softnet-lab measure: ${label} end mono_ns=${process.hrtime.bigint()}`);
        return r;
      });
      const lost = capture.perCpu.filter((c) => c.overrun > 0 || c.dropped > 0);
      writeFileAtomic(join(o.dir, `${label}.trace.txt`), capture.text);
      writeFileAtomic(
        join(o.dir, `${label}.capture.json`),
        JSON.stringify(
          {
            label,
            file: `${label}.trace.txt`,
            started_at: capture.startedAt,
            duration_ms: Math.round(capture.durationMs * 10) / 10,
            events: capture.events,
            clock: capture.clock,
            buffer_kb_per_cpu: capture.bufferKb,
            per_cpu: capture.perCpu,
            complete: lost.length === 0,
            note: lost.length
              ? `the ring buffer overran on CPU ${lost.map((c) => c.cpu).join(",")}: the trace holds the last part of the run only`
              : "no events lost",
            kernel: capture.kernel,
          },
          null,
          2,
        ) + "\n",
      );
      return result;
    },
  };
}
