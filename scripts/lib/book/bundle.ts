/**
 * Bundles the model for the book with esbuild: src/browser/worker.ts (the model, the chart builders
 * and the live figures) for platform=browser, with the committed cost profiles, published figures,
 * the measured dataset notebooks 03 and 05 draw, 05's capture spacing and 09's real-kernel rows
 * embedded, refusing any Node module. The bundle is shipped as a string in assets/model-source.js (a classic script),
 * so a page can start it as a Web Worker from a Blob even when opened from file://.
 */
import fs from "node:fs";
import path from "node:path";
import { builtinModules } from "node:module";
import { build, type BuildOptions, type Plugin } from "esbuild";
import { listProfiles, loadProfile, type CostProfile } from "../../../src/calibrate/profiles";
import { captureSpacing } from "../../../src/live/capture";
import { kernelBars } from "../../../src/live/kernels";
import { measuredDataset } from "../../../src/live/measured";
import { publishedRows } from "../../../src/live/published";
import { REPO } from "../repo";

/** The browser entry that lists what the browser gets, and the worker built from it. */
export const BROWSER_CORE = path.join(REPO, "src", "browser", "core.ts");
export const BROWSER_WORKER = path.join(REPO, "src", "browser", "worker.ts");

/**
 * Node-backed modules the model reaches, with their browser stand-ins: the only exceptions to "no
 * Node module in the core". Keep this list short; test/browser-core.test.ts prints it.
 */
export const NODE_STAND_INS: Record<string, string> = {
  "src/calibrate/profiles.ts": "src/browser/profiles.ts",
  "src/live/published.ts": "src/browser/published.ts",
  "src/live/measured.ts": "src/browser/measured.ts",
  "src/live/capture.ts": "src/browser/capture.ts",
  "src/live/kernels.ts": "src/browser/kernels.ts",
};

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Swaps in the stand-ins and turns any import of a Node builtin into a build error naming the importer. */
function browserBoundary(): Plugin {
  return {
    name: "softnet-browser-boundary",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (NODE_BUILTINS.has(args.path)) {
          return { errors: [{ text: `${path.relative(REPO, args.importer)} imports the Node module "${args.path}": the browser core must not (move it behind src/browser/ or out of the model)` }] };
        }
        if (!args.path.startsWith(".")) return undefined;
        const resolved = path.relative(REPO, path.resolve(args.resolveDir, args.path));
        for (const [from, to] of Object.entries(NODE_STAND_INS)) {
          if (`${resolved}.ts` === from || resolved === from) return { path: path.join(REPO, to) };
        }
        return undefined;
      });
    },
  };
}

/** The committed profiles, each checked by the Node loader (its errors name the file and field). */
export function embeddedProfiles(): Record<string, CostProfile> {
  const out: Record<string, CostProfile> = {};
  for (const name of listProfiles(path.join(REPO, "profiles"))) out[name] = loadProfile(name, path.join(REPO, "profiles"));
  return out;
}

export function browserBuildOptions(entry: string, extra: Partial<BuildOptions> = {}): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2020",
    write: false,
    logLevel: "silent",
    legalComments: "none",
    plugins: [browserBoundary()],
    define: {
      __SOFTNET_PROFILES__: JSON.stringify(embeddedProfiles()),
      __SOFTNET_PUBLISHED__: JSON.stringify(publishedRows()),
      __SOFTNET_MEASURED__: JSON.stringify(measuredDataset()),
      __SOFTNET_CAPTURE_SPACING__: JSON.stringify(captureSpacing()),
      __SOFTNET_KERNELS__: JSON.stringify(kernelBars()),
    },
    ...extra,
  };
}

/** The worker bundle's JavaScript, minified. */
export async function bundleModel(): Promise<{ code: string; inputs: string[] }> {
  const r = await build(browserBuildOptions(BROWSER_WORKER, { minify: true, metafile: true }));
  return { code: r.outputFiles![0]!.text, inputs: Object.keys(r.metafile!.inputs) };
}

/** Writes assets/model-source.js: a classic script that defines the bundle as a string. */
export async function writeModelAssets(assetsDir: string): Promise<{ bytes: number; modules: number }> {
  const { code, inputs } = await bundleModel();
  const js = `// softnet-lab's model, bundled by esbuild from src/browser/worker.ts; the book starts it as a Web Worker from a Blob.\nself.SOFTNET_MODEL_SOURCE = ${JSON.stringify(code).replace(/</g, "\\u003c")};\n`;
  fs.writeFileSync(path.join(assetsDir, "model-source.js"), js);
  return { bytes: js.length, modules: inputs.length };
}
