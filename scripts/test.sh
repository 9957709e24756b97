#!/usr/bin/env bash
# The whole test suite: installs what is missing, type-checks with TypeScript 7 (strict),
# then runs every vitest suite (model, CLI, measurements on the real kernel, notebooks in real
# Jupyter, the book in Chromium) and ends with one plain line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --jupyter --chromium --measure || exit 1
echo "== type-check (TypeScript $(node node_modules/typescript/bin/tsc --version | awk '{print $2}'), strict"
node node_modules/typescript/bin/tsc --noEmit -p . || { echo "0 passed, 1 failed"; exit 1; }
echo "== vitest"
mkdir -p build
report=build/vitest-report.json
rm -f "$report"
node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$report" "$@"
rc=$?
if [ -f "$report" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  ' "$report"
fi
exit $rc
