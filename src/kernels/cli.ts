/**
 * `softnet-lab kernels`: lists, fetches and boots Debian's kernels on both sides of the change (and a
 * user's vmlinuz), runs the measurement inside each, and writes one dataset per kernel configuration.
 * Exit codes: 0 done, 2 bad usage, 3 the environment refused or failed (apt, QEMU, a silent guest).
 */
import { existsSync, statSync, accessSync, constants } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { optionsHelp, parseArgs, UsageError, type OptionSpec } from "../cli/args";
import type { Io } from "../cli/command";
import { writeDirAtomic } from "../measure/atomic";
import { ensureImages, kernelCacheDir, readCachedImage } from "./apt";
import { KernelEnvError } from "./errors";
import { defaultPlan, devicePlan, fullPlan, planNeedsDevices, planSeconds, smokePlan, type GuestPlan } from "./guest-plan";
import { findQemu, killAllBoots, qemuVersion, type Accelerator } from "./qemu";
import { chooseAccelerator, runKernel } from "./run";
import { DEFAULT_MATRIX_KERNELS, KERNEL_SET, kernelSlug, resolveKernel, type KernelSpec } from "./set";
import { kernelMetadata, kernelRows, writeKernelDataset, type KernelDataset, type KernelDatasetInput } from "./dataset";
import { summaryLines } from "./report";
import { join } from "node:path";

const OPTIONS: readonly OptionSpec[] = [
  { name: "matrix", takes: "flag", doc: "boot every kernel of the set (6.1, 6.1-rt, 6.12, 6.12+threads, 6.12-rt, 6.12+preempt=full) with the default plan" },
  { name: "full", takes: "flag", doc: "run the host's whole measure matrix inside each guest (both modes, RPS off/other/same, receiver same/other, 64 and 1024 B)" },
  { name: "devices", takes: "flag", doc: "only the device-interrupt cases (two virtio-net devices on a QEMU hub, one in a network namespace; eth0's interrupt on CPU1)" },
  { name: "smoke", takes: "flag", doc: "one 1 s stream steered to the other CPU (the shortest useful boot)" },
  { name: "kernels", takes: "value", valueName: "LIST", doc: "with --matrix: a comma-separated subset of the kernel names" },
  { name: "boots", takes: "value", valueName: "N", doc: "boots per kernel (default 2 with --matrix, else 1; 1..10)" },
  { name: "repeats", takes: "value", valueName: "N", doc: "repetitions of each case inside one boot (default 3; 1..20)" },
  { name: "out", takes: "value", valueName: "DIR", doc: "write the datasets to DIR/<kernel>/ (DIR must not exist unless --force)" },
  { name: "force", takes: "flag", doc: "replace --out DIR if it exists" },
  { name: "offline", takes: "flag", doc: "use cached kernels only; never run apt" },
  { name: "accel", takes: "value", valueName: "auto|kvm|tcg", doc: "accelerator: auto (a KVM probe boot, TCG if it fails; default), kvm or tcg" },
  { name: "vmlinuz", takes: "value", valueName: "FILE", doc: "boot your own kernel image instead of a named one" },
  { name: "cmdline", takes: "value", valueName: "OPTIONS", doc: "extra kernel command line (e.g. \"thread_backlog_napi\")" },
  { name: "timeout", takes: "value", valueName: "SECONDS", doc: "wall-clock limit per boot (default from the plan; 10..3600)" },
  { name: "help", takes: "flag", short: "h", doc: "this help" },
];

export const KERNELS_USAGE = `Usage:
  softnet-lab kernels list                         the kernel set, and which are cached
  softnet-lab kernels fetch [NAME...]              download (apt-get download) and cache the images
  softnet-lab kernels boot NAME [options]          boot one kernel and run the plan inside it
  softnet-lab kernels boot --vmlinuz FILE [--cmdline OPTS] [options]
  softnet-lab kernels --matrix --out DIR           every kernel, 2 boots each, the default plan

Kernels: ${KERNEL_SET.map((k) => k.name).join(", ")}.
Images come from Debian (bookworm, trixie) through a private apt configuration and are cached in
${kernelCacheDir()} (vmlinuz and config only). QEMU boots them on a busybox initramfs with
udp-blast; the guest has no network device. Needs qemu-system-x86 and busybox-static
(scripts/ensure-deps.sh --kernels installs them).

Options:
${optionsHelp(OPTIONS)}

Exit codes: 0 done, 2 bad usage, 3 the environment refused or failed (apt, QEMU, a guest that never reported).
`;

function intOpt(v: string | undefined, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name}: expected a whole number ${min}..${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** --out must be creatable before a long matrix starts. */
function checkOut(out: string, force: boolean): void {
  const p = resolve(out);
  if (existsSync(p) && !force) throw new UsageError(`--out: ${out} already exists; choose another folder or pass --force`);
  if (existsSync(p) && !statSync(p).isDirectory()) throw new UsageError(`--out: ${out} is a file, not a folder`);
  let parent = dirname(p);
  while (!existsSync(parent)) parent = dirname(parent);
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw new UsageError(`--out: cannot write into ${parent}`);
  }
}

function hostKind(): string {
  const c = cpus();
  return `a ${c.length}-CPU ${process.platform} host (${(c[0]?.model ?? "unknown CPU").replace(/\s+/g, " ").trim()})`;
}

export async function kernelsMain(argv: string[], io: Io): Promise<number> {
  const a = parseArgs(argv, OPTIONS);
  if (a.flags.has("help")) {
    io.out(KERNELS_USAGE);
    return 0;
  }
  const [sub, ...names] = a.positionals;
  const matrix = a.flags.has("matrix") || sub === "matrix";
  const cacheDir = kernelCacheDir();
  const log = (l: string) => io.err(l);
  if (!matrix && sub === undefined) throw new UsageError("say what to do: list, fetch, boot NAME, or --matrix");
  if (!matrix && !["list", "fetch", "boot"].includes(sub!)) throw new UsageError(`unknown action ${JSON.stringify(sub)}; actions: list, fetch, boot, matrix (or --matrix)`);
  const accelWant = (a.values.get("accel") ?? "auto") as "auto" | Accelerator;
  if (!["auto", "kvm", "tcg"].includes(accelWant)) throw new UsageError(`--accel: expected auto, kvm or tcg, got ${JSON.stringify(accelWant)}`);

  if (sub === "list") {
    const rows = KERNEL_SET.map((k) => {
      const c = readCachedImage(cacheDir, k.image);
      return `  ${k.name.padEnd(18)} ${c ? `cached ${c.release} (${c.version})` : "not cached"}\n  ${"".padEnd(18)} ${k.doc}`;
    });
    io.out(`Kernels (cache ${cacheDir}):\n${rows.join("\n")}\n`);
    return 0;
  }
  if (sub === "fetch") {
    const specs = names.length ? names.map((n) => resolveKernel(n)) : KERNEL_SET;
    const imgs = [...new Set(specs.map((s) => s.image))];
    const got = ensureImages(imgs, { cacheDir, offline: a.flags.has("offline"), needModules: true, log });
    for (const [img, c] of got) io.out(`${img}: ${c.release} ${c.package} ${c.version} sha256 ${c.deb_sha256}\n`);
    return 0;
  }

  // boot / matrix
  let specs: KernelSpec[];
  if (matrix) {
    if (names.length) throw new UsageError(`--matrix takes no kernel names (got ${names.join(" ")}); use --kernels LIST for a subset`);
    const list = a.values.get("kernels")?.split(",").map((s) => s.trim()).filter(Boolean) ?? [...DEFAULT_MATRIX_KERNELS];
    specs = list.map((n) => resolveKernel(n));
  } else {
    if (a.values.has("kernels")) throw new UsageError("--kernels is for --matrix; name the kernel after boot");
    if (names.length > 1) throw new UsageError(`boot takes one kernel name (got ${names.join(", ")}); use --matrix for several`);
    specs = [resolveKernel(names[0], { vmlinuz: a.values.get("vmlinuz"), cmdline: a.values.get("cmdline") })];
  }
  const repeats = intOpt(a.values.get("repeats"), "repeats", 1, 20, 3);
  const boots = intOpt(a.values.get("boots"), "boots", 1, 10, matrix ? 2 : 1);
  const timeoutS = a.values.has("timeout") ? intOpt(a.values.get("timeout"), "timeout", 10, 3600, 0) : undefined;
  const plans = ["full", "smoke", "devices"].filter((f) => a.flags.has(f));
  if (plans.length > 1) throw new UsageError(`--${plans.join(" and --")} exclude each other`);
  const plan: GuestPlan = a.flags.has("smoke") ? smokePlan() : a.flags.has("full") ? fullPlan(repeats) : a.flags.has("devices") ? devicePlan(repeats) : defaultPlan(repeats);
  const out = a.values.get("out");
  if (out) checkOut(out, a.flags.has("force"));
  else log("kernels: no --out given; results are printed, not saved");

  const qemuBin = findQemu();
  const qemu = qemuVersion(qemuBin);
  const images = ensureImages([...new Set(specs.filter((s) => !s.vmlinuz).map((s) => s.image))], { cacheDir, offline: a.flags.has("offline"), needModules: planNeedsDevices(plan), log });

  // Dies with the CLI: any of these signals kills every running QEMU before the process exits.
  const onSignal = (sig: NodeJS.Signals) => {
    killAllBoots();
    io.err(`kernels: ${sig}: stopped; no QEMU left running, nothing written`);
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  const sigs: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of sigs) process.on(s, onSignal);
  const t0 = Date.now();
  try {
    const firstVm = specs[0]!.vmlinuz ?? images.get(specs[0]!.image)!.vmlinuz;
    const accel = await chooseAccelerator(firstVm, cacheDir, accelWant, log);
    log(`kernels: accelerator ${accel.accel.toUpperCase()} (${accel.reason})`);
    const perBoot = planSeconds(plan);
    log(`kernels: ${specs.length} kernel(s) x ${boots} boot(s), ${plan.cases.length} cases x ${plan.repeats} repeats per boot (about ${Math.round(perBoot)} s of guest work per boot)`);
    const inputs: KernelDatasetInput[] = [];
    for (const spec of specs) {
      inputs.push(
        await runKernel({
          spec,
          image: spec.vmlinuz ? null : images.get(spec.image)!,
          plan,
          boots,
          accel,
          cacheDir,
          qemu,
          command: ["softnet-lab", "kernels", ...argv].join(" "),
          hostKind: hostKind(),
          timeoutMs: timeoutS ? timeoutS * 1000 : undefined,
          log,
          progress: (l) => log(l),
        }),
      );
    }
    const elapsed = (Date.now() - t0) / 1000;
    let datasets: KernelDataset[] = [];
    if (out) {
      writeDirAtomic(
        resolve(out),
        (tmp) => {
          datasets = inputs.map((inp) => writeKernelDataset(join(tmp, kernelSlug(inp.spec.name)), inp));
        },
        a.flags.has("force"),
      );
      log(`kernels: wrote ${inputs.length} dataset(s) to ${out}/ in ${elapsed.toFixed(0)} s (load ${loadavg()[0]!.toFixed(2)})`);
    } else {
      // Not saved: build the rows in memory for the summary.
      datasets = inputs.map((inp) => {
        const { runs, guest } = kernelRows(inp);
        const meta = kernelMetadata(inp);
        return { dir: "", metadata: meta, runs, summary: [], guest: meta.guest, guestRuns: guest };
      });
    }
    io.out(summaryLines(datasets).join("\n") + `\n\nmatrix time: ${elapsed.toFixed(0)} s\n`);
    return 0;
  } finally {
    for (const s of sigs) process.off(s, onSignal);
    killAllBoots();
  }
}

/** The `softnet-lab kernels` subcommand as src/cli/main.ts dispatches it. */
export async function run(argv: string[], io: Io): Promise<number> {
  try {
    return await kernelsMain(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`softnet-lab kernels: ${e.message}\n(see softnet-lab kernels --help)`);
      return 2;
    }
    if (e instanceof KernelEnvError) {
      io.err(`softnet-lab kernels: ${e.message}`);
      return 3;
    }
    throw e;
  }
}

export function help(): string {
  return KERNELS_USAGE;
}
