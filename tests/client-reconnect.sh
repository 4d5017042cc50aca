#!/bin/sh
# rvpn-client reconnects after the server restarts: it logs that it is
# reconnecting, keeps rvpn0, its address and routes meanwhile, and comes
# back with the same address, which it asks for.  (c2 takes the first
# address and leaves, so a server ignoring the request would hand c1 a
# different one.)  With a 2 s keepalive an idle tunnel stays up past
# three of them (PING and PONG flow), and a frozen server is noticed
# after 6 s: the client
# reconnects once the server runs again.  When its address has been
# taken meanwhile, it re-applies the new one.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

. "$top_srcdir/tests/lab/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
lab_up

LAB_SERVER_EXTRA="keepalive = 2" lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"

# shellcheck disable=SC2046
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
pid2=$LAB_CLIENT_PID
# shellcheck disable=SC2046
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
log=$LAB_DIR/client-c1.log
a1=$(lab_tun_addr "$NS_C1")
a2=$(lab_tun_addr "$NS_C2")
[ -n "$a1" ] && [ -n "$a2" ] && [ "$a1" != "$a2" ] ||
	fail "addresses c1 '$a1' c2 '$a2'"
lab_stop "$pid2" || fail "c2 did not stop"
ok "c1 has $a1; c2 had $a2 and left"

lab_server_stop || fail "server did not stop"
lab_wait_log "$log" "reconnecting in" || fail "c1 logs no reconnect"
[ "$(lab_tun_addr "$NS_C1")" = "$a1" ] || fail "rvpn0 lost $a1 while down"
nsx "$NS_C1" ip -4 route show 0.0.0.0/1 | grep -q 'dev rvpn0' ||
	fail "routes removed while reconnecting"
ok "server down: c1 reconnecting, rvpn0 keeps $a1 and the routes"

lab_server_start "$LAB_DIR/server.toml"
lab_wait_cmd "$LAB_TIMEOUT" sh -c "[ \$(grep -c 'tunnel up' '$log') -ge 2 ]" ||
	fail "c1 did not come back"
grep 'tunnel up' "$log" | tail -n 1 | grep -q "tunnel up: $a1/" ||
	fail "c1 came back with another address: $(grep 'tunnel up' "$log" | tail -n 1)"
[ "$(lab_tun_addr "$NS_C1")" = "$a1" ] || fail "rvpn0 address changed"
got=$(nsx "$NS_C1" curl -sf --max-time 5 "http://$LAB_NET/hello.txt") ||
	fail "no HTTP through the tunnel after reconnecting"
[ "$got" = "$LAB_TOKEN" ] || fail "HTTP after reconnecting: '$got'"
ok "server back: c1 reconnected with $a1, traffic flows"

# Idle for more than three keepalives: pings keep the tunnel up.  A wait
# until the server's session is 9 s old (its own clock), not a sleep.
up=
for _ in $(seq 1 200); do
	up=$("$RVPNCTL" -s "$LAB_DIR/server.sock" status -j 2>/dev/null |
		python3 -c 'import json, sys; s = json.load(sys.stdin)["sessions"]; print(s[0]["connected_seconds"] if len(s) == 1 else -1)' 2>/dev/null)
	[ "${up:--1}" -ge 9 ] && break
	sleep 0.1
done
[ "${up:--1}" -ge 9 ] || fail "the session is not up 9 s (${up:-no status})"
grep -q "no record from the server" "$log" && fail "idle tunnel timed out"
[ "$(grep -c 'tunnel up' "$log")" = 2 ] || fail "idle tunnel reconnected"
ok "idle for ${up} s with a 2 s keepalive: still up"

# A frozen server: no records, so the client gives up on the connection.
kill -STOP "$LAB_SERVER_PID" || fail "SIGSTOP server"
lab_wait_log "$log" "no record from the server for 6 s" ||
	{ kill -CONT "$LAB_SERVER_PID"; fail "frozen server not noticed"; }
kill -CONT "$LAB_SERVER_PID" || fail "SIGCONT server"
lab_wait_cmd "$LAB_TIMEOUT" sh -c "[ \$(grep -c 'tunnel up' '$log') -ge 3 ]" ||
	fail "c1 did not come back after the server thawed"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" curl -sf --max-time 2 -o /dev/null \
	"http://$LAB_NET/hello.txt" || fail "no HTTP after the keepalive reconnect"
ok "frozen server: keepalive timeout, reconnected when it thawed"

# Its address taken meanwhile (a static address of c2): the server hands
# out another one (or refuses with 4004, and the client asks for any
# address); either way the client re-applies the new address.
pid1=$LAB_PID_c1
kill -STOP "$pid1" || fail "SIGSTOP c1"
lab_server_stop || { kill -CONT "$pid1"; fail "server did not stop"; }
printf '[client.c1]\npublic_key = "%s"\n\n[client.c2]\npublic_key = "%s"\naddress = "%s"\n' \
	"$(cat "$LAB_DIR/c1.pub")" "$(cat "$LAB_DIR/c2.pub")" "$a1" \
	>"$LAB_DIR/clients.toml"
LAB_SERVER_EXTRA="keepalive = 2
authorized_clients_file = \"$LAB_DIR/clients.toml\"" \
	lab_server_config "$LAB_DIR/server2.toml"
lab_server_start "$LAB_DIR/server2.toml"
# shellcheck disable=SC2046
lab_client_start "$NS_C2" c2b $(lab_client_args c2)
[ "$(lab_tun_addr "$NS_C2")" = "$a1" ] || { kill -CONT "$pid1"; fail "c2 lacks $a1"; }
kill -CONT "$pid1" || fail "SIGCONT c1"
lab_wait_cmd "$LAB_TIMEOUT" sh -c "[ \$(grep -c 'tunnel up' '$log') -ge 4 ]" ||
	fail "c1 did not come back after address taken"
a3=$(lab_tun_addr "$NS_C1")
[ -n "$a3" ] && [ "$a3" != "$a1" ] || fail "c1 address after 4004: '$a3'"
grep 'tunnel up' "$log" | tail -n 1 | grep -q "tunnel up: $a3/" ||
	fail "tunnel up line does not show $a3"
grep -q "address changed from $a1/24 to $a3/24: re-applying" "$log" ||
	fail "no re-apply logged"
for r in 0.0.0.0/1 128.0.0.0/1; do
	nsx "$NS_C1" ip -4 route show "$r" | grep -q 'dev rvpn0' ||
		fail "no route $r dev rvpn0 after re-applying"
done
nsx "$NS_C1" ip -4 route show "$LAB_SRV_C1/32" | grep -q "dev $LAB_IF_C1" ||
	fail "host route to the server lost"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" curl -sf --max-time 2 -o /dev/null \
	"http://$LAB_NET/hello.txt" || fail "no HTTP after re-applying"
ok "address taken: $a3 re-applied with the routes, traffic flows"

lab_stop "$LAB_PID_c1" || fail "c1 did not stop"
nsx "$NS_C1" ip link show rvpn0 >/dev/null 2>&1 && fail "rvpn0 left behind"
ok "c1 stopped cleanly"
exit 0
