#!/usr/bin/env bash
# Issue 11 / RELIABILITY.md "Power loss and I/O faults in the store": runs N seeded fault
# schedules, each in a `tally-faults child` that dies in a power loss, and checks every database
# they leave (acknowledged answers stored, failed ones not, integrity_check, the ledger verifier,
# an engine start). The CI slice of the same harness is `swift test --filter FaultScheduleTests`.
# Usage: Benchmarks/faults.sh [N] [seed]   (extra flags after them go to `tally-faults run`,
#        e.g. --minutes 40 to stop early, --kind ioErrors, --keep /tmp/faults-failed)
set -euo pipefail
cd "$(dirname "$0")/.."
schedules="${1:-1000}"
seed="${2:-$RANDOM$RANDOM}"
shift $(( $# < 2 ? $# : 2 ))
# A debug build: the harness checks behaviour, and the assertions of a debug build help.
nice swift build --product tally-faults >/dev/null
binary="$(swift build --show-bin-path)/tally-faults"
nice "$binary" run --schedules "$schedules" --seed "$seed" "$@"
