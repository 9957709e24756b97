// Costs from the kernel's own clock: the committed captures of the lean tool give the committed
// trace-derived profile, and the model's default cost table is that profile; syscall tracepoints
// (which print no "event:" label) parse; the estimators behave on small exact inputs.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { deriveCostsFromTraces, parseCaptureName, spread } from "../src/calibrate/trace-costs";
import { profileFromTraces } from "../src/calibrate/costs-cli";
import { COSTS, type CostName } from "../src/kernel/costs";
import { parseFtraceText } from "../src/trace/ftrace-parse";

const ROOT = resolve(__dirname, "..");
const CAPTURES = "datasets/traces/lean-kvm-guest-2cpu-epyc-linux6.18-2026-12-06";
const PROFILE = JSON.parse(readFileSync(join(ROOT, "profiles/kvm-epyc-2cpu-traced.json"), "utf8"));

describe("the committed captures give the committed profile", () => {
  const derived = deriveCostsFromTraces(join(ROOT, CAPTURES));
  it("every cost entry, its derivation and the tracepoint cost", () => {
    const p = profileFromTraces(PROFILE.name, CAPTURES, PROFILE.machine, derived);
    expect(p.costs).toEqual(PROFILE.costs);
    expect(p.derivation).toEqual(PROFILE.derivation);
    expect(p.tracepoint_ns).toBe(PROFILE.tracepoint_ns);
    expect(p.captures).toHaveLength(32);
  });
  it("the model's default cost table is the trace-derived one", () => {
    // idle_entry_poll comes from the idle-entry captures (test/idle-entry.test.ts)
    for (const name of Object.keys(COSTS) as CostName[]) if (name !== "idle_entry_poll") expect(COSTS[name].ns, name).toBe(PROFILE.costs[name]);
  });
  it("says which entries no tracepoint bracket isolates (they keep a documented default)", () => {
    const kept = Object.entries(derived.derivation).filter(([, d]) => d.kind === "default").map(([k]) => k).sort();
    // backlog_remote_packet: OpenWrt's unpinned backlog threads run in no captured (stock) kernel
    // idle_entry_poll, schedule_queued, schedule_dequeued, ttwu_queue_wakelist: measured from other captures (test/idle-entry.test.ts)
    expect(kept).toEqual(["backlog_remote_packet", "copy_per_kb", "idle_entry_poll", "idle_exit_poll", "irq_entry_exit", "nic_hardirq", "nic_rx_per_packet", "schedule_dequeued", "schedule_queued", "syscall", "ttwu_queue_wakelist"]);
    for (const [, d] of Object.entries(derived.derivation)) expect(d.how.length).toBeGreaterThan(20);
  });
}, 120_000);

describe("pieces", () => {
  it("system call tracepoints parse as syscalls:sys_enter_X / sys_exit_X", () => {
    const text = [
      "       udp-blast-8455    [000] .....   454.146117: sys_sendto(fd: 3, buff: 0x55d50ca83160, len: 0x40, flags: 0, addr: 0x7ffddf47a0a0, addr_len: 0x10)",
      "       udp-blast-8455    [000] .....   454.146168: sys_sendto -> 0x40",
      "       udp-blast-8456    [001] .....   454.146170: sys_recvfrom -> -11",
    ].join("\n");
    const r = parseFtraceText(text).records;
    expect(r.map((x) => x.event)).toEqual(["syscalls:sys_enter_sendto", "syscalls:sys_exit_sendto", "syscalls:sys_exit_recvfrom"]);
    expect(r[1].fields).toEqual({ ret: 64 });
    expect(r[2].fields).toEqual({ ret: -11 });
    expect(r[0].raw).toContain("len: 0x40");
  });
  it("capture names carry the configuration", () => {
    expect(parseCaptureName("stream-1024b-rps_other-recv_same.r0.trace.txt.gz")).toEqual({ id: "stream-1024b-rps_other-recv_same", mode: "stream", payload: 1024, rps: "other", receiver: "same" });
    expect(parseCaptureName("notes.txt")).toBeNull();
  });
  it("nearest-rank spread", () => {
    expect(spread([5, 1, 4, 2, 3, 6, 7, 8, 9, 10])).toEqual({ n: 10, p10: 1, p50: 5, p90: 9 });
  });
});

describe("where the socket's queue was written (docs/design.md, issue 12)", () => {
  const placed = deriveCostsFromTraces(join(ROOT, CAPTURES)).recvmsg_by_queueing_cpu;
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
  it("every stream capture with the reader on the other CPU is placed: RPS to the reader's CPU queues there, the rest on the sender's", () => {
    expect(placed.map((p) => p.id).sort()).toEqual(["1024", "64"].flatMap((b) => ["both", "off", "other", "sender"].map((r) => `stream-${b}b-rps_${r}-recv_other`)).sort());
    for (const p of placed) expect(p.queued_on_reader_cpu > 0.9, p.id).toBe(p.id.includes("rps_other"));
  });
  it("the reader's recvfrom shows no consistent price for a remote queue: the sign flips with the payload, the size stays under 150 ns", () => {
    const diff = (payload: number) => {
      const mine = placed.filter((p) => p.payload === payload && p.queued_on_reader_cpu > 0.9).map((p) => p.recvfrom.p50);
      const other = placed.filter((p) => p.payload === payload && p.queued_on_reader_cpu < 0.1).map((p) => p.recvfrom.p50);
      return med(other) - med(mine);
    };
    expect(Math.sign(diff(64))).not.toBe(Math.sign(diff(1024)));
    expect(Math.abs(diff(64))).toBeLessThan(150);
    expect(Math.abs(diff(1024))).toBeLessThan(150);
    // the docs quote these figures
    expect([diff(64), diff(1024)]).toEqual([-140, 70]);
  });
});

describe("softnet-lab costs --help", () => {
  it("prints the usage and exits 0 (the usage error told users to run it)", async () => {
    const { costs } = await import("../src/calibrate/costs-cli");
    const out: string[] = [];
    const rc = costs.run(["--help"], { out: (s: string) => out.push(s), err: () => {} } as never);
    expect(rc).toBe(0);
    expect(out.join("")).toContain("softnet-lab costs --traces <dir>");
  });
});
