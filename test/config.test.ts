// Configuration: layering (defaults < scenario < overrides), every kind of bad input, CPU-set
// formats, typed overrides for notebooks, and the key descriptions the help and docs are built from.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { configDiff, ConfigError, hogCpuList, makeConfig, resolveConfig, rpsCpuList, splitSetting, validateConfig } from "../src/config/parse";
import { DEFAULT_CONFIG, KEYS } from "../src/config/schema";
import { COST_NAMES } from "../src/kernel/costs";
import { SCENARIOS, SCENARIO_NAMES } from "../src/config/scenarios";
import { describeKeys } from "../src/config/describe";
import { formatCpuMask, parseCpuMask } from "../src/config/values";
import { closest } from "../src/config/errors";

/** The ConfigError `fn` throws (fails the test if it throws nothing or something else). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw new Error(`expected a ConfigError, got ${String(e)}`);
  }
  throw new Error("expected a ConfigError, nothing was thrown");
}

describe("layering", () => {
  it("no settings give exactly the defaults", () => {
    expect(resolveConfig({})).toEqual(DEFAULT_CONFIG);
    expect(makeConfig({})).toEqual(DEFAULT_CONFIG);
  });

  it("a scenario's settings apply on top of the defaults", () => {
    const c = resolveConfig({}, { scenario: "loopback-4cpu-4flows" });
    expect([c.cpus, c.flows, c.rps_cpus, c.workload]).toEqual([4, 4, "f", "udp-stream"]);
    expect(c.netdev_max_backlog).toBe(DEFAULT_CONFIG.netdev_max_backlog);
  });

  it("settings override the scenario, and of two settings of one key the last wins", () => {
    const c = resolveConfig(
      [
        ["rps_cpus", "1"],
        ["rps_cpus", "0"],
        ["cost.ipi_send", "1"],
      ],
      { scenario: "loopback-stream-rps" },
    );
    expect(c.rps_cpus).toBe("0");
    expect(c.costs.ipi_send).toBe(1);
    expect(c.costs.ipi_latency).toBe(DEFAULT_CONFIG.costs.ipi_latency);
  });

  it("a setting can make a scenario's value valid again (cross-key checks run on the final config)", () => {
    // cpus=2 alone would leave rps_cpus=f naming CPUs 2 and 3.
    const c = resolveConfig({ cpus: "2", rps_cpus: "3" }, { scenario: "loopback-4cpu-4flows" });
    expect([c.cpus, c.rps_cpus]).toEqual([2, "3"]);
  });

  it("makeConfig takes typed overrides with the same layering", () => {
    const c = makeConfig({ scenario: "loopback-stream", rps_cpus: "0x2", hz: 250, trace: true, duration_ms: 5, costs: { ipi_send: 500 } });
    expect([c.rps_cpus, c.hz, c.trace, c.duration_ms, c.costs.ipi_send]).toEqual(["2", 250, true, 5, 500]);
    expect(c.costs.syscall).toBe(DEFAULT_CONFIG.costs.syscall);
    expect(c.receiver_cpu).toBe(1);
  });

  it("makeConfig and resolveConfig agree on the same settings", () => {
    const typed = makeConfig({ scenario: "nic-rx-overload", rate_pps: 10_000, ksoftirqd_policy: "2016", costs: { nic_hardirq: 1 } });
    const text = resolveConfig({ rate_pps: "10000", ksoftirqd_policy: "2016", "cost.nic_hardirq": "1" }, { scenario: "nic-rx-overload" });
    expect(typed).toEqual(text);
  });

  it("makeConfig ignores keys given as undefined (spread-friendly)", () => {
    expect(makeConfig({ cpus: undefined, costs: { syscall: undefined } })).toEqual(DEFAULT_CONFIG);
  });

  it("validateConfig accepts a resolved config unchanged and checks hand-edited ones", () => {
    const c = resolveConfig({}, { scenario: "hog-beside-rps" });
    expect(validateConfig(c)).toEqual(c);
    expect(configError(() => validateConfig({ ...c, cpus: 1 })).key).toBe("rps_cpus");
    expect(configError(() => validateConfig({ ...c, bogus: 1 } as never)).key).toBe("bogus");
  });

  it("resolved configs do not share the defaults' cost table", () => {
    const c = resolveConfig({});
    c.costs.syscall = 1;
    expect(DEFAULT_CONFIG.costs.syscall).not.toBe(1);
    expect(resolveConfig({}).costs.syscall).toBe(DEFAULT_CONFIG.costs.syscall);
  });

  it("configDiff lists exactly what differs from the defaults, as settings that rebuild the config", () => {
    const c = resolveConfig({ cpus: "4", rps_cpus: "0xc", "cost.tick": "0", hog_cpus: "3,2" });
    const diff = configDiff(c);
    expect(diff).toEqual([
      ["cpus", "4"],
      ["rps_cpus", "c"],
      ["hog_cpus", "2,3"],
      ["cost.tick", "0"],
    ]);
    expect(resolveConfig(diff)).toEqual(c);
  });
});

describe("every kind of bad input is a ConfigError naming the key and the allowed values", () => {
  const cases: Array<{ what: string; run: () => unknown; key: string; mentions: string[] }> = [
    { what: "unknown key, with the closest name", run: () => resolveConfig({ rps_cpu: "2" }), key: "rps_cpu", mentions: ['did you mean "rps_cpus"', "cpus", "netdev_budget", "cost.<name>"] },
    { what: "not an integer", run: () => resolveConfig({ cpus: "two" }), key: "cpus", mentions: ['"two"', "an integer from 1 to 64"] },
    { what: "a fraction for an integer", run: () => resolveConfig({ flows: "1.5" }), key: "flows", mentions: ["an integer from 1 to 1024"] },
    { what: "out of range", run: () => resolveConfig({ cpus: "65" }), key: "cpus", mentions: ['"65"', "from 1 to 64"] },
    { what: "negative rate", run: () => resolveConfig({ rate_pps: "-5" }), key: "rate_pps", mentions: ['"-5"', "an integer from 0 to 100000000", "0 = flat out"] },
    { what: "bad enum", run: () => resolveConfig({ ksoftirqd_policy: "2017" }), key: "ksoftirqd_policy", mentions: ["since-6.5", "2016"] },
    { what: "hz not a CONFIG_HZ choice", run: () => resolveConfig({ hz: "200" }), key: "hz", mentions: ["100, 250, 300, 1000"] },
    { what: "bad boolean", run: () => resolveConfig({ trace: "yes" }), key: "trace", mentions: ["true, false, 1 or 0"] },
    { what: "rps mask naming a missing CPU", run: () => resolveConfig({ rps_cpus: "4" }), key: "rps_cpus", mentions: ["CPU 2", "CPUs 0-1 exist", "cpus=2"] },
    { what: "rps mask that is not hex", run: () => resolveConfig({ rps_cpus: "0xg" }), key: "rps_cpus", mentions: ["hex CPU mask"] },
    { what: "rps mask group longer than 32 bits", run: () => resolveConfig({ cpus: "64", rps_cpus: "100000000" }), key: "rps_cpus", mentions: ["8 hex digits", "1,00000000"] },
    { what: "sender_cpu >= cpus", run: () => resolveConfig({ sender_cpu: "2" }), key: "sender_cpu", mentions: ["CPU 2", "from 0 to 1"] },
    { what: "receiver_cpu >= cpus via a lower cpus", run: () => resolveConfig({ cpus: "1" }), key: "receiver_cpu", mentions: ["(the default)", "only CPU 0 exists"] },
    { what: "nic_cpu >= cpus", run: () => resolveConfig({ nic_cpu: "3" }), key: "nic_cpu", mentions: ["CPU 3"] },
    { what: "hog on a missing CPU", run: () => resolveConfig({ hog_cpus: "0,5" }), key: "hog_cpus", mentions: ["CPU 5", "from 0 to 1"] },
    { what: "hog list with a CPU twice", run: () => resolveConfig({ hog_cpus: "1,0-1" }), key: "hog_cpus", mentions: ["CPU 1 twice"] },
    { what: "hog list that is not a list", run: () => resolveConfig({ hog_cpus: "one" }), key: "hog_cpus", mentions: ["comma-separated list"] },
    { what: "unknown cost name", run: () => resolveConfig({ "cost.ipi_sned": "5" }), key: "cost.ipi_sned", mentions: ['did you mean "ipi_send"', "syscall", "user_pingpong"] },
    { what: "negative cost", run: () => resolveConfig({ "cost.ipi_send": "-1" }), key: "cost.ipi_send", mentions: ["non-negative integer number of nanoseconds"] },
    { what: "unknown scenario", run: () => resolveConfig({}, { scenario: "loopback" }), key: "scenario", mentions: SCENARIO_NAMES.slice() },
    { what: "missing =", run: () => splitSetting("rate_pps"), key: "rate_pps", mentions: ['missing "="', "key=value", "rate_pps=0"] },
    { what: "a scenario value made invalid by a setting", run: () => resolveConfig({ cpus: "2" }, { scenario: "loopback-4cpu-4flows" }), key: "rps_cpus", mentions: ["from scenario loopback-4cpu-4flows", "CPU 2"] },
    { what: "typed: a string for an integer", run: () => makeConfig({ cpus: "4" as unknown as number }), key: "cpus", mentions: ["an integer from 1 to 64"] },
    { what: "typed: a non-integer", run: () => makeConfig({ duration_ms: 0.5 }), key: "duration_ms", mentions: ["an integer"] },
    { what: "typed: hz not a choice", run: () => makeConfig({ hz: 1234 }), key: "hz", mentions: ["100, 250, 300, 1000"] },
    { what: "typed: unknown key", run: () => makeConfig({ rps: "2" } as never), key: "rps", mentions: ['did you mean "rps_cpus"'] },
    { what: "typed: unknown cost", run: () => makeConfig({ costs: { nope: 3 } as never }), key: "cost.nope", mentions: ["ipi_send"] },
    { what: "typed: negative cost", run: () => makeConfig({ costs: { tick: -3 } }), key: "cost.tick", mentions: ["non-negative"] },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const e = configError(c.run);
      expect(e.key).toBe(c.key);
      expect(e.message.startsWith(`${c.key}: `)).toBe(true);
      expect(e.allowed.length).toBeGreaterThan(0);
      for (const m of c.mentions) expect(e.message).toContain(m);
    });
  }

  it("the message has the documented shape", () => {
    const e = configError(() => resolveConfig({ rate_pps: "-5" }));
    expect(e.message).toBe(`rate_pps: "-5" is not allowed: expected an integer from 0 to 100000000 (${KEYS.rate_pps.doc})`);
    expect([e.key, e.value, e.allowed]).toEqual(["rate_pps", "-5", "an integer from 0 to 100000000"]);
  });

  it("finite choices are listed in `choices`", () => {
    expect(configError(() => resolveConfig({ workload: "tcp" })).choices).toEqual(["udp-stream", "udp-pingpong", "nic-rx", "none"]);
    expect(configError(() => resolveConfig({}, { scenario: "x" })).choices).toEqual(SCENARIO_NAMES);
    expect(configError(() => resolveConfig({ "cost.x": "1" })).choices).toEqual(COST_NAMES);
  });
});

describe("value formats", () => {
  it("integers accept _ between digit groups and surrounding blanks, nothing else", () => {
    expect(resolveConfig({ rate_pps: "1_000_000" }).rate_pps).toBe(1_000_000);
    expect(resolveConfig({ rate_pps: " 42 " }).rate_pps).toBe(42);
    for (const bad of ["1e6", "0x10", "1__0", "_1", "", "12abc"]) expect(configError(() => resolveConfig({ rate_pps: bad })).key).toBe("rate_pps");
  });

  it("booleans are true/false/1/0", () => {
    expect(resolveConfig({ trace: "1" }).trace).toBe(true);
    expect(resolveConfig({ trace: "false" }).trace).toBe(false);
  });

  it("hz is stored as the number it names", () => {
    expect(resolveConfig({ hz: "250" }).hz).toBe(250);
  });

  const masks: Array<[string, number, number[], string]> = [
    // written, cpus, CPUs named, canonical spelling
    ["0", 2, [], "0"],
    ["2", 2, [1], "2"],
    ["0x3", 2, [0, 1], "3"],
    ["F", 4, [0, 1, 2, 3], "f"],
    ["000f\n", 8, [0, 1, 2, 3], "f"],
    ["1,00000000", 40, [32], "1,00000000"],
    ["00000080,00000001", 40, [0, 39], "80,00000001"],
    ["ffffffff,ffffffff", 64, Array.from({ length: 64 }, (_, i) => i), "ffffffff,ffffffff"],
  ];
  for (const [written, cpus, list, canonical] of masks) {
    it(`rps_cpus=${JSON.stringify(written)} with ${cpus} CPUs names ${JSON.stringify(list)}`, () => {
      const c = resolveConfig({ cpus: String(cpus), rps_cpus: written });
      expect(c.rps_cpus).toBe(canonical);
      expect(rpsCpuList(c)).toEqual(list);
    });
  }

  it("masks print like the sysfs file when given the CPU count", () => {
    expect(formatCpuMask([1], 8)).toBe("02");
    expect(formatCpuMask([], 40)).toBe("00,00000000");
    expect(formatCpuMask([0, 33], 64)).toBe("00000002,00000001");
  });

  it("mask parse and format are inverse for any set of up to 64 CPUs", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 63 })), (cpus) => {
        const sorted = [...cpus].sort((a, b) => a - b);
        expect(parseCpuMask(formatCpuMask(sorted))).toEqual(sorted);
        expect(parseCpuMask(formatCpuMask(sorted, 64))).toEqual(sorted);
      }),
    );
  });

  it("hog_cpus takes lists and ranges and resolves to an ascending list", () => {
    const c = resolveConfig({ cpus: "8", hog_cpus: "5, 0-2" });
    expect(c.hog_cpus).toBe("0,1,2,5");
    expect(hogCpuList(c)).toEqual([0, 1, 2, 5]);
    expect(hogCpuList(resolveConfig({}))).toEqual([]);
  });

  it("splitSetting splits at the first = and keeps the rest of the value", () => {
    expect(splitSetting("hog_cpus=")).toEqual(["hog_cpus", ""]);
    expect(splitSetting(" seed =7")).toEqual(["seed", "7"]);
    expect(splitSetting("a=b=c")).toEqual(["a", "b=c"]);
  });

  it("random valid settings resolve, and their diff rebuilds the same config", () => {
    const intKeys = Object.entries(KEYS).filter(([k, s]) => s.kind === "int" && !k.endsWith("_cpu") && k !== "cpus");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(...intKeys),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(...COST_NAMES),
        fc.nat({ max: 100_000 }),
        (cpus, [key, spec], frac, cost, ns) => {
          if (spec.kind !== "int") return;
          const v = spec.min + Math.floor(frac * (Math.min(spec.max, 1e9) - spec.min));
          const settings: Array<[string, string]> = [["cpus", String(cpus)], ["receiver_cpu", String(cpus - 1)], [key, String(v)], [`cost.${cost}`, String(ns)], ["rps_cpus", formatCpuMask([cpus - 1])]];
          const c = resolveConfig(settings);
          expect(resolveConfig(configDiff(c))).toEqual(c);
          expect(makeConfig(c)).toEqual(c);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("scenarios", () => {
  it("every scenario resolves to a valid config and says which claims it serves", () => {
    for (const s of SCENARIOS) {
      const c = resolveConfig({}, { scenario: s.name });
      expect(validateConfig(c)).toEqual(c);
      expect(s.description.length).toBeGreaterThan(20);
      expect(s.claims.every((x) => /^C([1-9]|1[0-5])$/.test(x))).toBe(true);
    }
  });

  it("the standard scenarios set what their names promise", () => {
    const get = (name: string) => resolveConfig({}, { scenario: name });
    const stream = get("loopback-stream");
    expect([stream.cpus, stream.workload, stream.rate_pps, stream.sender_cpu, stream.receiver_cpu, stream.rps_cpus]).toEqual([2, "udp-stream", 0, 0, 1, "0"]);
    expect(get("loopback-stream-rps").rps_cpus).toBe("2");
    expect(get("loopback-stream-same-cpu").receiver_cpu).toBe(0);
    const four = get("loopback-4cpu-4flows");
    expect([four.cpus, four.flows, four.rps_cpus]).toEqual([4, 4, "f"]);
    const pp = get("loopback-pingpong");
    expect([pp.workload, pp.sender_cpu, pp.receiver_cpu, pp.rps_cpus]).toEqual(["udp-pingpong", 0, 1, "0"]);
    expect(get("loopback-pingpong-rps").rps_cpus).toBe("2");
    const nic = get("nic-rx-overload");
    expect([nic.workload, nic.nic_cpu, nic.receiver_cpu, nic.nic_batch]).toEqual(["nic-rx", 0, 0, 1]);
    const hog = get("hog-beside-rps");
    expect(rpsCpuList(hog)).toEqual(hogCpuList(hog));
    const k16 = get("ksoftirqd-2016");
    const k65 = get("ksoftirqd-6.5");
    expect([k16.ksoftirqd_policy, k65.ksoftirqd_policy]).toEqual(["2016", "since-6.5"]);
    expect({ ...k16, ksoftirqd_policy: "since-6.5" }).toEqual(k65);
    expect([k16.receiver_cpu, k16.nic_cpu]).toEqual([0, 0]);
  });

  it("scenario names are unique", () => {
    expect(new Set(SCENARIO_NAMES).size).toBe(SCENARIO_NAMES.length);
  });
});

describe("key descriptions", () => {
  it("describe every scalar key and every cost entry, with a default that resolves", () => {
    const d = describeKeys();
    expect(d.map((k) => k.key)).toEqual([...Object.keys(KEYS), ...COST_NAMES.map((n) => `cost.${n}`)]);
    const settings = d.map((k): [string, string] => [k.key, k.default]);
    expect(resolveConfig(settings)).toEqual(DEFAULT_CONFIG);
    for (const k of d) expect(k.doc.length).toBeGreaterThan(5);
  });

  it("the suggestion finds near misses and stays quiet for nonsense", () => {
    expect(closest("netdev_budget_usec", Object.keys(KEYS))).toBe("netdev_budget_usecs");
    expect(closest("recevier_cpu", Object.keys(KEYS))).toBe("receiver_cpu");
    expect(closest("zzzzzz", Object.keys(KEYS))).toBeUndefined();
  });
});
