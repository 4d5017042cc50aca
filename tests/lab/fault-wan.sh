#!/bin/sh
# A bad WAN between client and server: 100 ms each way (RTT + 200 ms)
# and 1 % of the frames lost in each direction, made by tests/lab/wan.py
# (an AF_PACKET bridge in its own namespace rvt-dly: the kernel here has
# no sch_netem) on c1's link.  The tunnel must ride it out: the session
# is never ended or re-established (keepalive = 2, so a dead-peer timer
# that mistook the stalls for a dead path would show), 100 pings at
# 0.2 s are (almost) all answered with no long gap, iperf3 through the
# tunnel completes both ways, and a quiet spell of 10 s (keepalives
# only) passes too.  The figures (RTT, gaps, throughput, with a
# lossless bridge first for comparison) are printed as "figure:" lines
# for bench/results/2026-11-30-faults.md, never asserted as timings.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
. "$(dirname "$0")/fault-lib.sh"
fault_trap
command -v iperf3 >/dev/null 2>&1 || fail "iperf3 not installed"
command -v ethtool >/dev/null 2>&1 || fail "ethtool not installed"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
WAN=$(dirname "$0")/wan.py
lab_up
NS_DLY=rvt-dly-$LAB_P
LAB_NSES="$LAB_NSES $NS_DLY"
D1=rvt${LAB_P}d1 D2=rvt${LAB_P}d2
SLOG=$LAB_DIR/server.log
CLOG=$LAB_DIR/client-c1.log
WAN_PID=

# c1's link through rvt-dly: srv S1 --- D1 [wan.py] D2 --- C1 c1.
ip netns add "$NS_DLY" || fail "netns $NS_DLY"
ip -n "$NS_SRV" link del "$LAB_IF_S1" || fail "del the c1 link"
ip -n "$NS_SRV" link add "$LAB_IF_S1" type veth peer name "$D1" netns "$NS_DLY" ||
	fail "veth srv-dly"
ip -n "$NS_C1" link add "$LAB_IF_C1" type veth peer name "$D2" netns "$NS_DLY" ||
	fail "veth c1-dly"
ip -n "$NS_SRV" addr add "$LAB_SRV_C1/24" dev "$LAB_IF_S1"
ip -n "$NS_C1" addr add "$LAB_C1/24" dev "$LAB_IF_C1"
for x in "$NS_SRV $LAB_IF_S1" "$NS_C1 $LAB_IF_C1" "$NS_DLY $D1" "$NS_DLY $D2"; do
	set -- $x
	ip -n "$1" link set "$2" up || fail "up $2"
	nsx "$1" ethtool -K "$2" gro off gso off tso off tx off >/dev/null 2>&1 ||
		fail "ethtool $2"
done
ip -n "$NS_C1" route add default via "$LAB_SRV_C1" || fail "c1 default"

wan_start() {	# DELAY_MS LOSS_PCT
	[ -n "$WAN_PID" ] && { kill "$WAN_PID"; wait "$WAN_PID" 2>/dev/null; }
	ip netns exec "$NS_DLY" "$PY" -u "$WAN" "$D1" "$D2" "$1" "$2" "$LAB_P" \
		>>"$LAB_DIR/wan.log" 2>&1 &
	WAN_PID=$!
	LAB_PIDS="$LAB_PIDS $WAN_PID"
	lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" ping -c 1 -W 1 "$LAB_SRV_C1" ||
		fail "no path through wan.py"
}
# Through the tunnel: 100 pings at 0.2 s.  Prints "RECEIVED AVG_RTT_MS
# MAX_GAP_S": the longest time between two answers (or from the first
# request to the first answer, or from the last answer to the end).
pings() {
	nsx "$NS_C1" ping -D -n -c 100 -i 0.2 -W 5 "$LAB_NET" >"$LAB_DIR/ping.txt" 2>&1
	"$PY" - "$LAB_DIR/ping.txt" <<'EOT'
import re, sys
t = [float(m.group(1)) for m in re.finditer(r"^\[([0-9.]+)\] .*icmp_seq=", open(sys.argv[1]).read(), re.M)]
rtt = re.findall(r"time=([0-9.]+) ms", open(sys.argv[1]).read())
gaps = [b - a for a, b in zip(t, t[1:])]
print(len(t), round(sum(map(float, rtt)) / max(1, len(rtt))), round(max(gaps or [99]), 1))
EOT
}
# iperf3 through the tunnel for SECONDS (-R: server to client):
# "MBIT_S RETRANSMITS" into
# $LAB_DIR/iperf.res (not in a subshell: fail must end the test).
iperf() {
	local from
	if [ -n "${IPERF_PID:-}" ]; then	# the last one-off server
		lab_wait_exit "$IPERF_PID" || fail "iperf3 server did not stop"
		wait "$IPERF_PID" 2>/dev/null
	fi
	from=$(lab_log_next "$LAB_DIR/iperf3.log")
	ip netns exec "$NS_NET" iperf3 -s -B "$LAB_NET" -1 --forceflush \
		>>"$LAB_DIR/iperf3.log" 2>&1 &
	IPERF_PID=$!
	LAB_PIDS="$LAB_PIDS $IPERF_PID"
	LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/iperf3.log" "Server listening" ||
		fail "iperf3 server did not start"
	timeout $(( $1 + 30 )) ip netns exec "$NS_C1" iperf3 -c "$LAB_NET" -t "$1" -J ${2:-} \
		>"$LAB_DIR/iperf.json" 2>&1 || { cat "$LAB_DIR/iperf.json" >&2; fail "iperf3"; }
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("%.2f %d" % (d["end"]["sum_received"]["bits_per_second"] / 1e6, d["end"]["sum_sent"].get("retransmits", 0)))' \
		"$LAB_DIR/iperf.json" >"$LAB_DIR/iperf.res" || fail "iperf3 JSON"
}

LAB_SERVER_EXTRA="keepalive = 2" lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
wan_start 0 0
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
pid=$LAB_PID_c1
read -r n rtt gap <<<"$(pings)"
[ "$n" -ge 99 ] || fail "lossless bridge: $n of 100 pings"
iperf 5
read -r mbit retr <"$LAB_DIR/iperf.res"
iperf 5 -R
read -r mbitr retrr <"$LAB_DIR/iperf.res"
echo "figure: lossless bridge: pings $n/100, avg RTT $rtt ms, max gap $gap s; iperf3 up $mbit Mbit/s, down (-R) $mbitr Mbit/s"
ok "lossless bridge: $n/100 pings, iperf3 $mbit Mbit/s"

sfrom=$(lab_log_next "$SLOG") cfrom=$(lab_log_next "$CLOG")
wan_start 100 1
read -r n rtt gap <<<"$(pings)"
echo "figure: 100 ms each way, 1 % loss each way: pings $n/100, avg RTT $rtt ms, max gap $gap s"
[ "$n" -ge 95 ] || fail "$n of 100 pings answered"
[ "${gap%.*}" -lt 10 ] || fail "a stall of $gap s"
iperf 10
read -r mbit retr <"$LAB_DIR/iperf.res"
iperf 10 -R
read -r mbitr retrr <"$LAB_DIR/iperf.res"
echo "figure: 100 ms each way, 1 % loss each way: iperf3 up $mbit Mbit/s (inner retransmits $retr), down (-R) $mbitr Mbit/s (inner retransmits $retrr)"
"$PY" -c "import sys; sys.exit(0 if float('$mbit') > 0 and float('$mbitr') > 0 else 1)" ||
	fail "no throughput"
ok "bad WAN: $n/100 pings, max gap $gap s, avg RTT $rtt ms, iperf3 up $mbit down $mbitr Mbit/s"
# A quiet spell (keepalives only) over the same path: longer than the
# dead-peer timeout on either side (three 2 s keepalives).
sleep 10
nsx "$NS_C1" ping -c 3 -i 0.5 -W 5 "$LAB_NET" >/dev/null || fail "no ping after a quiet spell"
tail -n +"$sfrom" "$SLOG" | grep "session end" && fail "the session ended"
tail -n +"$cfrom" "$CLOG" | grep -E "lost|reconnect" && fail "the client reconnected"
kill -0 "$pid" || fail "client exited"
grep "^wan:" "$LAB_DIR/wan.log" | tail -1
ok "one session throughout: no reconnect, no session end"
kill "$WAN_PID"
wait "$WAN_PID" 2>/dev/null
lab_stop "$pid" || fail "client stop"
lab_server_stop || fail "server stop"
fault_all_gone
exit 0
