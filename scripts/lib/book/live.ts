/**
 * The living book's HTML: knob forms under the charts that come from a simulation (matched to
 * src/live/figures.ts by title), and the playground page's form with every
 * configuration key. Controls take their allowed values from the config schema (src/config/schema.ts);
 * the page script (assets/live.js, assets/playground.js) sends them to the model's Web Worker.
 */
import { randomBytes } from "node:crypto";
import { listProfiles } from "../../../src/calibrate/profiles";
import { KEYS, type KeySpec, type ScalarKey } from "../../../src/config/schema";
import { EXERCISES } from "../../../src/notebook/exercise-bank";
import { sealExercise, type SealedExercise } from "../../../src/browser/exercise-seal";
import { SCENARIOS } from "../../../src/config/scenarios";
import { LIVE_FIGURES, specTitle, type LiveFigure } from "../../../src/live/figures";
import type { FigureParam } from "../../../src/live/kit";
import type { ChartRef } from "./render";
import { escapeHtml } from "./render";

/**
 * The live figure behind a committed chart, found by title (unique in the book: a notebook split in
 * two keeps its figures), or undefined (a dataset chart, or one not made live yet: NOT_LIVE).
 */
export function liveFigureFor(spec: unknown): LiveFigure | undefined {
  const title = specTitle(spec);
  return LIVE_FIGURES.find((f) => f.title.test(title));
}

/**
 * One control for a configuration key: a list for enums, flags, the committed profiles and a figure's
 * short list of values (`choices`), a bounded number, or text with its format.
 */
export function keyControl(key: ScalarKey, value: string, opts: { optional?: boolean; placeholder?: string; choices?: readonly string[] } = {}): string {
  const spec: KeySpec = KEYS[key];
  const name = `name="${key}" data-key="${key}"`;
  const title = `title="${escapeHtml(spec.doc)}"`;
  let input: string;
  if (opts.choices) {
    input = `<select ${name} ${title}>${opts.choices.map((v) => `<option value="${escapeHtml(v)}"${v === value ? " selected" : ""}>${escapeHtml(v)}</option>`).join("")}</select>`;
  } else if (key === "profile") {
    // the committed profiles are the only values the book's model has (embedded with the bundle)
    const values = ["", ...listProfiles()];
    input = `<select ${name} ${title}>${values.map((v) => `<option value="${escapeHtml(v)}"${v === value ? " selected" : ""}>${escapeHtml(v === "" ? "the default table" : v)}</option>`).join("")}</select>`;
  } else if (spec.kind === "enum" || spec.kind === "bool") {
    const values = spec.kind === "enum" ? [...spec.values] : ["false", "true"];
    const none = opts.optional ? `<option value="">${escapeHtml(opts.placeholder ?? String(spec.default))} (default)</option>` : "";
    input = `<select ${name} ${title}>${none}${values.map((v) => `<option value="${escapeHtml(v)}"${v === value ? " selected" : ""}>${escapeHtml(v)}</option>`).join("")}</select>`;
  } else if (spec.kind === "int") {
    input = `<input type="number" ${name} ${title} min="${spec.min}" max="${spec.max}" step="1" value="${escapeHtml(value)}"${opts.optional ? ` placeholder="${escapeHtml(opts.placeholder ?? String(spec.default))}"` : ""} inputmode="numeric">`;
  } else {
    input = `<input type="text" ${name} ${title} value="${escapeHtml(value)}" placeholder="${escapeHtml(opts.placeholder ?? (spec.default || spec.format))}" spellcheck="false">`;
  }
  return `<label class="knob"><code>${key}</code>${input}</label>`;
}

/** The value a figure's knob starts at: the cell's setting, else the key's default. */
function startValue(fig: LiveFigure, key: ScalarKey): string {
  return fig.base[key] ?? String(KEYS[key].default);
}

/** A control for a figure's own parameter (not a configuration key): its short list of values. */
export function paramControl(p: FigureParam): string {
  return `<label class="knob"><code>${escapeHtml(p.key)}</code><select name="${escapeHtml(p.key)}" data-key="${escapeHtml(p.key)}" title="${escapeHtml(p.doc)}">${
    p.values.map((v) => `<option value="${escapeHtml(v)}"${v === p.start ? " selected" : ""}>${escapeHtml(v)}</option>`).join("")}</select></label>`;
}

/** The knob form and status line placed under a live chart. */
export function knobsHtml(fig: LiveFigure, chart: ChartRef): string {
  const controls = fig.knobs.map((k) => keyControl(k, startValue(fig, k), { choices: fig.choices?.[k] })).join("") + (fig.params ?? []).map(paramControl).join("");
  // what the page counts: the runs, or a pass's steps (08: the claims)
  const runs = fig.pass ? fig.pass.steps(fig.base).length : fig.runs(fig.base).length;
  const unit = fig.unit ?? "run";
  return `<form class="knobs" data-live="${escapeHtml(fig.id)}" data-chart="${chart.id}" data-runs="${runs}" data-unit="${escapeHtml(unit)}" autocomplete="off">` +
    `<span class="knobs-label">Change the model:</span>${controls}` +
    `<button type="button" class="knobs-try" data-try="${escapeHtml(JSON.stringify(fig.tryThis))}">Try ${escapeHtml(Object.entries(fig.tryThis).map(([k, v]) => `${k}=${v}`).join(", "))}</button>` +
    `<button type="button" class="knobs-reset" disabled>Notebook's values</button>` +
    (fig.fixed ? `<p class="knobs-fixed">${escapeHtml(fig.fixed)}</p>` : "") +
    (fig.cost ? `<p class="knobs-cost">${escapeHtml(fig.cost)}</p>` : "") +
    `<output class="live-status" data-state="committed">The notebook's output${runs > 1 ? ` (${runs} ${unit}s)` : ""}; change a value to re-run the model in your browser.</output></form>`;
}

/**
 * Adds knobs to every chart of a rendered article that a live figure matches. Returns the new HTML
 * and the ids of the live figures placed (each figure must match exactly one chart of its notebook).
 */
export function decorateLiveCharts(html: string, notebook: string, charts: ChartRef[]): { html: string; live: string[] } {
  const live: string[] = [];
  let out = html;
  for (const c of charts) {
    const fig = liveFigureFor(c.spec);
    if (!fig) continue;
    if (live.includes(fig.id)) throw new Error(`book: live figure ${fig.id} matches more than one chart of ${notebook} (make its title pattern narrower)`);
    live.push(fig.id);
    const open = `<figure class="chart" id="${c.id}">`;
    const at = out.indexOf(open);
    if (at < 0) throw new Error(`book: chart ${c.id} not found in the rendered page`);
    const close = out.indexOf("</figure>", at);
    out = `${out.slice(0, at)}<figure class="chart live" id="${c.id}" data-live="${escapeHtml(fig.id)}">${out.slice(at + open.length, close)}${knobsHtml(fig, c)}${out.slice(close)}`;
  }
  return { html: out, live };
}

/** Script tags a live page loads after the vega bundles: the model (as a string) and the page logic. */
export const LIVE_SCRIPTS = `<script src="assets/model-source.js"></script>\n<script src="assets/live.js"></script>`;

/** The keys in the playground's order, grouped the way a reader thinks about them. */
const GROUPS: { title: string; keys: ScalarKey[] }[] = [
  { title: "Traffic", keys: ["workload", "rate_pps", "payload_bytes", "flows", "arrivals", "sender_cpu", "receiver_cpu", "nic_cpu", "nic_batch", "nic_irq", "rcvbuf_bytes"] },
  { title: "Kernel", keys: ["backlog_napi", "preempt", "ksoftirqd_policy", "hz", "idle", "haltpoll_ns", "irq_time_accounting", "sched_base_slice_ns", "backlog_thread_cpus", "backlog_wake_delay_ns"] },
  { title: "sysctl and sysfs", keys: ["rps_cpus", "netdev_max_backlog", "netdev_budget", "netdev_budget_usecs", "dev_rx_weight"] },
  { title: "Machine and other tasks", keys: ["cpus", "hog_cpus", "rt_task_cpu", "rt_task_prio", "rt_task_period_us", "hotplug", "profile"] },
  { title: "Run", keys: ["duration_ms", "seed", "trace", "trace_ns"] },
];

/** Every key appears in exactly one group (a key added to the schema must be placed). */
export function playgroundGroups(): { title: string; keys: ScalarKey[] }[] {
  const placed = GROUPS.flatMap((g) => g.keys);
  const missing = (Object.keys(KEYS) as ScalarKey[]).filter((k) => !placed.includes(k));
  return missing.length === 0 ? GROUPS : [...GROUPS, { title: "Other", keys: missing }];
}

/** The playground article: scenario presets, every key, the CLI line, the timeline and the counters. */
export function playgroundArticle(): string {
  const presets = `<label class="knob preset"><code>--scenario</code><select name="scenario" data-key="scenario"><option value="">(none: the defaults)</option>${
    SCENARIOS.map((s) => `<option value="${escapeHtml(s.name)}" title="${escapeHtml(s.description)}">${escapeHtml(s.name)}</option>`).join("")}</select></label>`;
  const groups = playgroundGroups().map((g) => `<fieldset><legend>${escapeHtml(g.title)}</legend>${
    g.keys.map((k) => keyControl(k, "", { optional: true })).join("")}</fieldset>`).join("\n");
  return `<h1 id="playground">Playground</h1>
<p class="lede">Any configuration of the model, run in your browser by the same code the notebooks and the
command line use. Pick a scenario from <code>softnet-lab scenarios</code>, change any key (an empty field keeps
the scenario's value or the default), and the per-CPU timeline and counters are recomputed. The address bar
keeps the configuration: copy it to send someone this exact run. The command line below reproduces it.</p>
<form class="playground knobs" autocomplete="off">
<p class="preset-line">${presets}<button type="button" class="playground-clear">Clear all settings</button></p>
<p class="scenario-description"></p>
${groups}
</form>
<p class="cli-line">As a command: <code class="cli"></code></p>
<output class="live-status" data-state="pending">Loading the model…</output>
<h2 id="timeline">Per-CPU timeline</h2>
<figure class="chart playground-chart" id="playground-chart-1"><div class="chart-view" data-chart="playground-chart-1" data-state="pending"></div></figure>
<h2 id="counters">Per-CPU counters</h2>
<div class="counters"></div>
<details class="summary"><summary>What <code>softnet-lab simulate</code> prints for this run</summary><pre class="output text cli-summary"></pre></details>`;
}

export const PLAYGROUND_SCRIPTS = `<script src="vendor/vega.min.js"></script>\n<script src="vendor/vega-lite.min.js"></script>\n<script src="vendor/vega-embed.min.js"></script>\n<script src="assets/model-source.js"></script>\n<script src="assets/live.js"></script>\n<script src="assets/playground.js"></script>`;

/** What the playground script needs without the model: scenario settings and key defaults. */
export function playgroundData(): string {
  const data = {
    scenarios: SCENARIOS.map((s) => ({ name: s.name, description: s.description, settings: s.settings })),
    keys: Object.fromEntries((Object.keys(KEYS) as ScalarKey[]).map((k) => [k, String(KEYS[k].default)])),
  };
  return `\n<script type="application/json" class="playground-data">${JSON.stringify(data).replace(/</g, "\\u003c")}</script>`;
}

/** The exercise ids a code cell checks: `check("00.1", answer1)`. */
export function checkedIds(source: string): string[] {
  return [...source.matchAll(/\bcheck\(\s*"([0-9]+b?\.[0-9]+)"/g)].map((m) => m[1]!);
}

/** The answer form under an exercise cell: the sealed answer rides along, the expected value does not. */
export function exerciseForm(sealed: SealedExercise): string {
  return `<form class="exercise" data-exercise="${escapeHtml(sealed.id)}" autocomplete="off">` +
    `<label>Exercise ${escapeHtml(sealed.id)}, your answer (${escapeHtml(sealed.form)}): <input type="text" name="answer" spellcheck="false"></label>` +
    `<button type="submit">Check</button><output class="verdict" data-state="empty"></output>` +
    `<script type="application/json" class="exercise-seal">${JSON.stringify(sealed).replace(/</g, "\\u003c")}</script></form>`;
}

/** Seals every checked exercise of the registry (expected answers computed now, in Node). */
export async function sealedExercises(): Promise<Map<string, SealedExercise>> {
  const out = new Map<string, SealedExercise>();
  for (const ex of EXERCISES) out.set(ex.id, await sealExercise(ex, ex.expected(), randomBytes(16).toString("hex")));
  return out;
}
