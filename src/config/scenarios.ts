/**
 * Named scenarios: the standard setups the course, the benchmark and the measurements refer to,
 * each a set of `key=value` settings on top of the defaults (`--scenario NAME`, then `--set` wins).
 * Settings are written as text, exactly as one would type them after `--set`, and are validated by
 * the same parser.
 */

export interface Scenario {
  name: string;
  /** One line for `softnet-lab scenarios`. */
  description: string;
  /** The claims of the commit message (C1-C15, notebook 08) the scenario is the standard setup for. */
  claims: readonly string[];
  settings: Readonly<Record<string, string>>;
}

const STREAM = { cpus: "2", workload: "udp-stream", rate_pps: "0", flows: "1", sender_cpu: "0", receiver_cpu: "1", rps_cpus: "0" } as const;
const PINGPONG = { cpus: "2", workload: "udp-pingpong", flows: "1", sender_cpu: "0", receiver_cpu: "1", rps_cpus: "0" } as const;
/**
 * A flood from a non-NAPI driver into CPU0, whose interrupts also hit the receiver's CPU: the setup of
 * the 2016 "softirq: Let ksoftirqd do its job" measurement (4cd13c21b207: a UDP receiver sharing its
 * CPU with the flood got ~2,000 pps before, ~900,000 pps after) and of the 2023 revert (d15121be7485).
 * 64 packets per interrupt amortise the interrupt entry; with the default costs the per-packet work of
 * the handler (skb allocation, enqueue) still takes most of CPU0 at 2 Mpps, and NET_RX the rest.
 */
const FLOOD = { cpus: "2", workload: "nic-rx", nic_cpu: "0", receiver_cpu: "0", rps_cpus: "0", rate_pps: "2000000", nic_batch: "64" } as const;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "loopback-stream",
    description: "2 CPUs, flat-out UDP stream over lo, sender CPU0, receiver CPU1, RPS off: NET_RX runs inside sendto on CPU0",
    claims: ["C9", "C11"],
    settings: { ...STREAM },
  },
  {
    name: "loopback-stream-rps",
    description: "as loopback-stream with rps_cpus=2: packets steered to CPU1, NET_RX started there by an RPS IPI",
    claims: ["C2", "C12"],
    settings: { ...STREAM, rps_cpus: "2" },
  },
  {
    name: "loopback-stream-same-cpu",
    description: "as loopback-stream with sender and receiver both on CPU0, RPS off",
    claims: ["C9"],
    settings: { ...STREAM, receiver_cpu: "0" },
  },
  {
    name: "loopback-4cpu-4flows",
    description: "4 CPUs, 4 flat-out UDP flows over lo (flow i: sender CPU i, receiver CPU i+1 mod 4), rps_cpus=f: each flow hashed to one of the 4 CPUs",
    claims: ["C2", "C12"],
    settings: { ...STREAM, cpus: "4", flows: "4", rps_cpus: "f" },
  },
  {
    name: "loopback-pingpong",
    description: "UDP request/response over lo (netperf UDP_RR-like), client CPU0, server CPU1, RPS off: round-trip latency",
    claims: ["C9"],
    settings: { ...PINGPONG },
  },
  {
    name: "loopback-pingpong-rps",
    description: "as loopback-pingpong with rps_cpus=2: requests reach CPU1 by RPS IPI, responses are processed on CPU1 and wake the client remotely",
    claims: ["C2", "C12"],
    settings: { ...PINGPONG, rps_cpus: "2" },
  },
  {
    name: "nic-rx-overload",
    description: "non-NAPI driver interrupting CPU0 once per packet at 700 kpps, receiver on CPU0: hardirq and NET_RX starve the receiver, delivery collapses (receive livelock)",
    claims: ["C1", "C15"],
    settings: { cpus: "2", workload: "nic-rx", nic_cpu: "0", receiver_cpu: "0", rps_cpus: "0", rate_pps: "700000", nic_batch: "1" },
  },
  {
    name: "hog-beside-rps",
    description: "200 kpps UDP stream on CPU0 steered by RPS to CPU1, where a CPU hog runs: NET_RX at IPI exit takes the hog's time",
    claims: ["C2", "C6"],
    settings: { ...STREAM, rate_pps: "200000", receiver_cpu: "0", rps_cpus: "2", hog_cpus: "1" },
  },
  {
    name: "ksoftirqd-2016",
    description: "receiver sharing CPU0 with a non-NAPI flood, ksoftirqd policy of v4.9-v6.4 (ksoftirqd takes every softirq while runnable)",
    claims: ["C7", "C15"],
    settings: { ...FLOOD, ksoftirqd_policy: "2016" },
  },
  {
    name: "ksoftirqd-6.5",
    description: "as ksoftirqd-2016 with the policy since v6.5 (softirqs run at irq exit even while ksoftirqd is runnable)",
    claims: ["C7", "C15"],
    settings: { ...FLOOD, ksoftirqd_policy: "since-6.5" },
  },
];

export const SCENARIO_NAMES: readonly string[] = SCENARIOS.map((s) => s.name);

/** The scenario called `name`, or undefined (parse.ts turns that into a ConfigError listing the names). */
export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
