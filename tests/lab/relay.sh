#!/bin/sh
# Relay mode (issue 12): rvpn-client --socks as an unprivileged user, no
# TUN, against a server that also runs TUN mode.  Names resolve on the
# server's side (dnsmasq sees the server ask), IPv4 and IPv6 literals,
# an 8 MB download with its sha256, 24 parallel streams while one
# stream reads nothing (flow control), the egress policy's refusals
# with SOCKS5 reply 2 (loopback, the tunnel gateway, link-local, the
# server's own address, a name that resolves to loopback, relay_deny),
# an allowed private prefix (relay_allow), connection refused (5), an
# unknown key refused (4001), SOCKS5 bad input, the base path without
# an upgrade still the decoy's 404, and the session's streams reset
# when the server goes away.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v setpriv >/dev/null 2>&1 || skip "no setpriv"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
SOCKS_PY="$top_srcdir/tests/lab/socks.py"
lab_up

# The server resolves through the lab's dnsmasq; the client namespace
# keeps its placeholder resolver (192.0.2.53 answers nothing).
mkdir -p "/etc/netns/$NS_SRV"
echo "nameserver $LAB_NET" >"/etc/netns/$NS_SRV/resolv.conf"
# A private prefix on the net host, for relay_allow (10.99.0.0/24), and
# a web server on it.
ip -n "$NS_NET" addr add 10.99.0.2/24 dev "$LAB_IF_NS" || fail "10.99.0.2"
ip -n "$NS_SRV" route add 10.99.0.0/24 via "$LAB_NET" || fail "route 10.99"
ip netns exec "$NS_NET" "$PY" -u -m http.server 80 --bind 10.99.0.2 \
	--directory "$LAB_DIR/www" >"$LAB_DIR/http99.log" 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
head -c 8388608 /dev/urandom >"$LAB_DIR/www/big.bin"
big_sha=$(sha256sum <"$LAB_DIR/www/big.bin" | cut -d' ' -f1)

lab_clients_file "$LAB_DIR/clients.toml" c1
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"
relay_allow = [\"10.99.0.0/24\"]
relay_deny = [\"198.18.0.3/32\"]" \
	lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"

# The client's files, readable by nobody only.
U="$LAB_DIR/nobody"
mkdir -p "$U"
cp "$LAB_DIR/c1.key" "$LAB_DIR/c2.key" "$LAB_DIR/ca.crt" "$U/"
chown -R nobody:nogroup "$U"
chmod 700 "$U"
chmod 711 "$LAB_DIR"

# relay_client NAME KEY PORT: rvpn-client --socks as nobody in c1.
relay_client() {
	local name=$1 key=$2 port=$3
	LAB_CLIENT_FROM=$(lab_log_next "$LAB_DIR/client-$name.log")
	ip netns exec "$NS_C1" setpriv --reuid=nobody --regid=nogroup \
		--clear-groups "$RVPN_CLIENT" -f --server "$LAB_URL1" \
		--server-key "$LAB_SRV_PUB" --key "$U/$key.key" \
		--ca "$U/ca.crt" --socks "127.0.0.1:$port" \
		>>"$LAB_DIR/client-$name.log" 2>&1 &
	LAB_CLIENT_PID=$!
	LAB_PIDS="$LAB_PIDS $LAB_CLIENT_PID"
	LAB_RVPN_PIDS="$LAB_RVPN_PIDS $LAB_CLIENT_PID"
}

relay_client r1 c1 1080
R1=$LAB_CLIENT_PID
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-r1.log" \
	"relay session up" "$LAB_TIMEOUT" "$R1" ||
	fail "relay client: no 'relay session up'"
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$(pgrep -P "$R1" -x rvpn-client ||
	echo "$R1")/status")
[ "$uid" = 65534 ] || fail "the relay client runs as uid $uid, not nobody"
nsx "$NS_C1" ip -o link show | grep -q rvpn && fail "a TUN in c1"
grep -q "INFO rvpn_server: relay session up: c1 from $LAB_C1" \
	"$LAB_DIR/server.log" || fail "no 'relay session up' on the server"
ok "rvpn-client --socks runs as nobody, no TUN; the server logs the relay session"

cx() { nsx "$NS_C1" curl -sS --max-time 20 "$@"; }

body=$(cx --socks5-hostname 127.0.0.1:1080 http://www.rvpn.test/hello.txt) ||
	fail "curl via SOCKS by name"
[ "$body" = "$LAB_TOKEN" ] || fail "by name: body '$body'"
grep -qi "query\[A\] www.rvpn.test from $LAB_SRV_NET" "$LAB_DIR/dnsmasq.log" ||
	fail "dnsmasq did not see the server ask for www.rvpn.test"
grep -q "^$LAB_SRV_NET .*GET /hello.txt" "$LAB_DIR/http.log" ||
	fail "the web server did not see the server's address"
ok "--socks5-hostname: the name resolves on the server (dnsmasq saw $LAB_SRV_NET)"

body=$(cx --socks5 127.0.0.1:1080 "http://$LAB_NET/hello.txt") ||
	fail "curl via SOCKS, IPv4 literal"
[ "$body" = "$LAB_TOKEN" ] || fail "IPv4 literal: body '$body'"
ok "IPv4 literal"

body=$(cx --socks5-hostname 127.0.0.1:1080 "http://[$LAB_NET6]/hello.txt") ||
	fail "curl via SOCKS, IPv6 literal"
[ "$body" = "$LAB_TOKEN" ] || fail "IPv6 literal: body '$body'"
grep -q "$LAB_SRV_NET6" "$LAB_DIR/http6.log" ||
	fail "the IPv6 web server did not see $LAB_SRV_NET6"
body=$(cx --socks5-hostname 127.0.0.1:1080 http://v6.rvpn.test/hello.txt) ||
	fail "curl via SOCKS, AAAA-only name"
[ "$body" = "$LAB_TOKEN" ] || fail "AAAA name: body '$body'"
ok "IPv6 literal and an AAAA-only name"

# Happy Eyeballs: each name has a black-holed address (no answer, no
# error) and a working one of the other family.  Whichever family the
# resolver lists first, one of the two names starts with the black hole;
# both must work long before a connect times out (10 s).
for n in he4 he6; do
	body=$(cx --max-time 5 --socks5-hostname 127.0.0.1:1080 \
		"http://$n.rvpn.test/hello.txt") || fail "$n.rvpn.test: no answer in 5 s"
	[ "$body" = "$LAB_TOKEN" ] || fail "$n.rvpn.test: body '$body'"
done
ok "Happy Eyeballs: a black-holed address of either family is passed over"

sum=$(cx --socks5-hostname 127.0.0.1:1080 http://www.rvpn.test/big.bin |
	sha256sum | cut -d' ' -f1)
[ "$sum" = "$big_sha" ] || fail "8 MB download: sha256 $sum"
ok "8 MB download arrives with the right sha256"

# Flow control: one stream reads nothing while 24 others download.
ip netns exec "$NS_C1" "$PY" "$SOCKS_PY" 1080 stall "$LAB_NET" 80 /big.bin \
	>"$LAB_DIR/stall.out" 2>&1 &
STALL=$!
LAB_PIDS="$LAB_PIDS $STALL"
lab_wait_cmd "$LAB_TIMEOUT" grep -q stalled "$LAB_DIR/stall.out" ||
	fail "the stalled stream did not open: $(cat "$LAB_DIR/stall.out")"
# rvpnctl status: the relay session with its one open stream.
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
"$RVPNCTL" -s "$LAB_DIR/server.sock" status >"$LAB_DIR/status.txt" ||
	fail "rvpnctl status"
grep -Eq "^c1 +relay:1 +$LAB_C1" "$LAB_DIR/status.txt" ||
	fail "status: no relay row with 1 stream: $(cat "$LAB_DIR/status.txt")"
"$RVPNCTL" -s "$LAB_DIR/server.sock" status -j >"$LAB_DIR/status.json" ||
	fail "rvpnctl status -j"
"$PY" - "$top_srcdir/doc/rvpnctl-status.schema.json" "$LAB_DIR/status.json" <<'EOF2' ||
import json, sys
d = json.load(open(sys.argv[2]))
try:
    import jsonschema
    jsonschema.validate(d, json.load(open(sys.argv[1])))
except ImportError:
    pass
s = [x for x in d["sessions"] if x["name"] == "c1"]
assert len(s) == 1 and s[0]["mode"] == "relay" and s[0]["streams"] == 1 \
    and s[0]["address"] is None, s
EOF2
	fail "status -j: $(cat "$LAB_DIR/status.json")"
ok "rvpnctl status lists the relay session with its open stream (text, JSON per the schema)"
pids=
for i in $(seq 1 24); do
	cx --socks5-hostname 127.0.0.1:1080 -o "$LAB_DIR/par$i.bin" \
		http://www.rvpn.test/big.bin &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail "a parallel download failed"
done
for i in $(seq 1 24); do
	s=$(sha256sum <"$LAB_DIR/par$i.bin" | cut -d' ' -f1)
	[ "$s" = "$big_sha" ] || fail "parallel download $i: sha256 $s"
	rm -f "$LAB_DIR/par$i.bin"
done
# And 100 streams at once (a 1 MB file), the stalled one still open.
head -c 1048576 "$LAB_DIR/www/big.bin" >"$LAB_DIR/www/med.bin"
med_sha=$(sha256sum <"$LAB_DIR/www/med.bin" | cut -d' ' -f1)
pids=
for i in $(seq 1 100); do
	cx --socks5-hostname 127.0.0.1:1080 -o "$LAB_DIR/med$i.bin" \
		http://www.rvpn.test/med.bin &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail "one of 100 parallel downloads failed"
done
for i in $(seq 1 100); do
	s=$(sha256sum <"$LAB_DIR/med$i.bin" | cut -d' ' -f1)
	[ "$s" = "$med_sha" ] || fail "100 parallel: download $i: sha256 $s"
	rm -f "$LAB_DIR/med$i.bin"
done
kill -0 "$STALL" 2>/dev/null || fail "the stalled stream's reader is gone"
kill "$STALL"
wait "$STALL" 2>/dev/null
ok "24 parallel 8 MB downloads, then 100 parallel 1 MB ones, complete while one stream reads nothing"

# Egress policy: SOCKS5 reply 2 (not allowed by ruleset).
reply() { nsx "$NS_C1" "$PY" "$SOCKS_PY" 1080 reply "$1" "$2"; }
for d in 127.0.0.1 10.200.0.1 169.254.1.1 "$LAB_SRV_C1" "$LAB_SRV_NET" \
    ::1 "$LAB_SRV_NET6" fe80::1 localhost 198.18.0.3 10.98.0.2 0.0.0.0 \
    224.0.0.1; do
	r=$(reply "$d" 80)
	[ "$r" = 2 ] || fail "destination $d: reply '$r', want 2"
done
ok "refused with reply 2: loopback, tunnel gateway, link-local, own addresses, localhost, relay_deny, private, multicast"
r=$(reply 10.99.0.2 80)
[ "$r" = 0 ] || fail "relay_allow 10.99.0.0/24: reply '$r'"
body=$(cx --socks5 127.0.0.1:1080 http://10.99.0.2/hello.txt) ||
	fail "curl to the allowed private prefix"
[ "$body" = "$LAB_TOKEN" ] || fail "10.99.0.2: body '$body'"
ok "an allowed private prefix (relay_allow) works"
r=$(reply "$LAB_NET" 81)
[ "$r" = 5 ] || fail "closed port: reply '$r', want 5"
r=$(reply no-such-name.rvpn.test 80)
[ "$r" = 4 ] || fail "unknown name: reply '$r', want 4"
"$RVPNCTL" -s "$LAB_DIR/server.sock" stats -j >"$LAB_DIR/stats.json" ||
	fail "rvpnctl stats -j"
"$PY" - "$LAB_DIR/stats.json" <<'EOF2' || fail "stats: $(cat "$LAB_DIR/stats.json")"
import json, sys
r = json.load(open(sys.argv[1]))["relay_streams"]
assert r["not_allowed"] == 13 and r["connection_refused"] == 1 and \
    r["host_unreachable"] == 1 and r["opened"] >= 130, r
EOF2
"$RVPNCTL" -s "$LAB_DIR/server.sock" stats |
	grep -Eq "^  refused by the egress policy \(reply 2\) +13$" ||
	fail "stats text: no egress refusal count"
ok "connection refused is reply 5, an unknown name reply 4; rvpnctl stats counts each reason"

# SOCKS5 bad input: other versions, no acceptable method, BIND, ATYP 2.
raw() { nsx "$NS_C1" "$PY" "$SOCKS_PY" 1080 raw "$1"; }
[ "$(raw 050102)" = 05ff ] || fail "no acceptable method"
r=$(raw 050100050200010a0000010050)
[ "$r" = 050005070001000000000000 ] || fail "BIND: '$r'"
r=$(raw 050100050100020a0000010050)
[ "$r" = 050005080001000000000000 ] || fail "ATYP 2: '$r'"
r=$(raw 04010050c6120002)
[ "$r" = "" ] || fail "SOCKS4: '$r'"
ok "SOCKS5 bad input: method, command, address type, version"

# A connection that does not complete its request is closed (10 s), an
# open stream older than that is not.
ip netns exec "$NS_C1" "$PY" "$SOCKS_PY" 1080 hold "$LAB_NET" 80 \
	>"$LAB_DIR/hold0.out" 2>&1 &
H0=$!
LAB_PIDS="$LAB_PIDS $H0"
lab_wait_cmd "$LAB_TIMEOUT" grep -q open "$LAB_DIR/hold0.out" ||
	fail "the held stream did not open: $(cat "$LAB_DIR/hold0.out")"
pids=
for h in "" 0501 050100050100 050100050100010a00; do
	nsx "$NS_C1" "$PY" "$SOCKS_PY" 1080 idle "$h" >"$LAB_DIR/idle.$h.out" &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
for h in "" 0501 050100050100 050100050100010a00; do
	[ "$(cat "$LAB_DIR/idle.$h.out")" = closed ] ||
		fail "a SOCKS5 connection stuck at '$h' stays open"
done
[ "$(cat "$LAB_DIR/hold0.out")" = open ] ||
	fail "an open stream was closed: $(cat "$LAB_DIR/hold0.out")"
kill "$H0"
wait "$H0" 2>/dev/null
ok "SOCKS5 connections that never complete their request are closed; an open stream stays"

# The base path without an upgrade is the decoy's 404, as any path.
code=$(nsx "$NS_C1" curl -s -o /dev/null -w '%{http_code}' --cacert \
	"$LAB_DIR/ca.crt" "https://$LAB_SRV_C1/api/v1/ws")
[ "$code" = 404 ] || fail "GET on the base path: $code"
ok "the base path without an upgrade answers 404"

# An unknown key: refused (4001, authentic over verified TLS): exits 1.
relay_client r2 c2 1081
R2=$LAB_CLIENT_PID
lab_wait_exit "$R2" "$LAB_TIMEOUT" || fail "unknown key: client still runs"
wait "$R2"
st=$?
grep -q "unknown client key (4001)" "$LAB_DIR/client-r2.log" ||
	fail "unknown key: not in the client log: $(cat "$LAB_DIR/client-r2.log")"
[ "$st" = 1 ] || fail "unknown key: exit status $st, not 1"
ok "an unknown client key is refused (4001) and the client exits 1"

# The session drops: a stream in flight is reset, a new one waits.
ip netns exec "$NS_C1" "$PY" "$SOCKS_PY" 1080 hold "$LAB_NET" 80 \
	>"$LAB_DIR/hold.out" 2>&1 &
STALL=$!
LAB_PIDS="$LAB_PIDS $STALL"
lab_wait_cmd "$LAB_TIMEOUT" grep -q open "$LAB_DIR/hold.out" ||
	fail "the held stream did not open"
lab_server_stop || fail "server did not stop cleanly"
lab_wait_cmd "$LAB_TIMEOUT" grep -q reset "$LAB_DIR/hold.out" ||
	fail "the stream in flight was not reset: $(cat "$LAB_DIR/hold.out")"
ok "the session drops: the stream in flight is reset (RST to the application)"
from=$(lab_log_next "$LAB_DIR/client-r1.log")
LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/client-r1.log" "lost" \
	"$LAB_TIMEOUT" "$R1" || fail "the client did not notice the loss"
# A request while no session is up waits for the next one.
ip netns exec "$NS_C1" curl -sS --max-time 40 --socks5-hostname \
	127.0.0.1:1080 http://www.rvpn.test/hello.txt >"$LAB_DIR/wait.out" \
	2>&1 &
WAITER=$!
LAB_PIDS="$LAB_PIDS $WAITER"
lab_server_start "$LAB_DIR/server.toml"
LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/client-r1.log" \
	"relay session up" 30 "$R1" || fail "relay client did not reconnect"
body=$(cx --socks5-hostname 127.0.0.1:1080 http://www.rvpn.test/hello.txt) ||
	fail "curl after the reconnect"
[ "$body" = "$LAB_TOKEN" ] || fail "after the reconnect: body '$body'"
wait "$WAITER" || fail "the request made without a session: $(cat "$LAB_DIR/wait.out")"
[ "$(cat "$LAB_DIR/wait.out")" = "$LAB_TOKEN" ] ||
	fail "the waiting request: '$(cat "$LAB_DIR/wait.out")'"
kill "$STALL" 2>/dev/null
wait "$STALL" 2>/dev/null
grep -Eq "INFO rvpn_server: session end: c1 - from $LAB_C1 rx [1-9][0-9]* bytes/0 pkts tx [1-9][0-9]{6,}/" \
	"$LAB_DIR/server.log" || fail "the relay session's end line lacks its stream bytes"
ok "the client reconnects after the server restarts; a request made meanwhile waited and succeeds; the end line counts stream bytes"

lab_stop "$R1" || fail "relay client did not stop cleanly"
grep -Eq "INFO rvpn_client: stopped \(1[0-9]{2,} streams, tx [0-9]+ bytes, rx [1-9][0-9]{8,} bytes\)" \
	"$LAB_DIR/client-r1.log" || fail "the relay client's stop line: $(tail -1 "$LAB_DIR/client-r1.log")"
ok "the relay client's stop line counts its streams and bytes"

# Relay-only: no [server.network], as nobody on port 8443, no capability,
# no TUN and no nft table; the TUN path is an unknown path there.
lab_server_stop || fail "server did not stop cleanly"
S="$LAB_DIR/srvnobody"
mkdir -p "$S"
cp "$LAB_DIR/server.crt" "$LAB_DIR/server.key" \
	"$LAB_DIR/server_identity.key" "$S/"
cat >"$S/server.toml" <<EOF2
[server]
bind_address = "0.0.0.0:8443"
tls_cert_file = "$S/server.crt"
tls_key_file = "$S/server.key"
identity_key_file = "$S/server_identity.key"
pid_file = "$S/server.pid"
control_socket = "$S/server.sock"
authorized_clients_file = "$S/clients.toml"
EOF2
cp "$LAB_DIR/clients.toml" "$S/"
chown -R nobody:nogroup "$S"
chmod 700 "$S"
LAB_SERVER_FROM=$(lab_log_next "$LAB_DIR/server.log")
echo "--- relay-only server start $(date +%T)" >>"$LAB_DIR/server.log"
ip netns exec "$NS_SRV" setpriv --reuid=nobody --regid=nogroup \
	--clear-groups "$RVPN_SERVER" -f -c "$S/server.toml" \
	>>"$LAB_DIR/server.log" 2>&1 &
LAB_SERVER_PID=$!
LAB_PIDS="$LAB_PIDS $LAB_SERVER_PID"
LAB_RVPN_PIDS="$LAB_RVPN_PIDS $LAB_SERVER_PID"
lab_server_wait_listen
tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log" |
	grep -q "INFO rvpn_server: Relay mode enabled (relay-only" ||
	fail "relay-only: no 'Relay mode enabled (relay-only' line"
tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log" | grep -q "TUN mode enabled" &&
	fail "relay-only: says TUN mode enabled"
spid=$(pgrep -P "$LAB_SERVER_PID" -x rvpn-server || echo "$LAB_SERVER_PID")
st=$(cat "/proc/$spid/status")
echo "$st" | grep -q "^Uid:[[:space:]]*65534" || fail "relay-only: not uid 65534"
echo "$st" | grep -q "^CapEff:[[:space:]]*0000000000000000" ||
	fail "relay-only: capabilities $(echo "$st" | grep CapEff)"
nsx "$NS_SRV" ip -o link show | grep -q "$LAB_TUN" && fail "relay-only: a TUN"
nsx "$NS_SRV" nft list tables 2>/dev/null | grep -q rvpn &&
	fail "relay-only: an nft table"
ok "relay-only server: nobody, port 8443, no capability, no TUN, no nft"

LAB_CLIENT_FROM=$(lab_log_next "$LAB_DIR/client-r3.log")
ip netns exec "$NS_C1" setpriv --reuid=nobody --regid=nogroup \
	--clear-groups "$RVPN_CLIENT" -f --server "wss://$LAB_SRV_C1:8443/api/v1/ws" \
	--server-key "$LAB_SRV_PUB" --key "$U/c1.key" --ca "$U/ca.crt" \
	--socks 127.0.0.1:1082 >>"$LAB_DIR/client-r3.log" 2>&1 &
R3=$!
LAB_PIDS="$LAB_PIDS $R3"
LAB_RVPN_PIDS="$LAB_RVPN_PIDS $R3"
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-r3.log" \
	"relay session up" "$LAB_TIMEOUT" "$R3" ||
	fail "relay-only: the client's session did not come up"
sum=$(cx --socks5-hostname 127.0.0.1:1082 http://www.rvpn.test/big.bin |
	sha256sum | cut -d' ' -f1)
[ "$sum" = "$big_sha" ] || fail "relay-only: download sha256 $sum"
up() {
	nsx "$NS_C1" curl -s -o /dev/null -w '%{http_code}' --max-time 3 \
		--cacert "$LAB_DIR/ca.crt" -H "Connection: Upgrade" \
		-H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" \
		-H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" \
		-H "Sec-WebSocket-Protocol: rvpn.v1" "https://$LAB_SRV_C1:8443$1"
}
[ "$(up /api/v1/ws)" = 101 ] || fail "relay-only: the base path does not upgrade"
[ "$(up /api/v1/ws/tun)" = 404 ] || fail "relay-only: the TUN path upgrades"
ok "relay-only: SOCKS download works; the base path upgrades, /tun is a 404"
lab_stop "$R3" || fail "relay client r3 did not stop cleanly"
exit 0
