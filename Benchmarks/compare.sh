#!/usr/bin/env bash
# DESIGN §7 "against what users would pick instead": the same durable authorize-and-debit on
# this machine, one system after the other (never together, so none shares the two cores with
# another), each driven by its usual load tool at 64 connections over 10,000 accounts, printed
# as one markdown table with Tally's ratio to each.
#   - Tally: POST /v1/authorize over HTTP (wrk, authorize.lua, fresh Idempotency-Key), `full`.
#   - Redis 7: EVALSHA of a Lua check-and-debit plus a ledger XADD, appendfsync always.
#   - PostgreSQL: guarded UPDATE … RETURNING plus a ledger INSERT with a unique key in one
#     transaction, synchronous_commit on (pgbench).
# And two ceilings, to read the ratios against: what the load tool reaches on these two cores when
# the server does nothing (nginx answering a constant 204 to the same wrk script), and Tally's own
# HTTP layer with no engine work (GET /healthz). Tally cannot beat the first, whatever it does.
# Usage: Benchmarks/compare.sh [seconds]   (TALLY_BIN=path skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
seconds="${1:-15}"
accounts=10000
clients=64

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# initdb and postgres refuse to run as root, so as root they run as the `postgres` user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
newest_pg_bin() { find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1; }

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx-light)
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null || missing+=(redis-server redis-tools)
[ -n "$(newest_pg_bin)" ] || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
pg_bin="$(newest_pg_bin)"
tally="$(tally_binary)"

work="$(mktemp -d)"
# postgres (another user) must reach its data directory inside.
chmod 711 "$work"
commands="$work/commands.txt"
server=""
redis=""
nginx_pid=""
cleanup() {
    stop_tally
    if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
    if [ -n "$redis" ]; then kill "$redis" 2>/dev/null || true; wait "$redis" 2>/dev/null || true; fi
    if [ -f "$work/pg/data/postmaster.pid" ]; then
        as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
# Keeps a command, written the way a shell would read it, for the report; `logged` also runs it.
log_command() { printf '%q ' "$@" >>"$commands"; echo >>"$commands"; }
logged() { log_command "$@"; "$@"; }
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start" >&2

# --- Tally ---------------------------------------------------------------------------------------
port=$(free_port)
token="compare-admin-token-$(date +%s)"
start_tally "$tally" "$work/tally.sqlite" "$port" "$token" "$work/tally.log"
TALLY_TOKEN="$token" python3 Benchmarks/wrk/seed.py "$accounts" "http://127.0.0.1:$port" >&2
echo "tally: wrk for ${seconds}s" >&2
TALLY_TOKEN="$token" TALLY_ACCOUNTS="$accounts" logged wrk -t2 -c"$clients" -d"${seconds}s" --latency \
    -s Benchmarks/wrk/authorize.lua "http://127.0.0.1:$port" >"$work/wrk.txt"
read -r _ tally_rate tally_p50 tally_p99 tally_failed <<<"$(wrk_stats "$work/wrk.txt")"
echo "tally: GET /healthz for ${seconds}s" >&2
logged wrk -t2 -c"$clients" -d"${seconds}s" --latency "http://127.0.0.1:$port/healthz" >"$work/health.txt"
read -r _ health_rate health_p50 health_p99 _ <<<"$(wrk_stats "$work/health.txt")"
stop_tally

# --- The load tool's ceiling ---------------------------------------------------------------------
# nginx, one worker, no logging, a constant 204 for every request, driven by the very wrk command
# that drove Tally: the most any server can answer here while wrk shares the two cores.
mkdir "$work/nginx"
port=$(free_port)
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid nginx.pid;
error_log error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 10000000;
    client_body_temp_path body;
    server { listen 127.0.0.1:$port; location / { return 204; } }
}
NGINX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
echo "nginx: wrk for ${seconds}s" >&2
TALLY_TOKEN=unused TALLY_ACCOUNTS="$accounts" logged wrk -t2 -c"$clients" -d"${seconds}s" --latency \
    -s Benchmarks/wrk/authorize.lua "http://127.0.0.1:$port" >"$work/nginx.txt"
read -r _ nginx_rate nginx_p50 nginx_p99 _ <<<"$(wrk_stats "$work/nginx.txt")"
kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""

# --- Redis ---------------------------------------------------------------------------------------
# Every write is fsync'd before its reply (appendfsync always), no RDB snapshots: Redis's most
# durable setting, the one a credits ledger would need.
mkdir "$work/redis"
port=$(free_port)
redis_server=(redis-server --port "$port" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes
    --appendfsync always --save '' --daemonize no)
# Not through `logged`: in the background that would be a subshell, and $! its pid, not Redis's.
log_command "${redis_server[@]}"
"${redis_server[@]}" >"$work/redis/log" 2>&1 &
redis=$!
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
# redis-benchmark expands __rand_int__ to a 12-digit number below -r, hence the key names.
redis-cli -p "$port" eval "for i = 0, $((accounts - 1)) do
    redis.call('SET', string.format('bal:%012d', i), 1000000000000) end" 0 >/dev/null
# Fails (approved 0) when the balance is short, else debits and appends the ledger entry, in one
# atomic script. The key is the client's; nothing deduplicates it (Tally and PostgreSQL do).
sha=$(redis-cli -p "$port" script load "
    local balance = tonumber(redis.call('GET', KEYS[1]))
    local cost = tonumber(ARGV[1])
    if balance == nil or balance < cost then return {0, balance or 0} end
    local left = redis.call('DECRBY', KEYS[1], cost)
    redis.call('XADD', 'ledger', '*', 'account', KEYS[1], 'amount', ARGV[1], 'idempotency_key', ARGV[2])
    return {1, left}")
# redis-benchmark runs a request count, not a duration: a short run measures the rate, and the
# real run is sized to last about `seconds`.
redis_options=(-p "$port" -c "$clients" -P 1 -r "$accounts" --csv)
redis_command=(evalsha "$sha" 1 'bal:__rand_int__' 1 'idem-__rand_int__-__rand_int__')
rate=$(redis-benchmark "${redis_options[@]}" -n 20000 "${redis_command[@]}" | tail -n 1 |
    awk -F'","' '{printf "%.0f", $2}')
requests=$(( rate * seconds ))
echo "redis: redis-benchmark, $requests requests (~${seconds}s at the calibrated $rate/s)" >&2
logged redis-benchmark "${redis_options[@]}" -n "$requests" "${redis_command[@]}" >"$work/redis.csv"
redis_line=$(tail -n 1 "$work/redis.csv" | tr -d '"')
redis_rate=$(echo "$redis_line" | awk -F, '{printf "%.0f", $2}')
redis_p50=$(echo "$redis_line" | awk -F, '{printf "%.2f", $5}')
redis_p99=$(echo "$redis_line" | awk -F, '{printf "%.2f", $7}')
redis_entries=$(redis-cli -p "$port" xlen ledger)
redis_version=$(redis-server --version)
kill "$redis"; wait "$redis" 2>/dev/null || true; redis=""

# --- PostgreSQL ----------------------------------------------------------------------------------
# Stock configuration but for the settings that make a commit durable (both are the defaults;
# set so a changed default cannot skew the figure). pgbench connects over loopback TCP, like wrk
# and redis-benchmark; the socket directory is in the temp dir so nothing system-wide is touched.
mkdir -p "$work/pg"
if [ "$(id -u)" = 0 ]; then chown postgres "$work/pg"; fi
port=$(free_port)
as_pg "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres >/dev/null
logged as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
    -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on" \
    start >/dev/null
psql=("$pg_bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
"${psql[@]}" <<SQL
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts SELECT g, 1000000000000 FROM generate_series(1, $accounts) g;
CREATE TABLE ledger (id bigserial PRIMARY KEY, account int NOT NULL, amount bigint NOT NULL,
                     idem_key text UNIQUE);
VACUUM ANALYZE;
SQL
# The debit guarded by the balance, then the ledger row with a fresh unique key, in one
# transaction: what an application on PostgreSQL would write.
cat >"$work/pg/debit.sql" <<'SQL'
\set aid random(1, 10000)
BEGIN;
UPDATE accounts SET balance = balance - 1 WHERE id = :aid AND balance >= 1 RETURNING balance;
INSERT INTO ledger (account, amount, idem_key) VALUES (:aid, 1, md5(random()::text || clock_timestamp()::text));
END;
SQL
echo "postgres: pgbench for ${seconds}s" >&2
# -n: no vacuum of pgbench's own tables (there are none); --log gives each transaction's
# latency, from which p50 and p99 are read (pgbench itself prints only the mean).
logged "$pg_bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c "$clients" -j 2 -T "$seconds" \
    -M prepared -f "$work/pg/debit.sql" --log --log-prefix="$work/pg/txlog" postgres >"$work/pgbench.txt" 2>&1
pg_rate=$(awk '/^tps/ {printf "%.0f", $3}' "$work/pgbench.txt")
pg_failed=$(awk '/number of failed transactions/ {print $5}' "$work/pgbench.txt")
percentile() { cat "$work"/pg/txlog.* | awk '{print $3}' | sort -n |
    awk -v q="$1" '{v[NR] = $1} END {i = int(NR * q); if (i < 1) i = 1; printf "%.2f", v[i] / 1000}'; }
pg_p50=$(percentile 0.50)
pg_p99=$(percentile 0.99)
pg_rows=$("${psql[@]}" -At -c 'SELECT count(*) FROM ledger')
pg_version=$("$pg_bin/postgres" --version)
as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null

# --- Report --------------------------------------------------------------------------------------
ratio() { awk -v a="$tally_rate" -v b="$1" 'BEGIN {printf "%.2f×", a / b}'; }
echo
echo "Side by side, ${seconds} s each, $clients connections, $accounts accounts, one after the other:"
echo
echo "| system | what it does | ops/s | p50 ms | p99 ms | Tally ÷ system |"
echo "|---|---|---:|---:|---:|---:|"
echo "| Tally (HTTP) | POST /v1/authorize, fresh Idempotency-Key, durability full (wrk -t2) | $tally_rate | $tally_p50 | $tally_p99 | |"
echo "| Redis | EVALSHA check-and-debit + XADD ledger, appendfsync always (redis-benchmark) | $redis_rate | $redis_p50 | $redis_p99 | $(ratio "$redis_rate") |"
echo "| PostgreSQL | UPDATE … balance >= 1 RETURNING + INSERT ledger (unique key), synchronous_commit on (pgbench -j2 -M prepared) | $pg_rate | $pg_p50 | $pg_p99 | $(ratio "$pg_rate") |"
echo "| *ceiling:* nginx | a constant 204, no work, the same wrk script as Tally (wrk -t2) | $nginx_rate | $nginx_p50 | $nginx_p99 | $(ratio "$nginx_rate") |"
echo "| *ceiling:* Tally | GET /healthz, the HTTP layer without the engine (wrk -t2) | $health_rate | $health_p50 | $health_p99 | $(ratio "$health_rate") |"
echo
echo "1.5× Redis would be $(awk -v r="$redis_rate" 'BEGIN {printf "%.0f", 1.5 * r}') ops/s: $(awk -v r="$redis_rate" -v n="$nginx_rate" 'BEGIN {printf "%.0f", 150 * r / n}') % of what the load tool reaches against a server that does nothing."
echo
echo "Tally's ops/s counts approved debits only; failed requests (non-2xx, e.g. 503 when it sheds"
echo "load, and socket errors): $tally_failed. Redis ledger entries: $redis_entries (calibration + run)."
echo "PostgreSQL failed transactions: ${pg_failed:-?}; ledger rows: $pg_rows."
echo
echo "Versions: $("$tally" version); $redis_version; $pg_version; $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
echo "Machine: $(nproc) cores; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Commands (temp dirs and ports vary per run):"
sed 's/^/    /' "$commands"
echo "    PostgreSQL script:"
sed 's/^/        /' "$work/pg/debit.sql"
