/**
 * The browser builds of vega, vega-lite and vega-embed, copied from node_modules wherever a page
 * draws charts (the classic Notebook's custom.js, the static book), so no page needs a CDN.
 */
import fs from "node:fs";
import path from "node:path";
import { PATHS } from "./repo";

/** UMD bundles in load order; `module` is the AMD name the later bundles require. */
export const VEGA_BUNDLES = [
  { module: "vega", file: "vega/build/vega.min.js" },
  { module: "vega-lite", file: "vega-lite/build/vega-lite.min.js" },
  { module: "vega-embed", file: "vega-embed/build/vega-embed.min.js" },
] as const;

/** Copies the three bundles into `destDir` (created if needed); returns the file names written. */
export function copyVegaBundles(destDir: string): string[] {
  fs.mkdirSync(destDir, { recursive: true });
  return VEGA_BUNDLES.map(({ file }) => {
    const src = path.join(PATHS.nodeModules, file);
    if (!fs.existsSync(src)) throw new Error(`vendor: ${src} is missing; run npm ci`);
    const name = path.basename(file);
    fs.copyFileSync(src, path.join(destDir, name));
    return name;
  });
}

/** The installed versions, for the book's colophon and for log lines. */
export function vegaVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { module } of VEGA_BUNDLES) {
    const pkg = JSON.parse(fs.readFileSync(path.join(PATHS.nodeModules, module, "package.json"), "utf8"));
    out[module] = String(pkg.version);
  }
  return out;
}
