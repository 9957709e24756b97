/**
 * `npm run layers`: checks that src/ keeps its layers (no runtime import cycle, no import from a lower
 * layer into a higher one; .dependency-cruiser.cjs, docs/design.md "Layers") and prints each breach.
 */
import { fileURLToPath } from "node:url";
import { checkLayers, formatViolation } from "./lib/layers";

const root = fileURLToPath(new URL("..", import.meta.url));
const r = await checkLayers(root);
for (const v of r.violations) console.log(formatViolation(v));
console.log(`${r.modules} modules, ${r.dependencies} runtime imports: ${r.violations.length === 0 ? "the layer rule holds" : `${r.violations.length} breaches`}`);
process.exitCode = r.violations.length === 0 ? 0 : 1;
