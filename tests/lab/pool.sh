#!/bin/sh
# dhcp_range /30 leaves one client address.  A second client is refused
# with "address pool exhausted"; a client killed with SIGKILL has its
# lease released once the server sees the TCP connection close, and the
# waiting client (it retries) then gets that address.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

LAB_RANGE=10.200.0.0/30 lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
[ "$(lab_tun_addr "$NS_C1")" = 10.200.0.2 ] ||
	fail "c1 got '$(lab_tun_addr "$NS_C1")', want the only address 10.200.0.2"
ok "c1 got the only address 10.200.0.2"

lab_client_spawn "$NS_C2" c2 $(lab_client_args c2)
lab_wait_log "$LAB_DIR/client-c2.log" "server refused: address pool exhausted" \
	"$LAB_TIMEOUT" || fail "c2 did not report the exhausted pool"
grep -Eq "session end: [^ ]+ - from $LAB_C2 .* reason: .*pool exhausted" \
	"$LAB_DIR/server.log" || fail "server did not log the refusal"
grep -q "tunnel up" "$LAB_DIR/client-c2.log" && fail "c2 got a tunnel"
ok "second client refused: pool exhausted (client and server say so)"

# c1 dies without a goodbye; the server notices the closed connection.
from=$(lab_log_next "$LAB_DIR/server.log")
kill -KILL "$LAB_PID_c1"
wait "$LAB_PID_c1" 2>/dev/null
LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/server.log" \
	"session end: [^ ]+ 10.200.0.2 from $LAB_C1 .* reason: connection closed" ||
	fail "server did not end c1's session"
ok "the server ended the SIGKILLed client's session"

# c2 retries by itself and now gets the released address.
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-c2.log" \
	"tunnel up: 10.200.0.2/30" 60 "$LAB_PID_c2" ||
	fail "c2 did not get the released address"
[ "$(lab_tun_addr "$NS_C2")" = 10.200.0.2 ] || fail "c2 TUN address"
nsx "$NS_C2" ping -c 2 -W 2 "$LAB_NET" >/dev/null 2>&1 || fail "c2 ping"
ok "the released lease went to the waiting client"
exit 0
