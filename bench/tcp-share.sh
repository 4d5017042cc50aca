#!/bin/bash
# SPDX-License-Identifier: ISC
# The control for rvpn-load's fair-share figure over a bottleneck link:
# N plain TCP streams (iperf3 -R -P N, no rvpn) from the lab's server
# host to c1 through the same rate limit bench/run-load.sh LINK_RATE
# puts on that link (tc tbf on the server's side), and the same
# statistics over the bytes each stream received: if plain TCP shares
# the link as unevenly as rvpn's sessions do, the spread is TCP's.
#
#   bench/tcp-share.sh BUILDDIR [N [SECONDS]]     (default 100, 30)
#   LINK_RATE (default 200mbit), LINK_LATENCY (default 20ms)
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [N [SECONDS]]" >&2; exit 2; }
top_builddir=$(cd "$1" && pwd)
n=${2:-100}
secs=${3:-30}
. "$top_srcdir/tests/lab/lab.sh"
command -v iperf3 >/dev/null 2>&1 || fail "iperf3 missing"
lab_init
lab_up
ip netns exec "$NS_SRV" tc qdisc add dev "$LAB_IF_S1" root tbf \
	rate "${LINK_RATE:-200mbit}" burst 256kb \
	latency "${LINK_LATENCY:-20ms}" || fail "tc tbf"
echo "server -> c1: tbf ${LINK_RATE:-200mbit}, ${LINK_LATENCY:-20ms}"
ip netns exec "$NS_SRV" iperf3 -s -1 -B "$LAB_SRV_C1" >/dev/null 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
for i in $(seq 50); do
	ip netns exec "$NS_SRV" ss -ltn | grep -q ":5201 " && break
	sleep 0.1
done
echo "+ iperf3 -c $LAB_SRV_C1 -R -P $n -t $secs -J (in c1)"
ip netns exec "$NS_C1" iperf3 -c "$LAB_SRV_C1" -R -P "$n" -t "$secs" \
	-J >"$LAB_DIR/iperf.json" || fail "iperf3 -c"
python3 - "$LAB_DIR/iperf.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
b = [s["receiver"]["bytes"] for s in r["end"]["streams"]]
m = statistics.mean(b)
print("received per stream (%d streams): mean %.0f B, min %d, max %d, "
      "largest deviation from the mean %.2f %%, CV %.2f %%; all: %.1f Mbit/s"
      % (len(b), m, min(b), max(b), 100 * max(max(b) - m, m - min(b)) / m,
         100 * statistics.pstdev(b) / m,
         r["end"]["sum_received"]["bits_per_second"] / 1e6))
PY
