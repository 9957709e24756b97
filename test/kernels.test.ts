// softnet-lab kernels without a boot: the kernel-name resolver, the private apt configuration, the
// initramfs builder (cpio newc, the generated /init), the guest transcript parser on the committed
// transcripts of the matrix, the kernel datasets, and the CLI's exit codes for bad input (2) and for
// an environment that refuses (3), with no QEMU left behind.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/cli/args";
import { aptOptions, privateSources, systemMirror, DEBIAN_KEYRING } from "../src/kernels/apt";
import { loadKernelDataset, loadKernelMatrix } from "../src/kernels/dataset";
import { KernelEnvError } from "../src/kernels/errors";
import { defaultPlan, fullPlan, initScript, smokePlan } from "../src/kernels/guest-plan";
import { APPLETS, buildInitramfs, initramfsEntries, isStaticElf, packCpio, readCpio } from "../src/kernels/initramfs";
import { kernelCmdline, qemuArgv } from "../src/kernels/qemu";
import { DEFAULT_MATRIX_KERNELS, KERNEL_SET, kernelSlug, resolveKernel } from "../src/kernels/set";
import { caseCounters, checkComplete, parseTranscript, workContext } from "../src/kernels/transcript";
import { KERNEL_DEVICE_MATRIX_NAME, KERNEL_MATRIX_DIR } from "../src/experiments/real-kernels";
import { leftBehind } from "./helpers/processes";

const MATRIX = KERNEL_MATRIX_DIR;
const DEVICES = join("datasets", "real", KERNEL_DEVICE_MATRIX_NAME);
const transcript = (kernel: string, boot = 1) => readFileSync(join(MATRIX, kernelSlug(kernel), "transcripts", `boot${boot}.txt`), "utf8");

describe("kernel names", () => {
  it("the set holds the five kernels of the issue and preempt=full as a sixth configuration", () => {
    expect(KERNEL_SET.map((k) => k.name)).toEqual(["6.1", "6.1-rt", "6.12", "6.12+threads", "6.12-rt", "6.12+preempt=full"]);
    expect([...DEFAULT_MATRIX_KERNELS]).toEqual(KERNEL_SET.map((k) => k.name));
  });

  it("resolves each name to its Debian package, boot options and model configuration", () => {
    const t = resolveKernel("6.12+threads");
    expect(t).toMatchObject({ suite: "trixie", metaPackage: "linux-image-amd64", image: "6.12", cmdline: ["thread_backlog_napi"], side: "after" });
    expect(t.model).toEqual({ backlog_napi: "threads", preempt: "none", ksoftirqd_policy: "since-6.5", hz: 250 });
    expect(resolveKernel("6.1-rt")).toMatchObject({ suite: "bookworm", metaPackage: "linux-image-rt-amd64", side: "before", model: { backlog_napi: "softirq", preempt: "rt", ksoftirqd_policy: "2016" } });
    expect(resolveKernel("6.12-rt").model).toMatchObject({ backlog_napi: "threads", preempt: "rt" });
    expect(resolveKernel("6.12+preempt=full")).toMatchObject({ image: "6.12", cmdline: ["preempt=full"], model: { preempt: "full", backlog_napi: "softirq" } });
    expect(resolveKernel("6.1").model.ksoftirqd_policy).toBe("2016");
    expect(resolveKernel("6.12").model.ksoftirqd_policy).toBe("since-6.5");
  });

  it("an unknown name is a usage error naming the allowed names and the nearest one", () => {
    expect(() => resolveKernel("6.12-threads")).toThrow(UsageError);
    expect(() => resolveKernel("6.12-threads")).toThrow(/unknown kernel "6.12-threads" \(did you mean 6.12\+threads\?\); kernels: 6.1, 6.1-rt, 6.12, 6.12\+threads, 6.12-rt, 6.12\+preempt=full/);
    expect(() => resolveKernel(undefined)).toThrow(/a kernel name is required/);
  });

  it("a user's vmlinuz must exist; the command line may not override the kit's console and init", () => {
    expect(() => resolveKernel(undefined, { vmlinuz: "/nonexistent/vmlinuz" })).toThrow(/--vmlinuz: no kernel image at \/nonexistent\/vmlinuz/);
    const dir = mkdtempSync(join(tmpdir(), "softnet-k-"));
    try {
      const f = join(dir, "vmlinuz");
      writeFileSync(f, "x");
      const k = resolveKernel(undefined, { vmlinuz: f, cmdline: "thread_backlog_napi threadirqs" });
      expect(k).toMatchObject({ name: "custom", vmlinuz: f, cmdline: ["thread_backlog_napi", "threadirqs"], model: { backlog_napi: "threads" } });
      expect(() => resolveKernel(undefined, { vmlinuz: f, cmdline: "init=/bin/sh" })).toThrow(/--cmdline: .* may not set console=, init=/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("slugs are file-system safe", () => {
    expect(DEFAULT_MATRIX_KERNELS.map(kernelSlug)).toEqual(["6.1", "6.1-rt", "6.12", "6.12-threads", "6.12-rt", "6.12-preempt-full"]);
  });
});

describe("private apt configuration", () => {
  it("takes the mirror from a deb822 or one-line sources file, skipping security, else deb.debian.org", () => {
    const deb822 = "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n";
    expect(systemMirror([{ name: "/etc/apt/sources.list.d/debian.sources", text: deb822 }])).toBe("http://mirror.example/debian");
    expect(systemMirror([{ name: "/etc/apt/sources.list", text: "# x\ndeb [arch=amd64] http://ftp.example/debian bookworm main\n" }])).toBe("http://ftp.example/debian");
    expect(systemMirror([{ name: "/etc/apt/sources.list", text: "deb http://archive.ubuntu.com/ubuntu noble main\n" }])).toBe("http://deb.debian.org/debian");
  });

  it("names both suites, Debian's keyring explicitly, and points every apt folder at the kit's own", () => {
    const s = privateSources("http://m/debian");
    expect(s).toContain("Suites: bookworm trixie");
    expect(s).toContain(`Signed-By: ${DEBIAN_KEYRING}`);
    const o = aptOptions("/cache/apt").join(" ");
    expect(o).toContain("Dir::Etc::sourcelist=/cache/apt/sources.sources");
    expect(o).toContain("Dir::Etc::sourceparts=-");
    expect(o).toContain("Dir::State::Lists=/cache/apt/lists");
    expect(o).toContain("Dir::Cache=/cache/apt/cache");
    expect(o).not.toMatch(/=\/etc\/apt/);
  });
});

describe("initramfs", () => {
  const fakeElf = (interp: boolean) => {
    const b = Buffer.alloc(64 + 56 * 2);
    b.writeUInt32BE(0x7f454c46, 0);
    b[4] = 2;
    b.writeBigUInt64LE(64n, 32);
    b.writeUInt16LE(56, 54);
    b.writeUInt16LE(2, 56);
    b.writeUInt32LE(1, 64);
    b.writeUInt32LE(interp ? 3 : 1, 64 + 56);
    return b;
  };

  it("packs newc entries that read back the same, sorted, with fixed owners: same input, same bytes", () => {
    const entries = initramfsEntries("#!/bin/sh\necho hi\n", fakeElf(false), Buffer.from("udp"));
    const a = buildInitramfs(entries);
    expect(buildInitramfs([...entries].reverse()).equals(a)).toBe(true);
    const back = readCpio(gunzipSync(a));
    expect(back.map((e) => e.path)).toEqual([...entries.map((e) => e.path)].sort());
    const init = back.find((e) => e.path === "init")!;
    expect(init.data!.toString()).toBe("#!/bin/sh\necho hi\n");
    expect(init.mode).toBe(0o755);
    expect(back.find((e) => e.path === "bin/sh")).toMatchObject({ kind: "symlink", target: "busybox" });
    expect(back.find((e) => e.path === "bin/udp-blast")!.data!.toString()).toBe("udp");
    const raw = packCpio(entries);
    expect(raw.length % 4).toBe(0);
    expect(raw.subarray(raw.length - 200).toString("latin1")).toContain("TRAILER!!!");
  });

  it("the device cases' modules go to /lib/modules/NAME.ko", () => {
    const e = initramfsEntries("x", fakeElf(false), Buffer.from("u"), [{ name: "virtio_net", data: Buffer.from("ko") }]);
    const back = readCpio(gunzipSync(buildInitramfs(e)));
    expect(back.find((x) => x.path === "lib/modules/virtio_net.ko")!.data!.toString()).toBe("ko");
    expect(initramfsEntries("x", fakeElf(false), Buffer.from("u")).some((x) => x.path.startsWith("lib"))).toBe(false);
  });

  it("tells a static ELF from a dynamic one (PT_INTERP)", () => {
    expect(isStaticElf(fakeElf(false))).toBe(true);
    expect(isStaticElf(fakeElf(true))).toBe(false);
    expect(isStaticElf(Buffer.from("#!/bin/sh"))).toBe(false);
  });

  it("/init runs every case of every repeat, interleaved, and uses only the packed applets", () => {
    const p = defaultPlan(3);
    const s = initScript(p);
    const runs = s.split("\n").filter((l) => l.startsWith("run_case "));
    expect(runs).toHaveLength(24);
    expect(runs[0]).toBe("run_case stream-64-rps-off stream 64 0 0 1 1 0 0 1 0");
    expect(runs[8]).toBe("run_case stream-64-rps-off stream 64 0 0 1 1 0 0 2 0");
    expect(runs[5]).toBe("run_case hotplug-stream-64-rps-cpu1 stream 64 2 0 0 1 0 1 1 0");
    expect(runs[6]).toBe("run_case device-stream-64-recv-irqcpu stream 64 0 0 1 1 0 0 1 1");
    expect(s).toContain("setup_devices");
    expect(s).toContain("disable_ipv6");
    expect(s).toContain("poweroff -f");
    expect(s).toContain("/sys/devices/system/cpu/cpu1/online");
    for (const cmd of ["mount", "ip", "grep", "sed", "cut", "usleep", "dmesg", "head", "cat", "rm", "uname", "sync", "poweroff", "insmod", "unshare", "nsenter", "readlink", "basename"]) expect(APPLETS).toContain(cmd);
    expect(smokePlan().cases).toHaveLength(1);
    const full = fullPlan(1);
    expect(full.cases.map((c) => c.payload)).toContain(1024);
    expect(new Set(full.cases.map((c) => c.rps))).toEqual(new Set(["off", "other", "same"]));
  });

  it("QEMU gets no network device, the serial console and the configuration's options", () => {
    const a = qemuArgv({ vmlinuz: "/k", initrd: "/i", cmdline: ["thread_backlog_napi"], accel: "tcg", cpus: 2, memoryMb: 1024 });
    expect(a.join(" ")).toContain("-nic none");
    expect(a.join(" ")).toContain("-accel tcg,thread=multi -cpu max -smp 2");
    expect(a[a.indexOf("-append") + 1]).toBe("console=ttyS0 quiet panic=-1 thread_backlog_napi");
    expect(kernelCmdline([])).toBe("console=ttyS0 quiet panic=-1");
    const d = qemuArgv({ vmlinuz: "/k", initrd: "/i", cmdline: [], accel: "tcg", cpus: 2, memoryMb: 1024, devices: true }).join(" ");
    expect(d).toContain("-nic none -netdev hubport,id=p0,hubid=0 -device virtio-net-pci,netdev=p0 -netdev hubport,id=p1,hubid=0 -device virtio-net-pci,netdev=p1");
    expect(d).not.toMatch(/-netdev (user|tap|bridge|socket)/);
  });
});

describe("guest transcripts", () => {
  it("a small hand-written transcript parses to exact counter deltas", () => {
    const t = parseTranscript(
      [
        "SeaBIOS junk",
        "\x1bc\x1b[?7l@@softnet-lab-guest v1",
        "@@uname 6.12.0-test",
        "@@cmdline console=ttyS0 thread_backlog_napi",
        "@@cpus 0-1",
        "@@realtime 0",
        "@@preempt none (voluntary) full",
        "@@threads",
        "ksoftirqd/0",
        "backlog_napi/1",
        "@@endthreads",
        "@@case id=s repeat=1 mode=stream payload=64 rps_cpus=2 sender_cpu=0 receiver_cpu=1 seconds=1 rate=0 hotplug=0",
        "@@snap before",
        "@@file softnet_stat",
        "00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000002 00000000",
        "0000000a 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000",
        "@@file softirqs",
        "                    CPU0       CPU1",
        "      NET_RX:          5          7",
        "@@file interrupts",
        "LOC:        770        762   Local timer interrupts",
        "RES:         81         69   Rescheduling interrupts",
        "CAL:        238        224   Function call interrupts",
        "@@file snmp",
        "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors",
        "Udp: 10 0 0 10 0",
        "@@file stat",
        "cpu  1 0 1 1 0 0 0 0",
        "cpu0 1 0 1 10 0 0 0 0",
        "cpu1 0 0 0 20 0 0 0 0",
        "ctxt 100",
        "@@file loadavg",
        "0.50 0.20 0.10 1/50 99",
        "@@file tasks",
        "ksoftirqd/1 27 1000 3 1",
        "backlog_napi/1 51 5000 10 0",
        "@@endsnap",
        "@@snap after",
        "@@file softnet_stat",
        "00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000002 00000000",
        "0000010a 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000",
        "@@file softirqs",
        "      NET_RX:          5          7",
        "@@file interrupts",
        "LOC:        800        790   Local timer interrupts",
        "RES:         81        169   Rescheduling interrupts",
        "CAL:        240        230   Function call interrupts",
        "@@file snmp",
        "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors",
        "Udp: 250 0 6 266 6",
        "@@file stat",
        "cpu0 3 0 5 12 0 0 1 0",
        "cpu1 0 0 9 25 0 0 0 0",
        "ctxt 400",
        "@@file loadavg",
        "0.60 0.20 0.10 1/50 99",
        "@@file tasks",
        "ksoftirqd/1 27 1500 4 1",
        "backlog_napi/1 51 905000 110 2",
        "@@endsnap",
        "@@window uptime_before=4.20 uptime_after=5.45",
        "@@client",
        "ready",
        "end",
        "sent=257",
        "elapsed_ns=1000000000",
        "@@server",
        "ready port=4000",
        "received=250",
        "@@dmesg",
        "[    5.1] WARNING: CPU: 1 PID: 0 at kernel/softirq.c:315 do_softirq_post_smp_call_flush+0x42/0x50",
        "@@endcase",
        "@@done",
      ].join("\r\n"),
    );
    expect(t).toMatchObject({ version: "v1", release: "6.12.0-test", realtime: false, preempt: "none (voluntary) full", threads: ["ksoftirqd/0", "backlog_napi/1"], done: true });
    const c = t.cases[0]!;
    expect(c.client.sent).toBe("257");
    expect(c.server.received).toBe("250");
    expect(c.warnings).toEqual(["WARNING: CPU: 1 PID: 0 at kernel/softirq.c:315 do_softirq_post_smp_call_flush+0x42/0x50"]);
    const k = caseCounters(c)!;
    expect(k.processed).toEqual([0, 256]);
    expect(k.dropped).toEqual([0, 1]);
    expect(k.received_rps).toEqual([0, 0]);
    expect(k.net_rx).toEqual([0, 0]);
    expect(k.res).toEqual([0, 100]);
    expect(k.cal).toEqual([2, 6]);
    expect(k.udp.InDatagrams).toBe(240);
    expect(k.ctxt).toBe(300);
    expect(k.idle_ticks).toEqual([2, 5]);
    expect(k.softirq_ticks).toEqual([1, 0]);
    expect(k.backlog_napi_switches).toEqual([0, 102]);
    expect(k.backlog_napi_ns).toEqual([0, 900000]);
    expect(k.ksoftirqd_switches).toEqual([0, 1]);
    expect(k.loadavg1).toBe(0.5);
    expect(workContext(k, 1)).toBe("backlog_napi thread");
  });

  it("a guest that never reported, or stopped midway, is an environment failure", () => {
    expect(() => checkComplete(parseTranscript("SeaBIOS\nKernel panic - not syncing\n"), 1, "6.1 boot 1")).toThrow(KernelEnvError);
    expect(() => checkComplete(parseTranscript("SeaBIOS\n"), 1, "6.1 boot 1")).toThrow(/never reported/);
    expect(() => checkComplete(parseTranscript("@@softnet-lab-guest v1\n@@case id=a repeat=1\n"), 2, "x")).toThrow(/stopped before the end \(1 of 2 cases/);
    expect(parseTranscript("[ 1.0] WARNING: CPU: 0 PID: 1 at x\n").consoleWarnings).toEqual(["WARNING: CPU: 0 PID: 1 at x"]);
  });

  it("the committed transcripts parse completely: 18 cases per boot (the loopback matrix), both boots of every kernel", () => {
    for (const k of DEFAULT_MATRIX_KERNELS)
      for (const b of [1, 2]) {
        const t = parseTranscript(transcript(k, b));
        expect(t.done, `${k} boot ${b}`).toBe(true);
        expect(t.cases).toHaveLength(18);
        for (const c of t.cases) expect(caseCounters(c), `${k} ${c.id}`).not.toBeNull();
      }
  });

  it("threads: backlog_napi/0 and /1 exist with thread_backlog_napi and under 6.12-rt, on no other kernel", () => {
    for (const k of DEFAULT_MATRIX_KERNELS) {
      const t = parseTranscript(transcript(k));
      const has = t.threads.filter((x) => x.startsWith("backlog_napi/"));
      expect(has, k).toEqual(k === "6.12+threads" || k === "6.12-rt" ? ["backlog_napi/0", "backlog_napi/1"] : []);
      expect(t.threads).toContain("ksoftirqd/1");
      expect(t.realtime, k).toBe(k.endsWith("-rt"));
    }
    expect(parseTranscript(transcript("6.12+preempt=full")).preempt).toMatch(/\(full\)/);
    expect(parseTranscript(transcript("6.12")).preempt).toMatch(/\(voluntary\)/);
  });

  it("the kernel's command line carries the configuration's options", () => {
    expect(parseTranscript(transcript("6.12+threads")).cmdline).toContain("thread_backlog_napi");
    expect(parseTranscript(transcript("6.12+preempt=full")).cmdline).toContain("preempt=full");
    expect(parseTranscript(transcript("6.12")).cmdline).not.toContain("thread_backlog_napi");
  });
});

describe("kernel datasets", () => {
  it("every committed kernel dataset loads (measure format plus the guest section) with its kernel facts", () => {
    const ds = loadKernelMatrix(MATRIX);
    expect(ds.map((d) => d.guest.kernel_name).sort()).toEqual([...DEFAULT_MATRIX_KERNELS].sort());
    for (const d of ds) {
      expect(d.metadata.format_version).toBeGreaterThanOrEqual(1);
      expect(d.guest.accelerator).toBe("tcg");
      expect(d.guest.accelerator_reason).toMatch(/KVM|kvm/);
      expect(d.guest.package).toMatch(/^linux-image-6\.(1|12)/);
      expect(d.guest.deb_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(d.guest.hz).toBe(250);
      expect(d.guest.preempt_rt).toBe(d.guest.kernel_name.endsWith("-rt"));
      expect(d.guest.boots).toBe(2);
      expect(d.runs).toHaveLength(36);
      expect(d.guestRuns).toHaveLength(36);
      expect(d.metadata.machine_kind).toMatch(/^QEMU TCG guest/);
    }
  });

  it("the device matrix: both device cases on every kernel, the devices set up in every boot", () => {
    const ds = loadKernelMatrix(DEVICES);
    expect(ds.map((d) => d.guest.kernel_name).sort()).toEqual([...DEFAULT_MATRIX_KERNELS].sort());
    for (const d of ds) {
      expect(new Set(d.runs.map((r) => r.config_id))).toEqual(new Set(["device-stream-64-recv-irqcpu", "device-stream-64-recv-other"]));
      expect(d.runs).toHaveLength(12);
      for (const b of [1, 2]) {
        const t = parseTranscript(readFileSync(join(DEVICES, kernelSlug(d.guest.kernel_name), "transcripts", `boot${b}.txt`), "utf8"));
        expect(t.devices).toMatch(/^ok eth0=virtio\d+ irq=\d+ affinity=0*2$/);
      }
      // Datagrams crossed the devices and reached the receiver's socket layer (a flood also loses some
      // before the stack: the virtio ring full, counted as unaccounted).
      for (const r of d.runs) {
        expect(r.tool_sent as number).toBeGreaterThan(0);
        expect(r.udp_in_datagrams as number).toBeGreaterThan(0);
      }
      expect(d.guest.cmdline).not.toContain("threadirqs");
    }
  });

  it("the default matrix in one command: every kernel, 8 cases x 3 runs x 2 boots, under 15 minutes of boots", () => {
    const dir = join("datasets", "real", "qemu-tcg-debian-kernels-default-2026-12-06");
    const ds = loadKernelMatrix(dir);
    expect(ds.map((d) => d.guest.kernel_name).sort()).toEqual([...DEFAULT_MATRIX_KERNELS].sort());
    let seconds = 0;
    for (const d of ds) {
      expect(d.runs).toHaveLength(48);
      expect(new Set(d.runs.map((r) => r.config_id)).size).toBe(8);
      seconds += d.metadata.duration_s;
      for (const b of [1, 2]) expect(parseTranscript(readFileSync(join(dir, kernelSlug(d.guest.kernel_name), "transcripts", `boot${b}.txt`), "utf8")).devices).toMatch(/^ok /);
      const ctx = new Set(d.guestRuns.filter((g) => g.config_id === "stream-64-rps-other").map((g) => g.context_cpu1));
      const want = d.guest.kernel_name === "6.1-rt" ? "ksoftirqd" : ["6.12+threads", "6.12-rt"].includes(d.guest.kernel_name) ? "backlog_napi thread" : "softirq (irq exit / bh enable)";
      expect([...ctx], d.guest.kernel_name).toEqual([want]);
    }
    expect(seconds).toBeLessThan(15 * 60);
  });

  it("a measure dataset without the guest section is refused by the kernel loader, and still loads as a measure dataset", () => {
    const host = readdirSync("datasets/real").find((n) => n.startsWith("kvm-guest"))!;
    expect(() => loadKernelDataset(join("datasets/real", host))).toThrow(/guest section/);
  });
});

// ---------------------------------------------------------------- CLI exit codes

const CLI = join(process.cwd(), "bin", "softnet-lab.mjs");

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, "kernels", ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, pid: r.pid };
}


describe("kernels CLI exit codes", () => {
  it.each([
    [["boot", "6.13"], /unknown kernel "6.13"/],
    [["boot", "--vmlinuz", "/nonexistent/bzImage"], /--vmlinuz: no kernel image at \/nonexistent\/bzImage/],
    [["boot", "6.12", "--repeats", "0"], /--repeats: expected a whole number 1\.\.20, got "0"/],
    [["boot", "6.12", "--accel", "hvf"], /--accel: expected auto, kvm or tcg/],
    [["frobnicate"], /unknown action "frobnicate"/],
    [["--matrix", "--kernels", "6.1,7.0"], /unknown kernel "7.0"/],
    [["boot", "6.12", "--bogus"], /unknown option --bogus/],
  ])("%j is bad input: exit 2, one clear line, no stack", (args, msg) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("--out that exists is refused before anything boots", () => {
    const dir = mkdtempSync(join(tmpdir(), "softnet-k-out-"));
    try {
      const r = cli(["--matrix", "--out", dir, "--offline"]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--out: .* already exists/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("QEMU missing: exit 3 naming the package", () => {
    const bin = mkdtempSync(join(tmpdir(), "softnet-k-path-"));
    try {
      symlinkSync("/bin/sh", join(bin, "sh"));
      const r = cli(["boot", "6.12", "--smoke", "--offline"], { PATH: bin });
      expect(r.code).toBe(3);
      expect(r.err).toMatch(/qemu-system-x86_64 is not installed \(apt-get install qemu-system-x86/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("--offline with an empty cache, and a suite apt cannot reach: exit 3", () => {
    const cache = mkdtempSync(join(tmpdir(), "softnet-k-cache-"));
    try {
      const off = cli(["fetch", "6.12", "--offline"], { SOFTNET_LAB_CACHE: cache });
      expect(off.code).toBe(3);
      expect(off.err).toMatch(/--offline: 6\.12 not in the cache/);
      const unreachable = cli(["fetch", "6.12"], { SOFTNET_LAB_CACHE: cache, SOFTNET_LAB_DEBIAN_MIRROR: "http://127.0.0.1:9/debian" });
      expect(unreachable.code).toBe(3);
      expect(unreachable.err).toMatch(/apt-get update could not reach the Debian suites on http:\/\/127\.0\.0\.1:9\/debian/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync("/usr/bin/qemu-system-x86_64"))("a guest that never reports (a vmlinuz that is no kernel): exit 3, no QEMU left", () => {
    const dir = mkdtempSync(join(tmpdir(), "softnet-k-bad-"));
    try {
      const f = join(dir, "vmlinuz");
      writeFileSync(f, Buffer.alloc(4096, 7));
      mkdirSync(join(dir, "cache"));
      const r = cli(["boot", "--vmlinuz", f, "--smoke", "--accel", "tcg", "--timeout", "20"], { SOFTNET_LAB_CACHE: join(dir, "cache") });
      expect(r.code).toBe(3);
      expect(r.err).toMatch(/custom boot 1\/1: (QEMU failed|the guest never reported|no end within)/);
      expect(leftBehind(r.pid)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
