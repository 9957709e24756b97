/**
 * Sweep grids: a base configuration (scenario and settings) plus axes (a key and its list of values),
 * expanded into one resolved configuration per point of the grid, in a fixed order, with the
 * deterministic shard slices `softnet-lab sweep --shard K/N` runs, and the row each run becomes.
 * Values are checked by the configuration rules of src/config (a ConfigError names the key).
 */
import type { SimConfig } from "../config/schema";
import { ConfigError, resolveConfig, splitSetting } from "../config/parse";
import type { SimResult } from "../observe/types";

/** One axis of a grid: a configuration key (or `scenario`) and the values it takes, as text. */
export interface GridAxis {
  key: string;
  values: string[];
}

/** What a sweep runs: every combination of the axes' values on top of the base settings. */
export interface GridSpec {
  /** The named scenario every configuration starts from (unless `scenario` is an axis). */
  scenario?: string;
  /** Fixed settings, applied after the scenario and before the axis values. */
  settings: Array<[string, string]>;
  axes: GridAxis[];
}

/** The most configurations one grid may expand to (a bigger grid is refused before any run). */
export const MAX_GRID_SIZE = 1_000_000;

/** Keys whose values are themselves comma-separated lists: their grid values are separated by `|` only. */
const LIST_VALUED = new Set(["hog_cpus", "backlog_thread_cpus", "hotplug"]);

/**
 * Parses one axis as the command line writes it: `key=v1,v2,v3`, `key=a|b|c` (the only separator for
 * the list-valued keys hog_cpus, backlog_thread_cpus and hotplug, whose values contain commas), or an
 * integer range `key=FROM..TO:STEP` (both ends included; `:STEP` defaults to 1).
 */
export function parseAxis(text: string): GridAxis {
  const [key, list] = splitSetting(text);
  const bad = (allowed: string, why: string) => new ConfigError({ key, value: list, allowed }, `${key}: ${JSON.stringify(list)} ${why}: expected ${allowed}`);
  const AXIS = "a list of values separated by commas (v1,v2), by | for hog_cpus, backlog_thread_cpus and hotplug, or an integer range FROM..TO[:STEP]";
  if (key === "") throw new ConfigError({ key: "--grid", value: text, allowed: "KEY=VALUES" }, `--grid ${JSON.stringify(text)}: no key before "=": expected KEY=VALUES, e.g. rps_cpus=0,2`);
  const range = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*(?::\s*(\d+)\s*)?$/.exec(list);
  let values: string[];
  if (range) {
    const from = Number(range[1]), to = Number(range[2]), step = range[3] === undefined ? 1 : Number(range[3]);
    if (step <= 0 || to < from) throw bad("an integer range FROM..TO[:STEP] with FROM <= TO and STEP >= 1", "is not a usable range");
    if ((to - from) / step + 1 > MAX_GRID_SIZE) throw bad(`a range of at most ${MAX_GRID_SIZE} values`, "is too long");
    values = [];
    for (let v = from; v <= to; v += step) values.push(String(v));
  } else {
    const sep = list.includes("|") || LIST_VALUED.has(key) ? "|" : ",";
    values = list.split(sep).map((v) => v.trim());
    if (values.some((v) => v === "") && !LIST_VALUED.has(key)) throw bad(AXIS, "has an empty value");
  }
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw bad(`${AXIS}, each value once`, `lists ${JSON.stringify(v)} twice`);
    seen.add(v);
  }
  return { key, values };
}

/**
 * Reads a grid file: one line per axis (`key=v1,v2,...`, as `--grid`), `scenario=NAME` on a line of
 * its own for the base scenario, `set key=value` for a fixed setting; `#` starts a comment, blank
 * lines are skipped. A mistake names the file and the line.
 */
export function parseGridFile(text: string, name: string): GridSpec {
  const spec: GridSpec = { settings: [], axes: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const where = `${name}:${i + 1}`;
    try {
      if (/^set\s/.test(line)) spec.settings.push(splitSetting(line.slice(4).trim()));
      else if (/^scenario\s*=/.test(line) && !line.includes(",") && !line.includes("|")) {
        if (spec.scenario !== undefined) throw new ConfigError({ key: "scenario", value: line, allowed: "one scenario line" }, "scenario: given twice: expected one scenario= line (or make scenario an axis: scenario=a,b)");
        spec.scenario = line.slice(line.indexOf("=") + 1).trim();
      } else spec.axes.push(parseAxis(line));
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError({ key: e.key, value: e.value, allowed: e.allowed, choices: e.choices }, `${where}: ${e.message}`);
      throw e;
    }
  });
  return spec;
}

/** Number of configurations the grid expands to. */
export function gridSize(spec: GridSpec): number {
  return spec.axes.reduce((n, a) => n * a.values.length, 1);
}

/** The axis values of configuration `index`: the last axis varies fastest, like nested loops. */
export function pointOf(spec: GridSpec, index: number): string[] {
  const out = new Array<string>(spec.axes.length);
  let rest = index;
  for (let a = spec.axes.length - 1; a >= 0; a--) {
    const vals = spec.axes[a]!.values;
    out[a] = vals[rest % vals.length]!;
    rest = Math.floor(rest / vals.length);
  }
  return out;
}

/** A shard `K/N`: the K-th of N slices (1-based). */
export interface Shard {
  k: number;
  n: number;
}

/** Parses `--shard K/N` (1 <= K <= N). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const k = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n || n > MAX_GRID_SIZE) {
    throw new ConfigError({ key: "--shard", value: text, allowed: "K/N with 1 <= K <= N" }, `--shard: ${JSON.stringify(text)} is not allowed: expected K/N with 1 <= K <= N (e.g. 3/8: the third of eight slices)`);
  }
  return { k, n };
}

/**
 * The indices of the grid a shard runs: every N-th configuration starting at K-1 (round robin, so
 * each shard gets a similar mix of short and long runs). The N shards together are the whole grid.
 */
export function shardIndices(size: number, shard: Shard | null): number[] {
  const out: number[] = [];
  const start = shard ? shard.k - 1 : 0, step = shard ? shard.n : 1;
  for (let i = start; i < size; i += step) out.push(i);
  return out;
}

/** The base settings plus the axis values of one configuration, in the order they are applied. */
function settingsOf(spec: GridSpec, point: readonly string[]): { scenario: string | undefined; settings: Array<[string, string]> } {
  let scenario = spec.scenario;
  const settings = [...spec.settings];
  spec.axes.forEach((a, i) => {
    if (a.key === "scenario") scenario = point[i];
    else settings.push([a.key, point[i]!]);
  });
  return { scenario, settings };
}

/** Resolves configuration `index` (a ConfigError, naming the key, for a value the rules refuse). */
export function configOf(spec: GridSpec, index: number): SimConfig {
  const point = pointOf(spec, index);
  const { scenario, settings } = settingsOf(spec, point);
  try {
    const c = resolveConfig(settings, scenario === undefined ? {} : { scenario });
    if (c.trace) throw new ConfigError({ key: "trace", value: "true", allowed: "false" }, "trace: \"true\" is not allowed in a sweep: expected false (a sweep keeps one row per run; record a trace with softnet-lab simulate --trace-out)");
    return c;
  } catch (e) {
    if (e instanceof ConfigError && spec.axes.length > 0) {
      const at = spec.axes.map((a, i) => `${a.key}=${point[i]}`).join(" ");
      throw new ConfigError({ key: e.key, value: e.value, allowed: e.allowed, choices: e.choices }, `${e.message} (in the grid's configuration ${at})`);
    }
    throw e;
  }
}

/**
 * Checks a grid before anything runs: known keys, no key on two axes, a bounded size, and every
 * value of every configuration accepted by the configuration rules. Returns the resolved
 * configurations of `indices` (all of them when omitted).
 */
export function checkGrid(spec: GridSpec, indices?: readonly number[]): SimConfig[] {
  const keys = new Set<string>();
  for (const a of spec.axes) {
    if (keys.has(a.key)) throw new ConfigError({ key: a.key, value: a.values.join(","), allowed: "each key on one axis" }, `${a.key}: on two axes: expected each key once (put all its values on one axis: ${a.key}=v1,v2)`);
    keys.add(a.key);
  }
  const size = gridSize(spec);
  if (size > MAX_GRID_SIZE) {
    throw new ConfigError({ key: "--grid", value: String(size), allowed: `at most ${MAX_GRID_SIZE} configurations` }, `--grid: ${size} configurations: expected at most ${MAX_GRID_SIZE} (split the sweep, or run it in shards: --shard K/N)`);
  }
  const all = indices ?? Array.from({ length: size }, (_, i) => i);
  return all.map((i) => configOf(spec, i));
}

/** The measured columns of a sweep row, after `index` and the axis columns. Wall-clock time is left out, so rows repeat byte for byte. */
export const METRIC_COLUMNS = [
  "sent", "delivered", "dropped_backlog", "dropped_rcvbuf", "dropped_nic", "in_flight",
  "sent_pps", "received_pps",
  "context_switches_per_packet", "ipis_per_packet", "net_rx_softirqs_per_packet", "cpu_ns_per_packet",
  "time_squeeze", "received_rps", "ksoftirqd_wakeups", "backlog_thread_wakeups",
  "latency_p50_ns", "latency_p99_ns", "wakeup_latency_p99_ns",
  "events", "digest",
] as const;

export type MetricColumn = (typeof METRIC_COLUMNS)[number];
export type Row = Record<string, string | number | null>;

/** The row of configuration `index`: its index, its axis values (as written), then the metrics of its result. */
export function rowOf(spec: GridSpec, index: number, r: SimResult): Row {
  const row: Row = { index };
  const point = pointOf(spec, index);
  spec.axes.forEach((a, i) => (row[a.key] = point[i]!));
  const sum = (f: (c: SimResult["per_cpu"][number]) => number) => r.per_cpu.reduce((s, c) => s + f(c), 0);
  const m: Record<MetricColumn, string | number | null> = {
    sent: r.packets.sent,
    delivered: r.packets.delivered,
    dropped_backlog: r.packets.dropped.backlog,
    dropped_rcvbuf: r.packets.dropped.rcvbuf,
    dropped_nic: r.packets.dropped.nic,
    in_flight: r.packets.in_flight,
    sent_pps: r.throughput_pps.sent,
    received_pps: r.throughput_pps.received,
    context_switches_per_packet: r.per_packet.context_switches,
    ipis_per_packet: r.per_packet.ipis,
    net_rx_softirqs_per_packet: r.per_packet.net_rx_softirqs,
    cpu_ns_per_packet: r.per_packet.cpu_ns,
    time_squeeze: sum((c) => c.softnet.time_squeeze),
    received_rps: sum((c) => c.softnet.received_rps),
    ksoftirqd_wakeups: sum((c) => c.ksoftirqd_wakeups),
    backlog_thread_wakeups: sum((c) => c.backlog_thread_wakeups),
    latency_p50_ns: r.latency_ns ? r.latency_ns.p50 : null,
    latency_p99_ns: r.latency_ns ? r.latency_ns.p99 : null,
    wakeup_latency_p99_ns: r.wakeup_latency_ns ? r.wakeup_latency_ns.p99 : null,
    events: r.events,
    digest: r.digest,
  };
  for (const c of METRIC_COLUMNS) row[c] = m[c];
  return row;
}

/** The columns of a grid's rows, in order. */
export function columnsOf(spec: GridSpec): string[] {
  return ["index", ...spec.axes.map((a) => a.key), ...METRIC_COLUMNS];
}
