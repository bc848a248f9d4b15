#!/usr/bin/env bash
# Runs schemathesis with all checks against `tally serve` on the default config (a fresh SQLite
# file), for a bounded time: every request valid by the published OpenAPI document must be
# accepted (or refused only for a reason the schema cannot state, listed in schemathesis.toml
# with why), every invalid one refused with 4xx, no 5xx, and every answer must match its schema.
#
#   .ci/schemathesis/run.sh [SECONDS]     TALLY_BIN=... SCHEMATHESIS_SEED=... to override
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
budget="${1:-180}"
seed="${SCHEMATHESIS_SEED:-20261203}"
tally="${TALLY_BIN:-$root/.build/debug/tally}"
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
export TALLY_ADMIN_TOKEN="schemathesis-admin-token-0123456789"

TALLY_DATABASE="$work/tally.sqlite" TALLY_LISTEN="127.0.0.1:$port" \
    "$tally" serve --config "$root/config/tally.json" >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done

echo "schemathesis: all checks, ${budget} s, seed $seed, against $tally on port $port"
cd "$here"  # schemathesis.toml is read from the working directory
SCHEMATHESIS_HOOKS="$here/hooks.py" st run "http://127.0.0.1:$port/v1/openapi.json" --checks all \
    --max-time "$budget" --seed "$seed" --workers 1 --request-timeout 10 --warnings off
