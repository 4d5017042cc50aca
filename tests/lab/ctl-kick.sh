#!/bin/sh
# rvpnctl kick ends exactly one session with 4008: by tunnel address, by
# full public key and by client name.  The kicked client prints the
# reason; the other keeps its session and its traffic.  An unknown
# target is an error (exit 1, "no session for 'X'").
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
ip netns exec "$NS_C2" ping -i 0.1 -c 100 -W 1 "$LAB_NET" \
	>"$LAB_DIR/c2-ping.out" 2>&1 &
PING_PID=$!
LAB_PIDS="$LAB_PIDS $PING_PID"
sleep 0.5

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

# By tunnel address: only c1's session ends, with the kicked reason.
C1_FROM=$(lab_log_next "$LAB_DIR/client-c1.log")
out=$(ctl kick "$a1") || fail "kick $a1 failed"
[ "$out" = "kicked c1 $a1" ] || fail "kick said '$out'"
LAB_LOG_FROM=$C1_FROM lab_wait_log "$LAB_DIR/client-c1.log" \
	"server closed the connection: kicked by administrator \(4008\)" ||
	fail "c1 did not print the kicked reason"
grep -q "INFO rvpn_server: session end: c1 $a1 from $LAB_C1 .* reason: kicked by administrator" \
	"$LAB_DIR/server.log" || fail "server did not log the kick"
grep -q "session end: c2" "$LAB_DIR/server.log" && fail "c2's session ended"
wait "$PING_PID" 2>/dev/null
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$LAB_DIR/c2-ping.out")
[ "$loss" = 0 ] || fail "c2 lost packets during the kick: $(tail -2 "$LAB_DIR/c2-ping.out")"
[ "$(grep -c "tunnel up" "$LAB_DIR/client-c2.log")" = 1 ] ||
	fail "c2 reconnected"
ok "kick $a1 ended c1 only (4008, 'kicked by administrator'); c2 kept 100/100 pings"

# The kicked client reconnects (as any 4008 client does); kick it by
# name this time, then c2 by its full public key.
LAB_LOG_FROM=$C1_FROM lab_wait_log "$LAB_DIR/client-c1.log" "tunnel up" ||
	fail "c1 did not reconnect"
lab_wait_cmd "$LAB_TIMEOUT" sh -c "'$RVPNCTL' -s '$SOCK' status | grep -q '^c1 '" ||
	fail "c1 not in status after reconnecting"
C1_FROM=$(lab_log_next "$LAB_DIR/client-c1.log")
out=$(ctl kick c1) || fail "kick c1 (by name) failed"
[ "${out% *}" = "kicked c1" ] || fail "kick c1 said '$out'"
LAB_LOG_FROM=$C1_FROM lab_wait_log "$LAB_DIR/client-c1.log" \
	"kicked by administrator \(4008\)" || fail "c1 not kicked by name"
C2_FROM=$(lab_log_next "$LAB_DIR/client-c2.log")
out=$(ctl kick "$(cat "$LAB_DIR/c2.pub")") || fail "kick by key failed"
[ "$out" = "kicked c2 $a2" ] || fail "kick by key said '$out'"
LAB_LOG_FROM=$C2_FROM lab_wait_log "$LAB_DIR/client-c2.log" \
	"kicked by administrator \(4008\)" || fail "c2 not kicked by key"
ok "kick by name (c1) and by full public key (c2)"
exit 0
