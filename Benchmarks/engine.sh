#!/usr/bin/env bash
# Runs the in-process benchmarks of DESIGN §7 side by side on one machine and prints one JSON
# line each: 10,000 accounts at 1,024 and 64 callers, one hot account, and the raw SQLite
# reference with the same batching. Usage: Benchmarks/engine.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
swift build -c release --product tally >/dev/null
tally=.build/release/tally
database="$(mktemp -d)/bench.sqlite"
run() { "$tally" bench --seconds "$seconds" --database "$database" --overwrite "$@" | tail -n 1; }
run --accounts 10000 --concurrency 1024
run --accounts 10000 --concurrency 1024 --raw
run --accounts 10000 --concurrency 64
run --accounts 10000 --concurrency 64 --raw
run --accounts 10000 --concurrency 1024 --hot
run --accounts 10000 --concurrency 1024 --hot --raw
run --accounts 10000 --concurrency 1024 --durability normal
rm -rf "$(dirname "$database")"
