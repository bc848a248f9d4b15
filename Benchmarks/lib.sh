# Helpers shared by Benchmarks/compare.sh and Benchmarks/soak.sh (sourced, not run). They start
# `tally serve` the way http.sh does, but on a free port and with a binary that can be given, and
# read wrk's report.

# The binary to measure: TALLY_BIN when given (e.g. a prebuilt main), else a fresh release build,
# so a figure is never taken from a stale or debug binary by accident.
tally_binary() {
    if [ -n "${TALLY_BIN:-}" ]; then
        echo "$TALLY_BIN"
    else
        swift build -c release --product tally >/dev/null
        echo .build/release/tally
    fi
}

# A port nobody listens on now: the kernel picks it, so runs never collide with other servers.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_tally BINARY DATABASE PORT TOKEN LOG: starts `tally serve` in the background and waits
# until it says it is listening. Sets `server` (its pid) and `start_ms` (launch to listening, in
# ms, polled every 10 ms). The access log (stderr) is dropped, as in http.sh.
start_tally() {
    local began
    began=$(date +%s%N)
    TALLY_ADMIN_TOKEN="$4" TALLY_DATABASE="$2" TALLY_LISTEN="127.0.0.1:$3" "$1" serve >"$5" 2>/dev/null &
    server=$!
    for _ in $(seq 1000); do
        if grep -q listening "$5" 2>/dev/null; then
            start_ms=$(( ($(date +%s%N) - began) / 1000000 ))
            return 0
        fi
        kill -0 "$server" 2>/dev/null || break
        sleep 0.01
    done
    echo "tally serve did not start (see $5)" >&2
    return 1
}

# stop_tally: SIGTERM, then wait for the process to exit (its shutdown flushes and checkpoints).
stop_tally() {
    if [ -n "${server:-}" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        server=""
    fi
}

# to_ms VALUE: a wrk latency (850.00us, 2.44ms, 1.02s) in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
        printf "%.2f", n
    }'
}

# wrk_stats FILE: "requests ok_per_s p50_ms p99_ms failed" from a `wrk --latency` report. failed
# counts non-2xx answers (503 when the server sheds load) and socket errors; ok_per_s counts only
# the rest, the debits made, since wrk's own Requests/sec includes the failures.
wrk_stats() {
    local requests duration p50 p99 non2xx socket failed
    requests=$(awk '/requests in/ {print $1}' "$1")
    # wrk writes the duration as 10.00s, or 1.00m once it is a minute or more.
    duration=$(awk '/requests in/ {d = $4 + 0; if ($4 ~ /m,?$/) d *= 60; if ($4 ~ /h,?$/) d *= 3600; print d}' "$1")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$1")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$1")")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$1")
    socket=$(awk -F'[ ,]+' '/Socket errors/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) n += $i; print n}' "$1")
    failed=$(( ${non2xx:-0} + ${socket:-0} ))
    echo "$requests $(awk -v n=$((requests - failed)) -v s="$duration" 'BEGIN {printf "%.0f", n / s}') $p50 $p99 $failed"
}
