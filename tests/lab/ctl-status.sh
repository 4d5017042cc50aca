#!/bin/sh
# rvpnctl status against a server with two clients: the JSON validates
# against doc/rvpnctl-status.schema.json and its rows are the clients';
# the text has both rows.  The control socket is root's, mode 0600; a
# stale socket file is replaced, a live one is refused, and the server
# answers malformed, unknown and oversized requests with an error.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" -c 'import jsonschema' 2>/dev/null ||
	skip "python3 jsonschema module missing (Debian: python3-jsonschema)"
lab_up
SOCK=$LAB_DIR/server.sock
SCHEMA=$top_srcdir/doc/rvpnctl-status.schema.json

# A socket file nobody listens on (a crashed server's) is replaced.
"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	"$SOCK" || fail "cannot make a stale socket"
LAB_SERVER_EXTRA="keepalive = 1" lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
grep -q "INFO rvpn_server: Removed stale control socket $SOCK" \
	"$LAB_DIR/server.log" || fail "stale socket not reported"
[ "$(stat -c '%F %a %U' "$SOCK")" = "socket 600 root" ] ||
	fail "control socket: $(stat -c '%F %a %U' "$SOCK")"
ok "a stale socket is replaced; the new one is a root socket, mode 0600"

# A second server on the same socket stops before touching anything.
nsx "$NS_SRV" "$RVPN_SERVER" -f -c "$LAB_DIR/server.toml" \
	>"$LAB_DIR/second.out" 2>&1 && fail "a second server started"
grep -q "another rvpn-server is running on $SOCK" "$LAB_DIR/second.out" ||
	fail "second server: $(cat "$LAB_DIR/second.out")"
kill -0 "$LAB_SERVER_PID" || fail "the first server died"
"$RVPNCTL" -s "$SOCK" status >/dev/null || fail "first server lost its socket"
ok "a second server refuses: another rvpn-server is running on SOCKET"

lab_client_start "$NS_C1" c1 $(lab_client_args c1)
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
a1=$(lab_tun_addr "$NS_C1")
a2=$(lab_tun_addr "$NS_C2")
nsx "$NS_C1" ping -c 2 -W 2 "$LAB_NET" >/dev/null || fail "c1 ping"

# IPv6 from c1 (rvpn-client turns it off on its TUN: turn it back on);
# the server ignores it and counts it in c1's row, not as drops.
dev1=$(lab_tun_dev "$NS_C1")
nsx "$NS_C1" sysctl -qw "net.ipv6.conf.$dev1.disable_ipv6=0" ||
	fail "cannot enable IPv6 on $dev1"
nsx "$NS_C1" ip -6 addr add fd00:200::2/64 dev "$dev1" nodad ||
	fail "cannot add an IPv6 address to $dev1"
nsx "$NS_C1" ping -6 -c 3 -i 0.2 -W 1 fd00:200::1 >/dev/null 2>&1
v6_counted() {
	"$RVPNCTL" -s "$SOCK" status -j | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(not any(s["ipv6_ignored"] >= 3 for s in d["sessions"]))'
}
lab_wait_cmd "$LAB_TIMEOUT" v6_counted ||
	fail "IPv6 not counted: $("$RVPNCTL" -s "$SOCK" status -j)"

"$RVPNCTL" -s "$SOCK" status -j >"$LAB_DIR/status.json" 2>"$LAB_DIR/ctl.err" ||
	fail "status -j: $(cat "$LAB_DIR/ctl.err")"
"$PY" - "$SCHEMA" "$LAB_DIR/status.json" "$a1" "$(cat "$LAB_DIR/c1.pub")" \
	"$a2" "$(cat "$LAB_DIR/c2.pub")" "$LAB_C1" "$LAB_C2" <<'EOF' ||
import json, sys, jsonschema
schema, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator(schema,
    format_checker=jsonschema.FormatChecker()).validate(doc)
a1, k1, a2, k2, r1, r2 = sys.argv[3:9]
rows = {s["address"]: s for s in doc["sessions"]}
assert sorted(rows) == sorted([a1, a2]), rows.keys()
for a, k, r in ((a1, k1, r1), (a2, k2, r2)):
    s = rows[a]
    assert s["public_key"] == k, (a, s["public_key"], k)
    assert s["name"] == k[:8], s["name"]       # no clients file: short key
    assert s["remote"] == r, (s["remote"], r)
    assert s["forwarded_for"] is None
assert rows[a1]["from_client"]["packets"] >= 2, rows[a1]
for s in rows.values():
    assert type(s["ipv6_ignored"]) is int, s
assert rows[a1]["ipv6_ignored"] >= 3, rows[a1]
assert rows[a1]["drops"]["total"] == 0, rows[a1]   # IPv6 is no drop
assert rows[a2]["ipv6_ignored"] == 0, rows[a2]     # its TUN has no IPv6
# The schema requires ipv6_ignored, a non-negative integer.
import copy
for bad in ("missing", "3", 1.5, -1, None):
    d = copy.deepcopy(doc)
    if bad == "missing":
        del d["sessions"][0]["ipv6_ignored"]
    else:
        d["sessions"][0]["ipv6_ignored"] = bad
    try:
        jsonschema.Draft202012Validator(schema).validate(d)
    except jsonschema.ValidationError:
        continue
    raise AssertionError("schema accepts ipv6_ignored %r" % (bad,))
assert doc["pool"]["used"] == 2 and doc["pool"]["capacity"] == 253, doc["pool"]
assert doc["version"] and doc["uptime_seconds"] >= 0
EOF
	fail "status -j: $(cat "$LAB_DIR/status.json")"
ok "status -j validates against the schema; rows are c1 ($a1) and c2 ($a2); c1's IPv6 is ignored, not dropped"

# The server PINGs each keepalive (1 s here): both rows get an RTT.
rtt_both() {
	"$RVPNCTL" -s "$SOCK" status -j | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(not (len(d["sessions"]) == 2 and
    all(s["rtt_us"] is not None for s in d["sessions"])))'
}
lab_wait_cmd "$LAB_TIMEOUT" rtt_both || fail "no RTT: $("$RVPNCTL" -s "$SOCK" status)"
ok "both sessions show the last PING/PONG round trip"

"$RVPNCTL" -s "$SOCK" status >"$LAB_DIR/status.txt" || fail "status"
grep -q "^rvpn-server .*, pool 2/253 addresses used, 2 sessions$" \
	"$LAB_DIR/status.txt" || fail "status head: $(cat "$LAB_DIR/status.txt")"
for c in "c1 $a1 $LAB_C1" "c2 $a2 $LAB_C2"; do
	set -- $c
	awk -v n="$(head -c 8 "$LAB_DIR/$1.pub")" -v a="$2" -v r="$3" \
		'$1 == n && $2 == a && $3 == r { f = 1 } END { exit !f }' \
		"$LAB_DIR/status.txt" ||
		fail "no row for $1: $(cat "$LAB_DIR/status.txt")"
done
[ "$(grep -c " 10\.200\.0\." "$LAB_DIR/status.txt")" = 2 ] ||
	fail "status text rows: $(cat "$LAB_DIR/status.txt")"
ok "status text has a row for each client"

# The server's side of the protocol, with raw requests.
"$PY" - "$SOCK" <<'EOF' || fail "raw protocol checks"
import socket, struct, sys
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX); s.settimeout(15); s.connect(path)
    return s
def recv(s):
    h = b""
    while len(h) < 5:
        c = s.recv(5 - len(h))
        if not c: return None
        h += c
    n, t = struct.unpack(">IB", h)
    b = b""
    while len(b) < n:
        b += s.recv(n - len(b))
    return t, b
s = conn()
s.sendall(struct.pack(">IB", 3, 99) + b"abc")       # unknown type
assert recv(s) == (65, b"unknown message type 99"), "unknown type"
s.sendall(struct.pack(">IB", 2, 4) + b"xx")         # RELOAD with a body
r = recv(s)
assert r[0] == 65 and b"wrong body size" in r[1], r
s.sendall(struct.pack(">IB", 0, 64))                # a reply type
assert recv(s) == (65, b"unknown message type 64"), "reply type"
s.sendall(struct.pack(">IB", 0, 2))                 # still in step
assert recv(s)[0] == 68, "STATS after errors"
s.sendall(struct.pack(">IB", 100000, 1))            # oversized: error, close
assert recv(s) == (65, b"message too big (at most 4096 bytes)")
assert recv(s) is None, "not closed after an oversized message"
# At most 8 connections; the ninth is refused with a message.
held = [conn() for i in range(8)]
for h in held:
    h.sendall(struct.pack(">IB", 0, 2)); assert recv(h)[0] == 68
ninth = conn()
assert recv(ninth) == (65, b"too many control connections"), "ninth"
for h in held: h.close()
ninth.close()
# The server notices those closes on its next loop turn: until then a new
# connection may still be refused as the ninth (bounded retry).
import time
for attempt in range(50):
    probe = conn()
    probe.sendall(struct.pack(">IB", 0, 2))
    r = recv(probe)
    probe.close()
    if r is not None and r[0] == 68:
        break
    time.sleep(0.1)
else:
    raise AssertionError("held connections never released")
# An idle connection is closed by the server (CONTROL_TIMEOUT, 10 s).
idle = conn()
assert recv(idle) is None, "idle connection kept open"
EOF
ok "server: unknown/malformed/oversized requests get errors; 8 connections max; idle ones closed"

# A regular file where the socket goes: refused, not removed.
lab_stop "$LAB_PID_c1"; lab_stop "$LAB_PID_c2"
lab_server_stop || fail "server did not stop cleanly"
[ ! -e "$SOCK" ] || fail "socket left after a clean stop"
echo data >"$SOCK"
nsx "$NS_SRV" "$RVPN_SERVER" -f -c "$LAB_DIR/server.toml" \
	>"$LAB_DIR/notsock.out" 2>&1 && fail "started over a regular file"
grep -q "$SOCK: exists and is not a socket" "$LAB_DIR/notsock.out" ||
	fail "regular file: $(cat "$LAB_DIR/notsock.out")"
[ "$(cat "$SOCK")" = data ] || fail "the regular file was touched"
ok "a regular file at control_socket is an error and stays"
exit 0
