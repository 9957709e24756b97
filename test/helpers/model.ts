/**
 * Small helpers shared by the model's semantic tests: build a validated config from overrides,
 * run it (optionally traced, or in slices), and pick trace records apart.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validateConfig } from "../../src/config/parse";
import { DEFAULT_CONFIG, type SimConfig } from "../../src/config/schema";
import type { CostName } from "../../src/kernel/costs";
import type { SimResult, Span, TraceEventName, TraceRecord } from "../../src/observe/types";
import { Simulation, simulate } from "../../src/sim/simulate";

export type Overrides = Partial<Omit<SimConfig, "costs">> & { costs?: Partial<Record<CostName, number>> };

/**
 * The reference cost table (profiles/reference-published.json: orders of magnitude from published
 * figures). The model's semantic tests name it rather than rely on the default table, which is to
 * become the one measured on the kit's machine kind: a mechanism's exact trace must not change when
 * a machine does.
 */
export const REFERENCE_COSTS: Record<CostName, number> = JSON.parse(readFileSync(join(__dirname, "..", "..", "profiles", "reference-published.json"), "utf8")).costs;

/** DEFAULT_CONFIG on the reference costs with `over` applied, checked by the same rules as the CLI (a typo throws). */
export function config(over: Overrides = {}): SimConfig {
  const { costs, ...scalars } = over;
  // the reference table has no measured spreads: every charge takes its value (profiles/reference-published.json says cost_spread none)
  return validateConfig({ ...DEFAULT_CONFIG, cost_spread: "none", ...scalars, costs: { ...REFERENCE_COSTS, ...costs } });
}

export function run(over: Overrides = {}): SimResult {
  return simulate(config(over));
}

/** A traced run: the result plus its records and spans. */
export function traced(over: Overrides = {}): { r: SimResult; records: TraceRecord[]; spans: Span[] } {
  const r = simulate(config({ ...over, trace: true }));
  return { r, records: r.trace!.records, spans: r.trace!.spans };
}

/** A simulation to drive by hand with `runUntil`, for looking at the machine between slices. */
export function simulation(over: Overrides = {}): Simulation {
  return new Simulation(config(over));
}

/** Records of one event (optionally on one CPU), in emission order. */
export function recs(records: TraceRecord[], event: TraceEventName, cpu?: number): TraceRecord[] {
  return records.filter((x) => x.event === event && (cpu === undefined || x.cpu === cpu));
}

/** The records of one CPU, in order, shortened to "event" or "event:detail" for exact comparisons. */
export function shortTrace(records: TraceRecord[], cpu: number, skip: TraceEventName[] = []): string[] {
  return records
    .filter((x) => x.cpu === cpu && !skip.includes(x.event))
    .map((x) => {
      const f = x.fields;
      switch (x.event) {
        case "irq:irq_handler_entry": return `irq_entry:${f.name}`;
        case "irq:irq_handler_exit": return "irq_exit";
        case "napi:napi_poll": return `napi_poll:${f.work}`;
        case "ipi:ipi_send_cpu": return `ipi:${f.cpu}:${f.callback}`;
        case "sched:sched_switch": return `switch:${f.prev_comm}>${f.next_comm}`;
        case "sched:sched_wakeup": return `wakeup:${f.comm}`;
        default: return x.event.split(":")[1]!;
      }
    });
}

export const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
