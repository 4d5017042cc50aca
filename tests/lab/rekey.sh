#!/bin/sh
# Live rekey through server and client.  RVPN_TEST_REKEY_SECONDS=2 (the
# test suite's environment variable, rvpn-server(8) and rvpn-client(8)
# ENVIRONMENT) makes both rekey by time every 2 s instead of every 600 s.
# Over several rekeys each way (the SIGUSR1 dump's "rekeys TX/RX") a
# steady ping loses nothing and the session stays the same one.
# Negative: out of range values are refused at startup.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up
SLOG=$LAB_DIR/server.log

# Bad values: refused before anything is done.
for v in 0 3601 x 2s ""; do
	RVPN_TEST_REKEY_SECONDS=$v "$RVPN_SERVER" -t -c /nonexistent \
		>"$LAB_DIR/out" 2>&1 && fail "server took RVPN_TEST_REKEY_SECONDS='$v'"
	grep -q "RVPN_TEST_REKEY_SECONDS: not a number of seconds 1..3600" \
		"$LAB_DIR/out" || fail "server, '$v': $(cat "$LAB_DIR/out")"
	RVPN_TEST_REKEY_SECONDS=$v "$RVPN_CLIENT" -t -c /nonexistent \
		>"$LAB_DIR/out" 2>&1 && fail "client took RVPN_TEST_REKEY_SECONDS='$v'"
	grep -q "RVPN_TEST_REKEY_SECONDS: not a number of seconds 1..3600" \
		"$LAB_DIR/out" || fail "client, '$v': $(cat "$LAB_DIR/out")"
done
ok "RVPN_TEST_REKEY_SECONDS out of 1..3600: refused by server and client"

export RVPN_TEST_REKEY_SECONDS=2
lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
grep -q "WARN rvpn_server: RVPN_TEST_REKEY_SECONDS: rekey every 2 s (for the test suite only)" \
	"$SLOG" || fail "the server does not say it rekeys every 2 s"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
grep -q "WARN rvpn_client: RVPN_TEST_REKEY_SECONDS: rekey every 2 s" \
	"$LAB_DIR/client-c1.log" || fail "the client does not say it rekeys every 2 s"
unset RVPN_TEST_REKEY_SECONDS

# A steady ping across the rekeys; -W 5: a late reply still counts.
ip netns exec "$NS_C1" ping -i 0.2 -c 60 -W 5 "$LAB_NET" \
	>"$LAB_DIR/ping.out" 2>&1 &
PING_PID=$!
LAB_PIDS="$LAB_PIDS $PING_PID"
rekeys() {
	lab_server_dump | sed -n 's/.* state up .* rekeys \([0-9]*\)\/\([0-9]*\)$/\1 \2/p'
}
enough() {
	set -- $(rekeys)
	[ "${1:-0}" -ge 3 ] && [ "${2:-0}" -ge 3 ]
}
lab_wait_cmd 30 enough || fail "fewer than 3 rekeys each way: $(rekeys)"
kill -0 "$PING_PID" 2>/dev/null || fail "the ping ended before 3 rekeys each way"
wait "$PING_PID" || fail "ping: $(tail -3 "$LAB_DIR/ping.out")"
grep -q "60 packets transmitted, 60 received" "$LAB_DIR/ping.out" ||
	fail "pings lost across the rekeys: $(tail -3 "$LAB_DIR/ping.out")"
set -- $(rekeys)
[ "$(grep -c "tunnel up" "$LAB_DIR/client-c1.log")" = 1 ] ||
	fail "the client reconnected"
grep -q "session end" "$SLOG" && fail "a session ended: $(grep 'session end' "$SLOG")"
ok "rekeys every 2 s ($1 sent, $2 received by the server): 60/60 pings, one session"

lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
exit 0
