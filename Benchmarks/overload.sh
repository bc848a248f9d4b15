#!/usr/bin/env bash
# Overload (issue 11, DESIGN §7): what Tally does when offered twice what it can take. Measures its
# capacity with wrk (64 connections, POST /v1/authorize, 10,000 accounts, fresh keys), then offers
# twice that rate open-loop (Benchmarks/openloop.c: requests go out on schedule whatever comes
# back) for OVER seconds, then half the capacity for AFTER seconds. Each second it prints what was
# offered and answered (2xx, 503 and how many 503s carried Retry-After), the p50/p99 of each (from
# when the request was due), and the server's RSS. Expected: accepted requests keep a bounded p99
# (the 50 ms queueing bound plus a commit), the rest are refused fast with 503 + Retry-After, RSS
# stays bounded, and once the load drops nothing is refused within seconds.
# Usage: Benchmarks/overload.sh [OVER=60] [AFTER=20]   (TALLY_BIN=path skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
over="${1:-60}"
after="${2:-20}"
accounts=10000
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc is needed: apt-get install -y gcc" >&2; exit 1; }
tally="$(tally_binary)"
work="$(mktemp -d)"
server=""
sampler=""
trap '[ -n "$sampler" ] && kill "$sampler" 2>/dev/null; stop_tally; rm -rf "$work"' EXIT
gcc -O2 -Wall -o "$work/openloop" Benchmarks/openloop.c

port=$(free_port)
token="overload-admin-token-$(date +%s)"
start_tally "$tally" "$work/tally.sqlite" "$port" "$token" "$work/tally.log"
TALLY_TOKEN="$token" python3 Benchmarks/wrk/seed.py "$accounts" "http://127.0.0.1:$port" >&2
TALLY_TOKEN="$token" TALLY_ACCOUNTS="$accounts" wrk -t2 -c64 -d10s --latency \
    -s Benchmarks/wrk/authorize.lua "http://127.0.0.1:$port" >"$work/wrk.txt"
read -r _ capacity capacity_p50 capacity_p99 _ <<<"$(wrk_stats "$work/wrk.txt")"
echo "capacity (wrk -t2 -c64, closed loop): $capacity/s, p50 $capacity_p50 ms, p99 $capacity_p99 ms" >&2

# The server's RSS once a second, beside openloop's own once-a-second lines.
( while kill -0 "$server" 2>/dev/null; do
      awk '/VmRSS/ {print $2}' "/proc/$server/status"; sleep 1
  done ) >"$work/rss.txt" &
sampler=$!
rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
# The server's own latency histogram of approved authorizations, at the start and at the end of
# the overload phase: the time from parsing a request to its answer, which admission bounds
# (the client's figures also hold what waited in socket buffers for a busy loop to read it).
curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics" >"$work/metrics-start.txt"
(sleep "$over"; curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics" >"$work/metrics-over.txt") &
"$work/openloop" 127.0.0.1 "$port" "$token" "$accounts" "$((2 * capacity)):$over,$((capacity / 2)):$after" 1024 \
    >"$work/openloop.txt"
kill "$sampler" 2>/dev/null || true
sampler=""

echo
echo "Offered open-loop: $((2 * capacity))/s for ${over}s (twice the capacity), then $((capacity / 2))/s for ${after}s."
echo
echo "| second | offered/s | 2xx | 503 | 503 with Retry-After | other | errors | connections | queued in client | 2xx p50 ms | 2xx p99 ms | 503 p50 ms | 503 p99 ms | RSS MB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
tail -n +2 "$work/openloop.txt" | while read -r second rate offered ok shed retry other errors conns queued ok50 ok99 shed50 shed99; do
    rss=$(sed -n "${second}p" "$work/rss.txt")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$second" "$offered" "$ok" "$shed" \
        "$retry" "$other" "$errors" "$conns" "$queued" "$ok50" "$ok99" "$shed50" "$shed99" \
        "$(awk -v k="${rss:-0}" 'BEGIN {printf "%.1f", k / 1024}')"
done
echo
awk -v over="$over" -v before="$rss_before" 'NR > 1 {
        if ($1 <= over) { ok += $4; shed += $5; retry += $6; other += $7; errors += $8; if ($12 > worst) worst = $12 }
        else { if ($5 == 0 && $7 == 0 && $8 == 0 && recovered == "") recovered = $1 - over }
    }
    END {
        printf "Overload phase: %.0f answered 2xx/s, %.0f refused 503/s (%.1f %% of them with Retry-After), %d other, %d errors; worst per-second 2xx p99 %.2f ms.\n",
            ok / over, shed / over, shed ? 100 * retry / shed : 100, other, errors, worst
        printf "After the load dropped: no refusal from second %s on.\n", recovered == "" ? "never" : recovered
    }' "$work/openloop.txt"
python3 "$(dirname "$0")/histogram-delta.py" "$work/metrics-start.txt" "$work/metrics-over.txt" \
    'route="/v1/authorize"' 'status="200"'
sort -n "$work/rss.txt" | tail -n 1 | awk -v b="$rss_before" '{printf "Server RSS: %.1f MB before, %.1f MB at most.\n", b / 1024, $1 / 1024}'
echo
echo "Versions: $("$tally" version); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2); machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
