#!/usr/bin/env bash
# Sustained load over HTTP (DESIGN §7: memory does not grow with traffic; the first answer after
# a restart comes fast however much the account took). Two phases, each on a fresh server and
# database seeded with 10,000 accounts: every request to one hot account (acct-0), then requests
# spread over the 10,000. Each phase runs wrk (64 connections, a fresh Idempotency-Key per
# request) for the duration and prints one line per interval: debits/s and p99 in that interval,
# the server's RSS, WAL and database sizes. Then it reports the bytes on disk per debit, stops
# the server with SIGTERM, starts it again on the same database and times the first answers for
# acct-0. A summary table for BENCHMARKS.md comes last.
# Usage: Benchmarks/soak.sh [minutes per phase, default 30]
#   SOAK_INTERVAL_SECONDS (default 60) sets the reporting interval; TALLY_BIN skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
minutes="${1:-30}"
interval="${SOAK_INTERVAL_SECONDS:-60}"
intervals=$(( (minutes * 60 + interval - 1) / interval ))
accounts=10000
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
tally="$(tally_binary)"
work="$(mktemp -d)"
server=""
trap 'stop_tally; rm -rf "$work"' EXIT
token="soak-admin-token-$(date +%s)"
summary="$work/summary.md"

mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
rss_bytes() { awk '/^VmRSS/ {print $2 * 1024}' "/proc/$server/status"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# first_answer METHOD PATH [BODY]: "status seconds" of one request to the restarted server.
first_answer() {
    curl -s -o /dev/null -w '%{http_code} %{time_total}' -X "$1" "http://127.0.0.1:$port$2" \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -H "Idempotency-Key: soak-restart-$(date +%s%N)" ${3:+--data "$3"}
}
# answer_ms "STATUS SECONDS": the time in ms, with the status when it was not 200.
answer_ms() {
    awk -v status="${1% *}" -v s="${1#* }" 'BEGIN {
        printf "%.1f", s * 1000; if (status != "200") printf " (status %s)", status }'
}

# phase NAME TARGETS: TARGETS accounts receive the load (1 means acct-0 only, as authorize.lua
# picks acct-0 … acct-(TARGETS-1)). seed.py gives each account 10^12 credits, enough for 30
# minutes at 40,000 debits/s (7.2 × 10^7) many times over, so no debit is refused for want of
# credits.
phase() {
    local name="$1" targets="$2" dir="$work/$1"
    local database="$dir/tally.sqlite" began elapsed ok=0 failed=0 worst_p99=0 rates=""
    local first_rss="" max_rss=0 rss wal db seeded_db requests rate p50 p99 fails
    mkdir "$dir"
    port=$(free_port)
    start_tally "$tally" "$database" "$port" "$token" "$dir/out.log"
    TALLY_TOKEN="$token" python3 Benchmarks/wrk/seed.py "$accounts" "http://127.0.0.1:$port" >&2
    seeded_db=$(( $(size "$database") + $(size "$database-wal") ))
    echo
    echo "== $name: $minutes min, wrk -t2 -c64, lines every ${interval} s"
    printf '%8s %10s %9s %8s %9s %8s %9s\n' elapsed_s debits/s p99_ms failed rss_MB wal_MB db_MB
    printf '%8s %10s %9s %8s %9s %8s %9s\n' 0 - - - "$(mb "$(rss_bytes)")" \
        "$(mb "$(size "$database-wal")")" "$(mb "$(size "$database")")"
    began=$(date +%s)
    # Back-to-back wrk runs, one per interval, so each line has that interval's own rate and
    # p99. authorize.lua puts the start time in every key's prefix, so no run repeats a key.
    for _ in $(seq "$intervals"); do
        TALLY_TOKEN="$token" TALLY_ACCOUNTS="$targets" wrk -t2 -c64 -d"${interval}s" --latency \
            -s Benchmarks/wrk/authorize.lua "http://127.0.0.1:$port" >"$dir/wrk.txt"
        read -r requests rate p50 p99 fails <<<"$(wrk_stats "$dir/wrk.txt")"
        ok=$(( ok + requests - fails ))
        failed=$(( failed + fails ))
        rates="$rates $rate"
        worst_p99=$(awk -v a="$worst_p99" -v b="$p99" 'BEGIN {print (b > a ? b : a)}')
        rss=$(rss_bytes)
        first_rss="${first_rss:-$rss}"
        max_rss=$(( rss > max_rss ? rss : max_rss ))
        wal=$(size "$database-wal")
        db=$(size "$database")
        elapsed=$(( $(date +%s) - began ))
        printf '%8s %10s %9s %8s %9s %8s %9s\n' "$elapsed" "$rate" "$p99" "$fails" "$(mb "$rss")" \
            "$(mb "$wal")" "$(mb "$db")"
    done
    local per_debit growth_per_debit
    per_debit=$(( (db + wal) / ok ))
    growth_per_debit=$(( (db + wal - seeded_db) / ok ))
    echo "$ok debits in ${elapsed} s ($(( ok / elapsed ))/s), $failed failed; on disk $(mb $((db + wal))) MB:" \
        "$per_debit bytes per debit (db + WAL), $growth_per_debit since the seed"

    # Restart on the same database: time to shut down, to listen again, and to the first answers.
    local stopping stop_ms get post
    stopping=$(now_ms)
    stop_tally
    stop_ms=$(( $(now_ms) - stopping ))
    start_tally "$tally" "$database" "$port" "$token" "$dir/out2.log"
    get=$(first_answer GET /v1/accounts/acct-0)
    post=$(first_answer POST /v1/authorize '{"account": "acct-0", "cost": 1}')
    stop_tally
    echo "restart: stopped in $stop_ms ms, listening after $start_ms ms; first" \
        "GET /v1/accounts/acct-0 $(answer_ms "$get") ms, first POST /v1/authorize $(answer_ms "$post") ms"

    printf '| %s | %s | %s | %s | %s | %s | %s → %s (max %s) | %s / %s | %s (%s) | %s | %s | %s | %s | %s |\n' \
        "$name" "$elapsed" "$ok" "$(( ok / elapsed ))" \
        "$(echo "$rates" | awk '{lo = hi = $1; for (i = 2; i <= NF; i++) { if ($i < lo) lo = $i; if ($i > hi) hi = $i }
                                printf "%d–%d", lo, hi}')" \
        "$worst_p99" "$(mb "$first_rss")" "$(mb "$rss")" "$(mb "$max_rss")" "$(mb "$db")" "$(mb "$wal")" \
        "$per_debit" "$growth_per_debit" "$failed" "$stop_ms" "$start_ms" \
        "$(answer_ms "$get")" "$(answer_ms "$post")" >>"$summary"
}

echo "tally: $("$tally" version); machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
phase "one hot account" 1
phase "10,000 accounts" "$accounts"

echo
echo "Summary ($minutes min per phase, 64 connections, fresh keys, durability full; RSS from the"
echo "first interval to the last; bytes per debit: (db + WAL) ÷ debits, and in brackets the growth"
echo "since the seed ÷ debits; restart figures after SIGTERM on the same database, for acct-0):"
echo
echo "| phase | s | debits | debits/s | interval debits/s min–max | worst interval p99 ms | RSS MB | db / WAL MB | bytes per debit | failed | stop ms | listening ms | first GET ms | first POST ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
cat "$summary"
