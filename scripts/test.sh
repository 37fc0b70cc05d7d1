#!/usr/bin/env bash
# The whole test suite: bootstrap, fetch the real Prometheus and VictoriaMetrics servers
# (Debian trixie packages, extracted into .cache/servers), the formatter, linter and the type
# check of the tests, then every vitest project.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/bootstrap.sh"
bash "$root/scripts/fetch-servers.sh"
cd "$root"
# The house rules first: formatter and linter clean, tests type-checked.
pnpm exec biome check --error-on-warnings .
pnpm exec tsc -p tsconfig.test.json
# Every public package as it would be published: npm publish --dry-run, publint, attw.
bash "$root/scripts/release-check.sh"
exec pnpm exec vitest run "$@"
