#!/usr/bin/env bash
# How long a fresh `serve --demo` takes to list its first clusters: starts target/prism.jar on an empty data directory
# (embedded PostgreSQL) and a random port, then polls every built-in theme's clusters until each has some or the
# timeout passes. Prints seconds since launch: server ready, first clusters of any theme, and per theme.
#
#   mvn -B -q package -DskipTests && docs/first-clusters.sh [timeout seconds, default 180]
set -euo pipefail
cd "$(dirname "$0")/.."
timeout_s=${1:-180}
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
admin="first-clusters-admin-$(date +%s%N)"
log="$data/server.log"
start=$(date +%s.%N)
PRISM_DATA_DIR="$data" PRISM_HTTP_PORT=$port PRISM_ADMIN_TOKEN="$admin" java -jar target/prism.jar serve --demo >"$log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
since() { echo "$(date +%s.%N) - $start" | bc; }
api() { curl -fsS -H "Authorization: Bearer $admin" "http://127.0.0.1:$port$1"; }

until curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || { echo "server exited:"; tail -20 "$log"; exit 1; }
  sleep 0.2
done
printf 'ready after %.1f s\n' "$(since)"

themes=$(api /api/projects/default/themes | python3 -c 'import json,sys; print(" ".join(t["theme_id"] for t in json.load(sys.stdin)["results"]))')
declare -A first=()
found=0
any=""
while :; do
  elapsed=$(since)
  for t in $themes; do
    [[ -n "${first[$t]:-}" ]] && continue
    n=$(api "/api/projects/default/themes/$t/clusters" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]))')
    if (( n > 0 )); then
      first[$t]=$elapsed
      found=$((found + 1))
      titles=$(api "/api/projects/default/themes/$t/clusters" | python3 -c 'import json,sys; print(" | ".join(c["title"] for c in json.load(sys.stdin)["results"]))')
      printf '%-20s first clusters after %5.1f s: %s\n' "$t" "$elapsed" "$titles"
      [[ -z "$any" ]] && any=$elapsed
    fi
  done
  (( found == $(wc -w <<<"$themes") )) && break
  if (( $(echo "$elapsed > $timeout_s" | bc) )); then
    break
  fi
  sleep 0.5
done
for t in $themes; do
  [[ -z "${first[$t]:-}" ]] && printf '%-20s no clusters within %s s\n' "$t" "$timeout_s"
done
[[ -n "$any" ]] && printf 'first clusters of any theme %.1f s after launch\n' "$any" || { echo "no clusters within $timeout_s s"; exit 1; }
