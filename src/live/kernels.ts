/**
 * The real-kernel figures notebook 09 draws beside the model (Debian's kernels booted in QEMU by
 * `softnet-lab kernels`, datasets/real/qemu-tcg-debian-kernels*), as its live charts need them: per
 * kernel, the model keys that stand for it (src/kernels/set.ts) and the real median and range of each
 * charted figure. In the book's bundle src/browser/kernels.ts stands in for this module with the
 * same rows, computed by this module at build time and embedded.
 */
import type { KernelModelConfig } from "../kernels/set";
import { resolveKernel } from "../kernels/set";
import type { MetricSpread } from "../experiments/kernel-cases";
import { KERNEL_DEVICE_MATRIX_NAME, KERNEL_MATRIX_NAME, deviceFacts, loadRealKernelDevices, loadRealKernels, streamSpread } from "../experiments/real-kernels";

/** One kernel's bars: its model keys and the real figures (median and range over its runs). */
export interface KernelRow {
  kernel: string;
  model: KernelModelConfig;
  real: Record<string, MetricSpread>;
}

export interface KernelBars {
  /** Where the rows come from, relative to the repository. */
  sources: string[];
  /** The accelerators of the main matrix, upper case, joined by "/" (the charts' series name). */
  accelerator: string;
  /** The main matrix (64 B stream steered to CPU 1): `ipis_per_packet` and `loss`. */
  stream: KernelRow[];
  /** The device matrix's kernels without "+" (receiver on the interrupt's CPU): `loss`. */
  device: KernelRow[];
}

let bars: KernelBars | undefined;

/** The rows, read from the datasets and computed once. */
export function kernelBars(): KernelBars {
  if (bars) return bars;
  const ds = loadRealKernels();
  const dev = loadRealKernelDevices();
  const model = (k: string) => resolveKernel(k).model;
  bars = {
    sources: [`datasets/real/${KERNEL_MATRIX_NAME}`, `datasets/real/${KERNEL_DEVICE_MATRIX_NAME}`],
    accelerator: [...new Set(ds.map((d) => d.guest.accelerator.toUpperCase()))].join("/"),
    stream: ds.map((d) => ({ kernel: d.guest.kernel_name, model: model(d.guest.kernel_name), real: { ipis_per_packet: streamSpread(d, "ipis_per_packet"), loss: streamSpread(d, "loss") } })),
    device: dev.filter((d) => !d.guest.kernel_name.includes("+")).map((d) => ({ kernel: d.guest.kernel_name, model: model(d.guest.kernel_name), real: { loss: deviceFacts(d, "device-stream-64-recv-irqcpu").loss } })),
  };
  return bars;
}
