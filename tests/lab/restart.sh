#!/bin/sh
# A restarted server is rejoined by the running client with the same
# address.  While the server is down the tunnel carries nothing
# (negative), after the restart traffic flows again.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

# Another client first takes 10.200.0.2, so c1's address is not simply
# the lowest free one, which a fresh server would hand out anyway.
lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
a1=$(lab_tun_addr "$NS_C1")
[ "$a1" = 10.200.0.3 ] || fail "c1 got '$a1', want 10.200.0.3"
lab_stop "$LAB_PID_c2"
ok "c1 has $a1 (c2 held 10.200.0.2, now stopped)"

from=$(lab_log_next "$LAB_DIR/client-c1.log")
lab_server_stop || fail "server did not stop on SIGTERM"
grep -q "session end: .* $a1 .* reason: server shutting down" \
	"$LAB_DIR/server.log" || fail "no shutdown session end line"
LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/client-c1.log" "reconnecting|lost|closed" ||
	fail "client did not notice the shutdown"
nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" >/dev/null 2>&1 &&
	fail "traffic passed while the server was down"
ok "server down: client notices, nothing passes"

lab_server_start "$LAB_DIR/server.toml"
LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/client-c1.log" "tunnel up: $a1/" 60 \
	"$LAB_PID_c1" || fail "client did not rejoin with $a1"
grep -q "session up: .* $a1 from $LAB_C1" "$LAB_DIR/server.log" ||
	fail "server log lacks the rejoin"
lab_wait_cmd 10 nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" ||
	fail "no traffic after the rejoin"
ok "restarted server: client rejoined with the same address $a1"
exit 0
