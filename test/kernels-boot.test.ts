// One bounded real boot per configuration of Debian's 6.12 image (the smallest of the set to fetch
// once: 6.12 serves three configurations): a 1 s stream steered to CPU1 with and without
// thread_backlog_napi, checking the mechanism facts that do not depend on timing; then the CLI killed
// by SIGTERM and by SIGKILL mid-boot leaves no QEMU behind. Skips, saying why, only when QEMU cannot be
// installed or the Debian mirror cannot be reached.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadKernelMatrix } from "../src/kernels/dataset";
import { leftBehind } from "./helpers/processes";

const CLI = join(process.cwd(), "bin", "softnet-lab.mjs");
let skipReason: string | null = null;
const out = mkdtempSync(join(tmpdir(), "softnet-kboot-"));

function hasQemu(): boolean {
  return spawnSync("sh", ["-c", "command -v qemu-system-x86_64"]).status === 0;
}

beforeAll(() => {
  if (!hasQemu()) spawnSync("bash", ["scripts/ensure-deps.sh", "--kernels"], { stdio: "ignore", timeout: 600_000 });
  if (!hasQemu()) {
    skipReason = "QEMU (qemu-system-x86) is not installed and scripts/ensure-deps.sh --kernels could not install it (not root, or not Debian/Ubuntu)";
    return;
  }
  const f = spawnSync(process.execPath, [CLI, "kernels", "fetch", "6.12"], { encoding: "utf8", timeout: 600_000 });
  if (f.status === 3 && /could not reach/.test(f.stderr)) skipReason = `the Debian mirror cannot be reached: ${f.stderr.trim().split("\n").pop()}`;
  else if (f.status !== 0) throw new Error(`kernels fetch 6.12 failed: ${f.stderr}`);
}, 900_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));


function bootSmoke(name: string, dir: string) {
  return spawnSync(process.execPath, [CLI, "kernels", "boot", name, "--smoke", "--accel", "tcg", "--offline", "--timeout", "120", "--out", dir], { encoding: "utf8", timeout: 180_000 });
}

describe("a real boot of Debian's 6.12 (TCG, 1 s stream steered to CPU1)", () => {
  it("with thread_backlog_napi: backlog_napi/0 and /1 exist and backlog_napi/1 did the work; NET_RX never ran on CPU1", (ctx) => {
    if (skipReason) {
      console.warn(`skipped: ${skipReason}`);
      ctx.skip();
    }
    const dir = join(out, "threads");
    const r = bootSmoke("6.12+threads", dir);
    expect(r.status, r.stderr).toBe(0);
    expect(leftBehind(r.pid)).toEqual([]);
    const [d] = loadKernelMatrix(dir);
    expect(d!.guest.threads).toEqual(expect.arrayContaining(["backlog_napi/0", "backlog_napi/1"]));
    expect(d!.guest.cmdline).toContain("thread_backlog_napi");
    const g = d!.guestRuns[0]!;
    expect(g.context_cpu1).toBe("backlog_napi thread");
    expect(g.net_rx_softirqs[1]).toBe(0);
    expect(g.received_rps[1]).toBe(0);
    expect(g.backlog_napi_switches![1]).toBeGreaterThan(0);
    expect(g.unaccounted).toBe(0);
    expect(d!.runs[0]!.softnet_processed).toEqual([0, expect.any(Number)]);
  }, 200_000);

  it("without the option: no backlog threads; NET_RX on CPU1 after RPS IPIs did the work", (ctx) => {
    if (skipReason) {
      console.warn(`skipped: ${skipReason}`);
      ctx.skip();
    }
    const dir = join(out, "plain");
    const r = bootSmoke("6.12", dir);
    expect(r.status, r.stderr).toBe(0);
    const [d] = loadKernelMatrix(dir);
    expect(d!.guest.threads.filter((t) => t.startsWith("backlog_napi/"))).toEqual([]);
    const g = d!.guestRuns[0]!;
    expect(g.context_cpu1).toBe("softirq (irq exit / bh enable)");
    expect(g.net_rx_softirqs[1]).toBeGreaterThan(0);
    expect(g.received_rps[1]).toBeGreaterThan(0);
    expect(g.unaccounted).toBe(0);
  }, 200_000);

  for (const sig of ["SIGTERM", "SIGKILL"] as const) {
    it(`the CLI killed by ${sig} mid-boot leaves no QEMU and no dataset behind`, async (ctx) => {
      if (skipReason) {
        console.warn(`skipped: ${skipReason}`);
        ctx.skip();
      }
      const dir = join(out, `killed-${sig}`);
      const child = spawn(process.execPath, [CLI, "kernels", "boot", "6.12", "--smoke", "--accel", "tcg", "--offline", "--out", dir], { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      const exited = new Promise<number | null>((res) => child.on("exit", (code, s) => res(code ?? (s ? 128 : null))));
      await new Promise<void>((res) =>
        child.stderr!.on("data", (d: Buffer) => {
          err += d.toString();
          if (/boot 1\/1: TCG/.test(err)) res();
        }),
      );
      // Let QEMU start for real before the signal.
      await new Promise((r) => setTimeout(r, 1500));
      expect(leftBehind(child.pid).length).toBeGreaterThan(0);
      child.kill(sig);
      const code = await exited;
      if (sig === "SIGTERM") expect(code).toBe(143);
      // The watchdog polls its parent once a second.
      const t0 = Date.now();
      while (leftBehind(child.pid).length > 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 250));
      expect(leftBehind(child.pid)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    }, 60_000);
  }
});
