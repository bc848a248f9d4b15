#!/usr/bin/env bash
# Webhook fan-out under authorize load (issue 5): `tally serve` (release, fresh file, durability
# full, private addresses allowed, the default delivery limits) delivers to nginx answering 204 on
# loopback while wrk drives POST /v1/authorize. Three phases of the same length:
#   A. authorize alone                                   (64 connections, Benchmarks/wrk/authorize.lua)
#   C. authorize + top-ups, no endpoint registered       (the events are written, nothing is sent)
#   B. authorize + top-ups fanned out to ENDPOINTS endpoints and delivered to nginx
# and prints authorize/s in each, the top-ups/s, the deliveries/s Tally counted as successes
# (/metrics) and nginx logged, the backlog left, and the authorize loss of B against A and C.
# Usage: Benchmarks/webhooks.sh [seconds]   (env: ENDPOINTS=4, TOPUP_RATE=1000 per second,
# MAX_IN_FLIGHT=64 (webhooks.max_in_flight), PERF=1 to profile the server for 5 s of phase B)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
endpoints="${ENDPOINTS:-4}"
rate="${TOPUP_RATE:-1000}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    apt-get install -y -qq nginx-light >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
swift build -c release --product tally >/dev/null
work="$(mktemp -d)"
port=18080
hook_port=18090
token="bench-admin-token-$(date +%s)"
server=""
receiver=""
cleanup() {
    [ -n "$server" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
    [ -n "$receiver" ] && { kill "$receiver" 2>/dev/null; wait "$receiver" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT

# nginx as the current user under a temporary prefix.
mkdir -p "$work/nginx/body"
sed "s/__PORT__/$hook_port/" Benchmarks/nginx-204.conf >"$work/nginx/nginx.conf"
"$nginx_bin" -p "$work/nginx/" -c "$work/nginx/nginx.conf" 2>"$work/nginx/stderr" &
receiver=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$hook_port/" && break; sleep 0.1; done
curl -s -o /dev/null -w '' "http://127.0.0.1:$hook_port/" || { echo "nginx did not start: $(cat "$work/nginx/stderr")" >&2; exit 1; }

cat >"$work/tally.json" <<EOF
{ "durability": "full", "webhooks": { "allow_private": true, "max_in_flight": ${MAX_IN_FLIGHT:-64} } }
EOF
TALLY_ADMIN_TOKEN="$token" TALLY_DATABASE="$work/tally.sqlite" TALLY_LISTEN="127.0.0.1:$port" \
    .build/release/tally serve --config "$work/tally.json" >"$work/out.log" 2>/dev/null &
server=$!
for _ in $(seq 50); do grep -q listening "$work/out.log" 2>/dev/null && break; sleep 0.1; done
TALLY_TOKEN="$token" python3 Benchmarks/wrk/seed.py 10000 "http://127.0.0.1:$port"

api() { curl -sS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
metric() { curl -sS "http://127.0.0.1:$port/metrics" | awk -v name="$1" '$1 == name {print $2; found=1} END {if (!found) print 0}'; }
succeeded() { metric 'tally_webhook_attempts_total{outcome="success"}'; }
logged() { wc -l <"$work/nginx/access.log" 2>/dev/null || echo 0; }
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
rps() { awk '/Requests\/sec/ {printf "%d", $2}' "$1"; }

# The authorize load for one phase, with the top-up generator beside it when asked.
phase() {
    local name="$1" topups="$2"
    local connections=10
    local delay_ms=$(( connections * 1000 / rate ))
    if [ "$topups" = yes ]; then
        TALLY_TOKEN="$token" TALLY_TOPUP_DELAY_MS="$delay_ms" wrk -t1 -c"$connections" -d"${seconds}s" \
            -s Benchmarks/wrk/topup.lua "http://127.0.0.1:$port" >"$work/topup-$name.txt" &
        local generator=$!
    fi
    TALLY_TOKEN="$token" wrk -t2 -c64 -d"${seconds}s" --latency \
        -s Benchmarks/wrk/authorize.lua "http://127.0.0.1:$port" >"$work/authorize-$name.txt"
    if [ "$topups" = yes ]; then wait "$generator"; fi
}

echo "== A: authorize alone (${seconds}s)"
before=$(ticks)
phase A no
after=$(ticks)
auth_a=$(rps "$work/authorize-A.txt")
grep -E 'Requests/sec|^ +(50|99)%|Non-2xx' "$work/authorize-A.txt" || true
echo "server CPU: $(( (after - before) * 100 / $(getconf CLK_TCK) / seconds )) % of one core"

echo "== C: authorize + top-ups at <= $rate/s, no endpoint (${seconds}s)"
before=$(ticks)
phase C yes
after=$(ticks)
auth_c=$(rps "$work/authorize-C.txt")
topups_c=$(rps "$work/topup-C.txt")
grep -E 'Requests/sec|^ +(50|99)%|Non-2xx' "$work/authorize-C.txt" || true
echo "top-ups/s: $topups_c"
echo "server CPU: $(( (after - before) * 100 / $(getconf CLK_TCK) / seconds )) % of one core"

for index in $(seq "$endpoints"); do
    api -X POST "http://127.0.0.1:$port/v1/webhook-endpoints" \
        -d "{\"url\": \"http://127.0.0.1:$hook_port/hook/$index\", \"events\": [\"credits.added\"]}" >/dev/null
done

echo "== B: authorize + top-ups at <= $rate/s fanned out to $endpoints endpoints, delivered to nginx (${seconds}s)"
sleep 1
success_before=$(succeeded)
logged_before=$(logged)
before=$(ticks)
start=$(date +%s.%N)
# Deliveries per second as Tally counts them, sampled each second during the phase.
( while true; do echo "$(date +%s.%N) $(succeeded)"; sleep 1; done ) >"$work/samples.txt" 2>/dev/null &
sampler=$!
if [ -n "${PERF:-}" ]; then
    ( sleep 3; perf record -q -g -o "$work/perf.data" -p "$server" -- sleep 5 >/dev/null 2>&1 ) &
fi
phase B yes
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
end=$(date +%s.%N)
after=$(ticks)
sleep 0.5
success_after=$(succeeded)
logged_after=$(logged)
backlog=$(metric tally_webhook_backlog)
auth_b=$(rps "$work/authorize-B.txt")
topups_b=$(rps "$work/topup-B.txt")
grep -E 'Requests/sec|^ +(50|99)%|Non-2xx' "$work/authorize-B.txt" || true
elapsed=$(echo "$end - $start" | bc -l)
echo "top-ups/s: $topups_b (offered deliveries/s: $(( topups_b * endpoints )))"
printf 'deliveries/s (Tally, successes): %.0f\n' "$(echo "($success_after - $success_before) / $elapsed" | bc -l)"
printf 'deliveries/s (nginx access log): %.0f\n' "$(echo "($logged_after - $logged_before) / $elapsed" | bc -l)"
awk 'NR > 1 { rate = ($2 - count) / ($1 - time); if (rate < min || min == "") min = rate; if (rate > max) max = rate }
     { time = $1; count = $2 } END { printf "deliveries/s per second of the phase: min %.0f, max %.0f\n", min, max }' "$work/samples.txt"
echo "backlog after the phase: $backlog"
echo "server CPU: $(( (after - before) * 100 / $(getconf CLK_TCK) / seconds )) % of one core"
printf '== authorize loss: B vs A %.1f %%, B vs C %.1f %%\n' \
    "$(echo "(1 - $auth_b / $auth_a) * 100" | bc -l)" "$(echo "(1 - $auth_b / $auth_c) * 100" | bc -l)"
if [ -n "${PERF:-}" ]; then
    echo "== perf (5 s of phase B's server, by shared object and symbol)"
    perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25
fi
