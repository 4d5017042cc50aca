#!/bin/sh
# configure accepts a libwebsockets only when it has libevent support built
# in: a copy of the real one with LWS_WITH_LIBEVENT removed (what Debian 12's
# package looks like) must be refused with a message saying what to do.
set -u
[ -n "${LWS_PREFIX:-}" ] || { echo "no LWS_PREFIX: lws found on the system path"; exit 77; }
t=$(mktemp -d "${TMPDIR:-/tmp}/rvpn-conf.XXXXXX")
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$t/fake/lib/pkgconfig" "$t/good" "$t/bad"
cp -R "$LWS_PREFIX/include" "$t/fake/include"
sed -i 's/^#define LWS_WITH_LIBEVENT$/\/* #undef LWS_WITH_LIBEVENT *\//' \
	"$t/fake/include/lws_config.h"
grep -q 'LWS_WITH_LIBEVENT$' "$t/fake/include/lws_config.h" && fail "fake prefix still has libevent"
sed "s|^prefix=.*|prefix=\"$t/fake\"|" "$LWS_PREFIX/lib/pkgconfig/libwebsockets.pc" \
	> "$t/fake/lib/pkgconfig/libwebsockets.pc"

(cd "$t/good" && "$top_srcdir/configure" --with-lws="$LWS_PREFIX" >out 2>&1) ||
	fail "configure with $LWS_PREFIX failed: $(tail -n 3 "$t/good/out")"
grep -q 'whether libwebsockets has libevent support built in... yes' "$t/good/out" ||
	fail "configure did not check the real lws for libevent"

if (cd "$t/bad" && "$top_srcdir/configure" --with-lws="$t/fake" >out 2>&1); then
	fail "configure accepted a libwebsockets without libevent support"
fi
grep -q 'lacks built-in libevent support.*contrib/build-lws.sh' "$t/bad/out" ||
	fail "no clear error: $(tail -n 2 "$t/bad/out")"
echo "PASS: real lws accepted, lws without libevent refused"
