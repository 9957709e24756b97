/**
 * One end of the small loopback UDP workload behind the committed real traces (datasets/traces):
 * `rx <count> <timeoutMs>` binds 127.0.0.1 on a free port, prints "ready <port>", and exits after
 * <count> datagrams ("done <n>") or the timeout ("timeout <n>", exit 1). `tx <port> <count> <gapUs>
 * <bytes>` connects, prints "ready", waits for a line on stdin, then sends <count> datagrams of
 * <bytes>, sleeping <gapUs> µs between them (0: back to back), and prints "done <n>".
 * The process title (comm) is udp-rx / udp-tx so the trace names them.
 */
import * as dgram from "node:dgram";

const [mode, ...args] = process.argv.slice(2);
const nums = args.map(Number);
if (nums.some((n) => !Number.isFinite(n) || n < 0)) fail(`arguments must be numbers >= 0, got ${args.join(" ")}`);

function fail(message: string): never {
  process.stderr.write(`trace-udp-peer: ${message}\n`);
  process.exit(2);
}

if (mode === "rx") {
  const [count, timeoutMs] = nums;
  if (!(count > 0 && timeoutMs > 0 && timeoutMs <= 60_000)) fail("rx <count > 0> <timeoutMs 1..60000>");
  process.title = "udp-rx";
  const sock = dgram.createSocket("udp4");
  let got = 0;
  const timer = setTimeout(() => {
    process.stdout.write(`timeout ${got}\n`);
    process.exit(1);
  }, timeoutMs);
  sock.on("message", () => {
    if (++got === count) {
      clearTimeout(timer);
      process.stdout.write(`done ${got}\n`);
      sock.close();
    }
  });
  sock.bind(0, "127.0.0.1", () => process.stdout.write(`ready ${sock.address().port}\n`));
} else if (mode === "tx") {
  const [port, count, gapUs, bytes] = nums;
  if (!(port > 0 && port < 65536 && count > 0 && count <= 100_000 && gapUs <= 1_000_000 && bytes >= 1 && bytes <= 65000)) {
    fail("tx <port> <count 1..100000> <gapUs 0..1000000> <bytes 1..65000>");
  }
  process.title = "udp-tx";
  const sock = dgram.createSocket("udp4");
  const payload = Buffer.alloc(bytes, 0x61);
  // Atomics.wait sleeps in the kernel (futex) for sub-millisecond gaps; setTimeout cannot go below 1 ms.
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  sock.connect(port, "127.0.0.1", () => {
    process.stdout.write("ready\n");
    process.stdin.once("data", () => {
      for (let i = 0; i < count; i++) {
        sock.send(payload); // libuv tries the sendmsg() synchronously when its queue is empty
        if (gapUs > 0 && i < count - 1) Atomics.wait(sleeper, 0, 0, gapUs / 1000);
      }
      process.stdout.write(`done ${count}\n`);
      sock.close(() => process.exit(0));
    });
  });
} else {
  fail(`mode must be rx or tx, got ${JSON.stringify(mode)}`);
}
