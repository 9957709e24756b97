/**
 * Regenerates the generated sections of docs/cli.md (keys, costs, scenarios, commands, the --json
 * schema) from the code: `npx tsx scripts/gen-cli-doc.ts`. With `--check` it only reports whether the
 * committed file is current (exit 1 if not), as test/cli.test.ts does.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderCliDoc } from "../src/cli/docs";

const path = fileURLToPath(new URL("../docs/cli.md", import.meta.url));
const before = readFileSync(path, "utf8");
const after = renderCliDoc(before);
if (process.argv.includes("--check")) {
  if (after !== before) {
    console.error("docs/cli.md is stale: run npx tsx scripts/gen-cli-doc.ts");
    process.exit(1);
  }
  console.log("docs/cli.md is current");
} else if (after !== before) {
  writeFileSync(path, after);
  console.log("docs/cli.md regenerated");
} else {
  console.log("docs/cli.md already current");
}
