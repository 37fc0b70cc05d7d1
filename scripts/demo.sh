#!/usr/bin/env bash
# The collector deployment without Docker, until Ctrl+C: the reference services under the
# preload flag with continuous synthetic load, the real Prometheus (fetched from Debian as the
# tests fetch it) with the generated rules, Alertmanager delivering to a printer here, and a list
# of where to look. Needs only Node 20 and npm (bootstrap.sh brings the rest); without apt (not
# Debian/Ubuntu) it runs the services alone. Ports: MLTEL_DEMO_PORT (default 9464) and the next
# seven: task-worker, inference-server, classification-api, Prometheus, Alertmanager, webhook,
# generation-service, ml-producer.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/bootstrap.sh"
cd "$root"
base="${MLTEL_DEMO_PORT:-${OTEL_EXPORTER_PROMETHEUS_PORT:-9464}}"
worker_port=$base inference_port=$((base + 1)) api_port=$((base + 2))
prom_port=$((base + 3)) am_port=$((base + 4)) hook_port=$((base + 5))
gen_port=$((base + 6)) producer_port=$((base + 7))
state="$root/.cache/demo"
rm -rf "$state" && mkdir -p "$state/targets" "$state/rules" "$state/alertmanagers" "$state/collectors"
bin="${MLTEL_SERVERS_DIR:-$root/.cache/servers}/root/usr/bin"

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "demo: stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# Runs an example service ($1, $2 = its script) under the preload on port $3 (exec: the pid
# recorded is node's own, so Ctrl+C stops it).
service() {
  local name="$1" script="$2" port="$3"
  shift 3
  (cd "$root/examples/$name" &&
    exec env OTEL_SERVICE_NAME="$name" OTEL_EXPORTER_PROMETHEUS_PORT="$port" OTEL_LOG_LEVEL=warn "$@" \
      node --import @mltel/node/register "$script") &
  pids+=($!)
}

servers=yes
bash "$root/scripts/fetch-servers.sh" >"$state/fetch.log" 2>&1 || true
if [[ ! -x "$bin/prometheus" || ! -x "$bin/alertmanager-mltel" ]]; then
  servers=no
  echo "demo: could not fetch Prometheus and Alertmanager (see $state/fetch.log); running the services alone"
fi

service task-worker src/worker.js "$worker_port" \
  MLTEL_BUDGETS='[{"name":"llm-hourly","limitUsd":0.5,"window":"hour"},{"name":"llm-daily","limitUsd":5,"window":"day"}]'
service inference-server src/server.js "$inference_port" SERVER_REQUESTS=100000000 \
  MLTEL_NVIDIA_SMI="$root/test/fixtures/fake-nvidia-smi/nvidia-smi" \
  FAKE_NVIDIA_SMI_CAPTURE="$root/packages/nvidia-smi-parser/test/fixtures/capture-multi-l40s-driver595.txt"
service classification-api src/api.js "$api_port" API_REQUESTS=100000000 API_PACE_MS=1000
service generation-service src/service.js "$gen_port" GEN_REQUESTS=100000000 GEN_PACE_MS=500
service ml-producer src/main.js "$producer_port" PRODUCER_TASKS=100000000

if [[ $servers == yes ]]; then
  # A webhook receiver that prints what Alertmanager delivers.
  node -e '
    require("node:http").createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c)).on("end", () => {
        for (const a of JSON.parse(body).alerts) console.log(`[alert] ${a.status} ${a.labels.alertname} (${a.labels.severity}): ${a.annotations.summary}`);
        res.end();
      });
    }).listen(Number(process.argv[1]), "127.0.0.1");' "$hook_port" &
  pids+=($!)
  [[ -e /tmp/mltel-alertmanager-templates0 ]] ||
    ln -sfn "$(dirname "$bin")/share/prometheus/alertmanager" /tmp/mltel-alertmanager-templates0
  sed -e "s#http://alert-receiver:9099/alerts#http://127.0.0.1:$hook_port/alerts#" -e 's/group_wait: 30s/group_wait: 5s/' \
    collector/alertmanager/alertmanager.yml >"$state/alertmanager.yml"
  "$bin/alertmanager-mltel" --config.file="$state/alertmanager.yml" --storage.path="$state/am-data" \
    --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= --log.level=warn &
  pids+=($!)
  cp collector/prometheus/prometheus.yml "$state/prometheus.yml"
  cp collector/prometheus/rules/*.yml "$state/rules/"
  cat >"$state/targets/demo.json" <<JSON
[
  { "targets": ["127.0.0.1:$worker_port"], "labels": { "service": "task-worker" } },
  { "targets": ["127.0.0.1:$inference_port"], "labels": { "service": "inference-server" } },
  { "targets": ["127.0.0.1:$api_port"], "labels": { "service": "classification-api" } },
  { "targets": ["127.0.0.1:$gen_port"], "labels": { "service": "generation-service" } },
  { "targets": ["127.0.0.1:$producer_port"], "labels": { "service": "ml-producer" } }
]
JSON
  echo "[{ \"targets\": [\"127.0.0.1:$am_port\"] }]" >"$state/alertmanagers/demo.json"
  "$bin/prometheus" --config.file="$state/prometheus.yml" --web.listen-address="127.0.0.1:$prom_port" \
    --storage.tsdb.path="$state/data" --log.level=warn &
  pids+=($!)
fi

sleep 3
cat <<TEXT

demo: the collector deployment is running (Ctrl+C to stop). Where to look:
  task-worker metrics         http://127.0.0.1:$worker_port/metrics
  inference-server metrics    http://127.0.0.1:$inference_port/metrics
  classification-api metrics  http://127.0.0.1:$api_port/metrics
  generation-service metrics  http://127.0.0.1:$gen_port/metrics
  ml-producer metrics         http://127.0.0.1:$producer_port/metrics
TEXT
if [[ $servers == yes ]]; then
  cat <<TEXT
  Prometheus                  http://127.0.0.1:$prom_port  (targets: /targets, rules: /rules)
  firing and pending alerts   http://127.0.0.1:$prom_port/alerts
  Alertmanager                http://127.0.0.1:$am_port  (deliveries print here as [alert] lines)
  try in Prometheus:          job:ml_cost_usd:per_hour
                              job_ml_task_name:ml_tasks_failed:ratio_rate5m
                              job_ml_pipeline_name:ml_pipeline_duration_seconds:p95_rate5m
  Grafana dashboards: collector/grafana/dashboards/*.json (import them, or docker compose up)
TEXT
fi
wait
