#!/bin/sh
# tests/fuzz/run.sh [SECONDS]: build the libFuzzer targets with clang
# (ASan + UBSan) straight from the sources and run each one for SECONDS
# (default 60) on a scratch copy of its seed corpus.  Exits 1 when a
# target fails to build or finds a crash (the reproducer is kept and
# named), 0 otherwise.  Not part of make check: CI calls it.
set -u
secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CC=${CLANG:-clang}
work=$(mktemp -d "${TMPDIR:-/tmp}/rvpn-fuzz.XXXXXX") || exit 1
keep=0
cleanup() {
	if [ "$keep" = 0 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "run.sh: $CC not found (apt-get install clang)" >&2
	exit 1
fi

# The automake build's autoconf.h is not needed: the sources only want
# the GNU extensions and explicit_bzero, which glibc has.
printf '#define _GNU_SOURCE 1\n#define HAVE_EXPLICIT_BZERO 1\n' \
	>"$work/autoconf.h"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-std=c11 -g -O1 -fno-omit-frame-pointer -I$work -I$top/lib \
	-DSYSCONFDIR=\"/etc\" -DLOCALSTATEDIR=\"/var\" -DRUNSTATEDIR=\"/run\""
crypto_cflags=$(pkg-config --cflags libcrypto) || exit 1
crypto_libs=$(pkg-config --libs libcrypto) || exit 1

# build TARGET PKGS LIBSOURCES...
build() {
	t=$1 pkgs=$2
	shift 2
	pc_cflags="" pc_libs=""
	if [ -n "$pkgs" ]; then
		pc_cflags=$(pkg-config --cflags $pkgs) || return 1
		pc_libs=$(pkg-config --libs $pkgs) || return 1
	fi
	objs=""
	for src in "$@"; do
		o="$work/$t-$(basename "$src" .c).o"
		$CC $cflags $crypto_cflags $pc_cflags $san \
		    -fsanitize=fuzzer-no-link -c "$top/$src" -o "$o" || return 1
		objs="$objs $o"
	done
	$CC $cflags $crypto_cflags $pc_cflags $san -fsanitize=fuzzer \
	    "$here/$t.c" $objs $pc_libs $crypto_libs -o "$work/$t" || return 1
}

proto_src="lib/noise.c lib/proto.c lib/proto-tlv.c lib/log.c lib/xmalloc.c"
targets="fuzz-record fuzz-handshake"
targets="$targets fuzz-config fuzz-vnet fuzz-stream"

rc=0
for t in $targets; do
	case $t in
	fuzz-config)
		b_pkgs=""
		b_src="lib/toml.c lib/log.c lib/xmalloc.c" ;;
	fuzz-vnet)
		b_pkgs=""
		b_src="lib/vnet.c lib/ipaddr.c lib/log.c lib/xmalloc.c" ;;
	fuzz-stream)
		b_pkgs=""
		b_src="lib/stream.c" ;;
	fuzz-record)
		b_pkgs=""
		b_src="$proto_src lib/ipaddr.c lib/route.c" ;;
	*)
		b_pkgs=""
		b_src="$proto_src" ;;
	esac
	if ! build "$t" "$b_pkgs" $b_src; then
		echo "run.sh: $t: build failed" >&2
		rc=1
		continue
	fi
	mkdir -p "$work/corpus-$t" "$work/crash-$t"
	seeds="$here/corpus/$t"
	[ -d "$seeds" ] || seeds=""
	echo "run.sh: $t for ${secs}s"
	if ! "$work/$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$work/crash-$t/" \
	    "$work/corpus-$t" $seeds >"$work/$t.log" 2>&1; then
		echo "run.sh: $t FAILED; log and reproducer kept in $work" >&2
		tail -40 "$work/$t.log" >&2
		ls -l "$work/crash-$t" >&2
		keep=1
		rc=1
		continue
	fi
	grep -E "stat::number_of_executed_units|stat::peak_rss_mb" \
	    "$work/$t.log" | sed "s/^/run.sh: $t: /"
done
[ "$rc" = 0 ] && echo "run.sh: all targets ran without a crash"
exit $rc
