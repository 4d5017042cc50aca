#!/bin/bash
# SPDX-License-Identifier: ISC
# Run bench/rvpn-load against a real rvpn-server in the namespace lab
# (tests/lab/lab.sh: rvt-* namespaces, removed on exit).  The server gets
# a /16 pool, max_clients 65533 and every per-source limit off (all
# sessions come from one load host); NAT is off.  Prints the server's
# idle RSS, rvpn-load's report, and the server's CPU time and RSS after.
#
#   bench/run-load.sh BUILDDIR [rvpn-load options...]
#   PIN=1: server on CPU 0, rvpn-load on CPU 1 (taskset)
#   LOAD_LIMITS: the three pre-authentication limit lines (default: all 0)
#   LOAD_SERVER_EXTRA: more [server] lines
#   LINK_RATE: a rate limit (e.g. 200mbit) on the server's link toward
#     the load host, so that link is the bottleneck: a token bucket (tc
#     tbf, one drop-tail FIFO holding LINK_LATENCY, default 20ms)
#   SERVER_SIDE: a command run in the server's namespace while rvpn-load
#     runs (on CPU 1 with PIN=1), stopped after it; e.g. traffic toward
#     the sessions: SERVER_SIDE="bench/udp-blast.py 10.200.0.2 100 20"
#
# Example: bench/run-load.sh _b --sessions 2000 --rate 500 --duration 10
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [rvpn-load options]" >&2; exit 2; }
top_builddir=$(cd "$1" && pwd)
shift
LOAD=$top_builddir/bench/rvpn-load
. "$top_srcdir/tests/lab/lab.sh"
lab_init "$LOAD"
lab_up
LOAD_LIMITS=${LOAD_LIMITS:-"max_pending_handshakes = 0
max_pending_per_source = 0
handshake_rate_per_source = 0"}
LAB_RANGE=10.200.0.0/16 LAB_NAT=false LAB_SERVER_EXTRA="max_clients = 65533
$LOAD_LIMITS
${LOAD_SERVER_EXTRA:-}" lab_server_config "$LAB_DIR/load.toml"
if [ -n "${LINK_RATE:-}" ]; then
	ip netns exec "$NS_SRV" tc qdisc add dev "$LAB_IF_S1" root tbf \
		rate "$LINK_RATE" burst 256kb latency "${LINK_LATENCY:-20ms}" ||
		fail "tc tbf $LINK_RATE"
	echo "server -> load host: tbf $LINK_RATE, ${LINK_LATENCY:-20ms}"
fi
pin_srv= pin_load=
if [ -n "${PIN:-}" ]; then
	pin_srv="taskset -c 0"
	pin_load="taskset -c 1"
fi
LAB_SERVER_FROM=$(lab_log_next "$LAB_DIR/server.log")
ip netns exec "$NS_SRV" $pin_srv "$RVPN_SERVER" -f -c "$LAB_DIR/load.toml" \
	>>"$LAB_DIR/server.log" 2>&1 &
LAB_SERVER_PID=$!
LAB_PIDS="$LAB_PIDS $LAB_SERVER_PID"
LAB_RVPN_PIDS="$LAB_RVPN_PIDS $LAB_SERVER_PID"
lab_server_wait_listen

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$LAB_SERVER_PID/status"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$LAB_SERVER_PID/stat"; }
hz=$(getconf CLK_TCK)
echo "server: idle RSS $(rss) KiB (ulimit -n $(ulimit -n))"
c0=$(cpu)
echo "+ rvpn-load --server $LAB_URL1 --server-key KEY --ca CA --control SOCK $*"
ip netns exec "$NS_C1" $pin_load "$LOAD" --server "$LAB_URL1" \
	--server-key "$LAB_SRV_PUB" --ca "$LAB_DIR/ca.crt" \
	--control "$LAB_DIR/server.sock" "$@" &
lpid=$!
spid=
if [ -n "${SERVER_SIDE:-}" ]; then
	echo "+ (server side) $SERVER_SIDE"
	ip netns exec "$NS_SRV" $pin_load sh -c "exec $SERVER_SIDE" &
	spid=$!
	LAB_PIDS="$LAB_PIDS $spid"
fi
# Every SAMPLE seconds (default 5): the server's RSS and CPU since last.
t=0 cp=$c0
while kill -0 "$lpid" 2>/dev/null; do
	sleep "${SAMPLE:-5}"
	kill -0 "$lpid" 2>/dev/null || break
	t=$((t + ${SAMPLE:-5}))
	cn=$(cpu)
	echo "  t=${t}s server RSS $(rss) KiB, CPU $(( (cn - cp) * 1000 / hz )) ms in the last ${SAMPLE:-5} s" >&2
	cp=$cn
done
wait "$lpid"
rc=$?
if [ -n "$spid" ]; then
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
fi
c1=$(cpu)
# What the kernel could not queue on the TUN (the server read too slowly).
ip netns exec "$NS_SRV" ip -s link show dev "$LAB_TUN" | awk '
	/TX:/ { getline; print "server TUN: " $2 " packets toward the " \
	    "sessions, " $4 " dropped by the kernel (TUN queue full)" }'
echo "server: CPU $(( (c1 - c0) * 1000 / hz )) ms during the run, RSS $(rss) KiB after"
lab_server_stop || rc=1
exit $rc
