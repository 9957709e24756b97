/**
 * The browser's stand-in for src/calibrate/profiles.ts (which reads profiles/*.json with node:fs):
 * the same `listProfiles` / `loadProfile` answers, from the committed profiles the book build checked
 * with the Node loader and embedded in the bundle (esbuild `define` of __SOFTNET_PROFILES__).
 * The book's bundler swaps this module in for that one (scripts/lib/book/bundle.ts NODE_STAND_INS).
 */
import { UserInputError } from "../errors";
import type { CostProfile } from "../calibrate/profiles";

export type { CostProfile, ResidualRow } from "../calibrate/profiles";

declare const __SOFTNET_PROFILES__: Record<string, CostProfile>;

/** The same error class and message as the Node loader's, so the page shows the CLI's words. */
export class ProfileError extends UserInputError {
  constructor(message: string) {
    super(message);
    this.name = "ProfileError";
  }
}

function embedded(): Record<string, CostProfile> {
  return typeof __SOFTNET_PROFILES__ === "undefined" ? {} : __SOFTNET_PROFILES__;
}

export function listProfiles(): string[] {
  return Object.keys(embedded()).sort();
}

export function loadProfile(name: string): CostProfile {
  const p = embedded()[name];
  if (!/^[A-Za-z0-9._-]+$/.test(name) || p === undefined) {
    const have = listProfiles();
    throw new ProfileError(`no profile "${name}" (available: ${have.length ? have.join(", ") : "none"}; make one with softnet-lab calibrate)`);
  }
  return p;
}
