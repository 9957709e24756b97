/**
 * Rewrites the committed kernel datasets' measure tables from their own serial transcripts in the
 * current dataset format (after src/measure/schema.ts changes): `npx tsx scripts/rebuild-kernel-datasets.ts [DIR]`.
 * No kernel is booted; metadata.json keeps its facts and each run its start time.
 */
import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { rebuildKernelDataset } from "../src/kernels/dataset";
import { defaultPlan } from "../src/kernels/guest-plan";
import { defaultKernelMatrixDir } from "../src/experiments/real-kernels";

const dir = process.argv[2] ?? defaultKernelMatrixDir();
for (const k of readdirSync(dir).sort()) {
  if (!existsSync(join(dir, k, "transcripts"))) continue;
  const d = rebuildKernelDataset(join(dir, k), defaultPlan());
  console.log(`${k}: ${d.runs.length} runs rewritten (format ${d.metadata.format_version})`);
}
