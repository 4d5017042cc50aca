#!/bin/sh
# WebSocket messages as the server reassembles them (lib/wsmsg.c), sent
# by a raw client: a message in three fragments reaches the handshake
# whole (bad handshake, 4000); a text message is a protocol error (4007);
# fragments over the handshake's SERVER_HS_REC_MAX (2048 bytes) are a bad
# handshake, "record too long".
# In a session, through tests/lab/wsfrag.py (a TLS man in the middle that
# re-sends each of a real client's messages as three fragments): message
# 1 and every record arrive whole, the tunnel carries pings and a
# download (20 messages or more fragmented); a 65537-byte message (over
# PROTO_MAX_RECORD) is a protocol error, 4007 "record over
# PROTO_MAX_RECORD", while 65536 bytes are taken in and fail as a record
# ("authentication failed", also 4007); the client reconnects each time.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
[ -n "$PY" ] || fail "python3 missing (contrib/install-deps.sh)"
lab_up
lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"

cat >"$LAB_DIR/ws.py" <<'PYEOF'
import os, socket, ssl, struct, sys, base64

host, case = sys.argv[1], sys.argv[2]

def frame(op, data, fin=True):
    mask = os.urandom(4)
    n = len(data)
    h = bytes([(0x80 if fin else 0) | op])
    if n < 126:
        h += bytes([0x80 | n])
    elif n < 65536:
        h += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        h += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return h + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))

def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b

ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection((host, 443), timeout=10))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET /api/v1/ws/tun HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
    "Sec-WebSocket-Protocol: rvpn.v1\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n" % (host, key)).encode())
resp = b""
while b"\r\n\r\n" not in resp:
    resp += s.recv(1)
if b" 101 " not in resp.split(b"\r\n")[0]:
    sys.exit("no upgrade: %r" % resp[:80])

if case == "fragments":		# 3 fragments, 100 bytes of junk
    junk = os.urandom(100)
    s.sendall(frame(2, junk[:30], False) + frame(0, junk[30:60], False) +
        frame(0, junk[60:], True))
elif case == "text":
    s.sendall(frame(1, b"hello"))
elif case == "toobig":		# 2 x 1500 bytes > SERVER_HS_REC_MAX
    s.sendall(frame(2, os.urandom(1500), False) +
        frame(0, os.urandom(1500), True))
while True:			# the close frame's code
    h = recv_exact(s, 2)
    n = h[1] & 0x7f
    if n == 126:
        n = struct.unpack(">H", recv_exact(s, 2))[0]
    elif n == 127:
        n = struct.unpack(">Q", recv_exact(s, 8))[0]
    d = recv_exact(s, n)
    if h[0] & 0x0f == 8:
        print(struct.unpack(">H", d[:2])[0])
        break
PYEOF

ws() {	# ws CASE: the close code the server sent
	nsx "$NS_C1" "$PY" "$LAB_DIR/ws.py" "$LAB_SRV_C1" "$1" 2>"$LAB_DIR/ws.err"
}
code=$(ws fragments) || fail "fragments: $(cat "$LAB_DIR/ws.err")"
[ "$code" = 4000 ] || fail "three fragments: close $code, want 4000"
ok "a message in three fragments reaches the handshake whole (4000)"

code=$(ws text) || fail "text: $(cat "$LAB_DIR/ws.err")"
[ "$code" = 4007 ] || fail "text message: close $code, want 4007"
lab_wait_log "$LAB_DIR/server.log" "reason: protocol error: text message" \
	"$LAB_TIMEOUT" || fail "no 'text message' in the server log"
ok "a text message: 4007, 'protocol error: text message'"

code=$(ws toobig) || fail "toobig: $(cat "$LAB_DIR/ws.err")"
[ "$code" = 4000 ] || fail "oversized handshake: close $code, want 4000"
lab_wait_log "$LAB_DIR/server.log" "reason: bad handshake: record too long" \
	"$LAB_TIMEOUT" || fail "no 'record too long' in the server log"
ok "3000 bytes in fragments before the handshake: 4000, 'record too long'"

# A session whose every message reaches the server in three fragments.
ip netns exec "$NS_SRV" "$PY" -u "$top_srcdir/tests/lab/wsfrag.py" \
	"$LAB_SRV_C1" 8443 "$LAB_SRV_C1" 443 "$LAB_DIR/server.crt" \
	"$LAB_DIR/server.key" "$LAB_DIR/inject" >"$LAB_DIR/wsfrag.log" 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
lab_wait_log "$LAB_DIR/wsfrag.log" "^listening" || fail "wsfrag.py did not start"
from=$(lab_log_next "$LAB_DIR/server.log")
lab_client_start "$NS_C1" c1 --server "wss://$LAB_SRV_C1:8443/api/v1/ws" \
	--server-key "$LAB_SRV_PUB" --key "$LAB_DIR/c1.key" --ca "$LAB_DIR/ca.crt"
nsx "$NS_C1" ping -c 50 -i 0.02 -W 5 "$LAB_NET" >"$LAB_DIR/ping.out" ||
	fail "pings through fragments: $(tail -2 "$LAB_DIR/ping.out")"
grep -q "50 packets transmitted, 50 received" "$LAB_DIR/ping.out" ||
	fail "pings lost: $(tail -2 "$LAB_DIR/ping.out")"
head -c 3000000 /dev/urandom >"$LAB_DIR/www/big.bin"
nsx "$NS_C1" curl -sf -o "$LAB_DIR/big.got" "http://$LAB_NET/big.bin" ||
	fail "download through fragments"
cmp -s "$LAB_DIR/www/big.bin" "$LAB_DIR/big.got" || fail "download differs"
grep -Eq "^fragmented ([2-9]|[1-9][0-9]+)0$" "$LAB_DIR/wsfrag.log" ||
	fail "wsfrag.py did not fragment: $(cat "$LAB_DIR/wsfrag.log")"
tail -n +"$from" "$LAB_DIR/server.log" | grep -q "session end" &&
	fail "the session ended"
ok "a real client's messages in three fragments each: handshake, 50/50 pings and 3 MB whole ($(grep '^fragmented' "$LAB_DIR/wsfrag.log" | tail -1) messages)"

# inject N: a message of N bytes in three fragments on c1's connection;
# the server must close it with 4007 and REASON, and c1 come back.
inject() {
	local from cfrom
	from=$(lab_log_next "$LAB_DIR/server.log")
	cfrom=$(lab_log_next "$LAB_DIR/client-c1.log")
	echo "$1" >"$LAB_DIR/inject.tmp" && mv "$LAB_DIR/inject.tmp" "$LAB_DIR/inject"
	LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/server.log" \
		"session end: [^-].* reason: $2\$" ||
		fail "$1 bytes: no 'reason: $2': $(tail -n +"$from" "$LAB_DIR/server.log")"
	LAB_LOG_FROM=$cfrom lab_wait_log "$LAB_DIR/client-c1.log" \
		"server closed the connection: protocol error \(4007\)" ||
		fail "$1 bytes: the client did not get 4007"
	LAB_LOG_FROM=$cfrom lab_wait_log "$LAB_DIR/client-c1.log" "tunnel up" ||
		fail "c1 did not reconnect after the $1-byte message"
}
inject 65536 "protocol error: authentication failed"
ok "65536 bytes in fragments (PROTO_MAX_RECORD): reassembled, fails as a record: 4007, c1 reconnects"
inject 65537 "protocol error: record over PROTO_MAX_RECORD"
ok "65537 bytes in fragments: 4007 'record over PROTO_MAX_RECORD', c1 reconnects"
nsx "$NS_C1" ping -c 3 -W 5 "$LAB_NET" >/dev/null || fail "no ping after the reconnects"
lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
exit 0
