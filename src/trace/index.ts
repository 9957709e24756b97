/**
 * The trace toolkit in one import: records in the kernel's tracepoint language, ftrace text both
 * ways, Chrome/Perfetto JSON, per-CPU spans, analyses that run on simulated and real traces alike,
 * the committed real captures, and tracefs capture on a real machine (docs/traces.md).
 */
export * from "./record";
export * from "./events";
export * from "./validate";
export * from "./context";
export * from "./ftrace-text";
export * from "./ftrace-parse";
export * from "./spans";
export * from "./analyze";
export * from "./chrome-trace";
export * from "./dataset";
export * from "./capture";
