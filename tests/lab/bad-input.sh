#!/bin/sh
# The bad-input catalog: tests/data/bad-input.txt, one case a line
# ("name | kind | payload | expect | what"), across TLS, HTTP, WebSocket
# framing, Noise message 1, records, inner packets, relay-mode stream
# messages, the control socket and rvpn-client's SOCKS5 listener;
# tests/lab/badinput.py runs one case (see it for the kinds and
# outcomes).  Each case must end as its line says: "closed", "http:NNN",
# "close:NNNN", "up" (the session lives), "reply" (the control socket
# answers); "up/drop:REASON" or "up/ignored" also needs that rvpnctl
# stats counter to grow by one.  Meanwhile a real client on c2 stays up:
# it never reconnects, and pings through the tunnel after every case
# group; the server never restarts.  A relay client (rvpn-client --socks
# on c1, the listener the socks cases talk to) also stays up and still
# relays at the end.  BADINPUT_LIST=1 prints each case's
# outcome without checking (to write a new line).
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
LOAD=${RVPN_LOAD:-$top_builddir/bench/rvpn-load}
lab_init "$RVPN_CLIENT" "$RVPNCTL" "$LOAD"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
CATALOG=${BADINPUT_CATALOG:-$top_srcdir/tests/data/bad-input.txt}
lab_up
SOCK=$LAB_DIR/server.sock
SLOG=$LAB_DIR/server.log
CLOG=$LAB_DIR/client-c2.log

# The server resolves relay names through the lab's dnsmasq.
mkdir -p "/etc/netns/$NS_SRV"
echo "nameserver $LAB_NET" >"/etc/netns/$NS_SRV/resolv.conf"
# Limits off: the catalog opens many connections from c1 in a row.
LAB_SERVER_EXTRA='max_pending_per_source = 0
handshake_rate_per_source = 0' lab_server_config "$LAB_DIR/s.toml"
lab_server_start "$LAB_DIR/s.toml"
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
lab_client_spawn "$NS_C1" r1 $(lab_client_args c1) --socks 127.0.0.1:1080
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-r1.log" \
	"relay session up" "$LAB_TIMEOUT" "$LAB_PID_r1" ||
	fail "relay client r1: no 'relay session up' line"
RLOG=$LAB_DIR/client-r1.log

# stat EXPR: a python expression over `rvpnctl stats -j` ("s").
stat() {
	"$RVPNCTL" -s "$SOCK" stats -j | "$PY" -c 'import json, sys
s = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

counter() {
	case $1 in
	drop:*) stat "s['drops']['${1#drop:}']" ;;
	ignored) stat "s['ipv6_ignored']" ;;
	*) echo 0 ;;
	esac
}

n=0 bad=0
while IFS= read -r line; do
	case $line in ''|'#'*) continue ;; esac
	name=$(echo "$line" | awk -F' [|] ' '{ print $1 }')
	kind=$(echo "$line" | awk -F' [|] ' '{ print $2 }')
	payload=$(echo "$line" | awk -F' [|] ' '{ print $3 }')
	expect=$(echo "$line" | awk -F' [|] ' '{ print $4 }')
	[ -n "$name" ] && [ -n "$kind" ] && [ -n "$payload" ] &&
		[ -n "$expect" ] || fail "catalog line: $line"
	what=${expect#*/}
	[ "$what" = "$expect" ] && what=
	before=$(counter "$what")
	got=$(nsx "$NS_C1" "$PY" "$top_srcdir/tests/lab/badinput.py" \
		--host "$LAB_SRV_C1" --url "$LAB_URL1" --key "$LAB_SRV_PUB" \
		--ca "$LAB_DIR/ca.crt" --load "$LOAD" --control "$SOCK" \
		"$kind" "$payload")
	n=$((n + 1))
	if [ -n "${BADINPUT_LIST:-}" ]; then
		echo "$name: $got (delta $(( $(counter "$what") - before )))"
		continue
	fi
	if [ -n "$what" ]; then
		after=$(counter "$what")
		[ "$got" = "${expect%%/*}" ] && [ "$after" -eq $((before + 1)) ] &&
			got=$expect
	fi
	if [ "$got" != "$expect" ]; then
		echo "not ok - $name ($kind): got '$got', want '$expect'"
		bad=$((bad + 1))
		continue
	fi
	echo "ok - $name: $expect"
done <"$CATALOG"
[ "$n" -ge 30 ] || fail "only $n cases in $CATALOG"

# The real client never noticed.
kill -0 "$LAB_SERVER_PID" || fail "the server died"
[ "$(grep -c 'tunnel up' "$CLOG")" = 1 ] ||
	fail "the c2 client reconnected: $(grep -E 'lost|closed|tunnel up' "$CLOG")"
nsx "$NS_C2" ping -c 1 -W 2 "$LAB_NET" >/dev/null 2>&1 ||
	fail "c2 cannot ping through the tunnel any more"
ok "after $n cases the real client on c2 is still up (no reconnect) and pings"
[ "$(grep -c 'relay session up' "$RLOG")" = 1 ] ||
	fail "the relay client reconnected: $(grep -E 'lost|closed|session up' "$RLOG")"
body=$(nsx "$NS_C1" curl -sS --max-time 10 --socks5-hostname 127.0.0.1:1080 \
	http://www.rvpn.test/hello.txt) || fail "curl through the relay client"
[ "$body" = "$LAB_TOKEN" ] || fail "through the relay client: '$body'"
ok "the relay client on c1 is still up (no reconnect) and relays"
[ "$bad" = 0 ] || fail "$bad of $n cases ended otherwise than the catalog says"
lab_stop "$LAB_PID_c2" || fail "client c2 did not stop cleanly"
lab_stop "$LAB_PID_r1" || fail "relay client r1 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
exit 0
