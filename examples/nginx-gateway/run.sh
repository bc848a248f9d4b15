#!/usr/bin/env bash
# Starts Tally, the example upstream (upstream.py) and nginx on loopback, each from a fresh
# temporary directory, then runs e2e.py against them; with --serve it leaves them running until
# Ctrl-C instead. Everything started is stopped and the directory removed on exit.
#
#   examples/nginx-gateway/run.sh            # build Tally (release), run the end-to-end test
#   TALLY_BIN=.build/release/tally examples/nginx-gateway/run.sh --serve
#
# Ports: GATEWAY_PORT (nginx, 18480), TALLY_PORT (18481), UPSTREAM_PORT (18482).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GATEWAY_PORT=${GATEWAY_PORT:-18480}
TALLY_PORT=${TALLY_PORT:-18481}
UPSTREAM_PORT=${UPSTREAM_PORT:-18482}

command -v nginx >/dev/null || { echo "run.sh: needs nginx (apt-get install -y nginx-light)" >&2; exit 1; }
command -v curl >/dev/null || { echo "run.sh: needs curl" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tally-nginx.XXXXXX")
PIDS=()
stop_all() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap stop_all EXIT

# wait_until_up NAME URL PID: polls for up to 30 s while the process lives; on failure shows its log.
wait_until_up() {
    for _ in $(seq 300); do
        curl -s -o /dev/null "$2" && return 0
        kill -0 "$3" 2>/dev/null || break
        sleep 0.1
    done
    echo "run.sh: $1 did not come up at $2; its log:" >&2
    cat "$WORK/$1.log" >&2
    exit 1
}

if [ -z "${TALLY_BIN:-}" ]; then
    (cd "$ROOT" && swift build -c release --product tally >&2)
    TALLY_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/tally"
fi

export TALLY_CONFIG="$HERE/tally.json"
export TALLY_DATABASE="$WORK/tally.sqlite"
export TALLY_LISTEN="127.0.0.1:$TALLY_PORT"
export TALLY_ADMIN_TOKEN="${TALLY_ADMIN_TOKEN:-nginx-example-admin-$RANDOM$RANDOM$RANDOM}"

# nginx presents its own token; the authorize scope is all the gateway path needs.
SERVICE_TOKEN=$("$TALLY_BIN" tokens create --name nginx --scope authorize --database "$TALLY_DATABASE" 2>/dev/null)

"$TALLY_BIN" serve >"$WORK/tally.log" 2>&1 &
PIDS+=($!)
python3 "$HERE/upstream.py" "$UPSTREAM_PORT" >"$WORK/upstream.log" 2>&1 &
PIDS+=($!)

mkdir -p "$WORK/nginx/tmp"
sed -e "s/@GATEWAY_PORT@/$GATEWAY_PORT/g" -e "s/@TALLY_PORT@/$TALLY_PORT/g" \
    -e "s/@UPSTREAM_PORT@/$UPSTREAM_PORT/g" -e "s/@SERVICE_TOKEN@/$SERVICE_TOKEN/g" \
    "$HERE/nginx.conf" >"$WORK/nginx/nginx.conf"
# In the foreground so this script owns it; as root, workers run as root too (as nobody they
# could not use the private temporary directory).
NGINX_GLOBALS="daemon off;"
[ "$(id -u)" -eq 0 ] && NGINX_GLOBALS="$NGINX_GLOBALS user $(id -un);"
nginx -q -t -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -g "$NGINX_GLOBALS"
nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -g "$NGINX_GLOBALS" >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)

wait_until_up tally "http://$TALLY_LISTEN/readyz" "${PIDS[0]}"
wait_until_up upstream "http://127.0.0.1:$UPSTREAM_PORT/__hits" "${PIDS[1]}"
wait_until_up nginx "http://127.0.0.1:$GATEWAY_PORT/" "${PIDS[2]}"

export TALLY_URL="http://$TALLY_LISTEN"
export GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT"
export UPSTREAM_URL="http://127.0.0.1:$UPSTREAM_PORT"
if [ "${1:-}" = "--serve" ]; then
    echo "gateway $GATEWAY_URL -> upstream $UPSTREAM_URL, authorized by Tally at $TALLY_URL"
    echo "admin token: $TALLY_ADMIN_TOKEN (Ctrl-C stops everything)"
    wait "${PIDS[0]}"
else
    python3 "$HERE/e2e.py"
fi
