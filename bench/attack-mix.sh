#!/bin/bash
# SPDX-License-Identifier: ISC
# The issue-16 attack mix, in the namespace lab with the default limits:
# a real client on c2 measures its throughput (iperf3 to the internet
# host through the tunnel) and how long a new session takes, first on a
# quiet server, then while c1 (one address) runs at once: 2000 idle TLS
# connections upgraded and silent, a flood of valid message 1s from new
# keys (rvpn-load, 500/s), garbage after the handshake (rvpn-load
# --inject), and a slowloris at the TLS, HTTP and message-1 phases.
#
#   bench/attack-mix.sh BUILDDIR [SECONDS]    (default 10 s per iperf3)
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [SECONDS]" >&2; exit 2; }
top_builddir=$(cd "$1" && pwd)
secs=${2:-10}
LOAD=$top_builddir/bench/rvpn-load
. "$top_srcdir/tests/lab/lab.sh"
lab_init "$RVPN_CLIENT" "$LOAD"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
HOSTILE=$top_srcdir/tests/lab/hostile.py
lab_up
lab_server_config "$LAB_DIR/s.toml"
lab_server_start "$LAB_DIR/s.toml"
ip netns exec "$NS_NET" iperf3 -s -B "$LAB_NET" --forceflush >"$LAB_DIR/iperf3.log" 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
lab_wait_log "$LAB_DIR/iperf3.log" "Server listening" || fail "iperf3 -s"

# Mbit/s of one iperf3 run from c2 through the tunnel.
mbps() {
	nsx "$NS_C2" iperf3 -c "$LAB_NET" -t "$secs" -J 2>/dev/null |
		"$PY" -c 'import json, sys
print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6, 1))'
}

# CONNECT: seconds from starting the c2 client to its "tunnel up".
connect_time() {
	local t0 t1
	if [ -n "${LAB_PID_c2:-}" ]; then
		lab_stop "$LAB_PID_c2" || fail "c2 did not stop cleanly"
	fi
	t0=$(date +%s.%N)
	lab_client_start "$NS_C2" c2 $(lab_client_args c2)
	t1=$(date +%s.%N)
	CONNECT=$(echo "$t1 - $t0" | bc | sed 's/^\./0./')
}

connect_time
c_quiet=$CONNECT
bw_quiet=$(mbps)
echo "quiet: new session in ${c_quiet}s, ${bw_quiet} Mbit/s"

# The attack, all from c1.
a="ip netns exec $NS_C1"
attack=
$a "$PY" "$HOSTILE" --host "$LAB_SRV_C1" --mode upgrade --count 2000 \
	--hold $((secs * 3)) >"$LAB_DIR/idle.json" 2>/dev/null &
attack="$attack $!"
for m in tls http msg1; do
	$a "$PY" "$HOSTILE" --host "$LAB_SRV_C1" --mode $m --count 10 \
		--hold $((secs * 3)) >"$LAB_DIR/slow-$m.json" 2>/dev/null &
	attack="$attack $!"
done
$a "$LOAD" --server "$LAB_URL1" --server-key "$LAB_SRV_PUB" \
	--ca "$LAB_DIR/ca.crt" --sessions 20000 --rate 500 \
	--duration $((secs * 3)) >"$LAB_DIR/flood.txt" 2>&1 &
attack="$attack $!"
$a "$LOAD" --server "$LAB_URL1" --server-key "$LAB_SRV_PUB" \
	--ca "$LAB_DIR/ca.crt" --sessions 2000 --rate 50 \
	--duration $((secs * 3)) --inject raw:07aabbccdd >"$LAB_DIR/garbage.txt" 2>&1 &
attack="$attack $!"
LAB_PIDS="$LAB_PIDS $attack"
sleep 2
connect_time
c_attack=$CONNECT
bw_attack=$(mbps)
echo "under attack: new session in ${c_attack}s, ${bw_attack} Mbit/s" \
	"($(echo "scale=0; 100 * $bw_attack / $bw_quiet" | bc) % of quiet)"
"$top_builddir/src/rvpnctl" -s "$LAB_DIR/server.sock" stats |
	sed -n '/before authentication/,/server resident/p'
# shellcheck disable=SC2086
wait $attack
echo "idle sockets: $(cat "$LAB_DIR/idle.json")"
echo "message-1 flood (valid keys):"; sed 's/^/  /' "$LAB_DIR/flood.txt"
echo "garbage after the handshake:"; sed 's/^/  /' "$LAB_DIR/garbage.txt"
lab_stop "$LAB_PID_c2"
lab_server_stop
