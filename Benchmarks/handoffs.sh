#!/usr/bin/env bash
# Hand-offs per request on the HTTP hot path (issue 10): for each binary given, alternately and
# ROUNDS times, a fresh `tally serve` seeded with 10,000 accounts takes `wrk -t2 -c64` on
# POST /v1/authorize (fresh Idempotency-Key per request) while `perf stat` counts the server's
# futex calls and context switches; prints req/s, p50/p99, futex and context switches per request
# and the server's CPU time per request. Alternating cancels out a machine that drifts.
# Usage: Benchmarks/handoffs.sh [seconds] BINARY...   (ROUNDS=2 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
seconds="${1:-20}"
shift
[ $# -gt 0 ] || { echo "usage: $0 [seconds] BINARY..." >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is needed: apt-get install -y linux-perf" >&2; exit 1; }
work="$(mktemp -d)"
server=""
trap 'stop_tally; rm -rf "$work"' EXIT
token="handoffs-admin-token-$(date +%s)"
# Every build runs on its defaults: an older build may refuse keys a newer config/tally.json has.
echo '{}' >"$work/defaults.json"
export TALLY_CONFIG="$work/defaults.json"
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
per_request() { python3 -c "print(round($1 / $2, ${3:-3}))"; }

measure() {
    local binary="$1" dir="$work/run" port before after requests futex switches
    rm -rf "$dir" && mkdir "$dir"
    port=$(free_port)
    start_tally "$binary" "$dir/tally.sqlite" "$port" "$token" "$dir/out.log"
    TALLY_TOKEN="$token" python3 Benchmarks/wrk/seed.py 10000 "http://127.0.0.1:$port" >/dev/null
    perf stat -x, -e syscalls:sys_enter_futex,context-switches -p "$server" -o "$dir/perf.txt" &
    local counter=$!
    before=$(ticks)
    TALLY_TOKEN="$token" wrk -t2 -c64 -d"${seconds}s" --latency -s Benchmarks/wrk/authorize.lua \
        "http://127.0.0.1:$port" >"$dir/wrk.txt"
    after=$(ticks)
    kill -INT "$counter"
    wait "$counter" 2>/dev/null || true
    requests=$(awk '/requests in/ {print $1}' "$dir/wrk.txt")
    futex=$(awk -F, '/futex/ {print $1}' "$dir/perf.txt")
    switches=$(awk -F, '/context-switches/ {print $1}' "$dir/perf.txt")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$binary" \
        "$(awk '/Requests\/sec/ {print $2}' "$dir/wrk.txt")" "$(awk '/ 50%/ {print $2}' "$dir/wrk.txt")" \
        "$(awk '/ 99%/ {print $2}' "$dir/wrk.txt")" "$(awk '/Non-2xx/ {print $5}' "$dir/wrk.txt")" \
        "$(per_request "$futex" "$requests")" "$(per_request "$switches" "$requests")" \
        "$(per_request "($after - $before) * 1000000 / $(getconf CLK_TCK)" "$requests" 1)"
    stop_tally
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c64 -d${seconds}s"
echo "| binary | req/s | p50 | p99 | non-2xx | futex/req | ctx switches/req | server CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for _ in $(seq "${ROUNDS:-2}"); do
    for binary in "$@"; do measure "$binary"; done
done
