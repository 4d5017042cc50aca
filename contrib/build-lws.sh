#!/bin/sh
# Build libwebsockets with libevent support built in, statically, into a
# prefix (default: .lws in the source tree, where configure looks first).
#
# Debian 12's libwebsockets 4.1.6 is built without LWS_WITH_LIBEVENT and
# ships no libevent event-lib plugin, so lws cannot join rvpn's libevent
# loop.  This fetches Debian's own source package with `apt-get source`
# through a private sources list and apt state directory (the system's apt
# configuration is never touched), verifies it as apt does (signed index,
# .dsc checksums), and builds it with -DLWS_WITH_LIBEVENT=ON, event-lib
# plugins off, static only, with rvpn's patches (contrib/lws/*.patch: lws's
# own error page names the library; see the patch headers).
#
# Usage: contrib/build-lws.sh [PREFIX]
#   LWS_SUITE    Debian suite to take the source from (default: bookworm)
#   LWS_VERSION  exact source version (default: the suite's)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-$top/.lws}
suite=${LWS_SUITE:-bookworm}
mirror=${LWS_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
# The patches are part of the build: a changed patch rebuilds.
patches=$(ls "$top"/contrib/lws/*.patch 2>/dev/null || true)
psum=none
[ -z "$patches" ] || psum=$(cat $patches | cksum | cut -d' ' -f1)
stamp="$prefix/.built-$suite-${LWS_VERSION:-default}-p$psum"

if [ -f "$stamp" ] && [ -f "$prefix/lib/libwebsockets.a" ]; then
	echo "build-lws: $prefix is up to date"
	exit 0
fi

for t in apt-get dpkg-source cmake make cc; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "build-lws: $t not found (apt-get install dpkg-dev cmake build-essential)" >&2
		exit 1
	}
done

work=$(mktemp -d "${TMPDIR:-/tmp}/rvpn-lws.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src"
echo "deb-src [signed-by=$keyring] $mirror $suite main" > "$work/apt/sources.list"
apt_opts="-o Dir::Etc::SourceList=$work/apt/sources.list \
	-o Dir::Etc::SourceParts=/dev/null \
	-o Dir::State::Lists=$work/apt/lists \
	-o Dir::Cache=$work/apt/cache \
	-o APT::Sandbox::User=root -q"

echo "build-lws: fetching libwebsockets source from $suite"
# shellcheck disable=SC2086
apt-get $apt_opts update >"$work/apt.log" 2>&1 || {
	cat "$work/apt.log" >&2; exit 1; }
pkg=libwebsockets
[ -n "${LWS_VERSION:-}" ] && pkg="libwebsockets=$LWS_VERSION"
# shellcheck disable=SC2086
(cd "$work/src" && apt-get $apt_opts source --download-only "$pkg") \
	>>"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; exit 1; }
dsc=$(ls "$work"/src/libwebsockets_*.dsc | head -n 1)
# Checksums of the .dsc are verified by dpkg-source when extracting.
dpkg-source --require-valid-signature -x "$dsc" "$work/lws" >>"$work/apt.log" 2>&1 ||
	dpkg-source -x "$dsc" "$work/lws" >>"$work/apt.log" 2>&1 || {
	cat "$work/apt.log" >&2; exit 1; }
for p in $patches; do
	echo "build-lws: applying $(basename "$p")"
	patch -d "$work/lws" -p1 --no-backup-if-mismatch <"$p" \
		>>"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; exit 1; }
done
version=$(sed -n 's/^Version: //p' "$dsc")
echo "build-lws: building libwebsockets $version (libevent, static) into $prefix"

mkdir -p "$work/build"
(cd "$work/build" && cmake "$work/lws" \
	-DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_INSTALL_PREFIX="$prefix" \
	-DCMAKE_INSTALL_LIBDIR=lib \
	-DCMAKE_POSITION_INDEPENDENT_CODE=ON \
	-DLWS_WITH_LIBEVENT=ON \
	-DLWS_WITH_EVLIB_PLUGINS=OFF \
	-DLWS_WITH_STATIC=ON \
	-DLWS_WITH_SHARED=OFF \
	-DLWS_WITHOUT_TESTAPPS=ON \
	-DLWS_WITH_MINIMAL_EXAMPLES=OFF \
	-DLWS_WITHOUT_EXTENSIONS=ON \
	-DLWS_WITH_ZLIB=OFF \
	-DLWS_IPV6=ON \
	-DLWS_UNIX_SOCK=ON \
	-DDISABLE_WERROR=ON) >"$work/cmake.log" 2>&1 || {
	tail -n 40 "$work/cmake.log" >&2; exit 1; }
(cd "$work/build" && make -j"$(nproc 2>/dev/null || echo 2)" &&
	rm -rf "$prefix" && make install) >"$work/make.log" 2>&1 || {
	tail -n 40 "$work/make.log" >&2; exit 1; }
grep -q '^#define LWS_WITH_LIBEVENT' "$prefix/include/lws_config.h" || {
	echo "build-lws: the result lacks LWS_WITH_LIBEVENT" >&2; exit 1; }
echo "$version" > "$stamp"
echo "build-lws: done: $prefix (libwebsockets $version)"
