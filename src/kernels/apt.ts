/**
 * Fetches Debian's kernel images through a private apt configuration of the kit's own (its own
 * sources list naming bookworm and trixie on the mirror the machine already uses, Debian's archive
 * keyring named explicitly, its own lists and cache folders; the system's apt setup is never
 * touched) and keeps only `vmlinuz` and `config` of each image in the user's cache folder, with the
 * package name, version and the .deb's sha256.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { KernelEnvError } from "./errors";
import { IMAGES, KERNEL_SET } from "./set";

export interface CachedImage {
  image: string;
  package: string;
  version: string;
  suite: string;
  /** sha256 of the .deb apt downloaded (and checked against the signed Packages index). */
  deb_sha256: string;
  /** The kernel release (`6.12.57+deb13-amd64`), from the file names inside the package. */
  release: string;
  fetched_at: string;
  mirror: string;
  vmlinuz: string;
  config: string;
  /** The virtio-net modules kept (uncompressed .ko paths), for the device cases; [] when not kept. */
  modules: string[];
}

/** The modules the device cases load, in load order (those built in are simply absent). */
export const DEVICE_MODULES = ["failover", "net_failover", "virtio", "virtio_ring", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci", "virtio_net"] as const;

export const DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
const DEFAULT_MIRROR = "http://deb.debian.org/debian";

/** The user's cache folder for kernels: $SOFTNET_LAB_CACHE, else $XDG_CACHE_HOME or ~/.cache, /softnet-lab/kernels. */
export function kernelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SOFTNET_LAB_CACHE) return join(env.SOFTNET_LAB_CACHE, "kernels");
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "softnet-lab", "kernels");
}

/**
 * The Debian mirror the machine already uses: the first http(s) URI of a `deb` source whose suite is
 * a Debian release (one-line or deb822 format), deb.debian.org otherwise.
 */
export function systemMirror(files: { name: string; text: string }[]): string {
  for (const f of files) {
    if (f.name.endsWith(".sources")) {
      for (const stanza of f.text.split(/\n\s*\n/)) {
        const field = (k: string) => stanza.match(new RegExp(`^${k}:\\s*(.+)$`, "mi"))?.[1]?.trim();
        const suites = field("Suites") ?? "";
        const uri = field("URIs")?.split(/\s+/)[0];
        if (/^(bookworm|trixie|sid|stable|testing)(\s|$)/.test(suites) && uri && /^https?:\/\//.test(uri) && !/security/.test(uri)) return uri.replace(/\/$/, "");
      }
    } else {
      for (const line of f.text.split("\n")) {
        const m = line.match(/^\s*deb\s+(?:\[[^\]]*\]\s+)?(https?:\/\/\S+)\s+(bookworm|trixie|sid|stable|testing)\s/);
        if (m && !/security/.test(m[1]!)) return m[1]!.replace(/\/$/, "");
      }
    }
  }
  return DEFAULT_MIRROR;
}

function readSystemSources(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const main = "/etc/apt/sources.list";
  if (existsSync(main)) out.push({ name: main, text: readFileSync(main, "utf8") });
  const d = "/etc/apt/sources.list.d";
  if (existsSync(d)) for (const n of readdirSync(d).sort()) if (n.endsWith(".list") || n.endsWith(".sources")) out.push({ name: join(d, n), text: readFileSync(join(d, n), "utf8") });
  return out;
}

/** The kit's own sources list: both suites on one mirror, signed by Debian's archive keyring. */
export function privateSources(mirror: string): string {
  return ["Types: deb", `URIs: ${mirror}`, "Suites: bookworm trixie", "Components: main", `Signed-By: ${DEBIAN_KEYRING}`, ""].join("\n");
}

/** apt options that point every apt folder at the kit's own and ignore the system's sources and pins. */
export function aptOptions(aptDir: string): string[] {
  const o = (k: string, v: string) => ["-o", `${k}=${v}`];
  return [
    ...o("Dir::Etc::sourcelist", join(aptDir, "sources.sources")),
    ...o("Dir::Etc::sourceparts", "-"),
    ...o("Dir::Etc::preferences", "/dev/null"),
    ...o("Dir::Etc::preferencesparts", "-"),
    ...o("Dir::State::Lists", join(aptDir, "lists")),
    ...o("Dir::State::status", "/dev/null"),
    ...o("Dir::Cache", join(aptDir, "cache")),
    ...o("Debug::NoLocking", "1"),
    ...o("APT::Sandbox::User", "root"),
    ...o("Acquire::Retries", "2"),
    ...o("Acquire::http::Timeout", "30"),
  ];
}

function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs: number }): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: "utf8", timeout: opts.timeoutMs, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, LC_ALL: "C", DEBIAN_FRONTEND: "noninteractive" } });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") throw new KernelEnvError(`${cmd} is not installed (the kernels command needs Debian's apt and dpkg)`);
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

export function readCachedImage(cacheDir: string, image: string): CachedImage | null {
  const f = join(cacheDir, image, "kernel.json");
  if (!existsSync(f)) return null;
  const k = JSON.parse(readFileSync(f, "utf8")) as CachedImage;
  if (!existsSync(join(cacheDir, image, "vmlinuz"))) return null;
  const md = join(cacheDir, image, "modules");
  const modules = existsSync(md) ? DEVICE_MODULES.map((m) => join(md, `${m}.ko`)).filter((f) => existsSync(f)) : [];
  return { ...k, vmlinuz: join(cacheDir, image, "vmlinuz"), config: join(cacheDir, image, "config"), modules };
}

/** Runs `apt-get update` on the private configuration (once per fetch). */
export function aptUpdate(cacheDir: string, log: (l: string) => void): string {
  const aptDir = join(cacheDir, "apt");
  for (const d of ["lists/partial", "cache/archives/partial"]) mkdirSync(join(aptDir, d), { recursive: true });
  if (!existsSync(DEBIAN_KEYRING)) throw new KernelEnvError(`Debian's archive keyring ${DEBIAN_KEYRING} is missing (apt-get install debian-archive-keyring)`);
  // SOFTNET_LAB_DEBIAN_MIRROR overrides the system's mirror (another mirror, or a test of an unreachable one).
  const mirror = process.env.SOFTNET_LAB_DEBIAN_MIRROR || systemMirror(readSystemSources());
  writeFileSync(join(aptDir, "sources.sources"), privateSources(mirror));
  log(`kernels: apt-get update (bookworm, trixie on ${mirror}; private lists in ${aptDir})`);
  const r = run("apt-get", [...aptOptions(aptDir), "-q", "update"], { timeoutMs: 300_000 });
  const failed = /^(E:|W: Failed to fetch|Err:)/m.test(r.stderr + r.stdout);
  if (r.status !== 0 || failed) {
    const lines = (r.stderr + r.stdout).split("\n").filter((l) => /^(E:|W: Failed|Err:)/.test(l));
    throw new KernelEnvError(`apt-get update could not reach the Debian suites on ${mirror}: ${lines.slice(0, 3).join(" | ") || `exit ${r.status}`}`);
  }
  return mirror;
}

/** The image package a meta package pins in a suite: `linux-image-amd64/trixie` -> name and version. */
export function resolveImagePackage(cacheDir: string, metaPackage: string, suite: string): { package: string; version: string } {
  const aptDir = join(cacheDir, "apt");
  const r = run("apt-cache", [...aptOptions(aptDir), "show", `${metaPackage}/${suite}`], { timeoutMs: 60_000 });
  const m = r.stdout.match(/^Depends:.*?\b(linux-image-[0-9][^\s,]*) \(= ([^)]+)\)/m);
  if (r.status !== 0 || !m) throw new KernelEnvError(`apt-cache found no ${metaPackage} in ${suite} (${r.stderr.trim().split("\n")[0] || "no Depends line"})`);
  return { package: m[1]!, version: m[2]! };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

function sha256File(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** Downloads one image package, keeps vmlinuz and config, records the facts. */
export function fetchImage(cacheDir: string, image: string, mirror: string, log: (l: string) => void): CachedImage {
  const spec = KERNEL_SET.find((k) => k.image === image && k.metaPackage);
  if (!spec || !spec.suite || !spec.metaPackage) throw new Error(`fetchImage: no Debian image ${image}`);
  const pkg = resolveImagePackage(cacheDir, spec.metaPackage, spec.suite);
  const work = mkdtempSync(join(cacheDir, `.fetch-${image}-`));
  try {
    chmodSync(work, 0o777); // apt-get download writes as the _apt user when it can
    log(`kernels: apt-get download ${pkg.package}=${pkg.version} (${spec.suite}, about 110 MB)`);
    const d = run("apt-get", [...aptOptions(join(cacheDir, "apt")), "-q", "download", `${pkg.package}=${pkg.version}`], { cwd: work, timeoutMs: 900_000 });
    const deb = readdirSync(work).find((n) => n.endsWith(".deb"));
    if (d.status !== 0 || !deb) throw new KernelEnvError(`apt-get download ${pkg.package}=${pkg.version} failed: ${(d.stderr.trim().split("\n").find((l) => /^E:/.test(l)) ?? `exit ${d.status}`)}`);
    const sha = sha256File(join(work, deb));
    const x = join(work, "x");
    mkdirSync(x);
    // Only ./boot and the few virtio-net modules are unpacked: the other modules (most of the 110 MB) never are.
    // ./lib/modules in bookworm, ./usr/lib/modules in trixie (merged /usr): "./*lib" matches both.
    const pats = ["./boot", "./*lib/modules/*/kernel/drivers/net/virtio_net.ko*", "./*lib/modules/*/kernel/drivers/net/net_failover.ko*", "./*lib/modules/*/kernel/net/core/failover.ko*", "./*lib/modules/*/kernel/drivers/virtio/*"];
    const t = spawnSync("sh", ["-c", `dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards ${pats.map((p) => `'${p}'`).join(" ")}`, "sh", join(work, deb), x], { encoding: "utf8", timeout: 300_000 });
    if (t.status !== 0) throw new KernelEnvError(`dpkg-deb could not unpack ${deb}: ${t.stderr.trim()}`);
    const boot = readdirSync(join(x, "boot"));
    const vm = boot.find((n) => n.startsWith("vmlinuz-"));
    const cfg = boot.find((n) => n.startsWith("config-"));
    if (!vm || !cfg) throw new KernelEnvError(`${deb} holds no boot/vmlinuz-* and boot/config-* (found ${boot.join(", ")})`);
    const dest = join(cacheDir, image);
    const staging = join(work, "keep");
    mkdirSync(staging);
    renameSync(join(x, "boot", vm), join(staging, "vmlinuz"));
    renameSync(join(x, "boot", cfg), join(staging, "config"));
    mkdirSync(join(staging, "modules"));
    const found = ["lib", "usr/lib"].map((l) => join(x, l, "modules", vm.slice("vmlinuz-".length), "kernel")).filter((d) => existsSync(d)).flatMap(listFiles);
    for (const m of DEVICE_MODULES) {
      const f = found.find((p) => basename(p) === `${m}.ko` || basename(p) === `${m}.ko.xz`);
      if (!f) continue;
      if (f.endsWith(".xz")) {
        const u = spawnSync("xz", ["-d", "-k", f], { encoding: "utf8", timeout: 60_000 });
        if (u.status !== 0) throw new KernelEnvError(`xz could not decompress ${basename(f)}: ${(u.stderr ?? "").trim() || "is xz-utils installed?"}`);
      }
      renameSync(f.replace(/\.xz$/, ""), join(staging, "modules", `${m}.ko`));
    }
    const facts: Omit<CachedImage, "vmlinuz" | "config" | "modules"> = {
      image,
      package: pkg.package,
      version: pkg.version,
      suite: spec.suite,
      deb_sha256: sha,
      release: vm.slice("vmlinuz-".length),
      fetched_at: new Date().toISOString(),
      mirror,
    };
    writeFileSync(join(staging, "kernel.json"), JSON.stringify(facts, null, 2) + "\n");
    rmSync(dest, { recursive: true, force: true });
    renameSync(staging, dest);
    log(`kernels: cached ${image}: ${facts.release}, ${pkg.package} ${pkg.version}, sha256 ${sha.slice(0, 16)}...`);
    return readCachedImage(cacheDir, image)!;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Every image the named configurations need, from the cache or (unless offline) from Debian. */
export function ensureImages(images: readonly string[], opts: { cacheDir: string; offline: boolean; refresh?: boolean; needModules?: boolean; log: (l: string) => void }): Map<string, CachedImage> {
  mkdirSync(opts.cacheDir, { recursive: true });
  const out = new Map<string, CachedImage>();
  const missing: string[] = [];
  for (const img of images) {
    const c = opts.refresh ? null : readCachedImage(opts.cacheDir, img);
    // An image cached before the device cases existed has no modules folder: fetch it again.
    if (c && (!opts.needModules || existsSync(join(opts.cacheDir, img, "modules")))) out.set(img, c);
    else missing.push(img);
  }
  if (missing.length === 0) return out;
  if (opts.offline) throw new KernelEnvError(`--offline: ${missing.join(", ")} not in the cache ${opts.cacheDir}${opts.needModules ? " with the device cases' modules" : ""} (run 'softnet-lab kernels fetch' once online)`);
  const mirror = aptUpdate(opts.cacheDir, opts.log);
  for (const img of missing) out.set(img, fetchImage(opts.cacheDir, img, mirror, opts.log));
  return out;
}

export const ALL_IMAGES = IMAGES;
