#!/bin/sh
# The handshake replay table is sized from max_clients (and the number
# of authorized keys): twice the larger, at least 1024 (PROTOCOL.md 3.3),
# and a reload that changes that size rebuilds it with the stamps kept;
# an unchanged size leaves it alone.  Clients still connect after it.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up
LOG=$LAB_DIR/server.log

conf() {
	LAB_RANGE=10.200.0.0/16 LAB_SERVER_EXTRA="max_clients = $1" \
		lab_server_config "$LAB_DIR/server.toml"
}
reload() {
	from=$(lab_log_next "$LOG")
	kill -HUP "$LAB_SERVER_PID" || fail "SIGHUP"
	LAB_LOG_FROM=$from lab_wait_log "$LOG" "reload: done|reload failed" ||
		fail "no end of reload"
}

conf 600
lab_server_start "$LAB_DIR/server.toml" -v
grep -q "DEBUG rvpn_server: server_tables_new: replay table for 1200 keys" "$LOG" ||
	fail "max_clients 600: $(grep 'replay table' "$LOG")"
# shellcheck disable=SC2046
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
lab_stop "$LAB_CLIENT_PID" || fail "client stop"
ok "max_clients = 600: a replay table for 1200 keys"

conf 3000
reload
tail -n +"$from" "$LOG" | grep -q "INFO rvpn_server: reload: replay table resized from 1200 to 6000 keys, stamps kept" ||
	fail "no resize at reload: $(tail -n +"$from" "$LOG")"
# shellcheck disable=SC2046
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
ok "reload to max_clients = 3000: rebuilt for 6000 keys; c1 connects again"

reload
tail -n +"$from" "$LOG" | grep -q "replay table resized" &&
	fail "a reload without a size change rebuilt the table"
conf 100
reload
tail -n +"$from" "$LOG" | grep -q "reload: replay table resized from 6000 to 1024 keys" ||
	fail "no shrink to the 1024 floor: $(tail -n +"$from" "$LOG")"
ok "unchanged size: left alone; max_clients = 100: the 1024 floor"
lab_stop "$LAB_CLIENT_PID" || fail "client stop"
lab_server_stop || fail "server stop"
exit 0
