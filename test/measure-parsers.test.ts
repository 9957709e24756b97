// The /proc parsers and the tool-output parsers read text captured from a real Linux 6.18 KVM guest
// (test/fixtures/measure/*.6.18*.txt, sockperf-*.3.7.txt); older softnet_stat layouts are synthetic.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffSnapshots, takeSnapshot, type ProcFs } from "../src/measure/counters";
import { formatCpuMask, parseCpuList, parseCpuMask, sameMask } from "../src/measure/cpumask";
import { parseRusage, RUSAGE_FORMAT } from "../src/measure/process";
import { interruptCounts, parseInterrupts } from "../src/measure/procfs/interrupts";
import { busyTicks, parseProcStat } from "../src/measure/procfs/proc-stat";
import { parseSnmp } from "../src/measure/procfs/snmp";
import { parseSoftirqs } from "../src/measure/procfs/softirqs";
import { parseSoftnetStat } from "../src/measure/procfs/softnet-stat";
import { parsePidStat, parseSchedstat, parseStatus } from "../src/measure/procfs/task";
import { parseProcNetUdp } from "../src/measure/procfs/udp-sockets";
import { parsePingPongOutput, parseServerOutput, parseSockperfVersion, parseThroughputOutput } from "../src/measure/sockperf";
import { parsePreemptDebugfs, parseKernelConfig, preemptModel, selectCmdlineFlags } from "../src/measure/metadata";

const fx = (name: string) => readFileSync(join(__dirname, "fixtures/measure", name), "utf8");

describe("softnet_stat", () => {
  it("reads the 15-column layout of 6.18 with the CPU from the index column", () => {
    const s = parseSoftnetStat(fx("softnet_stat.6.18.after.txt"));
    expect(s.columns).toBe(15);
    expect(s.cpuFromIndex).toBe(true);
    expect(s.rows.map((r) => r.cpu)).toEqual([0, 1]);
    expect(s.rows[0].processed).toBe(0x1e91c6);
    expect(s.rows[1].received_rps).toBe(0x46c54); // column 10
    expect(s.rows[0].time_squeeze).toBe(1);
    expect(s.rows[1].input_qlen).toBe(0);
  });

  it("names the columns of older layouts by their count", () => {
    const v311 = "0000000a 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000005 00000006\n";
    const r11 = parseSoftnetStat(v311 + v311).rows;
    expect(r11[1]).toMatchObject({ cpu: 1, processed: 10, dropped: 1, time_squeeze: 2, received_rps: 5, flow_limit_count: 6, backlog_len: null });
    const v510 = "0000000a 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000005 00000006 00000003 00000007\n";
    expect(parseSoftnetStat(v510).rows[0]).toMatchObject({ cpu: 7, backlog_len: 3, input_qlen: null });
    const v2635 = "0000000a 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000005\n";
    expect(parseSoftnetStat(v2635).rows[0]).toMatchObject({ received_rps: 5, flow_limit_count: null });
  });

  it("rejects unknown widths and non-hex text with the line", () => {
    expect(() => parseSoftnetStat("0000000a 00000001\n")).toThrow(/line 1: 2 columns/);
    expect(() => parseSoftnetStat(fx("softnet_stat.6.18.txt") + "zz\n")).toThrow(/line 3: expected hex/);
  });
});

describe("/proc/softirqs, /proc/interrupts, /proc/net/snmp, /proc/stat", () => {
  it("reads NET_RX per CPU", () => {
    const s = parseSoftirqs(fx("softirqs.6.18.txt"));
    expect(s.cpus).toEqual([0, 1]);
    expect(s.counts.NET_RX).toEqual([236213, 53483]);
    expect(Object.keys(s.counts)).toContain("HRTIMER");
  });

  it("reads CAL, RES and LOC per CPU and machine-wide rows", () => {
    const irq = parseInterrupts(fx("interrupts.6.18.txt"));
    expect(interruptCounts(irq, "CAL")).toEqual([125177, 145991]);
    expect(interruptCounts(irq, "RES")).toEqual([37617, 28332]);
    expect(interruptCounts(irq, "LOC")).toEqual([54775, 55442]);
    expect(irq.rows.RES.description).toBe("Rescheduling interrupts");
    expect(irq.rows.ERR).toMatchObject({ perCpu: null, total: 0 });
    expect(irq.rows["38"].description).toContain("virtio2-input.0");
    expect(interruptCounts(irq, "NOPE")).toEqual([0, 0]);
  });

  it("reads the Udp counters", () => {
    const s = parseSnmp(fx("snmp.6.18.txt"));
    expect(s.Udp).toMatchObject({ InDatagrams: 258737, InErrors: 2120, RcvbufErrors: 2120, NoPorts: 0 });
    expect(s.Tcp.MaxConn).toBe(-1);
    expect(() => parseSnmp("Udp: InDatagrams\nTcp: 1\n")).toThrow(/line 1/);
  });

  it("reads per-CPU times and ctxt", () => {
    const s = parseProcStat(fx("stat.6.18.txt"));
    expect(s.ctxt).toBe(1580198);
    expect(s.cpus.get(1)).toMatchObject({ user: 7494, system: 5192, softirq: 253, steal: 0 });
    expect(busyTicks(s.cpus.get(0)!)).toBe(6119 + 4308 + 204);
  });
});

describe("per-task files", () => {
  it("reads ksoftirqd's stat, schedstat and status", () => {
    const st = parsePidStat(fx("ksoftirqd-stat.6.18.txt"));
    expect(st).toMatchObject({ pid: 14, comm: "ksoftirqd/0", state: "S", utime: 4, stime: 0, processor: 0 });
    expect(parseSchedstat(fx("ksoftirqd-schedstat.6.18.txt"))).toEqual({ runNs: 42100130, waitNs: 489330237, timeslices: 1320 });
    expect(parseStatus(fx("ksoftirqd-status.6.18.txt"))).toMatchObject({ name: "ksoftirqd/0", voluntary: 1288, involuntary: 32, cpusAllowedList: "0" });
  });

  it("keeps a comm with spaces and parentheses whole", () => {
    const line = "42 (a (b) c) R 1 1 1 0 -1 0 0 0 0 0 7 9 0 0 20 0 1 0 555 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0\n";
    expect(parsePidStat(line)).toMatchObject({ pid: 42, comm: "a (b) c", utime: 7, stime: 9, starttime: 555, processor: 1 });
  });
});

describe("/proc/net/udp", () => {
  it("finds the server socket on 127.0.0.1 and its receive queue", () => {
    const socks = parseProcNetUdp(fx("proc-net-udp.6.18.txt"));
    expect(socks[0]).toEqual({ localIp: "127.0.0.1", localPort: 0x9e91, txQueue: 0, rxQueue: 0x900, drops: 0 });
    expect(socks[1].localIp).toBe("0.0.0.0");
  });
});

describe("counter snapshots", () => {
  it("diffs two captured snapshots per CPU", () => {
    const files = (suffix: string): ProcFs => ({
      read: (p) => {
        const map: Record<string, string> = {
          "/proc/net/softnet_stat": `softnet_stat.6.18${suffix}.txt`,
          "/proc/softirqs": `softirqs.6.18${suffix}.txt`,
          "/proc/interrupts": `interrupts.6.18${suffix}.txt`,
          "/proc/net/snmp": `snmp.6.18${suffix}.txt`,
          "/proc/stat": `stat.6.18${suffix}.txt`,
          "/proc/14/schedstat": `ksoftirqd-schedstat.6.18${suffix}.txt`,
          "/proc/14/status": `ksoftirqd-status.6.18${suffix}.txt`,
        };
        if (!map[p]) throw new Error(`no fixture for ${p}`);
        return fx(map[p]);
      },
      readdir: () => [],
    });
    const threads = { ksoftirqd: new Map([[0, 14]]), backlogNapi: new Map<number, number>() };
    const a = takeSnapshot(threads, files(""));
    const b = takeSnapshot(threads, files(".after"));
    const d = diffSnapshots(a, b);
    const before = parseSoftnetStat(fx("softnet_stat.6.18.txt")).rows;
    const after = parseSoftnetStat(fx("softnet_stat.6.18.after.txt")).rows;
    expect(d.softnet_processed).toEqual([after[0].processed - before[0].processed, after[1].processed - before[1].processed]);
    expect(d.softnet_received_rps).toEqual([0, 0x46c54]);
    const rx = (f: string) => parseSoftirqs(fx(f)).counts.NET_RX;
    expect(d.net_rx_softirqs).toEqual([0, 1].map((i) => rx("softirqs.6.18.after.txt")[i] - rx("softirqs.6.18.txt")[i]));
    expect(d.ctxt).toBe(parseProcStat(fx("stat.6.18.after.txt")).ctxt - 1580198);
    expect(d.ksoftirqd_switches).toEqual([3647 + 92 - (1288 + 32), 0]);
    expect(d.backlog_napi_cpu_ns).toBeNull();
    expect(d.udp_in_datagrams).toBeGreaterThan(0);
  });
});

describe("CPU masks", () => {
  it("parses and formats the sysfs forms", () => {
    expect(parseCpuMask("2")).toEqual([1]);
    expect(parseCpuMask("00000000,00000003")).toEqual([0, 1]);
    expect(parseCpuMask("0x10")).toEqual([4]);
    expect(formatCpuMask([1])).toBe("2");
    expect(formatCpuMask([])).toBe("0");
    expect(formatCpuMask([0, 5])).toBe("21");
    expect(parseCpuList("0-2,5")).toEqual([0, 1, 2, 5]);
    expect(sameMask("00", "0")).toBe(true);
    expect(() => parseCpuMask("xyz")).toThrow(/not a hex CPU mask/);
  });
});

describe("tool output", () => {
  it("reads the throughput client, the server and the ping-pong client", () => {
    expect(parseThroughputOutput(fx("sockperf-tp.3.7.txt"))).toEqual({ sent: 171385, runtimeS: 1.001, rateMsgPerS: 171299 });
    expect(parseServerOutput(fx("sockperf-server.3.7.txt"))).toEqual({ received: 210198 });
    const pp = parsePingPongOutput(fx("sockperf-pp.3.7.txt"));
    expect(pp).toMatchObject({ runtimeS: 1.001, sent: 44414, received: 44413, avgUs: 9.897 });
    expect(pp.p50Us).toBeGreaterThan(pp.minUs);
    expect(pp.p99Us).toBeGreaterThanOrEqual(pp.p90Us);
    expect(parseSockperfVersion(fx("sockperf-tp.3.7.txt"))).toBe("3.7-no.git");
    expect(() => parseServerOutput("sockperf: nothing")).toThrow(/Total N messages received/);
  });

  it("reads GNU time's rusage line, also after a non-zero exit notice", () => {
    expect(RUSAGE_FORMAT).toContain("%w %c");
    expect(parseRusage("Command exited with non-zero status 1\nsoftnet-lab-rusage 3.21 0.12 0.85 5 33\n")).toEqual({ elapsedS: 3.21, userS: 0.12, sysS: 0.85, voluntary: 5, involuntary: 33 });
    expect(parseRusage("garbage")).toBeNull();
  });
});

describe("kernel facts", () => {
  it("reads the preemption model, debugfs mode and the relevant boot flags", () => {
    const cfg = parseKernelConfig("CONFIG_PREEMPT_NONE=y\n# CONFIG_PREEMPT is not set\nCONFIG_PREEMPT_DYNAMIC=y\nCONFIG_HZ=250\n");
    expect(preemptModel(cfg)).toBe("PREEMPT_NONE");
    expect(cfg.get("CONFIG_HZ")).toBe("250");
    expect(preemptModel(parseKernelConfig("CONFIG_PREEMPT_RT=y\nCONFIG_PREEMPT=y\n"))).toBe("PREEMPT_RT");
    expect(parsePreemptDebugfs("none voluntary (full) lazy\n")).toBe("full");
    expect(selectCmdlineFlags("console=ttyS0 thread_backlog_napi mitigations=auto -- --addr 0.0.0.0:1 threadirqs")).toEqual(["thread_backlog_napi", "mitigations=auto"]);
  });
});
