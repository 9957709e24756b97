/**
 * The browser-safe core: src/browser/core.ts (what the book's Web Worker gets) bundles for
 * platform=browser with no Node module, only from the model's folders, with exactly the declared
 * stand-ins; and the check is real: a module of the core that imported node:fs would fail the build.
 * Notebook 08's verdict pass is inside it (its rules, not the CSV reader nor the worker-thread pool),
 * and run from the bundle alone, with no Node global, it gives Node's verdicts from the embedded rows.
 */
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { BROWSER_CORE, NODE_STAND_INS, browserBuildOptions } from "../scripts/lib/book/bundle";
import { REPO } from "../scripts/lib/repo";
import { findLiveFigure, runFigure } from "../src/live/figures";
import { PUBLISHED_CSV } from "../src/live/published";
import { loadPublishedFigures } from "../src/measure/dataset";

/** The folders the browser may take code from (the model, its charts, and the browser glue). */
const CORE_FOLDERS = ["src/engine/", "src/kernel/", "src/workloads/", "src/observe/", "src/config/", "src/sim/", "src/charts/", "src/live/", "src/browser/"];
/** Single files outside them that are pure functions with no Node import (checked by the same build). */
const CORE_FILES = ["src/errors.ts", "src/cli/summary.ts", "src/cli/table.ts", "src/notebook/exercises.ts", "src/experiments/rt.ts", "src/experiments/published-profile.ts", "src/experiments/hotplug.ts", "src/experiments/c8.ts", "src/experiments/handoff-runs.ts", "src/experiments/rps-matrix.ts", "src/experiments/claim-verdicts.ts",
  "src/experiments/kernel-cases.ts", "src/experiments/trace-beside.ts", "src/calibrate/compare.ts", "src/measure/stats.ts", "src/measure/schema.ts"];

describe("the browser core", () => {
  it("bundles for platform=browser with no Node module, from the model's folders only", async () => {
    const r = await build(browserBuildOptions(BROWSER_CORE, { metafile: true, format: "esm" }));
    expect(r.errors).toEqual([]);
    const inputs = Object.keys(r.metafile!.inputs).filter((i) => !i.startsWith("<define:"));
    const ours = inputs.filter((i) => i.startsWith("src/"));
    const outside = ours.filter((i) => !CORE_FOLDERS.some((d) => i.startsWith(d)) && !CORE_FILES.includes(i));
    expect(outside).toEqual([]);
    // the stand-in replaced the Node-backed module: its original is not in the bundle
    for (const [from, to] of Object.entries(NODE_STAND_INS)) {
      expect(ours).not.toContain(from);
      expect(ours).toContain(to);
    }
    // third-party code: only the PRNG the engine uses
    expect([...new Set(inputs.filter((i) => i.startsWith("node_modules/")).map((i) => i.split("/")[1]))]).toEqual(["pure-rand"]);
  });

  it("declares exactly five Node stand-ins: the cost-profile loader, the published figures, the measured dataset of notebooks 03 and 05, 05's capture spacing and 09's real-kernel rows", () => {
    expect(NODE_STAND_INS).toEqual({
      "src/calibrate/profiles.ts": "src/browser/profiles.ts", "src/live/published.ts": "src/browser/published.ts", "src/live/measured.ts": "src/browser/measured.ts",
      "src/live/capture.ts": "src/browser/capture.ts", "src/live/kernels.ts": "src/browser/kernels.ts",
    });
  });

  it("fails the build, naming the importer, when a core module imports a Node module", async () => {
    const dir = fs.mkdtempSync(path.join(REPO, "src", "browser", ".probe-"));
    try {
      fs.writeFileSync(path.join(dir, "leaky.ts"), `import fs from "node:fs";\nexport const x = fs.existsSync("/");\n`);
      fs.writeFileSync(path.join(dir, "entry.ts"), `export { x } from "./leaky";\n`);
      const err = await build(browserBuildOptions(path.join(dir, "entry.ts"))).then(() => null, (e: { errors: { text: string }[] }) => e);
      expect(err).not.toBeNull();
      expect(err!.errors.map((e) => e.text).join("\n")).toMatch(/leaky\.ts imports the Node module "node:fs": the browser core must not/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("08's verdict pass is in the core: the rules (claim-verdicts.ts) and the C12 reading, not the CSV reader, the RPS sweep or the worker-thread pool", async () => {
    const r = await build(browserBuildOptions(BROWSER_CORE, { metafile: true, format: "esm" }));
    const ours = Object.keys(r.metafile!.inputs).filter((i) => i.startsWith("src/"));
    for (const f of ["src/experiments/claim-verdicts.ts", "src/experiments/rps-matrix.ts", "src/live/verdicts.ts"]) expect(ours).toContain(f);
    for (const f of ["src/experiments/verdicts.ts", "src/experiments/handoff.ts", "src/experiments/rps.ts", "src/experiments/sweep.ts", "src/experiments/pool.ts", "src/experiments/robustness.ts", "src/measure/dataset.ts"]) expect(ours).not.toContain(f);
  });

  it("the bundle alone (no require, no process, no fs) runs 08's verdict pass from the embedded published rows and gives Node's chart", async () => {
    const r = await build(browserBuildOptions(BROWSER_CORE, { format: "iife", globalName: "SoftnetCore" }));
    const sandbox: Record<string, unknown> = { performance, console };
    vm.runInNewContext(`${r.outputFiles![0]!.text}\nglobalThis.SoftnetCore = SoftnetCore;`, sandbox);
    const core = sandbox.SoftnetCore as { runFigure: typeof runFigure; findLiveFigure: typeof findLiveFigure };
    expect(typeof (sandbox as { process?: unknown }).process).toBe("undefined");
    // C9 reads the published figures (the RFC's regression); C12 runs the RPS matrix inline
    for (const knobs of [{ claim: "C9" }, { claim: "C12", scale: "0.4", seed: "2" }] as Record<string, string>[]) {
      const inBundle = core.runFigure(core.findLiveFigure("08-verdicts/verdict-per-claim")!, knobs, "t");
      const inNode = runFigure(findLiveFigure("08-verdicts/verdict-per-claim")!, knobs, "t");
      expect(JSON.stringify(inBundle)).toBe(JSON.stringify(inNode));
    }
    // the embedded rows are the loader's
    const define = browserBuildOptions(BROWSER_CORE).define!.__SOFTNET_PUBLISHED__!;
    expect(JSON.parse(define)).toEqual(JSON.parse(JSON.stringify(loadPublishedFigures(path.join(REPO, PUBLISHED_CSV)).rows)));
  });
});
