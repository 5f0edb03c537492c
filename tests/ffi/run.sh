#!/usr/bin/env bash
# FFI host tests: Python (ctypes), Ruby (Fiddle) and Go (cgo) each load the
# shared library built in target/<profile>, send rows over HTTP to a local
# server of their own, and check the bytes that arrived.
# Usage: tests/ffi/run.sh [target/debug]
set -euo pipefail
cd "$(dirname "$0")/../.."
libdir="$(cd "${1:-target/debug}" && pwd)"
lib="$libdir/libquestdb_client.so"
[ -f "$lib" ] || { echo "tests/ffi: $lib not built" >&2; exit 1; }
# Programs linked with -lquestdb_client look for the SONAME; the CMake build
# makes this link, a plain `cargo build` does not.
[ -e "$libdir/libquestdb_client.so.0" ] || ln -s libquestdb_client.so "$libdir/libquestdb_client.so.0"
for tool in python3 ruby go; do
  command -v "$tool" >/dev/null || {
    echo "tests/ffi: $tool is required (apt-get install python3 ruby golang-go)" >&2
    exit 1
  }
done

python3 tests/ffi/test_python_ctypes.py "$lib"
ruby tests/ffi/test_ruby_fiddle.rb "$lib"
export GOCACHE="${GOCACHE:-${TMPDIR:-/tmp}/questdb-client-gocache}" GO111MODULE=off
export GOPATH="${GOPATH:-${TMPDIR:-/tmp}/questdb-client-gopath}"
CGO_CFLAGS="-I$PWD/include" CGO_LDFLAGS="-L$libdir -Wl,-rpath,$libdir" go run tests/ffi/go/main.go
