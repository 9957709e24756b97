/**
 * What the browser gets: the model and its chart builders, bundled for the book's Web Worker and
 * playground (scripts/lib/book/bundle.ts). Everything exported here must stay free of Node modules
 * (node:fs, worker_threads, process...): test/browser-core.test.ts bundles this file for
 * platform=browser and fails on any Node import. The Node-backed modules reached are swapped when
 * bundled (scripts/lib/book/bundle.ts NODE_STAND_INS): src/calibrate/profiles.ts for ./profiles.ts
 * (the committed profiles), and src/live/{published,measured,capture,kernels}.ts for their twins
 * here (the published figures, the measured dataset, 05's capture spacing and 09's real-kernel rows
 * that live charts draw beside the model or read a setting from), each embedded at build time.
 */
export { KEYS, DEFAULT_CONFIG } from "../config/schema";
export type { SimConfig, KeySpec, ScalarKey } from "../config/schema";
export { resolveConfig, makeConfig, configDiff, ConfigError } from "../config/parse";
export { SCENARIOS, SCENARIO_NAMES, findScenario } from "../config/scenarios";
export { COST_NAMES } from "../kernel/costs";
export { simulate } from "../sim/simulate";
export type { SimResult, CpuResult } from "../observe/types";
export { timelineSpec } from "../charts/timeline";
export { busySpec } from "../charts/busy";
export { barsSpec } from "../charts/bars";
export { linesSpec } from "../charts/lines";
export { cdfSpec } from "../charts/cdf";
export { LIVE_FIGURES, findLiveFigure, runFigure, figureConfigs, specTitle } from "../live/figures";
export { playgroundRun, cliCommand, PLAYGROUND_TRACE_NS } from "./playground";
export { handleRequest } from "./protocol";
export type { Request, Reply } from "./protocol";
