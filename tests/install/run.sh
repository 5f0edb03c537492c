#!/usr/bin/env bash
# Install-packaging test: builds the library through the top-level CMake
# project (Debug by default, reusing cargo's target/ so nothing is rebuilt),
# runs `cmake --install` into a temporary prefix and checks what a user of the
# installed library gets:
#   - the files: versioned .so with .so.<major> and .so symlinks, the .a, the
#     headers, the CMake package (config + version file) and questdb_client.pc;
#   - tests/install/consumer (find_package(questdb_client CONFIG)) builds a C
#     and a C++17 program against questdb_client::questdb_client (shared) and
#     questdb_client::questdb_client_static, which run with LD_LIBRARY_PATH
#     unset (the shared ones find the library through the rpath and SONAME);
#   - the version file refuses another major version;
#   - `cc $(pkg-config --cflags --libs questdb_client)` builds and runs the C
#     program (and a static link with Libs.private);
#   - readelf: SONAME libquestdb_client.so.<major>, and NEEDED only libc, libm,
#     libpthread, libdl, libgcc_s and the dynamic loader.
# QDB_INSTALL_BUILD_TYPE=Release tests a release build instead (slow).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/tests/install"
build_type="${QDB_INSTALL_BUILD_TYPE:-Debug}"

for tool in cmake cc c++ readelf pkg-config; do
  if ! command -v "$tool" >/dev/null; then
    echo "tests/install: '$tool' is required but not installed" \
         "(Debian: apt-get install pkg-config binutils cmake g++)" >&2
    exit 1
  fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/qdb-install-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
libdir="$prefix/lib"
fail() { echo "tests/install: FAIL: $*" >&2; exit 1; }
step() { echo "== tests/install: $*"; }

version="$(sed -n 's/^version = "\([^"]*\)".*/\1/p' "$root/Cargo.toml" | head -n1)"
major="${version%%.*}"
soname="libquestdb_client.so.$major"

step "build ($build_type) and install into $prefix"
cmake -S "$root" -B "$work/build" -DCMAKE_BUILD_TYPE="$build_type" \
      -DQUESTDB_CLIENT_TESTS=OFF -DCMAKE_INSTALL_LIBDIR=lib >/dev/null
cmake --build "$work/build" -j2
cmake --install "$work/build" --prefix "$prefix" >/dev/null

step "installed files"
for f in "lib/libquestdb_client.so.$version" lib/libquestdb_client.a \
         include/questdb/ingress/line_sender.h \
         lib/cmake/questdb_client/questdb_clientConfig.cmake \
         lib/cmake/questdb_client/questdb_clientConfigVersion.cmake \
         lib/pkgconfig/questdb_client.pc; do
  [ -f "$prefix/$f" ] && [ ! -L "$prefix/$f" ] || fail "missing file $f"
done
[ "$(readlink "$libdir/$soname")" = "libquestdb_client.so.$version" ] \
  || fail "$soname is not a symlink to libquestdb_client.so.$version"
[ "$(readlink "$libdir/libquestdb_client.so")" = "$soname" ] \
  || fail "libquestdb_client.so is not a symlink to $soname"
(cd "$prefix" && find . \( -type f -o -type l \) | sort | sed 's/^/   /')

step "readelf -d lib/libquestdb_client.so.$version"
dyn="$(readelf -d "$libdir/libquestdb_client.so.$version")"
echo "$dyn" | grep -E '\((SONAME|NEEDED|RPATH|RUNPATH)\)' | sed 's/^/   /'
got_soname="$(echo "$dyn" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
[ "$got_soname" = "$soname" ] || fail "SONAME is '$got_soname', expected '$soname'"
allowed='^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|libgcc_s\.so\.1|ld-linux[-a-z0-9_.]*\.so\.[0-9]+|libc\.musl-[a-z0-9_]+\.so\.1)$'
needed="$(echo "$dyn" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
[ -n "$needed" ] || fail "no NEEDED entries found"
while read -r lib; do
  [[ "$lib" =~ $allowed ]] || fail "unexpected dynamic dependency: $lib"
done <<<"$needed"

step "find_package consumer (C, C++17; shared, static)"
cmake -S "$here/consumer" -B "$work/consumer" -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/consumer" -j2
for lang in c cpp; do
  for kind in shared static; do
    exe="$work/consumer/consumer_${lang}_${kind}"
    env -u LD_LIBRARY_PATH "$exe" || fail "consumer_${lang}_${kind} failed"
    exe_needed="$(readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
    if [ "$kind" = shared ]; then
      grep -qx "$soname" <<<"$exe_needed" \
        || fail "consumer_${lang}_shared does not need $soname"
      env -u LD_LIBRARY_PATH ldd "$exe" | grep -q "$soname => $libdir/$soname" \
        || fail "consumer_${lang}_shared does not load $libdir/$soname"
    elif grep -q questdb_client <<<"$exe_needed"; then
      fail "consumer_${lang}_static needs a questdb_client shared library"
    fi
  done
done

step "version file refuses major version $((major + 1))"
if cmake -S "$here/consumer" -B "$work/consumer-wrong" \
     -DCMAKE_PREFIX_PATH="$prefix" -DQDB_WANT_VERSION="$((major + 1)).0" \
     >"$work/wrong.log" 2>&1; then
  fail "find_package(questdb_client $((major + 1)).0) was accepted"
fi
grep -q "compatible with requested version" "$work/wrong.log" \
  || { cat "$work/wrong.log" >&2; fail "unexpected error for the wrong version"; }

step "pkg-config consumer"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
[ "$(pkg-config --modversion questdb_client)" = "$version" ] \
  || fail "pkg-config --modversion is not $version"
echo "   cflags: $(pkg-config --cflags questdb_client)"
echo "   libs:   $(pkg-config --libs questdb_client)"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -pedantic "$here/consumer/consumer.c" \
   -o "$work/pc_shared" $(pkg-config --cflags --libs questdb_client)
LD_LIBRARY_PATH="$libdir" "$work/pc_shared" || fail "pkg-config shared build failed"
# Static: the .a plus the Libs.private that Rust's std needs.
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -pedantic "$here/consumer/consumer.c" \
   -o "$work/pc_static" $(pkg-config --cflags questdb_client) \
   "$libdir/libquestdb_client.a" \
   $(pkg-config --static --libs-only-l questdb_client | sed 's/-lquestdb_client//')
env -u LD_LIBRARY_PATH "$work/pc_static" || fail "pkg-config static build failed"

step "ok"
