/**
 * softnet-lab's public API: resolve a configuration, run one simulation, read the result.
 * Notebooks and the CLI import from here.
 */
export { KEYS, DEFAULT_CONFIG } from "./config/schema";
export type { SimConfig, KeySpec, WorkloadName, KsoftirqdPolicy } from "./config/schema";
export { COSTS, COST_NAMES } from "./kernel/costs";
export type { CostName } from "./kernel/costs";
export type { SimResult, CpuResult, TaskResult, Span, SpanContext, Trace, TraceRecord, TraceEventName, LatencySummary, DropReason, CpuBusy } from "./observe/types";
export { simulate } from "./sim/simulate";
export { resolveConfig, makeConfig, validateConfig, splitSetting, configDiff, rpsCpuList, hogCpuList, ConfigError } from "./config/parse";
export type { ConfigOverrides, Settings } from "./config/parse";
export { SCENARIOS, SCENARIO_NAMES, findScenario } from "./config/scenarios";
export type { Scenario } from "./config/scenarios";
export { describeKeys } from "./config/describe";
export type { KeyDescription } from "./config/describe";
// Traces in the kernel's language: ftrace text, Chrome JSON, spans, analyses, real captures (src/trace, docs/traces.md).
export * as trace from "./trace";
