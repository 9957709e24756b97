/**
 * The terminal summary of booted kernels: per kernel configuration, the context that processed the
 * RPS-steered packets, IPIs and switches per packet, loss and warnings, each as a range over every
 * run of every boot (timing-dependent counts vary from boot to boot under TCG).
 */
import type { KernelDataset } from "./dataset";

export interface KernelFacts {
  kernel: string;
  accelerator: string;
  /** Contexts seen on CPU1 in the RPS-to-CPU1 stream runs (usually one). */
  rpsContext: string[];
  threads: string[];
  ipisPerPacket: [number, number] | null;
  lossRatio: [number, number] | null;
  netRxPerPacket: [number, number] | null;
  backlogSwitchesPerPacket: [number, number] | null;
  /** Runs with a kernel WARNING, out of all runs, and the first warning line. */
  warningRuns: number;
  runs: number;
  warning: string;
}

function range(xs: (number | null | undefined)[]): [number, number] | null {
  const v = xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x));
  return v.length ? [Math.min(...v), Math.max(...v)] : null;
}

/** Facts of one kernel for the cases of `configId` (default: the flat-out stream steered to CPU1). */
export function kernelFacts(d: KernelDataset, wanted = "stream-64-rps-other"): KernelFacts {
  // A plan without the main case (--devices): the first case it has.
  const configId = d.runs.some((r) => r.config_id === wanted) ? wanted : String(d.runs[0]?.config_id ?? wanted);
  const runs = d.runs.filter((r) => r.config_id === configId);
  const guest = d.guestRuns.filter((g) => g.config_id === configId);
  const warned = d.guestRuns.filter((g) => g.warnings > 0);
  return {
    kernel: d.guest.kernel_name,
    accelerator: d.guest.accelerator,
    rpsContext: [...new Set(guest.map((g) => g.context_cpu1))],
    threads: d.guest.threads,
    ipisPerPacket: range(runs.map((r) => r.ipis_per_packet as number | null)),
    lossRatio: range(guest.map((g) => g.lost_ratio)),
    netRxPerPacket: range(runs.map((r) => r.net_rx_per_packet as number | null)),
    backlogSwitchesPerPacket: range(guest.map((g, i) => (g.backlog_napi_switches && (runs[i]?.packets as number) > 0 ? (g.backlog_napi_switches[1] ?? 0) / (runs[i]!.packets as number) : null))),
    warningRuns: warned.length,
    runs: d.guestRuns.length,
    warning: warned[0]?.warning ?? "",
  };
}

export function fmtRange(r: [number, number] | null, digits = 3): string {
  if (!r) return "-";
  const f = (x: number) => Number(x.toPrecision(digits)).toString();
  return r[0] === r[1] ? f(r[0]) : `${f(r[0])}..${f(r[1])}`;
}

export function summaryLines(ds: readonly KernelDataset[]): string[] {
  const main = ds.some((d) => d.runs.some((r) => r.config_id === "stream-64-rps-other"));
  const out = [`kernel              accel  ${main ? "context of RPS-steered packets  " : "context on CPU1 (first case)    "} IPIs/packet   loss          warnings`];
  for (const d of ds) {
    const f = kernelFacts(d);
    out.push(
      `${f.kernel.padEnd(19)} ${f.accelerator.padEnd(6)} ${f.rpsContext.join(" / ").padEnd(32)} ${fmtRange(f.ipisPerPacket).padEnd(13)} ${fmtRange(f.lossRatio).padEnd(13)} ${f.warningRuns}/${f.runs} runs${f.warning ? `: ${f.warning.slice(0, 90)}` : ""}`,
    );
  }
  return out;
}
