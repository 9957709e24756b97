/**
 * The live figures of the charts that put the model beside real measurements in notebooks 05 and
 * 09: the real bars and the real capture stay as measured (read from the datasets through
 * ./measured.ts, ./capture.ts and ./kernels.ts, which the book's bundle swaps for rows embedded at
 * build time); the model's bars and timeline re-run with the knobs. Browser-safe otherwise.
 */
import { configDiff, resolveConfig } from "../config/parse";
import type { ScalarKey, SimConfig } from "../config/schema";
import { comparisonRows, mirrorDataset, streamRateBars, type MirroredConfig } from "../calibrate/compare";
import { GUEST_IDLE, deviceCase, deviceCaseKeys, kernelBarPair, lossRatio, streamCase, streamCaseKeys } from "../experiments/kernel-cases";
import { firstDatagramWindow, pacedModelOverrides, FIRST_DATAGRAM_SPAN_NS } from "../experiments/trace-beside";
import { barsSpec } from "../charts/bars";
import { timelineSpec } from "../charts/timeline";
import { asText, one, type LiveFigure, type TextSettings } from "./kit";
import { captureSpacing } from "./capture";
import { kernelBars } from "./kernels";
import { MEASURED_DATASET, measuredDataset } from "./measured";

/** The profile notebook 05's cell fits (20 ms, steps x2 and x1.41), committed so the live chart can start from it. */
export const NB05_CALIBRATED_PROFILE = "kvm-epyc-2cpu-lean-quick";

/** What 05's model timeline draws when a reader's run received no datagram. */
export const NO_DATAGRAM_TITLE = `No datagram was received in this run (the first ${FIRST_DATAGRAM_SPAN_NS / 1000} µs shown)`;

/** A mirrored configuration as `--set` text (its costs come from its profile, so they are not repeated). */
function asSettings(c: SimConfig): TextSettings {
  return Object.fromEntries(configDiff(c).filter(([k]) => !k.startsWith("cost.")));
}

/** The dataset's stream payloads (bytes, as text): the payloads 05's chart can draw. */
function streamPayloads(): string[] {
  return [...new Set(measuredDataset().summary.filter((r) => r.mode === "stream").map((r) => String(r.payload_bytes)))];
}

let mirrored: { key: string; byDefault: MirroredConfig[]; calibrated: MirroredConfig[] } | undefined;

/**
 * 05's runs for the knobs' settings: the dataset's streams of one payload mirrored in the model
 * (src/calibrate/compare.ts), once with the default table and once with the knobs' profile. The last
 * answer is kept: the chart needs the mirrored rows of the runs it draws (a mirroring searches a
 * placement seed per RPS-to-both row).
 */
function nb05Mirrors(s: TextSettings): { byDefault: MirroredConfig[]; calibrated: MirroredConfig[] } {
  const c = resolveConfig(s); // a bad knob gets the CLI's message before any work
  const key = JSON.stringify([c.payload_bytes, c.duration_ms, c.profile]);
  if (mirrored?.key !== key) {
    const ds = measuredDataset();
    const streams = { ...ds, summary: ds.summary.filter((r) => r.mode === "stream" && Number(r.payload_bytes) === c.payload_bytes) };
    mirrored = {
      key,
      byDefault: mirrorDataset(streams, { duration_ms: c.duration_ms }),
      calibrated: mirrorDataset(streams, { duration_ms: c.duration_ms, ...(c.profile ? { profile: c.profile } : {}) }),
    };
  }
  return mirrored;
}

/** The series of 05's calibrated bars: the notebook's name for its own fit, else the profile's name. */
function calibratedSeries(profile: string): string {
  if (profile === NB05_CALIBRATED_PROFILE) return "model, calibrated";
  return profile === "" ? "model, no profile (the default table again)" : `model, profile ${profile}`;
}

const pick = (o: TextSettings, keys: readonly ScalarKey[]): TextSettings => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]!]));

const KERNEL_STREAM_KNOBS: ScalarKey[] = ["idle", "rps_cpus", "payload_bytes", "rate_pps", "rcvbuf_bytes", "hog_cpus", "netdev_max_backlog", "profile", "duration_ms"];
const KERNEL_DEVICE_KNOBS: ScalarKey[] = ["rate_pps", "nic_batch", "netdev_max_backlog", "netdev_budget", "idle", "profile", "duration_ms"];

function kernelsFixed(): string {
  const kb = kernelBars();
  return `The "real kernel (QEMU ${kb.accelerator})" bars stay as they are: medians and ranges of the runs of Debian's kernels booted in QEMU (${kb.sources.join(", ")}). ` +
    "Each model bar runs its kernel's own backlog_napi, preempt, ksoftirqd_policy and HZ (src/kernels/set.ts): they are the comparison, so they are not knobs; the knobs turn the rest of the case.";
}

/** 09's bars of the 64 B stream steered to CPU 1: per kernel, the real figure beside the model's run of the kernel's configuration. */
function kernelStreamFigure(name: string, title: RegExp, metric: "ipis_per_packet" | "loss", yTitle: string, tryThis: TextSettings): LiveFigure {
  return {
    id: `09-real-kernels/${name}`, notebook: "09-real-kernels", title,
    knobs: KERNEL_STREAM_KNOBS,
    base: pick(asText(streamCaseKeys(GUEST_IDLE)), KERNEL_STREAM_KNOBS),
    tryThis,
    get fixed() {
      return kernelsFixed();
    },
    // the kernel's keys are not knobs, so the knobs never reach them
    runs: (s) => kernelBars().stream.map((k) => ({ ...asText(streamCase(k.model, GUEST_IDLE)), ...s })),
    chart: (rs, t, s) => {
      const kb = kernelBars();
      // the notebook's model figures are besideModel's, rounded to three significant digits
      const model = (i: number) => Number((metric === "loss" ? lossRatio(rs[i]!) : rs[i]!.per_packet.ipis).toPrecision(3));
      return barsSpec(kb.stream.flatMap((k, i) => kernelBarPair(k.kernel, `real kernel (QEMU ${kb.accelerator})`, k.real[metric]!, `model (idle=${s.idle})`, model(i))),
        { title: t, yTitle, format: ".2f" });
    },
  };
}

export const BESIDE_REAL_FIGURES: readonly LiveFigure[] = [
  {
    // 05 section 3: the calibrated bars are a committed profile (the cell's own fit at the notebook's
    // values); the default-costs bars are the reference the calibration is read against
    id: "05-reproduce-on-your-machine/real-model-calibrated", notebook: "05-reproduce-on-your-machine", title: /^\d+ B stream: the real VM, the model, the calibrated model$/,
    knobs: ["profile", "payload_bytes", "duration_ms"],
    base: { profile: NB05_CALIBRATED_PROFILE, payload_bytes: "64", duration_ms: "50" },
    tryThis: { profile: "kvm-epyc-2cpu-lean" },
    get choices() {
      return { payload_bytes: streamPayloads() };
    },
    reference: { key: "profile", why: "the \"model, default costs\" bars keep the default table: they are what the calibration is read against" },
    fixed: `The "real (median, min-max)" bars stay as they are: the medians and ranges measured on this kit's machine kind (${MEASURED_DATASET}); payload_bytes picks which of its streams are drawn. ` +
      `The calibrated bars start from profiles/${NB05_CALIBRATED_PROFILE}.json, the notebook cell's own fit; profile picks another committed table for them; the default-costs bars keep the default table.`,
    runs: (s) => {
      const { byDefault, calibrated } = nb05Mirrors(s);
      return [...byDefault, ...calibrated].map((m) => asSettings(m.config));
    },
    chart: (rs, t, s) => {
      const { byDefault, calibrated } = nb05Mirrors(s);
      const c = resolveConfig(s);
      const n = byDefault.length;
      const def = byDefault.flatMap((m, i) => comparisonRows(m, rs[i]!));
      const cal = calibrated.flatMap((m, i) => comparisonRows(m, rs[n + i]!));
      return barsSpec(streamRateBars(def, cal, c.payload_bytes, calibratedSeries(c.profile)),
        { title: t.replace(/^\d+ B stream/, `${c.payload_bytes} B stream`), yTitle: "k datagrams/s", xTitle: "", width: 960 });
    },
  },
  {
    // 05 section 4: the model paced at the capture's spacing; the window is found again in each run
    id: "05-reproduce-on-your-machine/model-beside-capture", notebook: "05-reproduce-on-your-machine", title: /^Model: the same workload \(\d+ datagrams\/s\), default costs, the first datagram$/,
    knobs: ["rate_pps", "profile", "rps_cpus", "payload_bytes", "backlog_napi", "preempt", "idle"],
    // rate_pps starts at the real capture's spacing (computed from datasets/traces when the book is built)
    get base() {
      return asText(pacedModelOverrides(captureSpacing()));
    },
    tryThis: { rps_cpus: "2" },
    runs: one,
    chart: (r, t, s) => {
      const c = resolveConfig(s);
      const w = firstDatagramWindow(r[0]!.trace!.records);
      if (!w) return timelineSpec(r[0]!, { title: NO_DATAGRAM_TITLE, from_ns: 0, to_ns: FIRST_DATAGRAM_SPAN_NS });
      const title = t.replace(/\(\d+ datagrams\/s\)/, c.rate_pps > 0 ? `(${c.rate_pps} datagrams/s)` : "(flat out)")
        .replace(/, default costs,/, c.profile ? `, profile ${c.profile},` : ", default costs,");
      return timelineSpec(r[0]!, { title, ...w });
    },
  },
  kernelStreamFigure("ipis-per-packet", /^IPIs per packet, RPS-steered 64 B stream \(real: QEMU/, "ipis_per_packet", "IPIs (CAL + RES) per packet", { idle: "halt" }),
  kernelStreamFigure("datagrams-lost", /^Datagrams lost, RPS-steered 64 B stream \(real: QEMU/, "loss", "lost / sent", { hog_cpus: "1" }),
  {
    id: "09-real-kernels/device-flood-loss", notebook: "09-real-kernels", title: /^Receiver sharing CPU1 with a device flood: datagrams lost \(real: QEMU/,
    knobs: KERNEL_DEVICE_KNOBS,
    base: pick(asText(deviceCaseKeys(GUEST_IDLE, 1)), KERNEL_DEVICE_KNOBS),
    tryThis: { nic_batch: "16" },
    get fixed() {
      return kernelsFixed();
    },
    runs: (s) => kernelBars().device.map((k) => ({ ...asText(deviceCase(k.model, GUEST_IDLE, 1)), ...s })),
    chart: (rs, t) => {
      const kb = kernelBars();
      return barsSpec(kb.device.flatMap((k, i) => kernelBarPair(k.kernel, `real kernel (QEMU ${kb.accelerator})`, k.real.loss!, "model (nic-rx flood)", lossRatio(rs[i]!))),
        { title: t, yTitle: "lost / sent", format: ".2f" });
    },
  },
];
