#!/usr/bin/env bash
# Builds and runs the C++ wrapper test with clang++ at C++17 and C++20
# (CMake covers the default compiler, g++): the wrapper must compile
# warning-free with both (-Wall -Wextra -Werror -pedantic).
# Usage: tests/cpp/compilers.sh [target/debug]
set -euo pipefail
cd "$(dirname "$0")/../.."
libdir="$(cd "${1:-target/debug}" && pwd)"
command -v clang++ >/dev/null || { echo "tests/cpp: clang++ is required (apt-get install clang)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for std in c++17 c++20; do
  clang++ -std=$std -Wall -Wextra -Werror -pedantic -Iinclude tests/cpp/test_wrapper.cpp \
    "$libdir/libquestdb_client.a" -lpthread -ldl -lm -o "$out/test_wrapper_clang_$std"
  "$out/test_wrapper_clang_$std"
done
