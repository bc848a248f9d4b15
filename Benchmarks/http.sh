#!/usr/bin/env bash
# Loads POST /v1/authorize over loopback with wrk (random accounts from 10,000, a fresh
# Idempotency-Key per request, durability full) at 64 and 256 connections, and prints wrk's
# figures plus the server's CPU time per request. Usage: Benchmarks/http.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
swift build -c release --product tally >/dev/null
work="$(mktemp -d)"
port=18080
token="bench-admin-token-$(date +%s)"
TALLY_ADMIN_TOKEN="$token" TALLY_DATABASE="$work/tally.sqlite" TALLY_LISTEN="127.0.0.1:$port" \
    .build/release/tally serve >"$work/out.log" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q listening "$work/out.log" 2>/dev/null && break; sleep 0.1; done
TALLY_TOKEN="$token" python3 Benchmarks/wrk/seed.py 10000 "http://127.0.0.1:$port"
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
for connections in 64 256; do
    before=$(ticks)
    TALLY_TOKEN="$token" wrk -t2 -c"$connections" -d"${seconds}s" --latency \
        -s Benchmarks/wrk/authorize.lua "http://127.0.0.1:$port" >"$work/wrk.txt"
    after=$(ticks)
    requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
    echo "== $connections connections"
    grep -E 'Requests/sec|^ +(50|99)%|Non-2xx|Socket errors' "$work/wrk.txt" || true
    hertz=$(getconf CLK_TCK)
    echo "server CPU per request: $(( (after - before) * 1000000 / hertz / requests )) us"
done
