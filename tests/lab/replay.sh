#!/bin/sh
# The server refuses a replayed message 1 with 4006 (PROTOCOL.md 3.3).
# A TLS man in the middle that the client trusts (tests/lab/replay.py,
# with the lab certificate) relays c1's connection and records the
# upgrade request and message 1 as sent.  c1's tunnel comes up through
# it (the positive case).  The same bytes sent again on a new connection
# get 101 and then a close with 4006, counted under 4006; c1's session is
# untouched.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
REPLAY_PY=$top_srcdir/tests/lab/replay.py
lab_up
SOCK=$LAB_DIR/server.sock

# rvpnctl stats -j: the count of refusal CODE.
refused() {
	"$RVPNCTL" -s "$SOCK" stats -j | "$PY" -c 'import json, sys
s = json.load(sys.stdin)
print({e["code"]: e["count"] for e in s["handshakes"]["failed"]}[int(sys.argv[1])])' "$1"
}

lab_clients_file "$LAB_DIR/clients.toml" c1
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"" \
	lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"

ip netns exec "$NS_SRV" "$PY" -u "$REPLAY_PY" record "$LAB_SRV_C1" 8443 \
	"$LAB_SRV_C1" 443 "$LAB_DIR/server.crt" "$LAB_DIR/server.key" \
	"$LAB_DIR/msg1.bin" >"$LAB_DIR/mitm.log" 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
lab_wait_log "$LAB_DIR/mitm.log" "^listening" || fail "the relay did not start"
lab_client_start "$NS_C1" c1 --server "wss://$LAB_SRV_C1:8443/api/v1/ws" \
	--server-key "$LAB_SRV_PUB" --key "$LAB_DIR/c1.key" --ca "$LAB_DIR/ca.crt"
lab_wait_log "$LAB_DIR/mitm.log" "^recorded [0-9]+" ||
	fail "message 1 not recorded: $(cat "$LAB_DIR/mitm.log")"
nsx "$NS_C1" ping -c 2 -W 5 "$LAB_NET" >/dev/null || fail "no traffic through the relay"
[ "$(refused 4006)" = 0 ] || fail "a 4006 before the replay"
ok "c1 through a relay that records message 1: tunnel up, traffic flows"

nsx "$NS_C2" "$PY" "$REPLAY_PY" replay "$LAB_SRV_C2" 443 "$LAB_DIR/msg1.bin" \
	>"$LAB_DIR/replay.out" 2>&1 || fail "replay: $(cat "$LAB_DIR/replay.out")"
[ "$(cat "$LAB_DIR/replay.out")" = "HTTP/1.1 101 Switching Protocols
close 4006" ] || fail "replayed message 1: $(cat "$LAB_DIR/replay.out")"
[ "$(refused 4006)" = 1 ] || fail "4006 count $(refused 4006)"
[ "$(grep -c "session up" "$LAB_DIR/server.log")" = 1 ] ||
	fail "the replay made a session: $(grep "session" "$LAB_DIR/server.log")"
grep -q "session end: c1 10\.200\." "$LAB_DIR/server.log" && fail "c1's session ended"
nsx "$NS_C1" ping -c 2 -W 5 "$LAB_NET" >/dev/null || fail "c1 lost its tunnel"
ok "the recorded message 1 sent again: 101, then close 4006 (counted); c1 untouched"

lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
exit 0
