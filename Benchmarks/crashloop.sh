#!/usr/bin/env bash
# kill -9 by the thousand: proves that no acknowledged mutation is lost, no idempotent replay
# changes, and `tally verify` stays clean when `tally serve` is SIGKILLed under mixed HTTP load,
# again and again on one database (DESIGN §3.5, §8; RELIABILITY.md).
#
#   Benchmarks/crashloop.sh N            N cycles on a release build (built here unless TALLY_BIN)
#   TALLY_BIN=.build/debug/tally Benchmarks/crashloop.sh 25
#   CRASHLOOP_SEED=1234 Benchmarks/crashloop.sh 100     replay a run's kill times and request mix
#
# Each cycle: six clients send top-ups, pack purchases, debits and holds (POST /v1/authorize),
# partial and final captures, voids, refunds, API key issues and revocations, webhook endpoint
# creates and updates, each with its own Idempotency-Key; the server is SIGKILLed after a seeded
# random 100–600 ms; `tally verify` runs on the killed server's file; the server restarts on a
# fresh free port and Benchmarks/crashloop.py checks every acknowledged mutation (see its header
# for the exact properties). One line per cycle, a summary, exit 1 on any violation. Extra options
# for the checker (--clients, --min-ms, --max-ms, --replays, --keep-going) go in CRASHLOOP_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh

cycles="${1:?usage: Benchmarks/crashloop.sh CYCLES}"
seed="${CRASHLOOP_SEED:-$(python3 -c 'import random; print(random.randrange(1, 2**32))')}"
binary="$(tally_binary)"
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
config="$PWD/${TALLY_CONFIG:-config/tally.json}"

work="$(mktemp -d "${TMPDIR:-/tmp}/tally-crashloop.XXXXXX")"
checker=""
cleanup() {
    # The checker kills its own servers on the way out; this is for an interrupted run.
    if [ -n "$checker" ]; then kill "$checker" 2>/dev/null || true; wait "$checker" 2>/dev/null || true; fi
    if [ -f "$work/serve.pid" ]; then kill -9 "$(cat "$work/serve.pid")" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "crashloop: seed $seed (CRASHLOOP_SEED=$seed replays it), work dir $work"
# shellcheck disable=SC2086  # CRASHLOOP_ARGS is a list of options
python3 -u Benchmarks/crashloop.py --binary "$binary" --config "$config" --work "$work" \
    --cycles "$cycles" --seed "$seed" ${CRASHLOOP_ARGS:-} &
checker=$!
status=0
wait "$checker" || status=$?
checker=""
exit "$status"
