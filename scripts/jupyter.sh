#!/usr/bin/env bash
# npm start: installs what is missing (npm packages, Debian's Jupyter), then serves notebooks/ in
# the classic Notebook with the repo's tslab kernel on 127.0.0.1 and prints the URL with its token.
# PORT=<n> picks the port (default 8888; a free port if taken). Ctrl-C stops Jupyter and its kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --jupyter
exec node --import tsx scripts/jupyter-server.ts "$@"
