/**
 * Conservation under random valid configurations (fast-check, fixed seed): 250 configurations over
 * every workload, backlog mode and preemption model, hotplug, the RT task, hogs, rates, RPS masks,
 * backlog_wake_delay_ns and every cost.* from 0 up. Each run either finishes with
 * sent = delivered + every kind of drop + in flight and the machine's invariants (NAPI state and
 * poll lists included) holding after every slice, or ends in a user-input error naming the keys
 * (a loop of zero-time steps from costs at 0): never a hang, never another error.
 * The same generator drives `npm run sweep-configs` (1000 configurations, outside the suite).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeConfig } from "../src/config/parse";
import { arbConfig, asSetArgs, runChecked } from "../scripts/lib/random-configs";
import { simulate } from "../src/sim/simulate";
import { ConfigError } from "../src/config/errors";

describe("random valid configurations", () => {
  it("every one balances or ends in a clear user-input error (250 configurations)", () => {
    const kinds = new Map<string, number>();
    const seen = { workloads: new Set<string>(), modes: new Set<string>(), preempt: new Set<string>(), hotplug: 0, rt: 0, zeroCost: 0, delay: 0, hogs: 0, rps: 0, rate: 0 };
    fc.assert(
      fc.property(arbConfig, (over) => {
        const o = runChecked(over);
        kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
        seen.workloads.add(String(over.workload));
        seen.modes.add(String(over.backlog_napi));
        seen.preempt.add(String(over.preempt));
        if (over.hotplug) seen.hotplug++;
        if ((over.rt_task_cpu ?? -1) >= 0) seen.rt++;
        if (Object.values(over.costs ?? {}).includes(0)) seen.zeroCost++;
        if (over.backlog_wake_delay_ns) seen.delay++;
        if (over.hog_cpus) seen.hogs++;
        if (over.rps_cpus !== "0") seen.rps++;
        if (over.rate_pps) seen.rate++;
        const repro = `softnet-lab simulate ${asSetArgs(over)}`;
        if (o.kind === "result") expect(o.problems, repro).toEqual([]);
        else if (o.kind === "user-error") expect(o.message, repro).toMatch(/zero-time steps/);
        else expect.fail(`${o.kind}: ${o.message}\n${repro}`);
      }),
      { seed: Number(process.env.FC_SEED ?? 736), numRuns: Number(process.env.FC_RUNS ?? 250) },
    );
    // the generator reaches every corner the issue names
    expect([...seen.workloads].sort()).toEqual(["nic-rx", "none", "udp-pingpong", "udp-stream"]);
    expect([...seen.modes].sort()).toEqual(["softirq", "threads", "threads-always"]);
    expect([...seen.preempt].sort()).toEqual(["full", "none", "rt"]);
    for (const [k, n] of Object.entries(seen)) if (typeof n === "number") expect(n, k).toBeGreaterThan(10);
    expect(kinds.get("result")).toBeGreaterThan(200);
  });
});

describe("the two hangs the issue found, fixed", () => {
  it("an RPS target CPU going offline while a delayed backlog-thread wake is pending: the run ends and balances", () => {
    for (const backlog_napi of ["threads-always", "threads"] as const) {
      const r = simulate(makeConfig({ cpus: 4, rps_cpus: "e", receiver_cpu: 3, backlog_napi, backlog_wake_delay_ns: 5000, hotplug: "cpu1:off@1ms", duration_ms: 2 }));
      expect(r.simulated_ns).toBe(2e6);
      const p = r.packets;
      expect(p.sent).toBe(p.delivered + p.dropped.backlog + p.dropped.rcvbuf + p.dropped.nic + p.in_flight);
      expect(p.delivered).toBeGreaterThan(0);
    }
  });

  it("a flat-out sender whose whole send path costs 0: a clear error naming the zero-cost keys and the loop, not a hang", () => {
    const costs = { syscall: 0, udp_sendmsg: 0, dev_queue_xmit: 0, copy_per_kb: 0, user_send_loop: 0, get_rps_cpu: 0, enqueue_to_backlog: 0 };
    let err: unknown;
    try {
      // on the reference table, where only the send path is made free (the measured default has idle_exit_halt 0 too);
      // the reference table's own zeros (no way to sleep, no wakelist offset, no idle prologue) are listed too
      simulate(makeConfig({ profile: "reference-published", rps_cpus: "2", duration_ms: 2, costs }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^cost\.syscall, cost\.udp_sendmsg, cost\.dev_queue_xmit, cost\.copy_per_kb, cost\.user_send_loop, cost\.get_rps_cpu, cost\.enqueue_to_backlog(, cost\.(ttwu_queue_wakelist|schedule_queued|schedule_dequeued|idle_entry_poll))*: 0 ns makes a loop of zero-time steps/);
    expect(msg).toMatch(/simulated time stopped advancing at \d+ ns/);
    expect(msg).toMatch(/segment end target 0 .*cpu0, running udp_tx\/0/);
  });
});
