/**
 * Checks the layer rule of src/ (.dependency-cruiser.cjs, docs/design.md "Layers") with
 * dependency-cruiser on the JavaScript esbuild emits from each source file, so that only runtime
 * imports count (TypeScript's type-only imports are erased, as when the code runs). TypeScript 7
 * has no JavaScript API for dependency-cruiser's own TypeScript reader, hence the emit step.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { buildSync } from "esbuild";
import { cruise, type IForbiddenRuleType } from "dependency-cruiser";

export interface LayerViolation {
  rule: string;
  from: string;
  to: string;
  /** The modules of a cycle, when the rule is no-circular. */
  cycle: string[];
  comment: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const asTs = (p: string) => p.replace(/\.js$/, ".ts");

/**
 * Emits `<root>/src` file by file to a temporary folder and cruises it with the rules of
 * `<root>/.dependency-cruiser.cjs`; returns the violations (empty when the rule holds).
 */
export async function checkLayers(root: string): Promise<{ modules: number; dependencies: number; violations: LayerViolation[] }> {
  const require = createRequire(import.meta.url);
  const config = require(join(root, ".dependency-cruiser.cjs")) as { forbidden: IForbiddenRuleType[]; options: Record<string, unknown> };
  const out = mkdtempSync(join(tmpdir(), "softnet-layers-"));
  try {
    const src = join(root, "src");
    buildSync({ entryPoints: tsFiles(src).map((f) => relative(root, f)), absWorkingDir: root, outdir: join(out, "src"), outbase: "src", bundle: false, format: "esm", platform: "node", logLevel: "error" });
    const cwd = process.cwd();
    process.chdir(out); // dependency-cruiser reports paths relative to the working folder
    let result;
    try {
      result = await cruise(["src"], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden }, outputType: "json" });
    } finally {
      process.chdir(cwd);
    }
    const output = typeof result.output === "string" ? JSON.parse(result.output) : result.output;
    const summary = output.summary;
    const comments = new Map(config.forbidden.map((r) => [r.name, r.comment ?? ""]));
    return {
      modules: summary.totalCruised,
      dependencies: summary.totalDependenciesCruised,
      violations: summary.violations.map((v: { rule: { name: string }; from: string; to: string; cycle?: Array<{ name: string } | string> }) => ({
        rule: v.rule.name,
        from: asTs(v.from),
        to: asTs(v.to),
        cycle: (v.cycle ?? []).map((c) => asTs(typeof c === "string" ? c : c.name)),
        comment: comments.get(v.rule.name) ?? "",
      })),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** One line per violation, as the test and `npm run layers` print them. */
export function formatViolation(v: LayerViolation): string {
  return v.rule === "no-circular" ? `${v.rule}: ${[v.from, ...v.cycle].join(" -> ")}` : `${v.rule}: ${v.from} imports ${v.to} (${v.comment})`;
}
