/**
 * Turns settings into a fully resolved, validated `SimConfig`: the defaults, then a named scenario's
 * settings, then the caller's overrides (text from the CLI, or typed values from a notebook).
 * Every bad key or value throws a `ConfigError` naming the key and what is allowed.
 */
import { DEFAULT_CONFIG, isBacklogThreaded, KEYS, type ScalarKey, type SimConfig } from "./schema";
import { COSTS, COST_NAMES, type CostName } from "../kernel/costs";
import { badValue, ConfigError, didYouMean } from "./errors";
import { checkCost, checkValue, formatCpuMask, parseCost, parseCpuList, parseCpuMask, parseValue } from "./values";
import { findScenario, SCENARIO_NAMES } from "./scenarios";
import { parseHotplug } from "../kernel/hotplug";
import { listProfiles, loadProfile } from "../calibrate/profiles";

export { ConfigError } from "./errors";

export type Settings = Record<string, string> | Array<[string, string]>;

/** What `makeConfig` accepts: any scalar key, some cost entries, and optionally a scenario to start from. */
export type ConfigOverrides = Partial<Omit<SimConfig, "costs">> & { costs?: Partial<Record<CostName, number>>; scenario?: string };

const SCALAR_KEYS = Object.keys(KEYS) as ScalarKey[];
const ALL_KEY_NAMES: readonly string[] = [...SCALAR_KEYS, ...COST_NAMES.map((n) => `cost.${n}`)];

function isScalarKey(key: string): key is ScalarKey {
  return Object.prototype.hasOwnProperty.call(KEYS, key);
}
function isCostName(name: string): name is CostName {
  return Object.prototype.hasOwnProperty.call(COSTS, name);
}

/**
 * A config under construction plus where each value came from, for error messages: absent = the
 * default, "" = the caller's own setting, else e.g. "from scenario loopback-stream".
 */
interface Draft {
  config: SimConfig;
  origin: Map<string, string>;
}

function draftFromDefaults(): Draft {
  return { config: { ...DEFAULT_CONFIG, costs: { ...DEFAULT_CONFIG.costs } }, origin: new Map() };
}

function unknownKey(key: string, value: string): ConfigError {
  if (key.startsWith("cost.")) {
    const name = key.slice(5);
    const allowed = `cost.<name> for a cost-table entry: ${COST_NAMES.join(", ")}`;
    return new ConfigError(
      { key, value, allowed, choices: COST_NAMES },
      `${key}: ${JSON.stringify(name)} is not a cost-table entry${didYouMean(name, COST_NAMES)}; allowed: ${allowed}`,
    );
  }
  const hint = didYouMean(key, ALL_KEY_NAMES) || (key === "" ? " (write key=value)" : "");
  const allowed = `one of ${SCALAR_KEYS.join(", ")}, or cost.<name> for the ${COST_NAMES.length} cost-table entries ('softnet-lab simulate --help' lists them all)`;
  return new ConfigError({ key, value, allowed, choices: ALL_KEY_NAMES }, `${key}: not a configuration key${hint}; allowed: ${allowed}`);
}

/** Applies one `key=value` written as text. */
function applyText(d: Draft, key: string, text: string, origin?: string): void {
  if (isScalarKey(key)) {
    (d.config as unknown as Record<string, unknown>)[key] = parseValue(key, text, origin);
  } else if (key.startsWith("cost.") && isCostName(key.slice(5))) {
    const name = key.slice(5) as CostName;
    d.config.costs[name] = parseCost(key, text, COSTS[name].source, origin);
  } else {
    throw unknownKey(key, text);
  }
  d.origin.set(key, origin ?? "");
}

function applyScenario(d: Draft, name: string): void {
  const sc = findScenario(name);
  if (!sc) {
    throw badValue("scenario", name, `one of ${SCENARIO_NAMES.join(", ")}`, {
      why: `is not a known scenario${didYouMean(name, SCENARIO_NAMES)}`,
      choices: SCENARIO_NAMES,
    });
  }
  for (const [k, v] of Object.entries(sc.settings)) applyText(d, k, v, `from scenario ${name}`);
}

/**
 * Checks what one key alone cannot: CPUs named by a key must exist. Throws ConfigError.
 */
function checkCrossKeys(d: Draft): SimConfig {
  const c = d.config;
  const range = c.cpus === 1 ? "only CPU 0 exists" : `CPUs 0-${c.cpus - 1} exist`;
  const from = (key: string) => (d.origin.has(key) ? d.origin.get(key) || undefined : "the default");
  const missing = (key: ScalarKey, value: string, cpu: number, allowed: string) =>
    badValue(key, value, allowed, {
      why: `names CPU ${cpu}, which does not exist (cpus=${c.cpus}: ${range})`,
      origin: from(key),
      hint: "; or raise cpus",
    });
  for (const key of ["sender_cpu", "receiver_cpu", "nic_cpu"] as const) {
    if (c[key] >= c.cpus) throw missing(key, String(c[key]), c[key], `a CPU number from 0 to ${c.cpus - 1}`);
  }
  const rps = parseCpuMask(c.rps_cpus);
  const badRps = rps.find((cpu) => cpu >= c.cpus);
  if (badRps !== undefined) {
    throw missing("rps_cpus", c.rps_cpus, badRps, `a hex mask of CPUs 0-${c.cpus - 1}, from 0 (RPS off) to ${formatCpuMask(allCpus(c.cpus))} (all)`);
  }
  const hogs = parseCpuList(c.hog_cpus);
  const badHog = hogs.find((cpu) => cpu >= c.cpus);
  if (badHog !== undefined) throw missing("hog_cpus", c.hog_cpus, badHog, `a comma-separated list of CPUs from 0 to ${c.cpus - 1}, or empty`);
  const napiCpus = parseCpuList(c.backlog_thread_cpus);
  const badNapi = napiCpus.find((cpu) => cpu >= c.cpus);
  if (badNapi !== undefined) throw missing("backlog_thread_cpus", c.backlog_thread_cpus, badNapi, `a comma-separated list of CPUs from 0 to ${c.cpus - 1}, or empty`);
  if (isBacklogThreaded(c.backlog_napi)) {
    // the era of the patch (OpenWrt 6.1): before the v6.5 revert of "let ksoftirqd do its job"
    if (!d.origin.has("ksoftirqd_policy")) c.ksoftirqd_policy = "2016";
    if (c.backlog_wake_delay_ns > 0) {
      throw badValue("backlog_wake_delay_ns", String(c.backlog_wake_delay_ns), "0 with backlog_napi=backlog-threaded or backlog-threaded-intent", { why: "is the claim C10 experiment of the smpboot thread modes (threads, threads-always)", origin: from("backlog_wake_delay_ns") });
    }
  } else if (c.backlog_thread_cpus !== "") {
    throw badValue("backlog_thread_cpus", c.backlog_thread_cpus, `empty unless backlog_napi is backlog-threaded or backlog-threaded-intent (backlog_napi=${c.backlog_napi})`, {
      why: "sets the affinity of the unpinned napi/backlog-<n> kthreads, which only the backlog-threaded modes have (backlog_napi/N smpboot threads are bound to their CPU and refuse a new affinity)",
      origin: from("backlog_thread_cpus"),
    });
  }
  if (c.rt_task_cpu >= c.cpus) throw missing("rt_task_cpu", String(c.rt_task_cpu), c.rt_task_cpu, `-1 (none) or a CPU number from 0 to ${c.cpus - 1}`);
  try {
    parseHotplug(c.hotplug, c.cpus);
  } catch (e) {
    throw badValue("hotplug", c.hotplug, KEYS.hotplug.kind === "string" ? KEYS.hotplug.format : "", { why: `is not allowed: ${(e as Error).message}`, origin: from("hotplug") });
  }
  if (c.profile !== "") {
    // the profile's costs replace the defaults; explicit cost.<name> settings still win
    let prof;
    try {
      prof = loadProfile(c.profile);
    } catch (e) {
      throw badValue("profile", c.profile, `the name of a profile in profiles/ (${listProfiles().join(", ") || "none yet"}), or empty`, { why: `is not usable: ${(e as Error).message}`, origin: from("profile") });
    }
    for (const [name, ns] of Object.entries(prof.costs) as [CostName, number][]) if (!d.origin.has(`cost.${name}`)) c.costs[name] = ns;
    // a profile whose medians come without measured spreads says so; an explicit cost_spread wins
    if (prof.cost_spread !== undefined && !d.origin.has("cost_spread")) c.cost_spread = prof.cost_spread;
  }
  return { ...c, costs: { ...c.costs } };
}

function allCpus(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * The resolved config for text settings, as `--set key=value` gives them: defaults, then
 * `opts.scenario`, then the settings in order (a key given twice: the last wins).
 * Keys are the names of `KEYS` and `cost.<name>` for every entry of the cost table.
 */
export function resolveConfig(settings: Settings = {}, opts: { scenario?: string } = {}): SimConfig {
  const d = draftFromDefaults();
  if (opts.scenario !== undefined) applyScenario(d, opts.scenario);
  const pairs = Array.isArray(settings) ? settings : Object.entries(settings);
  for (const [k, v] of pairs) applyText(d, k.trim(), String(v));
  return checkCrossKeys(d);
}

/**
 * The resolved config for typed overrides, for notebooks:
 * `makeConfig({ scenario: "loopback-stream", rps_cpus: "2", costs: { ipi_send: 500 } })`.
 * Same layering and checks as `resolveConfig`; values must have the key's type (numbers for
 * integers and `hz`, booleans for flags, strings for enums and CPU sets).
 */
export function makeConfig(overrides: ConfigOverrides = {}): SimConfig {
  const d = draftFromDefaults();
  const { scenario, costs, ...scalars } = overrides;
  if (scenario !== undefined) applyScenario(d, scenario);
  for (const [k, v] of Object.entries(scalars)) {
    if (v === undefined) continue;
    if (!isScalarKey(k)) throw unknownKey(k, String(v));
    (d.config as unknown as Record<string, unknown>)[k] = checkValue(k, v);
    d.origin.set(k, "");
  }
  for (const [name, v] of Object.entries(costs ?? {})) {
    if (v === undefined) continue;
    if (!isCostName(name)) throw unknownKey(`cost.${name}`, String(v));
    d.config.costs[name] = checkCost(`cost.${name}`, v, COSTS[name].source);
    d.origin.set(`cost.${name}`, "");
  }
  return checkCrossKeys(d);
}

/**
 * Checks a config built by hand (e.g. `{ ...base, cpus: 4 }` in a sweep) by the same rules, and
 * returns it resolved (CPU sets in canonical spelling). Missing keys take their defaults; unknown keys throw.
 */
export function validateConfig(config: SimConfig): SimConfig {
  return makeConfig(config as ConfigOverrides);
}

/**
 * Splits one `key=value` argument (as after `--set`) at its first `=`. A missing `=` is a ConfigError
 * naming the key, so `--set rate_pps` says what to write instead.
 */
export function splitSetting(arg: string): [string, string] {
  const eq = arg.indexOf("=");
  if (eq < 0) {
    const key = arg.trim();
    const example = isScalarKey(key) ? `${key}=${String(KEYS[key].default) || "VALUE"}` : "rate_pps=100000";
    throw new ConfigError({ key, value: "", allowed: "key=value" }, `${key || '""'}: missing "=": expected key=value (e.g. ${example})`);
  }
  return [arg.slice(0, eq).trim(), arg.slice(eq + 1)];
}

/** The CPUs of `config.rps_cpus`, ascending; empty when RPS is off. */
export function rpsCpuList(config: Pick<SimConfig, "rps_cpus">): number[] {
  return parseCpuMask(config.rps_cpus);
}

/** The CPUs that run a CPU hog, ascending. */
export function hogCpuList(config: Pick<SimConfig, "hog_cpus">): number[] {
  return parseCpuList(config.hog_cpus);
}

/**
 * How `config` differs from the defaults, key by key, as `--set` would write it: the "highlights"
 * the CLI prints and a notebook can show under a chart.
 */
export function configDiff(config: SimConfig): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const k of SCALAR_KEYS) {
    if (String(config[k]) !== String(KEYS[k].default)) out.push([k, String(config[k])]);
  }
  for (const n of COST_NAMES) if (config.costs[n] !== DEFAULT_CONFIG.costs[n]) out.push([`cost.${n}`, String(config.costs[n])]);
  return out;
}
