/**
 * Runs one simulation: builds the machine model from a resolved config, drives it for
 * `duration_ms` of simulated time and collects the result.
 */
import type { SimConfig } from "../config/schema";
import type { SimResult } from "../observe/types";

export function simulate(config: SimConfig): SimResult {
  void config;
  throw new Error("simulate: the model is being written (issue 2)");
}
