#!/usr/bin/env bash
# The main job on its embedded default: the example task worker under the preload flag, with its
# Prometheus endpoint on 127.0.0.1:9464 (override with OTEL_EXPORTER_PROMETHEUS_PORT).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/bootstrap.sh"
cd "$root/examples/task-worker"
exec node --import @mltel/node/register src/worker.js
