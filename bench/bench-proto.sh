#!/bin/sh
# bench/bench-proto.sh [SECONDS]: run bench-proto and, for the same record
# sizes on the same machine, openssl speed -evp chacha20-poly1305; print
# both and their ratio.  Run from a build directory (or set BENCH_PROTO).
set -u
secs=${1:-2}
bin=${BENCH_PROTO:-./bench/bench-proto}
if [ ! -x "$bin" ]; then
	echo "bench-proto.sh: $bin not found: run make in a build directory" \
	    "first, or set BENCH_PROTO" >&2
	exit 1
fi
out=$("$bin" -m -s "$secs") || exit 1
printf '%-9s %7s %14s %14s %14s %7s\n' packets record "rvpn MB/s" \
    "openssl MB/s" "ideal MB/s" ratio
echo "$out" | while read -r label reclen bps; do
	ossl=$(openssl speed -evp chacha20-poly1305 -seconds "$secs" \
	    -bytes "$reclen" -mr 2>/dev/null | awk -F: '/^\+F:/ { print $4 }')
	[ -n "$ossl" ] || { echo "bench-proto.sh: openssl speed failed" >&2;
	    exit 1; }
	awk -v l="$label" -v r="$reclen" -v b="$bps" -v o="$ossl" 'BEGIN {
		ideal = o / 2;	# a record is encrypted once and decrypted once
		printf "%-9s %7d %14.1f %14.1f %14.1f %7.2f\n", l, r, b / 1e6,
		    o / 1e6, ideal / 1e6, b / ideal
	}'
done
echo "rvpn: payload bytes through proto_seal + proto_open per second."
echo "openssl: bytes encrypted per second at the sealed record size;"
echo "ideal = openssl / 2 (one seal + one open); ratio = rvpn / ideal."
