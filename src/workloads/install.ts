/**
 * Builds the configured workload on a machine: sockets, the application tasks pinned to their CPUs,
 * devices, and CPU hogs. Flow i's sender runs on (sender_cpu + i) mod cpus and its receiver on
 * (receiver_cpu + i) mod cpus, so with 4 CPUs and 4 flows every CPU sends one flow and receives another.
 */
import type { Machine } from "../kernel/machine";
import { UdpSocket } from "../kernel/udp";
import { CpuHog } from "./cpu-hog";
import { NonNapiDevice } from "./nic";
import { RtLatencyTask } from "./rt-latency";
import { OP_PACE, OP_RECV, OP_RTT_END, OP_RTT_START, OP_SEND, OP_USER, UdpApp } from "./udp-app";

function addSocket(m: Machine, port: number): number {
  const sk = new UdpSocket(m.sockets.length, m.cfg.rcvbuf_bytes, port);
  m.sockets.push(sk);
  return sk.id;
}

export function installWorkload(m: Machine): void {
  const cfg = m.cfg;
  const n = cfg.cpus;
  switch (cfg.workload) {
    case "udp-stream": {
      for (let f = 0; f < cfg.flows; f++) {
        const sock = addSocket(m, 5001 + f);
        const rx = new UdpApp(m, `udp_rx/${f}`, (cfg.receiver_cpu + f) % n, [{ op: OP_RECV, sock }, { op: OP_USER, cost: "user_recv_loop" }]);
        m.addTask(rx, true);
        const tx = new UdpApp(m, `udp_tx/${f}`, (cfg.sender_cpu + f) % n, [{ op: OP_USER, cost: "user_send_loop" }, { op: OP_SEND, sock }, { op: OP_PACE }], cfg.rate_pps);
        // stagger paced flows by a fraction of the interval so they do not send in lockstep
        tx.startAt(cfg.rate_pps > 0 ? Math.round((1e9 / cfg.rate_pps) * (f / cfg.flows)) : 0);
        m.addTask(tx, true);
      }
      break;
    }
    case "udp-pingpong": {
      for (let f = 0; f < cfg.flows; f++) {
        const srvSock = addSocket(m, 7001 + f);
        const cliSock = addSocket(m, 40001 + f);
        const server = new UdpApp(m, `rr_server/${f}`, (cfg.receiver_cpu + f) % n, [
          { op: OP_RECV, sock: srvSock },
          { op: OP_USER, cost: "user_pingpong" },
          { op: OP_SEND, sock: cliSock },
        ]);
        m.addTask(server, true);
        const client = new UdpApp(m, `rr_client/${f}`, (cfg.sender_cpu + f) % n, [
          { op: OP_USER, cost: "user_pingpong" },
          { op: OP_RTT_START },
          { op: OP_SEND, sock: srvSock },
          { op: OP_RECV, sock: cliSock },
          { op: OP_RTT_END },
        ]);
        m.addTask(client, true);
      }
      break;
    }
    case "nic-rx": {
      const socks: number[] = [];
      for (let f = 0; f < cfg.flows; f++) {
        const sock = addSocket(m, 6001 + f);
        socks.push(sock);
        const rx = new UdpApp(m, `udp_rx/${f}`, (cfg.receiver_cpu + f) % n, [{ op: OP_RECV, sock }, { op: OP_USER, cost: "user_recv_loop" }]);
        m.addTask(rx, true);
      }
      new NonNapiDevice(m, cfg.nic_cpu, socks).start(1000);
      break;
    }
    case "none":
      break;
  }
  for (const c of parseCpuList(cfg.hog_cpus)) m.addTask(new CpuHog(m, c), true);
  if (cfg.rt_task_cpu >= 0) m.addTask(new RtLatencyTask(m, cfg.rt_task_cpu, cfg.rt_task_prio, cfg.rt_task_period_us * 1000), true);
}

/** "0,2" -> [0, 2]; "" -> []. Validation happens in config parsing. */
export function parseCpuList(s: string): number[] {
  return s.trim() === "" ? [] : s.split(",").map((x) => Number(x.trim()));
}
