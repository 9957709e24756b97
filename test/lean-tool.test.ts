// The lean load tool (tools/udp-blast): it builds with the system compiler, its bad arguments exit 2,
// a short count-bounded stream and ping-pong on 127.0.0.1 report exact counts, it stops at its own
// time limit, and the harness's parser reads what it prints. No root needed: nothing here touches
// rps_cpus (the end-to-end measurement with the lean tool is in measure-e2e.test.ts).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureLeanTool, leanClientArgv, leanPingResult, leanRusage, leanServerArgv, leanStreamResult, parseLeanOutput, parseLeanReadyPort } from "../src/measure/lean-tool";

const SEND_OUTPUT = "ready\nend\nsent=523842\nsend_errors=0\nelapsed_ns=2000053098\nuser_s=0.039939\nsys_s=1.953015\nvoluntary_switches=1\ninvoluntary_switches=34\n";
const RECV_OUTPUT = "ready port=58005\nend\nreceived=519772\nbytes=33265408\nuser_s=0.083192\nsys_s=0.623801\nvoluntary_switches=121143\ninvoluntary_switches=4\n";
const PING_OUTPUT =
  "ready\nend\nsent=36426\nreceived=36426\nlost=0\nelapsed_ns=2000061161\nsamples=36426\nrtt_min_ns=17286\nrtt_avg_ns=54853\nrtt_p50_ns=52908\nrtt_p90_ns=69383\nrtt_p99_ns=84055\nrtt_p999_ns=124084\nrtt_max_ns=2214972\nuser_s=0.030249\nsys_s=0.744735\nvoluntary_switches=36353\ninvoluntary_switches=73\n";

describe("the harness reads what the lean tool prints", () => {
  it("stream: sent from the client, received from the server, time from the client's loop", () => {
    const r = leanStreamResult(parseLeanOutput(SEND_OUTPUT), parseLeanOutput(RECV_OUTPUT));
    expect(r).toEqual({ sent: 523842, received: 519772, elapsedS: 2.000053098 });
    expect(parseLeanReadyPort(RECV_OUTPUT)).toBe(58005);
    expect(leanRusage(parseLeanOutput(RECV_OUTPUT))).toEqual({ cpuS: 0.083192 + 0.623801, voluntary: 121143, involuntary: 4 });
  });
  it("ping-pong: round-trip percentiles in µs", () => {
    const p = leanPingResult(parseLeanOutput(PING_OUTPUT));
    expect(p).toMatchObject({ sent: 36426, received: 36426, lost: 0 });
    expect(p.rtt).toEqual({ min: 17.286, avg: 54.853, p50: 52.908, p90: 69.383, p99: 84.055, p999: 124.084, max: 2214.972 });
  });
  it("output without its end line is an error (the tool died mid-run)", () => {
    expect(() => parseLeanOutput("ready\n")).toThrow(/no 'end' line/);
    expect(() => leanStreamResult(parseLeanOutput("end\n"), parseLeanOutput(RECV_OUTPUT))).toThrow(/no sent= line/);
  });
  it("command lines: 127.0.0.1 is built in, the client waits for its start line", () => {
    expect(leanServerArgv("udp-blast", "stream", 5000, 1, 32)).toEqual(["udp-blast", "recv", "--port", "5000", "--cpu", "1", "--seconds", "32"]);
    expect(leanClientArgv("udp-blast", "pingpong", 5000, 0, 2, 64)).toEqual(["udp-blast", "ping", "--port", "5000", "--cpu", "0", "--seconds", "2", "--payload", "64", "--wait-go"]);
  });
});

const gcc = spawnSync("gcc", ["--version"]).status === 0 ? null : "gcc is not installed (scripts/ensure-deps.sh --measure installs it)";
const dir = mkdtempSync(join(tmpdir(), "udp-blast-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a server and a client of the tool and returns both outputs. */
async function pair(bin: string, server: string[], client: string[]): Promise<{ server: string; client: string; clientCode: number | null }> {
  const s = spawn(bin, server, { stdio: ["ignore", "pipe", "pipe"] });
  let sout = "";
  s.stdout.on("data", (b) => (sout += b));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("server did not print its port")), 5000);
    s.stdout.on("data", () => {
      const p = parseLeanReadyPort(sout);
      if (p !== null) {
        clearTimeout(t);
        resolve(p);
      }
    });
  });
  const c = spawnSync(bin, [...client, "--port", String(port)], { encoding: "utf8", timeout: 10_000 });
  // let the server drain its socket, then stop it as the harness does
  await new Promise((r) => setTimeout(r, 200));
  s.kill("SIGINT");
  await new Promise((r) => s.on("close", r));
  return { server: sout, client: c.stdout, clientCode: c.status };
}

describe.skipIf(gcc !== null)(`udp-blast built and run on 127.0.0.1${gcc ? ` (skipped: ${gcc})` : ""}`, () => {
  const build = () => ensureLeanTool({ outDir: dir });
  it("builds with -Wall -Wextra -Werror, and a second call reuses the binary", () => {
    const a = build();
    const b = build();
    expect(a.path).toBe(b.path);
    expect(a.sourceHash).toMatch(/^[0-9a-f]{12}$/);
  });
  it("bad arguments exit 2 with the option named", () => {
    const r = spawnSync(build().path, ["send", "--port", "9", "--seconds", "0"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--seconds: expected a whole number 1\.\.600, got "0"/);
    const u = spawnSync(build().path, ["fly", "--port", "9", "--seconds", "1"], { encoding: "utf8" });
    expect(u.status).toBe(2);
    // only loopback or the QEMU guests' own subnet: never an address a network could carry
    for (const addr of ["192.168.1.1", "10.0.0.1", "8.8.8.8", "10.99.1.1"]) {
      const a = spawnSync(build().path, ["send", "--port", "9", "--seconds", "1", "--addr", addr], { encoding: "utf8" });
      expect(a.status, addr).toBe(2);
      expect(a.stderr).toMatch(/--addr: expected 127\.x\.y\.z or the guest subnet 10\.99\.0\.z/);
    }
  });
  it("a count-bounded stream sends exactly N datagrams, and the receiver counts what arrived", async () => {
    const bin = build().path;
    const r = await pair(bin, ["recv", "--port", "0", "--seconds", "10"], ["send", "--seconds", "5", "--payload", "64", "--count", "2000"]);
    expect(r.clientCode).toBe(0);
    const sent = parseLeanOutput(r.client);
    const got = parseLeanOutput(r.server);
    expect(sent.sent).toBe(2000);
    expect(got.received).toBeGreaterThan(0);
    expect(got.received).toBeLessThanOrEqual(2000);
    expect(got.bytes).toBe(got.received * 64);
  });
  it("a count-bounded ping-pong gets every reply and reports its percentiles in order", async () => {
    const bin = build().path;
    const r = await pair(bin, ["pong", "--port", "0", "--seconds", "10"], ["ping", "--seconds", "5", "--payload", "64", "--count", "300"]);
    const p = leanPingResult(parseLeanOutput(r.client));
    expect(p.sent).toBe(300);
    expect(p.received + p.lost).toBe(300);
    expect(p.rtt!.min).toBeLessThanOrEqual(p.rtt!.p50);
    expect(p.rtt!.p50).toBeLessThanOrEqual(p.rtt!.p99);
    expect(p.rtt!.p99).toBeLessThanOrEqual(p.rtt!.max);
  });
  it("a server stops by itself at its time limit", () => {
    const r = spawnSync(build().path, ["recv", "--port", "0", "--seconds", "1"], { encoding: "utf8", timeout: 10_000 });
    expect(r.status).toBe(0);
    expect(parseLeanOutput(r.stdout).received).toBe(0);
  });
});
