#!/bin/sh
# rvpnctl kick ends exactly one session with 4008: by tunnel address, by
# full public key and by client name.  The kicked client prints the
# reason, restores its TUN and exits 1 without reconnecting; the other
# keeps its session and its traffic.  An unknown target is an error
# (exit 1, "no session for 'X'").
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
lab_up
SOCK=$LAB_DIR/server.sock
ctl() {
	"$RVPNCTL" -s "$SOCK" "$@"
}

lab_clients_file "$LAB_DIR/clients.toml" c1 c2
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"" \
	lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
a1=$(lab_tun_addr "$NS_C1")
a2=$(lab_tun_addr "$NS_C2")
[ -n "$a1" ] && [ -n "$a2" ] || fail "addresses '$a1' '$a2'"
# c2 pings the net host through the tunnel during the kick of c1.
# -W 5: a late reply on a loaded machine still counts.  The kick comes
# once the first replies are in, not after a fixed time.
ip netns exec "$NS_C2" ping -i 0.1 -c 100 -W 5 "$LAB_NET" \
	>"$LAB_DIR/c2-ping.out" 2>&1 &
PING_PID=$!
LAB_PIDS="$LAB_PIDS $PING_PID"
lab_wait_log "$LAB_DIR/c2-ping.out" "icmp_seq=3 " "$LAB_TIMEOUT" "$PING_PID" ||
	fail "c2's ping got no replies: $(cat "$LAB_DIR/c2-ping.out")"

# Unknown targets: an address, a name, a key; nothing is ended.
for t in 10.200.0.250 nosuchclient "$(cat "$LAB_DIR/server_identity.pub")"; do
	ctl kick "$t" >"$LAB_DIR/out" 2>"$LAB_DIR/err"; rc=$?
	[ $rc = 1 ] && [ "$(cat "$LAB_DIR/err")" = "rvpnctl: no session for '$t'" ] &&
		[ ! -s "$LAB_DIR/out" ] ||
		fail "kick '$t': exit $rc, '$(cat "$LAB_DIR/err")'"
done
ctl kick >/dev/null 2>"$LAB_DIR/err" && fail "kick without a target"
grep -q "^usage: rvpnctl \[-s socket\] kick" "$LAB_DIR/err" ||
	fail "kick usage: $(cat "$LAB_DIR/err")"
[ "$(ctl status | grep -c " 10\.200\.0\.")" = 2 ] ||
	fail "an unknown kick ended a session"
ok "kick of an unknown address, name or key: exit 1, no session for 'X'"

# Wait for client NAME (pid PID) to exit; fail unless its status is 1,
# it printed the kicked reason, did not reconnect and removed its TUN.
kicked_exit() {
	local name=$1 pid=$2 ns=$3 from=$4 rc
	lab_wait_exit "$pid" "$LAB_TIMEOUT" || fail "$name kept running after the kick"
	wait "$pid" 2>/dev/null
	rc=$?
	[ "$rc" = 1 ] || fail "kicked $name: exit $rc, want 1"
	tail -n +"$from" "$LAB_DIR/client-$name.log" | grep -q \
		"ERROR rvpn_client: server closed: kicked by the administrator (4008): not reconnecting" ||
		fail "$name did not print the kicked reason"
	tail -n +"$from" "$LAB_DIR/client-$name.log" | grep -q "reconnecting in" &&
		fail "$name scheduled a reconnect"
	[ -z "$(lab_tun_addr "$ns")" ] || fail "kicked $name left its tunnel address"
}

# By tunnel address: only c1's session ends, with the kicked reason, and
# c1 exits 1.
C1_FROM=$(lab_log_next "$LAB_DIR/client-c1.log")
out=$(ctl kick "$a1") || fail "kick $a1 failed"
[ "$out" = "kicked c1 $a1" ] || fail "kick said '$out'"
# The pings must span the kick (10 s of them; the part above takes well
# under that), or the loss check below proves nothing.
kill -0 "$PING_PID" 2>/dev/null || fail "c2's ping ended before the kick"
kicked_exit c1 "$LAB_PID_c1" "$NS_C1" "$C1_FROM"
grep -q "INFO rvpn_server: session end: c1 $a1 from $LAB_C1 .* reason: kicked by administrator" \
	"$LAB_DIR/server.log" || fail "server did not log the kick"
grep -q "session end: c2" "$LAB_DIR/server.log" && fail "c2's session ended"
wait "$PING_PID" 2>/dev/null
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$LAB_DIR/c2-ping.out")
[ "$loss" = 0 ] || fail "c2 lost packets during the kick: $(tail -2 "$LAB_DIR/c2-ping.out")"
[ "$(grep -c "tunnel up" "$LAB_DIR/client-c2.log")" = 1 ] ||
	fail "c2 reconnected"
kill -0 "$LAB_PID_c2" 2>/dev/null || fail "c2 exited"
[ "$(ctl status | grep -c " 10\.200\.0\.")" = 1 ] ||
	fail "c1 is back in status after the kick"
ok "kick $a1 ended c1 only (4008): c1 exited 1 with the reason, no reconnect; c2 kept 100/100 pings"

# Started again, c1 is kicked by name; then c2 by its full public key.
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
lab_wait_cmd "$LAB_TIMEOUT" sh -c "'$RVPNCTL' -s '$SOCK' status | grep -q '^c1 '" ||
	fail "c1 not in status after starting again"
C1_FROM=$(lab_log_next "$LAB_DIR/client-c1.log")
out=$(ctl kick c1) || fail "kick c1 (by name) failed"
[ "${out% *}" = "kicked c1" ] || fail "kick c1 said '$out'"
kicked_exit c1 "$LAB_PID_c1" "$NS_C1" "$C1_FROM"
C2_FROM=$(lab_log_next "$LAB_DIR/client-c2.log")
out=$(ctl kick "$(cat "$LAB_DIR/c2.pub")") || fail "kick by key failed"
[ "$out" = "kicked c2 $a2" ] || fail "kick by key said '$out'"
kicked_exit c2 "$LAB_PID_c2" "$NS_C2" "$C2_FROM"
ok "kick by name (c1) and by full public key (c2): each exits 1"
exit 0
