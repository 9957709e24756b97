/**
 * The model's side of notebook 09 (real kernels booted in QEMU): the configuration that stands for a
 * kernel on each case of the kernel matrix, and the figures read from its run. Browser-safe (the
 * datasets are read by ./real-kernels.ts in Node); the notebook's cells and the book's live charts
 * run the same cases.
 */
import type { ConfigOverrides } from "../config/parse";
import type { KernelModelConfig } from "../kernels/set";
import type { SimResult } from "../observe/types";

export type GuestIdle = "halt" | "poll";

/** The model's idle for the QEMU guests: `poll` (an idle loop with TIF_POLLING_NRFLAG set; why: ./real-kernels.ts). */
export const GUEST_IDLE: GuestIdle = "poll";

/** The kernel's own model keys: what a kernel configuration is (src/kernels/set.ts). */
function kernelKeys(m: KernelModelConfig): ConfigOverrides {
  return { backlog_napi: m.backlog_napi, preempt: m.preempt, ksoftirqd_policy: m.ksoftirqd_policy, hz: m.hz };
}

/** The matrix's main case without the kernel: a 64 B flat-out stream, sender CPU 0, RPS to CPU 1, receiver on CPU 1, 20 ms. */
export function streamCaseKeys(idle: GuestIdle): ConfigOverrides {
  return { idle, workload: "udp-stream", rate_pps: 0, payload_bytes: 64, sender_cpu: 0, receiver_cpu: 1, rps_cpus: "2", duration_ms: 20 };
}

/** The matrix's main case for a kernel. */
export function streamCase(m: KernelModelConfig, idle: GuestIdle): ConfigOverrides {
  return { ...kernelKeys(m), ...streamCaseKeys(idle) };
}

/** The paced case (2000/s, the RPS target idle between datagrams: C5's warning), 50 ms. */
export function pacedCase(m: KernelModelConfig, idle: GuestIdle): ConfigOverrides {
  return { ...kernelKeys(m), idle, workload: "udp-stream", rate_pps: 2000, payload_bytes: 64, sender_cpu: 0, receiver_cpu: 1, rps_cpus: "2", duration_ms: 50 };
}

/**
 * The device case: the kit's non-NAPI device (`nic-rx`, notebook 04's ksoftirqd scenario: 2 Mpps in
 * batches of 64) interrupting CPU 1, the receiver on CPU 1 or CPU 0, 50 ms.
 */
export function deviceCaseKeys(idle: GuestIdle, receiverCpu: 0 | 1): ConfigOverrides {
  return { idle, workload: "nic-rx", nic_cpu: 1, receiver_cpu: receiverCpu, rps_cpus: "0", rate_pps: 2_000_000, nic_batch: 64, duration_ms: 50 };
}

/** The device case for a kernel. */
export function deviceCase(m: KernelModelConfig, idle: GuestIdle, receiverCpu: 0 | 1): ConfigOverrides {
  return { ...kernelKeys(m), ...deviceCaseKeys(idle, receiverCpu) };
}

/** Datagrams dropped anywhere, as a share of those sent (0 when none was sent). */
export function lossRatio(r: SimResult): number {
  const lost = Object.values(r.packets.dropped).reduce((a, b) => a + b, 0);
  return r.packets.sent > 0 ? lost / r.packets.sent : 0;
}

/** A real figure's median and range over a kernel's runs. */
export interface MetricSpread {
  median: number;
  min: number;
  max: number;
}

/** One bar pair of notebook 09's charts: a kernel's real median and range beside the model's value. */
export function kernelBarPair(kernel: string, realSeries: string, real: MetricSpread, modelSeries: string, model: number) {
  return [
    { label: kernel, series: realSeries, value: real.median, min: real.min, max: real.max },
    { label: kernel, series: modelSeries, value: model },
  ];
}
