/**
 * Runs kernels: chooses the accelerator (a KVM probe boot, TCG otherwise), builds the initramfs for a
 * plan, boots each kernel configuration the asked number of times with a wall-clock limit, checks
 * each guest reported to the end, and hands the boots to src/kernels/dataset.ts.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { CachedImage } from "./apt";
import { KernelEnvError } from "./errors";
import { initScript, planNeedsDevices, planSeconds, type GuestPlan } from "./guest-plan";
import { buildInitramfs, initramfsEntries, staticBusybox, staticUdpBlast, UDP_BLAST_SOURCE } from "./initramfs";
import { boot, kvmAvailable, type Accelerator } from "./qemu";
import type { KernelSpec } from "./set";
import { checkComplete, parseTranscript } from "./transcript";
import type { KernelBoot, KernelDatasetInput } from "./dataset";

export interface AccelChoice {
  accel: Accelerator;
  reason: string;
}

/** KVM when /dev/kvm opens and a probe boot of `vmlinuz` reaches the kit's /init, TCG otherwise. */
export async function chooseAccelerator(vmlinuz: string, cacheDir: string, want: "auto" | Accelerator, log: (l: string) => void): Promise<AccelChoice> {
  if (want === "tcg") return { accel: "tcg", reason: "asked for with --accel tcg" };
  if (!kvmAvailable()) {
    if (want === "kvm") throw new KernelEnvError("--accel kvm: /dev/kvm is missing or cannot be opened read-write");
    return { accel: "tcg", reason: "/dev/kvm is missing or not accessible" };
  }
  const dir = mkdtempSync(join(tmpdir(), "softnet-kvm-probe-"));
  try {
    const initrd = join(dir, "initrd.gz");
    writeFileSync(initrd, buildInitramfs(initramfsEntries(initScript({ repeats: 0, cases: [] }), staticBusybox(), staticUdpBlast(cacheDir))));
    log("kernels: probing KVM with one short boot");
    const r = await boot({ vmlinuz, initrd, cmdline: [], accel: "kvm", cpus: 2, memoryMb: 512, timeoutMs: 25_000 });
    const t = parseTranscript(r.transcript);
    if (t.done) return { accel: "kvm", reason: "a KVM probe boot succeeded" };
    const why = r.stderr.trim().split("\n")[0] || (r.ended === "timeout" ? "no guest output within 25 s" : `QEMU ended (${r.ended})`);
    if (want === "kvm") throw new KernelEnvError(`--accel kvm: the KVM probe boot failed: ${why}`);
    return { accel: "tcg", reason: `a KVM probe boot failed (${why.slice(0, 120)}), so TCG` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface BootPlanOptions {
  spec: KernelSpec;
  image: CachedImage | null;
  plan: GuestPlan;
  boots: number;
  accel: AccelChoice;
  cacheDir: string;
  qemu: string;
  command: string;
  hostKind: string;
  /** Per-boot wall-clock limit; default from the plan's length. */
  timeoutMs?: number;
  log: (l: string) => void;
  progress?: (line: string) => void;
}

export function bootTimeoutMs(plan: GuestPlan, accel: Accelerator): number {
  // TCG runs the guest's work several times slower; the limit is generous but bounded.
  return Math.round((40 + planSeconds(plan) * (accel === "tcg" ? 4 : 2)) * 1000);
}

/** Boots one kernel configuration `boots` times and returns the dataset input. */
export async function runKernel(o: BootPlanOptions): Promise<KernelDatasetInput> {
  const vmlinuz = o.spec.vmlinuz ?? o.image?.vmlinuz;
  if (!vmlinuz) throw new Error(`runKernel: no vmlinuz for ${o.spec.name}`);
  const dir = mkdtempSync(join(tmpdir(), "softnet-kernels-"));
  const t0 = Date.now();
  const loadBefore = loadavg().map((x) => Number(x.toFixed(2)));
  try {
    const initrd = join(dir, "initrd.gz");
    const udp = staticUdpBlast(o.cacheDir);
    const devices = planNeedsDevices(o.plan);
    const modules = devices && o.image ? o.image.modules.map((f) => ({ name: basename(f, ".ko"), data: readFileSync(f) })) : [];
    writeFileSync(initrd, buildInitramfs(initramfsEntries(initScript(o.plan), staticBusybox(), udp, modules)));
    const boots: KernelBoot[] = [];
    const expected = o.plan.cases.length * o.plan.repeats;
    for (let b = 1; b <= o.boots; b++) {
      const what = `${o.spec.name} boot ${b}/${o.boots}`;
      o.log(`kernels: ${what}: ${o.accel.accel.toUpperCase()}, ${expected} case runs, cmdline "${o.spec.cmdline.join(" ")}"`);
      const startedMs = Date.now();
      let seen = 0;
      const r = await boot({
        vmlinuz,
        initrd,
        cmdline: o.spec.cmdline,
        devices,
        accel: o.accel.accel,
        cpus: 2,
        memoryMb: 1024,
        timeoutMs: o.timeoutMs ?? bootTimeoutMs(o.plan, o.accel.accel),
        onLine: (l) => {
          if (l.startsWith("@@case ")) {
            seen++;
            o.progress?.(`  ${what}: case ${seen}/${expected} ${l.slice(7).split(" ")[0]!.replace(/^id=/, "")}`);
          }
        },
      });
      const t = parseTranscript(r.transcript);
      if (!t.done || !t.version) {
        // Keep what the failed guest printed, for diagnosis.
        const keep = join(o.cacheDir, `failed-${o.spec.name.replace(/[^A-Za-z0-9.]+/g, "-")}-boot${b}.txt`);
        writeFileSync(keep, `# ${r.argv.join(" ")}\n# ended: ${r.ended}, exit ${r.exitCode}, ${r.wallMs} ms\n# stderr: ${r.stderr.trim()}\n${r.transcript}`);
        o.log(`kernels: ${what}: the guest's serial output is in ${keep}`);
      }
      if (r.ended === "timeout") throw new KernelEnvError(`${what}: no end within ${Math.round((o.timeoutMs ?? bootTimeoutMs(o.plan, o.accel.accel)) / 1000)} s (QEMU killed; ${t.cases.length} of ${expected} cases reported)`);
      if (r.ended === "error" && !t.version) throw new KernelEnvError(`${what}: QEMU failed: ${r.stderr.trim().split("\n")[0] || `exit ${r.exitCode}`}`);
      checkComplete(t, expected, what);
      boots.push({ transcript: t, raw: r.transcript, startedMs, wallMs: r.wallMs });
      o.log(`kernels: ${what} done in ${(r.wallMs / 1000).toFixed(1)} s`);
    }
    return {
      spec: o.spec,
      image: o.image,
      plan: o.plan,
      boots,
      accelerator: o.accel.accel,
      acceleratorReason: o.accel.reason,
      qemu: o.qemu,
      udpBlastSha: createHash("sha256").update(readFileSync(UDP_BLAST_SOURCE)).digest("hex"),
      command: o.command,
      hostKind: o.hostKind,
      loadBefore,
      loadAfter: loadavg().map((x) => Number(x.toFixed(2))),
      durationS: Number(((Date.now() - t0) / 1000).toFixed(1)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
