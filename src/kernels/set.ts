/**
 * The kernel set of `softnet-lab kernels`: Debian's kernels on both sides of commit dad6b9770263
 * (v6.10, `thread_backlog_napi`), each with its apt package, its boot options and the model
 * configuration that stands for it; and the resolver that turns a name the user typed (or a
 * `vmlinuz` path plus a command line) into one of them.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../errors";
import { closest } from "../config/errors";

/** The model keys that describe a kernel (src/config/schema.ts). */
export interface KernelModelConfig {
  backlog_napi: "softirq" | "threads";
  preempt: "none" | "full" | "rt";
  ksoftirqd_policy: "since-6.5" | "2016";
  hz: number;
}

export interface KernelSpec {
  /** The name the user types: `6.1`, `6.12+threads`, ... or `custom` for a user's vmlinuz. */
  name: string;
  /** One line for `kernels list`. */
  doc: string;
  /** Debian suite and meta package that pins the image package (`linux-image-amd64` depends on it). */
  suite: "bookworm" | "trixie" | null;
  metaPackage: string | null;
  /** The cached kernel this configuration boots (two configurations can share one image). */
  image: string;
  /** Extra kernel command line for this configuration (besides the kit's console options). */
  cmdline: string[];
  /** Upstream side of the change: before (no backlog threads in the source), after (v6.10+). */
  side: "before" | "after" | "unknown";
  model: KernelModelConfig;
  /** For a user's kernel: the vmlinuz path. */
  vmlinuz?: string;
}

/**
 * Debian's generic kernels are built with CONFIG_PREEMPT_VOLUNTARY (6.1) or PREEMPT_DYNAMIC booting
 * voluntary (6.12). The model has no `voluntary`: its `none` stands for it (voluntary only adds
 * might_resched points in long kernel loops, which none of the kit's paths depend on).
 * 6.1 predates the v6.5 revert of "softirq: Let ksoftirqd do its job" (2016 policy); 6.12 has it.
 * HZ is 250 in every Debian x86 kernel (CONFIG_HZ_250), RT included; checked again from `config` at boot.
 */
export const KERNEL_SET: readonly KernelSpec[] = [
  {
    name: "6.1",
    doc: "Debian bookworm 6.1 (before the change; ksoftirqd's 2016 policy; voluntary preemption)",
    suite: "bookworm",
    metaPackage: "linux-image-amd64",
    image: "6.1",
    cmdline: [],
    side: "before",
    model: { backlog_napi: "softirq", preempt: "none", ksoftirqd_policy: "2016", hz: 250 },
  },
  {
    name: "6.1-rt",
    doc: "Debian bookworm 6.1 PREEMPT_RT (before the change: softirqs in ksoftirqd, no backlog threads)",
    suite: "bookworm",
    metaPackage: "linux-image-rt-amd64",
    image: "6.1-rt",
    cmdline: [],
    side: "before",
    model: { backlog_napi: "softirq", preempt: "rt", ksoftirqd_policy: "2016", hz: 250 },
  },
  {
    name: "6.12",
    doc: "Debian trixie 6.12 without the option (after the change, backlog in NET_RX as before)",
    suite: "trixie",
    metaPackage: "linux-image-amd64",
    image: "6.12",
    cmdline: [],
    side: "after",
    model: { backlog_napi: "softirq", preempt: "none", ksoftirqd_policy: "since-6.5", hz: 250 },
  },
  {
    name: "6.12+threads",
    doc: "Debian trixie 6.12 booted with thread_backlog_napi (backlog_napi/N threads)",
    suite: "trixie",
    metaPackage: "linux-image-amd64",
    image: "6.12",
    cmdline: ["thread_backlog_napi"],
    side: "after",
    model: { backlog_napi: "threads", preempt: "none", ksoftirqd_policy: "since-6.5", hz: 250 },
  },
  {
    name: "6.12-rt",
    doc: "Debian trixie 6.12 PREEMPT_RT (backlog threads always on)",
    suite: "trixie",
    metaPackage: "linux-image-rt-amd64",
    image: "6.12-rt",
    cmdline: [],
    side: "after",
    model: { backlog_napi: "threads", preempt: "rt", ksoftirqd_policy: "since-6.5", hz: 250 },
  },
  {
    name: "6.12+preempt=full",
    doc: "Debian trixie 6.12 booted with preempt=full (PREEMPT_DYNAMIC), backlog in NET_RX",
    suite: "trixie",
    metaPackage: "linux-image-amd64",
    image: "6.12",
    cmdline: ["preempt=full"],
    side: "after",
    model: { backlog_napi: "softirq", preempt: "full", ksoftirqd_policy: "since-6.5", hz: 250 },
  },
];

/** The five kernels of the issue, in the order the matrix boots them, plus the sixth configuration. */
export const DEFAULT_MATRIX_KERNELS = ["6.1", "6.1-rt", "6.12", "6.12+threads", "6.12-rt", "6.12+preempt=full"] as const;

/** The Debian images the set needs (one download each). */
export const IMAGES = ["6.1", "6.1-rt", "6.12", "6.12-rt"] as const;

const NAMES = KERNEL_SET.map((k) => k.name);

/** Kernel options the kit passes itself; a user's --cmdline may not contain console/init overrides. */
const FORBIDDEN_CMDLINE = /(^|\s)(console|init|rdinit|panic)=/;

/**
 * Resolves a name (`6.12+threads`) or, with `vmlinuz`, a user's kernel. Throws a UsageError (exit 2)
 * naming the option and the allowed values.
 */
export function resolveKernel(name: string | undefined, opts: { vmlinuz?: string; cmdline?: string } = {}): KernelSpec {
  if (opts.cmdline !== undefined && FORBIDDEN_CMDLINE.test(opts.cmdline)) {
    throw new UsageError(`--cmdline: ${JSON.stringify(opts.cmdline)} may not set console=, init=, rdinit= or panic= (the kit sets them)`);
  }
  const extra = opts.cmdline ? opts.cmdline.split(/\s+/).filter(Boolean) : [];
  if (opts.vmlinuz !== undefined) {
    const path = resolve(opts.vmlinuz);
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`--vmlinuz: no kernel image at ${opts.vmlinuz} (give the path of a bzImage/vmlinuz file)`);
    return {
      name: name ?? "custom",
      doc: `your kernel ${path}`,
      suite: null,
      metaPackage: null,
      image: "custom",
      cmdline: extra,
      side: "unknown",
      vmlinuz: path,
      // Guessed from the command line; the guest's config (if /proc/config.gz exists) is recorded.
      model: { backlog_napi: extra.includes("thread_backlog_napi") ? "threads" : "softirq", preempt: extra.includes("preempt=full") ? "full" : "none", ksoftirqd_policy: "since-6.5", hz: 250 },
    };
  }
  if (name === undefined) throw new UsageError(`a kernel name is required: one of ${NAMES.join(", ")} (or --vmlinuz FILE)`);
  const spec = KERNEL_SET.find((k) => k.name === name);
  if (!spec) {
    const near = closest(name, NAMES);
    throw new UsageError(`unknown kernel ${JSON.stringify(name)}${near ? ` (did you mean ${near}?)` : ""}; kernels: ${NAMES.join(", ")} (or --vmlinuz FILE [--cmdline ...])`);
  }
  return { ...spec, cmdline: [...spec.cmdline, ...extra] };
}

/** A file-system-safe id for a configuration name (`6.12+preempt=full` -> `6.12-preempt-full`). */
export function kernelSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9.]+/g, "-").replace(/^-+|-+$/g, "");
}
