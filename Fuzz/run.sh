#!/usr/bin/env bash
# Builds one libFuzzer target with ASan from the pure sources it lists and runs it over its seed
# corpus. Each target is a folder here: FuzzEntry.swift, `sources` (files under Sources/, one per
# line, nothing that touches sockets, threads or disks) and a small committed corpus.
# Usage: Fuzz/run.sh TARGET [seconds] [max_len]   (default 60 s, 4096 bytes; SWIFTC overrides the compiler)
set -euo pipefail

target="${1:?usage: Fuzz/run.sh TARGET [seconds] [max_len]}"
seconds="${2:-60}"
max_len="${3:-4096}"
here="$(cd "$(dirname "$0")" && pwd)"
folder="$here/$target"
[ -f "$folder/FuzzEntry.swift" ] || { echo "no fuzz target $target" >&2; exit 2; }
swiftc="${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

sources=()
while read -r file; do
    [ -n "$file" ] && sources+=("$here/../Sources/$file")
done <"$folder/sources"
"$swiftc" -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
    "${sources[@]}" "$folder/FuzzEntry.swift" -o "$work/$target-fuzz"

# New inputs go to a scratch copy so the committed seed corpus stays small.
mkdir -p "$work/corpus"
cp "$folder/corpus/"* "$work/corpus/"
cd "$work"
"./$target-fuzz" -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 "$work/corpus"
