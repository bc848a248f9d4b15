#!/usr/bin/env bash
# Builds the libFuzzer target for HTTPRequestParser with ASan and runs it over the seed corpus.
# Usage: Fuzz/http-parser/run.sh [seconds]   (default 60; SWIFTC overrides the compiler)
set -euo pipefail

seconds="${1:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
sources="$here/../../Sources/TallyHTTP"
swiftc="${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Only the pure parser files: no sockets, threads or epoll in the fuzz binary.
"$swiftc" -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
    "$sources/ASCII.swift" "$sources/HTTPHeaders.swift" "$sources/HTTPLimits.swift" \
    "$sources/HTTPParseError.swift" "$sources/HTTPRequest.swift" "$sources/HTTPRequestHead.swift" \
    "$sources/HTTPRequestLine.swift" "$sources/HTTPRequestParser.swift" \
    "$here/FuzzEntry.swift" -o "$work/http-parser-fuzz"

# New inputs go to a scratch copy so the committed seed corpus stays small.
mkdir -p "$work/corpus"
cp "$here/corpus/"* "$work/corpus/"
cd "$work"
./http-parser-fuzz -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$work/corpus"
