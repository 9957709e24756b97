/**
 * Receive Packet Steering (net/core/dev.c get_rps_cpu, net-sysfs.c rps_cpus): the rx queue's CPU
 * mask, written as a hex string like /sys/class/net/lo/queues/rx-0/rps_cpus, and the flow-hash
 * choice of a target CPU. The flow hash is seeded from the run's seed, as the kernel seeds its flow
 * dissector hash at boot (hashrnd): which CPU a flow lands on changes from one seed to another.
 */
import type { Machine } from "./machine";
import { parseCpuMask as parseSysfsMask } from "../config/values";

/** Parses an rps_cpus hex mask ("0", "2", "0x3", "ff,ffffffff") into CPU numbers, lowest first: the
 * kit's one mask grammar (config/values.ts, the sysfs form). */
export function parseCpuMask(mask: string): number[] {
  return parseSysfsMask(mask);
}

/** murmur3's 32-bit finaliser: a good avalanche for small integer keys. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Rps {
  private readonly m: Machine;
  /** rps_map->cpus */
  readonly cpus: number[];
  /** static_branch rps_needed: any non-zero mask turns the RPS code on. */
  readonly enabled: boolean;
  private readonly hashrnd: number;
  /** The seeded flow hash chose between two or more CPUs at least once (the seed mattered). */
  hashUsed = false;

  constructor(m: Machine, mask: string, seed: number) {
    this.m = m;
    this.cpus = parseCpuMask(mask);
    this.enabled = this.cpus.length > 0;
    this.hashrnd = fmix32(seed ^ 0x5bd1e995);
  }

  /** skb->hash of a flow (here: of its destination socket's 4-tuple, reduced to the socket's port). */
  flowHash(sockId: number): number {
    return fmix32(Math.imul(this.m.sockets[sockId]!.port, 0x9e3779b1) ^ this.hashrnd);
  }

  /** get_rps_cpu(): the target CPU for pkt, or -1 to stay on the current CPU. */
  get_rps_cpu(pkt: number): number {
    const map = this.cpus;
    if (map.length > 1) this.hashUsed = true;
    const tcpu = map.length === 1 ? map[0]! : map[Math.floor((this.flowHash(this.m.pool.flow[pkt]!) * map.length) / 4294967296)]!;
    return this.m.cpus[tcpu]!.online ? tcpu : -1;
  }
}
