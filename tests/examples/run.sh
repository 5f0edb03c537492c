#!/usr/bin/env bash
# Runs one example program against a local server and compares what the
# server received with an expected file.
#
# Usage: run.sh <example-exe> <mode> <expected-file> [extra args...]
#
# Modes (the first four use questdb-ilp-capture --json, $QDB_CAPTURE; the
# others the tls_sink example, $QDB_TLS_SINK):
#   http       example 127.0.0.1 <http-port> [extra...]
#   tcp        example 127.0.0.1 <tcp-port> [extra...]
#   conf       example "<extra[0] or http>::addr=127.0.0.1:<port>;"
#              (extra[0] is the schema, http or tcp; port picked to match)
#   env        QDB_CLIENT_CONF="<extra[0] or http>::addr=127.0.0.1:<port>;" example
#   tcp-auth   tls_sink --plain --ecdsa X Y; example 127.0.0.1 <port>
#   tcps-auth  tls_sink --ecdsa X Y; example 127.0.0.1 <port> <ca.pem>
#   https      tls_sink --http; example 127.0.0.1 <port> <ca.pem>
#   refused    no server: example 127.0.0.1 1 [extra...] (for conf/env
#              examples extra[0] is the schema as above) must exit non-zero
#              with a message on stderr and without a "sent" line on stdout;
#              <expected-file> is not read (pass -)
#   rejected   like refused, but against questdb-ilp-capture --fail-with 400
#              on its HTTP port (HTTP retries a refused connection for
#              seconds; a 400 answer fails at once)
#
# The capture tool's JSON lines are compared after replacing every
# designated timestamp number by 0 (unless $QDB_KEEP_TIMESTAMPS is set, for
# examples that send fixed timestamps); tls_sink's output (minus its PORT line)
# after replacing every 16-19 digit number ending a line by 0. The example
# must exit 0. On a mismatch it prints a diff and exits 1.
set -u

if [ $# -lt 3 ]; then
    echo "usage: $0 <example-exe> <mode> <expected-file> [extra args]" >&2
    exit 2
fi
exe=$1
mode=$2
expected=$3
shift 3

# The sample ECDSA public key of the examples (QuestDB documentation).
ECDSA_X=fLKYEaoEb9lrn3nkwLDA-M_xnuFOdSt9y0Z7_vWSHLU
ECDSA_Y=Dt5tbS1dEDMSYfym3fgMv0B99szno-dFc1rYF9t0aac

work=$(mktemp -d "${TMPDIR:-/tmp}/qdb-example.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in server.out server.err example.out example.err; do
        if [ -s "$work/$f" ]; then
            echo "--- $f" >&2
            cat -v "$work/$f" >&2
        fi
    done
    exit 1
}

# Waits (up to 10 s) for `file` to hold a line matching `pattern`.
wait_for() {
    local file=$1 pattern=$2 i
    for i in $(seq 1 200); do
        if [ -f "$file" ] && grep -q "$pattern" "$file" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            fail "server exited before it was ready"
        fi
        sleep 0.05
    done
    fail "server not ready after 10 s"
}

# Waits (up to 15 s) for the server to exit by itself; its status must be 0.
wait_server() {
    local i
    for i in $(seq 1 300); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            wait "$server_pid"
            local rc=$?
            server_pid=
            [ "$rc" -eq 0 ] || fail "server exited with status $rc"
            return 0
        fi
        sleep 0.05
    done
    fail "server still running 15 s after the example finished (fewer rows than expected?)"
}

run_example() {
    "$@" >"$work/example.out" 2>"$work/example.err"
    local rc=$?
    [ "$rc" -eq 0 ] || fail "example exited with status $rc"
}

case "$mode" in
http | tcp | conf | env)
    : "${QDB_CAPTURE:?set QDB_CAPTURE to the questdb-ilp-capture binary}"
    rows=$(grep -c . "$expected") || fail "no rows in $expected"
    "$QDB_CAPTURE" --http-port 0 --tcp-port 0 --json --max-rows "$rows" \
        --ready-file "$work/ready" >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    wait_for "$work/ready" "listening"
    http_port=$(sed -n 's/.*http=[^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/ready")
    tcp_port=$(sed -n 's/.*tcp=[^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/ready")
    [ -n "$http_port" ] && [ -n "$tcp_port" ] || fail "bad ready file: $(cat "$work/ready")"
    case "$mode" in
    http) run_example "$exe" 127.0.0.1 "$http_port" "$@" ;;
    tcp) run_example "$exe" 127.0.0.1 "$tcp_port" "$@" ;;
    conf | env)
        schema=${1:-http}
        [ $# -gt 0 ] && shift
        port=$http_port
        [ "$schema" = tcp ] && port=$tcp_port
        conf="$schema::addr=127.0.0.1:$port;"
        if [ "$mode" = conf ]; then
            run_example "$exe" "$conf" "$@"
        else
            QDB_CLIENT_CONF=$conf run_example "$exe" "$@"
        fi
        ;;
    esac
    wait_server
    if [ -n "${QDB_KEEP_TIMESTAMPS:-}" ]; then
        cp "$work/server.out" "$work/actual"
    else
        sed -E 's/"timestamp":[0-9]+/"timestamp":0/g' "$work/server.out" >"$work/actual"
    fi
    ;;
tcp-auth | tcps-auth | https)
    : "${QDB_TLS_SINK:?set QDB_TLS_SINK to the tls_sink binary}"
    case "$mode" in
    tcp-auth) sink_args=(--plain --ecdsa "$ECDSA_X" "$ECDSA_Y") ;;
    tcps-auth) sink_args=(--ecdsa "$ECDSA_X" "$ECDSA_Y") ;;
    https) sink_args=(--http) ;;
    esac
    "$QDB_TLS_SINK" "$work" "${sink_args[@]}" >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    wait_for "$work/server.out" "^PORT "
    port=$(sed -n 's/^PORT \([0-9][0-9]*\)$/\1/p' "$work/server.out")
    if [ "$mode" = tcp-auth ]; then
        run_example "$exe" 127.0.0.1 "$port" "$@"
    else
        run_example "$exe" 127.0.0.1 "$port" "$work/ca.pem" "$@"
    fi
    wait_server
    sed -e '/^PORT [0-9]*$/d' -E -e 's/[0-9]{16,19}$/0/' "$work/server.out" >"$work/actual"
    ;;
refused | rejected)
    # Port 1 (tcpmux) is privileged and practically never served.
    port=1
    if [ "$mode" = rejected ]; then
        : "${QDB_CAPTURE:?set QDB_CAPTURE to the questdb-ilp-capture binary}"
        "$QDB_CAPTURE" --http-port 0 --tcp-port 0 --fail-with 400 \
            --ready-file "$work/ready" >"$work/server.out" 2>"$work/server.err" &
        server_pid=$!
        wait_for "$work/ready" "listening"
        port=$(sed -n 's/.*http=[^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/ready")
    fi
    schema=
    case "$(basename "$exe")" in
    *from_conf* | *from_env*)
        schema=${1:-http}
        [ $# -gt 0 ] && shift
        ;;
    esac
    conf="$schema::addr=127.0.0.1:$port;"
    if [ -z "$schema" ]; then
        "$exe" 127.0.0.1 "$port" "$@" >"$work/example.out" 2>"$work/example.err"
    elif [[ "$(basename "$exe")" == *from_env* ]]; then
        QDB_CLIENT_CONF=$conf "$exe" "$@" >"$work/example.out" 2>"$work/example.err"
    else
        "$exe" "$conf" "$@" >"$work/example.out" 2>"$work/example.err"
    fi
    rc=$?
    [ "$rc" -ne 0 ] || fail "example exited 0 ($mode)"
    [ -s "$work/example.err" ] || fail "example printed no error (status $rc)"
    ! grep -q '^sent ' "$work/example.out" || fail "example claims it sent rows"
    echo "ok: $(basename "$exe") failed as expected (status $rc): $(head -c 300 "$work/example.err")"
    exit 0
    ;;
*)
    echo "$0: unknown mode $mode" >&2
    exit 2
    ;;
esac

if [ -n "${QDB_UPDATE_EXPECTED:-}" ]; then
    cp "$work/actual" "$expected"
    echo "updated $expected"
    exit 0
fi
if ! diff -u "$expected" "$work/actual" >"$work/diff"; then
    cat "$work/diff" >&2
    fail "what the server received differs from $expected"
fi
echo "ok: $(basename "$exe") ($mode): $(grep -c . "$expected") lines as expected"
cat "$work/example.out"
