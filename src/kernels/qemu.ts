/**
 * Boots one kernel in QEMU and returns what the guest printed on its serial console. QEMU runs in
 * its own process group under a small watchdog shell that kills it when the CLI's process goes
 * away (whatever killed it), with a wall-clock limit per boot; the guest has no network device
 * (`-nic none`). The accelerator is KVM when a probe boot succeeds, TCG otherwise.
 */
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { KernelEnvError } from "./errors";

export type Accelerator = "kvm" | "tcg";

export interface BootRequest {
  vmlinuz: string;
  initrd: string;
  /** Kernel options besides the kit's own console ones. */
  cmdline: string[];
  accel: Accelerator;
  cpus: number;
  memoryMb: number;
  /** Two virtio-net devices joined by a QEMU hub with nothing else on it (the device cases). */
  devices?: boolean;
  /** Wall-clock limit for the whole boot (QEMU is killed after it). */
  timeoutMs: number;
  /** Called with each complete line of the serial console as it arrives. */
  onLine?: (line: string) => void;
}

export interface BootResult {
  transcript: string;
  /** How QEMU ended: the guest powered off, or the kit killed it (time limit / signal). */
  ended: "poweroff" | "timeout" | "signal" | "error";
  exitCode: number | null;
  wallMs: number;
  argv: string[];
  stderr: string;
}

export const QEMU_BIN = "qemu-system-x86_64";

/** The kit's own kernel options: serial console, no reboot loop, quiet boot. */
export function kernelCmdline(extra: readonly string[]): string {
  return ["console=ttyS0", "quiet", "panic=-1", ...extra].join(" ");
}

export function qemuArgv(req: Omit<BootRequest, "onLine" | "timeoutMs">): string[] {
  const accel = req.accel === "kvm" ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg,thread=multi", "-cpu", "max"];
  return [
    ...accel,
    "-smp", String(req.cpus),
    "-m", String(req.memoryMb),
    "-nographic", "-monitor", "none", "-no-reboot",
    "-nic", "none",
    // The hub has only these two ports: no traffic can leave the QEMU process.
    ...(req.devices ? ["-netdev", "hubport,id=p0,hubid=0", "-device", "virtio-net-pci,netdev=p0", "-netdev", "hubport,id=p1,hubid=0", "-device", "virtio-net-pci,netdev=p1"] : []),
    "-kernel", req.vmlinuz,
    "-initrd", req.initrd,
    "-append", kernelCmdline(req.cmdline),
  ];
}

/** The QEMU binary's path, or a KernelEnvError naming the package to install. */
export function findQemu(env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync("sh", ["-c", `command -v ${QEMU_BIN}`], { encoding: "utf8", env });
  const p = r.stdout.trim();
  if (r.status !== 0 || !p) throw new KernelEnvError(`${QEMU_BIN} is not installed (apt-get install qemu-system-x86, or scripts/ensure-deps.sh --kernels)`);
  return p;
}

export function qemuVersion(bin: string): string {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 10_000 });
  return (r.stdout ?? "").split("\n")[0]!.trim();
}

/** Process groups of running boots, so a signal handler can kill them all. */
const live = new Set<number>();

/** Kills every running boot (SIGKILL to its process group). Safe to call at any time. */
export function killAllBoots(): void {
  for (const pgid of live) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  live.clear();
}

/** Number of boots still running (tests check it is 0 afterwards). */
export function liveBoots(): number {
  return live.size;
}

// The watchdog: runs QEMU in the background, forwards nothing, and kills it when the CLI (its parent's
// pid, passed in) disappears or when it is told to stop. It shares QEMU's process group.
const WATCHDOG = `
q=""
trap '[ -n "$q" ] && kill -9 $q 2>/dev/null; exit 143' TERM INT HUP
"$@" </dev/null &
q=$!
while kill -0 $q 2>/dev/null; do
  if ! kill -0 "$SOFTNET_PARENT" 2>/dev/null; then kill -9 $q 2>/dev/null; exit 137; fi
  sleep 1
done
wait $q
`;

export function boot(req: BootRequest, qemuBin = QEMU_BIN): Promise<BootResult> {
  const argv = qemuArgv(req);
  const t0 = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn("sh", ["-c", WATCHDOG, "watchdog", qemuBin, ...argv], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, SOFTNET_PARENT: String(process.pid) },
    });
    const pgid = child.pid!;
    live.add(pgid);
    let out = "";
    let err = "";
    let pending = "";
    let ended: BootResult["ended"] = "poweroff";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
      // The serial console writes CR LF; keep LF only.
      const text = d.replace(/\r/g, "");
      out += text;
      if (req.onLine) {
        pending += text;
        let i;
        while ((i = pending.indexOf("\n")) >= 0) {
          req.onLine(pending.slice(0, i));
          pending = pending.slice(i + 1);
        }
      }
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => (err += d));
    const timer = setTimeout(() => {
      ended = "timeout";
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        /* gone */
      }
    }, req.timeoutMs);
    child.on("error", () => (ended = "error"));
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      live.delete(pgid);
      // Make sure nothing of the group outlives the boot (QEMU's own threads are one process).
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        /* gone */
      }
      if (ended === "poweroff" && (sig || code !== 0)) ended = sig ? "signal" : "error";
      resolvePromise({ transcript: out, ended, exitCode: code, wallMs: Date.now() - t0, argv: [qemuBin, ...argv], stderr: err });
    });
  });
}

/** Whether /dev/kvm can be opened read-write by this process. */
export function kvmAvailable(): boolean {
  if (!existsSync("/dev/kvm")) return false;
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
