#!/bin/sh
# tests/fuzz/run.sh [--merge] [SECONDS [TARGET...]]: build the libFuzzer
# targets with clang (ASan + UBSan) straight from the sources and run
# each one (all, or the TARGETs named) for SECONDS (default 60) on a
# scratch copy of its seed corpus tests/fuzz/corpus/TARGET.  Prints each
# target's executions, executions per second and peak RSS.  Exits 1 when
# a target fails to build or finds a crash (the reproducer is kept and
# named), 0 otherwise.  Not part of make check: CI calls it.
#
# --merge: after each run, merge what it found into the seed corpus in
# the source tree (libFuzzer -merge=1: only inputs that add coverage are
# copied in, named by their SHA-1), so the committed corpus grows:
#     tests/fuzz/run.sh --merge 300 && git add tests/fuzz/corpus
set -u
merge=0
if [ "${1:-}" = --merge ]; then
	merge=1
	shift
fi
secs=${1:-60}
[ $# -gt 0 ] && shift
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
# ctlmsg's build id hashes the version: any string will do.
printf '#define PACKAGE_VERSION "fuzz"\n' >>"$work/autoconf.h"
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
targets="$targets fuzz-socks5 fuzz-proxyv2 fuzz-ctlmsg"
[ $# -gt 0 ] && targets="$*"

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
	fuzz-socks5)
		b_pkgs=""
		b_src="lib/socks5.c lib/stream.c" ;;
	fuzz-proxyv2)
		b_pkgs=""
		b_src="lib/proxyv2.c" ;;
	fuzz-ctlmsg)
		b_pkgs=""
		b_src="lib/ctlmsg.c" ;;
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
	grep -E "stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" \
	    "$work/$t.log" | sed "s/^/run.sh: $t: /"
	if [ "$merge" = 1 ]; then
		mkdir -p "$here/corpus/$t"
		n0=$(ls "$here/corpus/$t" | wc -l)
		if ! "$work/$t" -merge=1 -timeout=10 -rss_limit_mb=2048 \
		    "$here/corpus/$t" "$work/corpus-$t" \
		    >"$work/$t.merge.log" 2>&1; then
			echo "run.sh: $t: merge failed" >&2
			tail -20 "$work/$t.merge.log" >&2
			keep=1
			rc=1
			continue
		fi
		echo "run.sh: $t: corpus $n0 -> $(ls "$here/corpus/$t" |
		    wc -l) files"
	fi
done
[ "$rc" = 0 ] && echo "run.sh: all targets ran without a crash"
exit $rc
