#!/usr/bin/env bash
# The whole test suite: installs what is missing, type-checks with TypeScript 7 (strict),
# then runs every vitest suite (model, CLI, notebooks in real Jupyter, the book in Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --jupyter --chromium --measure
echo "== type-check (TypeScript $(node node_modules/typescript/bin/tsc --version | awk '{print $2}'), strict"
node node_modules/typescript/bin/tsc --noEmit -p .
echo "== vitest"
exec node node_modules/vitest/vitest.mjs run "$@"
