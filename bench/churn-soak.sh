#!/bin/bash
# SPDX-License-Identifier: ISC
# Churn soak: N protocol-level clients (bench/rvpn-load, one session per
# process, a fresh key each time) connect to a real rvpn-server in the
# namespace lab (tests/lab/lab.sh), move traffic (--traffic PPS), and
# leave at random: most close cleanly at the end of a random lifetime,
# about one in five is killed with SIGKILL halfway (the server sees the
# TCP reset).  Each slot starts its next client after a random pause.
# Prints the server's RSS and descriptor count at the start (idle), while
# loaded, and at the end once every session is gone; fails when the
# descriptors at the end differ from those at the start, or a session or
# lease is left.  Built with --enable-sanitizers, the server's exit at
# teardown reports leaks (lab_down fails the run on a sanitizer report).
#
#   bench/churn-soak.sh BUILDDIR
#   CLIENTS (default 50), DURATION seconds (default 600), LIFE max
#   lifetime of a client in seconds (default 30), PPS per client
#   (default 20), SAMPLE seconds between samples (default 60).
#
# Example (the 1-hour version): DURATION=3600 bench/churn-soak.sh _b
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
top_builddir=$(cd "$1" && pwd)
shift
LOAD=$top_builddir/bench/rvpn-load
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
CLIENTS=${CLIENTS:-50}
DURATION=${DURATION:-600}
LIFE=${LIFE:-30}
PPS=${PPS:-20}
SAMPLE=${SAMPLE:-60}
. "$top_srcdir/tests/lab/lab.sh"
lab_init "$LOAD" "$RVPNCTL"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
lab_up
# All sessions come from one host: the per-source limits off.  A short
# keepalive so that a killed client's session would also end by itself.
LAB_NAT=false LAB_SERVER_EXTRA="max_pending_handshakes = 0
max_pending_per_source = 0
handshake_rate_per_source = 0
keepalive = 5" lab_server_config "$LAB_DIR/soak.toml"
lab_server_start "$LAB_DIR/soak.toml"
SOCK=$LAB_DIR/server.sock

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$LAB_SERVER_PID/status"; }
fds() { ls "/proc/$LAB_SERVER_PID/fd" | wc -l; }
cpu() { awk '{ print $14 + $15 }' "/proc/$LAB_SERVER_PID/stat"; }
# "SESSIONS USED"
status() {
	"$RVPNCTL" -s "$SOCK" status -j | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
print(len(d["sessions"]), d["pool"]["used"])'
}
hz=$(getconf CLK_TCK)

rss0=$(rss) fd0=$(fds) c0=$(cpu)
echo "soak: $CLIENTS clients, ${DURATION}s, lifetime 1..${LIFE}s, $PPS pps each"
echo "start (idle): server RSS $rss0 KiB, $fd0 fds"

end=$(( $(date +%s) + DURATION ))
# One slot: clients one after another until the end.
slot() {
	local n=$1 life pid runs=0 kills=0
	RANDOM=$(( $$ + n * 7919 ))
	while [ "$(date +%s)" -lt "$end" ]; do
		life=$(( RANDOM % LIFE + 1 ))
		ip netns exec "$NS_C1" "$LOAD" --server "$LAB_URL1" \
			--server-key "$LAB_SRV_PUB" --ca "$LAB_DIR/ca.crt" \
			--sessions 1 --duration "$life" --traffic "$PPS" \
			>/dev/null 2>>"$LAB_DIR/load-$n.err" &
		pid=$!
		runs=$((runs + 1))
		if [ $(( RANDOM % 5 )) = 0 ]; then
			sleep $(( life / 2 + 1 ))
			kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
		fi
		wait "$pid" 2>/dev/null
		sleep "0.$(( RANDOM % 10 ))"
	done
	echo "$runs $kills" >"$LAB_DIR/slot-$n.count"
}
spids=
for n in $(seq 1 "$CLIENTS"); do
	slot "$n" &
	spids="$spids $!"
done
LAB_PIDS="$LAB_PIDS $spids"

t=0 peak=0
while [ "$(date +%s)" -lt "$end" ]; do
	sleep "$SAMPLE"
	t=$((t + SAMPLE))
	kill -0 "$LAB_SERVER_PID" 2>/dev/null || fail "server died"
	r=$(rss)
	[ "$r" -gt "$peak" ] && peak=$r
	echo "  t=${t}s server RSS $r KiB, $(fds) fds, sessions/leases $(status)"
done
for p in $spids; do
	wait "$p"
done
# Every client has gone: wait (bounded) for the server to agree.
lab_wait_cmd 30 sh -c "[ \"\$('$RVPNCTL' -s '$SOCK' status -j | '$PY' -c 'import json, sys; d = json.load(sys.stdin); print(len(d[\"sessions\"]), d[\"pool\"][\"used\"])')\" = '0 0' ]" ||
	fail "sessions/leases left: $(status)"
runs=0 kills=0
for n in $(seq 1 "$CLIENTS"); do
	read -r a b <"$LAB_DIR/slot-$n.count" || continue
	runs=$((runs + a)) kills=$((kills + b))
done
c1=$(cpu)
rss1=$(rss) fd1=$(fds)
echo "end (idle): server RSS $rss1 KiB (peak sampled $peak KiB), $fd1 fds," \
	"CPU $(( (c1 - c0) * 1000 / hz )) ms"
echo "clients: $runs sessions ($kills killed with SIGKILL)"
cat "$LAB_DIR"/load-*.err 2>/dev/null | sort | uniq -c | sort -rn | head -5
[ "$fd1" = "$fd0" ] || fail "descriptors: $fd0 at the start, $fd1 at the end"
lab_server_stop || fail "server did not stop cleanly (a sanitizer report?)"
echo "ok: no session, lease or descriptor left"
exit 0
