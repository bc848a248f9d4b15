#!/usr/bin/env bash
# Issue 6's figures: POST /v1/authorize by API key (each key with a rate limit) against by
# account over the same 1,000 accounts, then nginx (auth_request to Tally's gateway path) in
# front of a trivial upstream against the same nginx without auth_request: requests/s and the
# latency Tally adds (p50, p99). Usage: Benchmarks/gateway.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
connections="${2:-64}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx is needed: apt-get install -y nginx-light" >&2; exit 1; }
swift build -c release --product tally >/dev/null
work="$(mktemp -d)"
tally_port=18380
gateway_port=18381
upstream_port=18382
token="bench-admin-token-$(date +%s)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

TALLY_ADMIN_TOKEN="$token" TALLY_DATABASE="$work/tally.sqlite" TALLY_LISTEN="127.0.0.1:$tally_port" \
    .build/release/tally serve --config config/tally.json >"$work/tally.log" 2>/dev/null &
pids+=($!)
for _ in $(seq 50); do grep -q listening "$work/tally.log" 2>/dev/null && break; sleep 0.1; done
TALLY_TOKEN="$token" python3 Benchmarks/wrk/seed.py 1000 "http://127.0.0.1:$tally_port"
TALLY_TOKEN="$token" python3 Benchmarks/wrk/seed_keys.py 1000 "http://127.0.0.1:$tally_port" "$work/keys.txt"

run() {  # run NAME SCRIPT URL: prints requests/s and latency percentiles
    local name="$1" script="$2" url="$3"
    TALLY_TOKEN="$token" TALLY_ACCOUNTS=1000 TALLY_KEYS="$work/keys.txt" \
        wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$script" "$url" >"$work/wrk.txt"
    local rps p50 p99 errors
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
    errors=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
    echo "$name: ${rps} req/s, p50 ${p50}, p99 ${p99}, non-2xx ${errors:-0}"
}

echo "== authorize over HTTP, $connections connections, ${seconds}s each"
run "by account" Benchmarks/wrk/authorize.lua "http://127.0.0.1:$tally_port"
run "by API key (rate-limited)" Benchmarks/wrk/authorize-key.lua "http://127.0.0.1:$tally_port"

# nginx: a gateway on $gateway_port (auth_request to Tally) and, on $upstream_port, the trivial
# upstream that answers 200 itself; /direct/ on the gateway proxies without asking Tally.
service=$(TALLY_DATABASE="$work/tally.sqlite" .build/release/tally tokens create --name nginx --scope authorize | awk '/tly_/ {print $NF}' | grep tly_ | head -1)
mkdir -p "$work/nginx/tmp"
sed -e "s/@TALLY_PORT@/$tally_port/g" -e "s/@GATEWAY_PORT@/$gateway_port/g" -e "s/@UPSTREAM_PORT@/$upstream_port/g" \
    -e "s/@SERVICE_TOKEN@/$service/g" Benchmarks/nginx-gateway-bench.conf >"$work/nginx/nginx.conf"
sleep 2.5  # service tokens are re-read every 2 s
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' 2>"$work/nginx.log" &
pids+=($!)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$gateway_port/direct/" && break; sleep 0.1; done
echo "== through nginx, $connections connections, ${seconds}s each"
GATEWAY_PATH=/direct/v1/chat/completions run "nginx alone (no auth_request)" Benchmarks/wrk/gateway.lua "http://127.0.0.1:$gateway_port"
GATEWAY_PATH=/v1/chat/completions run "nginx + Tally gateway (debit per request)" Benchmarks/wrk/gateway.lua "http://127.0.0.1:$gateway_port"
