// The layer rule of src/ (docs/design.md "Layers", .dependency-cruiser.cjs): no runtime import
// cycle, no import from a lower layer into a higher one. The same check is shown to catch each kind
// of breach on a small tree made for it, and to let type-only imports pass.
import { describe, expect, it } from "vitest";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { checkLayers, formatViolation } from "../scripts/lib/layers";

const ROOT = join(import.meta.dirname, "..");

describe("layers", () => {
  it("src/ has no runtime import cycle and imports no higher layer", async () => {
    const r = await checkLayers(ROOT);
    expect(r.modules).toBeGreaterThan(100);
    expect(r.violations.map(formatViolation)).toEqual([]);
  }, 60_000);

  it("the check catches an upward import, a runtime cycle and an engine import, and lets type-only imports pass", async () => {
    const root = mkdtempSync(join(tmpdir(), "softnet-layers-test-"));
    copyFileSync(join(ROOT, ".dependency-cruiser.cjs"), join(root, ".dependency-cruiser.cjs"));
    const files: Record<string, string> = {
      "src/errors.ts": "export class E extends Error {}\n",
      "src/engine/queue.ts": 'import { b } from "../kernel/b";\nexport const q = b + 1;\n',
      "src/kernel/b.ts": 'import { c } from "./c";\nimport { E } from "../errors";\nexport const b = c + 1;\nexport const e = E;\n',
      "src/kernel/c.ts": 'import { b } from "./b";\nexport const c = 1;\nexport const cb = () => b;\n',
      "src/kernel/typed.ts": 'import type { W } from "../workloads/w";\nimport { wName } from "../workloads/w";\nexport const t = (w: W): W => w;\nexport type N = typeof wName;\n',
      "src/workloads/w.ts": 'import { b } from "../kernel/b";\nexport interface W { n: number }\nexport const wName = "w" + b;\n',
      "src/experiments/x.ts": 'import { run } from "../measure/harness";\nimport { rows } from "../measure/dataset";\nexport const x = [run, rows];\n',
      "src/measure/harness.ts": "export const run = 1;\n",
      "src/measure/dataset.ts": "export const rows = 2;\n",
    };
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    }
    try {
      const r = await checkLayers(root);
      expect(r.violations.map(formatViolation).sort()).toEqual([
        "engine-imports-nothing: src/engine/queue.ts imports src/kernel/b.ts (the engine (clock, queue, PRNG) knows nothing of the model or anything above it)",
        "no-circular: src/kernel/b.ts -> src/kernel/c.ts -> src/kernel/b.ts",
        "no-upward-engine-to-kernel: src/engine/queue.ts imports src/kernel/b.ts (engine is below kernel: it may not import it (docs/design.md, \"Layers\"))",
        "no-upward-experiments-to-measurement: src/experiments/x.ts imports src/measure/harness.ts (experiments is below measurement: it may not import it (docs/design.md, \"Layers\"))",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
