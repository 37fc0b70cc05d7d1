#!/usr/bin/env bash
# Fetches the real Prometheus 2.53 (+ promtool) and VictoriaMetrics 1.112 servers used by the
# integration tests from Debian trixie, without touching the system: a private apt state folder,
# `apt-get download`, then `dpkg -x` into .cache/servers. Nothing is installed system-wide.
# Idempotent: a second run with the binaries present does nothing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${MLTEL_SERVERS_DIR:-$root/.cache/servers}"
prom="$cache/root/usr/bin/prometheus"
vm="$cache/root/usr/bin/victoria-metrics"
if [[ -x "$prom" && -x "$vm" && -x "$cache/root/usr/bin/promtool" ]]; then
  echo "servers already in $cache/root/usr/bin"
  exit 0
fi
mkdir -p "$cache/apt/lists/partial" "$cache/debs" "$cache/root"
# Same archive the system already names, suite trixie.
uri="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
uri="${uri:-http://deb.debian.org/debian}"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" >"$cache/apt/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$cache/apt/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$cache/apt/lists"
  -o "Dir::Cache=$cache/apt/cache"
  -o "Debug::NoLocking=1"
  -o "APT::Get::List-Cleanup=0"
)
mkdir -p "$cache/apt/cache/archives/partial"
apt-get "${apt_opts[@]}" -qq update >/dev/null
(cd "$cache/debs" && apt-get "${apt_opts[@]}" -qq download prometheus promtool victoria-metrics)
for deb in "$cache"/debs/*.deb; do dpkg -x "$deb" "$cache/root"; done
"$prom" --version 2>&1 | sed -n 1p
echo "servers ready in $cache/root/usr/bin"
