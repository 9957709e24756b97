/**
 * Parser for /proc/net/udp: one line per UDP socket with hex local address and port, queue lengths and
 * drops. The harness uses it to see when the server has bound its port and when its queue is drained.
 */

export interface UdpSocket {
  localIp: string;
  localPort: number;
  txQueue: number;
  rxQueue: number;
  drops: number;
}

/** "0100007F" (little-endian on x86) → "127.0.0.1". */
function ipv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join(".");
}

export function parseProcNetUdp(text: string): UdpSocket[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return lines.slice(1).map((line) => {
    const f = line.trim().split(/\s+/);
    const [ip, port] = (f[1] ?? "").split(":");
    const [tx, rx] = (f[4] ?? "").split(":");
    if (!ip || !port || !tx || !rx) throw new Error(`/proc/net/udp: unexpected line "${line}"`);
    return { localIp: ipv4(ip), localPort: parseInt(port, 16), txQueue: parseInt(tx, 16), rxQueue: parseInt(rx, 16), drops: Number(f[f.length - 1]) };
  });
}
