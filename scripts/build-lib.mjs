#!/usr/bin/env node
// The prebuilt library notebooks import (notebooks/lib -> build/lib): src/ emitted file by file by
// TypeScript 7 as CommonJS JavaScript with .d.ts declarations (tsconfig.lib.json), so a tslab cell
// type-checks against declarations and runs plain JavaScript instead of compiling src/ each time.
// TypeScript's CommonJS exports are plain properties; esbuild's are getters, which cost the model's
// hot path a getter call per cross-module call (measured about 20 % slower).
// Rebuilt only when src/ changed since the last build (a stamp of every source file's size and
// mtime); built into a temporary folder and renamed into place, so a kernel never sees half a
// build. Run by `npm ci` (prepare), `npm run notebooks`, `npm start`, the test suite and the tslab
// kernel's start (jupyter/kernels/tslab/kernel.json), so a restarted kernel always sees current src/.
// Plain JavaScript: it runs before anything else at kernel start.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const LIB_DIR = join(ROOT, "build", "lib");
const STAMP = ".stamp";

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") || e.name.endsWith(".json") ? [p] : [];
  }).sort();
}

/** What the build was made from: every source file with its size and mtime, and the build's own inputs. */
function stampOf() {
  const files = [...sources(join(ROOT, "src")), join(ROOT, "tsconfig.json"), join(ROOT, "tsconfig.lib.json"), fileURLToPath(import.meta.url)];
  return files.map((f) => {
    const st = statSync(f);
    return `${relative(ROOT, f)} ${st.size} ${st.mtimeMs}`;
  }).join("\n");
}

export function isFresh() {
  try {
    return readFileSync(join(LIB_DIR, STAMP), "utf8") === stampOf();
  } catch {
    return false;
  }
}

/**
 * Puts the finished build in place: the old one is renamed aside first, so build/lib is missing for
 * an instant at most, never half there. Two processes building at once (two kernels starting) may
 * race: whichever loses finds a current build in place and leaves it.
 */
function swapIn(tmp) {
  const old = `${LIB_DIR}.old-${process.pid}`;
  try {
    if (existsSync(LIB_DIR)) renameSync(LIB_DIR, old);
    renameSync(tmp, LIB_DIR);
  } catch (e) {
    if (!isFresh()) throw e;
  } finally {
    rmSync(old, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Builds build/lib unless it is current; returns what it did. Throws when tsc fails. */
export async function ensureLib({ force = false } = {}) {
  if (!force && isFresh()) return "current";
  const stamp = stampOf();
  const tmp = `${LIB_DIR}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.lib.json"), "--outDir", tmp], { cwd: ROOT, encoding: "utf8" });
    // exit 2: type errors, files emitted all the same (the type-check of the test suite reports them)
    if (tsc.status !== 0 && tsc.status !== 2) throw new Error(`build-lib: tsc could not emit build/lib:\n${tsc.stdout}${tsc.stderr}`);
    if (!existsSync(join(tmp, "sim", "simulate.js"))) throw new Error(`build-lib: tsc emitted nothing:\n${tsc.stdout}${tsc.stderr}`);
    // JSON files src/ imports (require() reads them as they are)
    for (const f of sources(join(ROOT, "src")).filter((x) => x.endsWith(".json"))) {
      const to = join(tmp, relative(join(ROOT, "src"), f));
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, readFileSync(f));
    }
    // the repo's package.json says "type": "module"; these files are CommonJS
    writeFileSync(join(tmp, "package.json"), '{ "type": "commonjs" }\n');
    writeFileSync(join(tmp, STAMP), stamp);
    swapIn(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return "built";
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  ensureLib({ force: process.argv.includes("--force") }).then((what) => {
    if (!process.argv.includes("--quiet")) console.log(`build/lib ${what === "built" ? `built in ${((performance.now() - t0) / 1000).toFixed(1)} s` : "is current"}`);
  }, (e) => {
    console.error(e instanceof Error ? e.message : String(e));
    // --if-possible (npm's prepare): a failed build must not fail `npm ci`; the kernel retries at start
    process.exit(process.argv.includes("--if-possible") ? 0 : 1);
  });
}
