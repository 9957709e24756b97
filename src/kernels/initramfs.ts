/**
 * Builds the guest's initramfs: Debian's static busybox, the lean load tool udp-blast built static,
 * and the generated `/init`, packed as a gzip'd cpio "newc" archive written here (fixed owners and
 * times, sorted entries: the same inputs give the same bytes).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { KernelEnvError } from "./errors";

export interface CpioEntry {
  path: string;
  /** file: contents; dir; symlink: target. */
  kind: "file" | "dir" | "symlink";
  data?: Buffer;
  target?: string;
  mode: number;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

/** One newc header + name + data (see the kernel's Documentation/driver-api/early-userspace/buffer-format.rst). */
function newcRecord(ino: number, name: string, mode: number, data: Buffer, nlink: number): Buffer {
  const nameBuf = Buffer.from(name + "\0");
  const header =
    "070701" +
    [ino, mode, 0, 0, nlink, 0, data.length, 0, 0, 0, 0, nameBuf.length, 0].map(hex8).join("");
  const head = Buffer.concat([Buffer.from(header, "ascii"), nameBuf]);
  return Buffer.concat([head, Buffer.alloc(pad4(head.length)), data, Buffer.alloc(pad4(data.length))]);
}

/** Packs entries (sorted by path, parents first) into an uncompressed newc archive. */
export function packCpio(entries: readonly CpioEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: Buffer[] = [];
  sorted.forEach((e, i) => {
    const type = e.kind === "dir" ? 0o040000 : e.kind === "symlink" ? 0o120000 : 0o100000;
    const data = e.kind === "file" ? e.data ?? Buffer.alloc(0) : e.kind === "symlink" ? Buffer.from(e.target ?? "") : Buffer.alloc(0);
    parts.push(newcRecord(i + 1, e.path, type | (e.mode & 0o7777), data, e.kind === "dir" ? 2 : 1));
  });
  parts.push(newcRecord(0, "TRAILER!!!", 0, Buffer.alloc(0), 1));
  return Buffer.concat(parts);
}

/** Reads a newc archive back (for tests and for checking what a built initramfs holds). */
export function readCpio(buf: Buffer): CpioEntry[] {
  const out: CpioEntry[] = [];
  let off = 0;
  for (;;) {
    const magic = buf.toString("ascii", off, off + 6);
    if (magic !== "070701") throw new Error(`cpio: bad magic at ${off}: ${magic}`);
    const f = (i: number) => parseInt(buf.toString("ascii", off + 6 + i * 8, off + 14 + i * 8), 16);
    const mode = f(1);
    const size = f(6);
    const nameSize = f(11);
    const nameStart = off + 110;
    const name = buf.toString("utf8", nameStart, nameStart + nameSize - 1);
    let p = nameStart + nameSize;
    p += pad4(p);
    const data = buf.subarray(p, p + size);
    p += size + pad4(size);
    off = p;
    if (name === "TRAILER!!!") return out;
    const type = mode & 0o170000;
    if (type === 0o040000) out.push({ path: name, kind: "dir", mode: mode & 0o7777 });
    else if (type === 0o120000) out.push({ path: name, kind: "symlink", target: data.toString(), mode: mode & 0o7777 });
    else out.push({ path: name, kind: "file", data: Buffer.from(data), mode: mode & 0o7777 });
  }
}

/** The busybox applets /init uses (symlinked to /bin/busybox). */
export const APPLETS = ["sh", "mount", "mkdir", "ip", "cat", "grep", "sed", "cut", "usleep", "sleep", "dmesg", "head", "kill", "rm", "uname", "poweroff", "sync", "echo", "awk", "tr", "ls", "insmod", "unshare", "nsenter", "readlink", "basename"] as const;

/** The initramfs entries for an /init script, a static busybox and a static udp-blast. */
export function initramfsEntries(init: string, busybox: Buffer, udpBlast: Buffer, modules: { name: string; data: Buffer }[] = []): CpioEntry[] {
  const entries: CpioEntry[] = [
    { path: "bin", kind: "dir", mode: 0o755 },
    { path: "dev", kind: "dir", mode: 0o755 },
    { path: "proc", kind: "dir", mode: 0o755 },
    { path: "sys", kind: "dir", mode: 0o755 },
    { path: "tmp", kind: "dir", mode: 0o1777 },
    { path: "init", kind: "file", data: Buffer.from(init), mode: 0o755 },
    { path: "bin/busybox", kind: "file", data: busybox, mode: 0o755 },
    { path: "bin/udp-blast", kind: "file", data: udpBlast, mode: 0o755 },
  ];
  for (const a of APPLETS) entries.push({ path: `bin/${a}`, kind: "symlink", target: "busybox", mode: 0o777 });
  if (modules.length) {
    entries.push({ path: "lib", kind: "dir", mode: 0o755 }, { path: "lib/modules", kind: "dir", mode: 0o755 });
    for (const m of modules) entries.push({ path: `lib/modules/${m.name}.ko`, kind: "file", data: m.data, mode: 0o644 });
  }
  return entries;
}

/** gzip'd newc archive of the entries (gzip level 1: the kernel unpacks it; speed matters more). */
export function buildInitramfs(entries: readonly CpioEntry[]): Buffer {
  return gzipSync(packCpio(entries), { level: 1 });
}

/** True when the ELF file is statically linked (no PT_INTERP program header). */
export function isStaticElf(buf: Buffer): boolean {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2) return false;
  const phoff = Number(buf.readBigUInt64LE(32));
  const phentsize = buf.readUInt16LE(54);
  const phnum = buf.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) if (buf.readUInt32LE(phoff + i * phentsize) === 3) return false;
  return true;
}

/** tools/udp-blast/udp-blast.c of this checkout: beside this file when it is known (CommonJS), else the
 * nearest one at or above the working directory. */
function findUdpBlastSource(): string {
  if (typeof __dirname === "string") {
    const p = resolve(__dirname, "../../tools/udp-blast/udp-blast.c");
    if (existsSync(p)) return p;
  }
  let dir = process.cwd();
  for (;;) {
    const p = join(dir, "tools", "udp-blast", "udp-blast.c");
    if (existsSync(p) || dirname(dir) === dir) return p;
    dir = dirname(dir);
  }
}

export const UDP_BLAST_SOURCE = findUdpBlastSource();

/** Builds udp-blast static with Debian's gcc into the cache (keyed by the source's hash) and returns it. */
export function staticUdpBlast(cacheDir: string, source = UDP_BLAST_SOURCE): Buffer {
  const src = readFileSync(source);
  const key = createHash("sha256").update(src).digest("hex").slice(0, 16);
  const out = join(cacheDir, "tools", `udp-blast-static-${key}`);
  if (existsSync(out)) return readFileSync(out);
  mkdirSync(join(cacheDir, "tools"), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const r = spawnSync("gcc", ["-O2", "-static", "-o", tmp, source], { encoding: "utf8", timeout: 120_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") throw new KernelEnvError("gcc is not installed (needed once to build udp-blast for the guest: apt-get install gcc libc6-dev)");
  if (r.status !== 0) throw new KernelEnvError(`gcc -static could not build ${source}: ${r.stderr.trim().split("\n").slice(0, 3).join(" | ")}`);
  renameSync(tmp, out);
  return readFileSync(out);
}

/** Debian's busybox-static binary. */
export function staticBusybox(): Buffer {
  for (const p of ["/bin/busybox", "/usr/bin/busybox"]) {
    if (existsSync(p) && statSync(p).isFile()) {
      const b = readFileSync(p);
      if (isStaticElf(b)) return b;
    }
  }
  throw new KernelEnvError("no static busybox (apt-get install busybox-static, or scripts/ensure-deps.sh --kernels)");
}
