#!/bin/sh
# Message 1 in the same write as the upgrade request (RFC 6455 lets a
# client send frames right behind its handshake; the server must take
# the bytes after the request's end as WebSocket data once it answers
# 101).  A TLS man in the middle the client trusts (tests/lab/replay.py
# record, relaying nothing) records c1's upgrade request and a fresh
# message 1 the server never saw; sent again as one write over a new
# connection, they get 101, then message 2, and the session comes up
# (logged, counted).  Negative: what is not message 1 pipelined the same
# way is refused: a frame that is not message 1 with 4000 ("first record
# is not HANDSHAKE_INIT"), as after the 101; bytes that are no WebSocket
# frame end the connection (lws), no session either way.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
REPLAY_PY=$top_srcdir/tests/lab/replay.py
lab_up
SOCK=$LAB_DIR/server.sock
SLOG=$LAB_DIR/server.log

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

# Record c1's upgrade request and message 1 (nothing reaches the server).
ip netns exec "$NS_SRV" "$PY" -u "$REPLAY_PY" record "$LAB_SRV_C1" 8443 \
	- 0 "$LAB_DIR/server.crt" "$LAB_DIR/server.key" \
	"$LAB_DIR/msg1.bin" >"$LAB_DIR/mitm.log" 2>&1 &
MITM=$!
LAB_PIDS="$LAB_PIDS $MITM"
lab_wait_log "$LAB_DIR/mitm.log" "^listening" || fail "the recorder did not start"
lab_client_spawn "$NS_C1" c1 --server "wss://$LAB_SRV_C1:8443/api/v1/ws" \
	--server-key "$LAB_SRV_PUB" --key "$LAB_DIR/c1.key" --ca "$LAB_DIR/ca.crt"
lab_wait_log "$LAB_DIR/mitm.log" "^recorded [0-9]+" ||
	fail "message 1 not recorded: $(cat "$LAB_DIR/mitm.log")"
lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_wait_exit "$MITM" "$LAB_TIMEOUT" || fail "the recorder did not end"
grep -q "session" "$SLOG" && fail "the recorder reached the server"
ok "c1's upgrade request and message 1 recorded ($(cat "$LAB_DIR/mitm.log" | tail -n 1) bytes), not sent to the server"

# The same bytes in one write.
nsx "$NS_C2" "$PY" "$REPLAY_PY" replay "$LAB_SRV_C2" 443 "$LAB_DIR/msg1.bin" \
	pipelined >"$LAB_DIR/replay.out" 2>&1 ||
	fail "pipelined: $(cat "$LAB_DIR/replay.out")"
head -n 1 "$LAB_DIR/replay.out" | grep -qx "HTTP/1.1 101 Switching Protocols" ||
	fail "pipelined upgrade + message 1: $(cat "$LAB_DIR/replay.out") (server: $(grep -E 'refused|session' "$SLOG"))"
sed -n 2p "$LAB_DIR/replay.out" | grep -qE "^frame 2 [0-9]+$" ||
	fail "pipelined upgrade + message 1: no message 2: $(cat "$LAB_DIR/replay.out") (server: $(grep -E 'refused|session' "$SLOG"))"
lab_wait_log "$SLOG" "INFO rvpn_server: session up: c1 10\.200\.0\.[0-9]+ from $LAB_C2\$" ||
	fail "no session up for the pipelined message 1: $(grep -E 'refused|session' "$SLOG")"
[ "$(refused 4000)" = 0 ] || fail "4000 counted: $("$RVPNCTL" -s "$SOCK" stats -j)"
ok "upgrade request and message 1 in one write: 101, message 2, session up from $LAB_C2"

# Negative: the upgrade request and, in the same write, a masked binary
# frame that is not message 1; then bytes that are no frame at all (a
# second HTTP request).  Each gets what it gets when sent after the 101.
# bad NAME: write NAME.bin, send it pipelined (NAME.out) and after the
# 101 (NAME.apart); both must be the same.
bad() {
	"$PY" -c 'import sys
rec = open(sys.argv[1], "rb").read()
h = rec.index(b"\r\n\r\n") + 4
if sys.argv[3] == "record":
    body = b"\x07" + b"\x00" * 63
    frame = bytes([0x82, 0x80 | len(body), 1, 2, 3, 4]) + \
        bytes(b ^ (1, 2, 3, 4)[i % 4] for i, b in enumerate(body))
else:
    frame = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
open(sys.argv[2], "wb").write(rec[:h] + frame)' "$LAB_DIR/msg1.bin" "$LAB_DIR/$1.bin" "$1"
	nsx "$NS_C2" "$PY" "$REPLAY_PY" replay "$LAB_SRV_C2" 443 "$LAB_DIR/$1.bin" \
		pipelined >"$LAB_DIR/$1.out" 2>&1 || fail "$1: $(cat "$LAB_DIR/$1.out")"
	nsx "$NS_C2" "$PY" "$REPLAY_PY" replay "$LAB_SRV_C2" 443 "$LAB_DIR/$1.bin" \
		>"$LAB_DIR/$1.apart" 2>&1 || fail "$1: $(cat "$LAB_DIR/$1.apart")"
}
bad record
cmp -s "$LAB_DIR/record.out" "$LAB_DIR/record.apart" ||
	fail "pipelined: $(cat "$LAB_DIR/record.out"); after the 101: $(cat "$LAB_DIR/record.apart")"
[ "$(cat "$LAB_DIR/record.out")" = "HTTP/1.1 101 Switching Protocols
close 4000" ] || fail "a pipelined frame that is not message 1: $(cat "$LAB_DIR/record.out")"
[ "$(grep -c "reason: first record is not HANDSHAKE_INIT" "$SLOG")" = 2 ] ||
	fail "refusal lines: $(grep -E 'refused|session' "$SLOG")"
[ "$(refused 4000)" = 2 ] || fail "4000 count $(refused 4000)"
ok "a pipelined frame that is not message 1: 101, close 4000 (counted), as when sent after the 101"
bad http
# (lws answers bad framing after the 101 with 1002, and drops the
# connection without a close frame when the bytes came with the request.)
case $(cat "$LAB_DIR/http.out") in
"HTTP/1.1 101 Switching Protocols
eof"|"HTTP/1.1 101 Switching Protocols
close 1002") ;;
*) fail "a pipelined second HTTP request: $(cat "$LAB_DIR/http.out")" ;;
esac
[ "$(cat "$LAB_DIR/http.apart")" = "HTTP/1.1 101 Switching Protocols
close 1002" ] || fail "a second HTTP request after the 101: $(cat "$LAB_DIR/http.apart")"
ok "a second HTTP request behind the upgrade (not a frame): 101, then closed ($(tail -n 1 "$LAB_DIR/http.out"); after the 101: $(tail -n 1 "$LAB_DIR/http.apart"))"
[ "$(grep -c "session up" "$SLOG")" = 1 ] ||
	fail "sessions: $(grep "session up" "$SLOG")"

lab_server_stop || fail "server did not stop cleanly"
exit 0
