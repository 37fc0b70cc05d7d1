#!/usr/bin/env bash
# Brings this checkout to a runnable state on a machine that has only Node 20 and npm:
# Node 24 and pnpm (pinned) from the npm registry into .tools/, then `pnpm install` and the build.
# Source it (`. scripts/bootstrap.sh`) to get .tools/node_modules/.bin first on PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION=24.21.0
PNPM_VERSION=10.34.9
bin="$root/.tools/node_modules/.bin"
if [[ ! -x "$bin/node" || "$("$bin/node" --version)" != "v$NODE_VERSION" || ! -x "$bin/pnpm" ]]; then
  echo "bootstrap: installing node@$NODE_VERSION and pnpm@$PNPM_VERSION into .tools/ (npm registry)"
  npm install --prefix "$root/.tools" --no-save --no-audit --no-fund --loglevel=error \
    "node@$NODE_VERSION" "pnpm@$PNPM_VERSION" >/dev/null
fi
export PATH="$bin:$PATH"
cd "$root"
pnpm install --frozen-lockfile --reporter=silent
pnpm run --silent build
