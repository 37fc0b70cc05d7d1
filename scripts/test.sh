#!/usr/bin/env bash
# The whole test suite: bootstrap, fetch the real Prometheus and VictoriaMetrics servers
# (Debian trixie packages, extracted into .cache/servers), then every vitest project.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/bootstrap.sh"
bash "$root/scripts/fetch-servers.sh"
cd "$root"
exec pnpm exec vitest run "$@"
