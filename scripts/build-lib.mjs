#!/usr/bin/env node
// The prebuilt library notebooks import (notebooks/lib -> build/lib): src/ emitted file by file as
// CommonJS JavaScript by esbuild, plus the .d.ts declarations TypeScript 7 emits, so a tslab cell
// type-checks against declarations and runs plain JavaScript instead of compiling src/ each time.
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

/** Builds build/lib unless it is current; returns what it did. Throws when esbuild or tsc fails. */
export async function ensureLib({ force = false } = {}) {
  if (!force && isFresh()) return "current";
  const stamp = stampOf();
  const { buildSync } = await import("esbuild");
  const tmp = `${LIB_DIR}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const entries = sources(join(ROOT, "src")).filter((f) => f.endsWith(".ts"));
    buildSync({ entryPoints: entries, outdir: tmp, outbase: join(ROOT, "src"), bundle: false, format: "cjs", platform: "node", target: "node20", logLevel: "error" });
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.lib.json"), "--outDir", tmp], { cwd: ROOT, encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`build-lib: tsc could not emit the declarations:\n${tsc.stdout}${tsc.stderr}`);
    // JSON files src/ imports (require() reads them as they are)
    for (const f of sources(join(ROOT, "src")).filter((x) => x.endsWith(".json"))) {
      const to = join(tmp, relative(join(ROOT, "src"), f));
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, readFileSync(f));
    }
    // the repo's package.json says "type": "module"; these files are CommonJS
    writeFileSync(join(tmp, "package.json"), '{ "type": "commonjs" }\n');
    writeFileSync(join(tmp, STAMP), stamp);
    if (existsSync(LIB_DIR)) {
      const old = `${LIB_DIR}.old-${process.pid}`;
      renameSync(LIB_DIR, old);
      renameSync(tmp, LIB_DIR);
      rmSync(old, { recursive: true, force: true });
    } else {
      mkdirSync(dirname(LIB_DIR), { recursive: true });
      renameSync(tmp, LIB_DIR);
    }
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
    process.exit(1);
  });
}
