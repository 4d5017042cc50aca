#!/bin/sh
# With authorized_clients_file, a listed key connects (by its name) and an
# unknown one is refused with "unknown client key": the client prints the
# reason and gives up, the server logs it.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

lab_clients_file "$LAB_DIR/clients.toml" c1
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"" \
	lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
grep -q "any client key" "$LAB_DIR/server.log" &&
	fail "warned about open access with an authorized_clients_file"

lab_client_start "$NS_C1" c1 $(lab_client_args c1)
a1=$(lab_tun_addr "$NS_C1")
grep -q "INFO rvpn_server: session up: c1 $a1 from $LAB_C1" "$LAB_DIR/server.log" ||
	fail "listed key c1 not up under its name"
ok "a listed key connects and is logged by its name"

lab_client_spawn "$NS_C2" c2 $(lab_client_args c2)
lab_wait_log "$LAB_DIR/client-c2.log" "unknown client key" "$LAB_TIMEOUT" ||
	fail "client c2 did not print the refusal"
lab_wait_exit "$LAB_PID_c2" "$LAB_TIMEOUT" || fail "refused client kept running"
grep -q "tunnel up" "$LAB_DIR/client-c2.log" && fail "unknown key got a tunnel"
[ -z "$(lab_tun_addr "$NS_C2")" ] || fail "unknown key got an address"
grep -Eq "INFO rvpn_server: session end: [^ ]+ - from $LAB_C2 .* reason: unknown key" \
	"$LAB_DIR/server.log" || fail "server did not log the refusal"
ok "an unknown key is refused: the client says 'unknown client key', the server logs 'unknown key'"

# Without the file (and its warning) the same key is accepted.
lab_stop "$LAB_PID_c1"
lab_server_stop || fail "server stop"
lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log" |
	grep -q "WARN rvpn_server: no authorized_clients_file: any client key" ||
	fail "no open-access warning"
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
ok "without authorized_clients_file the server warns and accepts c2"
exit 0
