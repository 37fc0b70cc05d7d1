#!/usr/bin/env bash
# Fetches the real servers used by the integration tests from Debian, without touching the
# system: a private apt state folder, `apt-get download`, then `dpkg -x` into .cache/servers/root.
# Nothing is installed system-wide.
#  - Prometheus 2.53 (+ promtool) and VictoriaMetrics 1.112: Debian trixie (static Go binaries).
#  - redis-server and redis-cli: trixie's build when it runs here; it needs glibc 2.38, so on an
#    older base (bookworm: 2.36) bookworm's build is used. The shared libraries they need that
#    a base system lacks (libjemalloc2, liblzf1) are extracted beside them: run them with
#    LD_LIBRARY_PATH=.cache/servers/root/usr/lib/<arch> (test/integration/helpers.ts does).
#  - Alertmanager: Debian bookworm's prometheus-alertmanager (a static Go binary), for the
#    deployment tests and the demo. Debian's build reads its notification templates from the
#    absolute path /usr/share/prometheus/alertmanager, which is not there without installing it;
#    so usr/bin/alertmanager-mltel is a copy whose path reads /tmp/mltel-alertmanager-templates0
#    instead (same length), a link to the extracted folder that this script (and the tests)
#    create. The original binary is left as Debian built it.
# Idempotent: a second run with the binaries present (and redis-server running) does nothing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${MLTEL_SERVERS_DIR:-$root/.cache/servers}"
bin="$cache/root/usr/bin"

# Runs a redis binary from an extracted tree ($1) with its private libraries.
redis_run() {
  local tree="$1" program="$2" libs=""
  shift 2
  for dir in "$tree"/usr/lib/*-linux-gnu*; do [[ -d "$dir" ]] && libs="$libs${libs:+:}$dir"; done
  LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tree/usr/bin/$program" "$@"
}
have_prom() { [[ -x "$bin/prometheus" && -x "$bin/promtool" && -x "$bin/victoria-metrics" ]]; }
have_redis() {
  [[ -x "$bin/redis-server" && -x "$bin/redis-cli" ]] &&
    redis_run "$cache/root" redis-server --version >/dev/null 2>&1 &&
    redis_run "$cache/root" redis-cli --version >/dev/null 2>&1
}
have_alertmanager() { [[ -x "$bin/prometheus-alertmanager" && -x "$bin/alertmanager-mltel" ]]; }
am_share=/tmp/mltel-alertmanager-templates0
am_tree="$cache/root/usr/share/prometheus/alertmanager"
if [[ -d "$am_tree" ]]; then ln -sfn "$am_tree" "$am_share"; fi
if have_prom && have_redis && have_alertmanager; then
  echo "servers already in $bin"
  exit 0
fi

# Same archive the system already names.
uri="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
uri="${uri:-http://deb.debian.org/debian}"

# apt-get run as root in a folder '_apt' cannot read says so: that notice is noise here.
quiet() { grep -v 'unsandboxed as root' >&2 || true; }
# Private apt state for one suite ($1) in folder $2; sets apt_opts.
apt_suite() {
  local suite="$1" dir="$2"
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >"$dir/sources.list"
  # An empty package status of our own: the system's (a redis-server installed from
  # bookworm-security, say) would otherwise make apt pick a version this source does not have.
  : >"$dir/status"
  apt_opts=(
    -o "Dir::Etc::sourcelist=$dir/sources.list"
    -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$dir/lists"
    -o "Dir::State::status=$dir/status"
    -o "Dir::Cache=$dir/cache"
    -o "Debug::NoLocking=1"
    -o "APT::Get::List-Cleanup=0"
  )
  apt-get "${apt_opts[@]}" -qq update 2> >(quiet) >/dev/null
}
download() { apt-get "${apt_opts[@]}" -qq download "$@" 2> >(quiet); }

mkdir -p "$cache/debs" "$cache/root"
apt_suite trixie "$cache/apt"

if ! have_prom; then
  (cd "$cache/debs" && download prometheus promtool victoria-metrics)
  for deb in "$cache"/debs/*.deb; do dpkg -x "$deb" "$cache/root"; done
  "$bin/prometheus" --version 2>&1 | sed -n 1p
fi

if ! have_alertmanager; then
  apt_suite bookworm "$cache/apt-bookworm"
  rm -rf "$cache/debs/alertmanager"
  mkdir -p "$cache/debs/alertmanager"
  (cd "$cache/debs/alertmanager" && download prometheus-alertmanager)
  for deb in "$cache"/debs/alertmanager/*.deb; do dpkg -x "$deb" "$cache/root"; done
  LC_ALL=C perl -0777 -pe "s{/usr/share/prometheus/alertmanager}{$am_share}g" \
    "$bin/prometheus-alertmanager" >"$bin/alertmanager-mltel"
  chmod +x "$bin/alertmanager-mltel"
  ln -sfn "$am_tree" "$am_share"
  "$bin/alertmanager-mltel" --version 2>&1 | sed -n 1p
fi

if ! have_redis; then
  for suite in trixie bookworm; do
    [[ "$suite" == trixie ]] || apt_suite "$suite" "$cache/apt-$suite"
    debs="$cache/debs/redis-$suite"
    stage="$cache/stage-redis-$suite"
    rm -rf "$debs" "$stage"
    mkdir -p "$debs" "$stage"
    (cd "$debs" && download redis-server redis-tools libjemalloc2 liblzf1)
    for deb in "$debs"/*.deb; do dpkg -x "$deb" "$stage"; done
    if redis_run "$stage" redis-server --version >/dev/null 2>&1 && redis_run "$stage" redis-cli --version >/dev/null 2>&1; then
      rm -rf "$stage"
      for deb in "$debs"/*.deb; do dpkg -x "$deb" "$cache/root"; done
      echo "redis from Debian $suite: $(redis_run "$cache/root" redis-server --version)"
      break
    fi
    why="$(redis_run "$stage" redis-server --version 2>&1 | sed -n 1p | sed -E 's/^.*(version .* not found).*$/\1/' || true)"
    echo "redis from Debian $suite does not run here ($why)" >&2
    rm -rf "$stage"
  done
  if ! have_redis; then
    echo "no Debian redis-server runs on this machine; missing libraries:" >&2
    libs="$(printf '%s:' "$cache"/root/usr/lib/*-linux-gnu*)"
    LD_LIBRARY_PATH="$libs" ldd "$bin/redis-server" 2>&1 | grep -E 'not found' >&2 || true
    exit 1
  fi
fi
echo "servers ready in $bin"
