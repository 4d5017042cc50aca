#!/bin/sh
# The drop counters of rvpnctl stats, each provoked for real and seen to
# grow by exactly what was sent while every other counter stays put:
#  - no_route: c1 (client_to_client on) pings a pool address no session
#    holds: +5.  tun_no_route: the server host pings one: +3.
#  - header: three malformed inner packets from a session
#    (tests/lab/badinput.py through rvpn-load --inject): +3.
#  - tun_write: the server's TUN set down (the kernel refuses writes to
#    a TUN that is not up, EIO): c1's 4 pings to the internet host: +4;
#    back up, the pings go through again.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
LOAD=${RVPN_LOAD:-$top_builddir/bench/rvpn-load}
lab_init "$RVPN_CLIENT" "$RVPNCTL" "$LOAD"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
lab_up
SOCK=$LAB_DIR/server.sock

LAB_SERVER_EXTRA='max_pending_per_source = 0
handshake_rate_per_source = 0' LAB_NET_EXTRA='client_to_client = true' \
	lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)

# Every drop counter, "key=value" sorted, on one line.
drops() {
	"$RVPNCTL" -s "$SOCK" stats -j >"$LAB_DIR/stats.json" ||
		fail "stats -j failed"
	"$PY" -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(" ".join("%s=%d" % kv for kv in sorted(s["drops"].items())))' \
		"$LAB_DIR/stats.json" || fail "stats -j: $(cat "$LAB_DIR/stats.json")"
}
# One counter from a drops line.
get() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
# expect BEFORE KEY N: now KEY is BEFORE's + N and nothing else moved.
moved() {
	local before=$1 key=$2 n=$3 now want
	now=$(drops)
	want=$(echo "$before" | tr ' ' '\n' | awk -F= -v k="$key" -v n="$n" \
		'$1 == k { $2 += n } { printf "%s%s=%s", s, $1, $2; s = " " }')
	[ "$now" = "$want" ]
}
expect() {
	lab_wait_cmd "$LAB_TIMEOUT" moved "$@" ||
		fail "$2 +$3 and nothing else: before '$1', now '$(drops)'"
}

d0=$(drops)
for k in no_route header tun_write tun_no_route; do
	[ -n "$(get "$d0" $k)" ] || fail "no $k counter: $d0"
done
[ "$(echo "$d0" | tr ' ' '\n' | grep -cv '=0$')" = 0 ] ||
	fail "a fresh server with one client has drops: $d0"

# no_route: a pool address nobody holds, from a client.
c1addr=$(lab_tun_addr "$NS_C1")
nobody=10.200.0.77
[ "$c1addr" != "$nobody" ] || nobody=10.200.0.78
nsx "$NS_C1" ping -c 5 -i 0.2 -W 1 "$nobody" >/dev/null 2>&1 &&
	fail "$nobody answered"
expect "$d0" no_route 5
ok "no_route: 5 pings from c1 to $nobody (no session): +5, nothing else"

# tun_no_route: the same from the server host, through its TUN.
d1=$(drops)
nsx "$NS_SRV" ping -c 3 -i 0.2 -W 1 "$nobody" >/dev/null 2>&1 &&
	fail "$nobody answered the server"
expect "$d1" tun_no_route 3
ok "tun_no_route: 3 pings from the server to $nobody: +3, nothing else"

# header: malformed inner packets from an authenticated session.
d2=$(drops)
for p in 5500001c000000004011000000000000c61200020000000000000000 \
    4400001c000000004011000000000000c61200020000000000000000 \
    45000064000000004011000000000000c61200020000000000000000; do
	got=$(nsx "$NS_C2" "$PY" "$top_srcdir/tests/lab/badinput.py" \
		--host "$LAB_SRV_C2" --url "$LAB_URL2" --key "$LAB_SRV_PUB" \
		--ca "$LAB_DIR/ca.crt" --load "$LOAD" --wait 1 pkt "$p")
	[ "$got" = up ] || fail "bad packet $p: '$got', want 'up'"
done
expect "$d2" header 3
ok "header: version 5, IHL 4, total length past the end: +3, nothing else"

# tun_write: the server's TUN down; the kernel refuses the writes.
nsx "$NS_C1" ping -c 2 -W 2 "$LAB_NET" >/dev/null || fail "c1 ping before"
d3=$(drops)
nsx "$NS_SRV" ip link set "$LAB_TUN" down || fail "TUN down"
nsx "$NS_C1" ping -c 4 -i 0.2 -W 1 "$LAB_NET" >/dev/null 2>&1 &&
	fail "a ping went through a TUN that is down"
expect "$d3" tun_write 4
nsx "$NS_SRV" ip link set "$LAB_TUN" up || fail "TUN up"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" \
	>/dev/null 2>&1 || fail "no ping after the TUN is up again"
[ "$(get "$(drops)" tun_write)" = 4 ] || fail "tun_write: $(drops)"
ok "tun_write: 4 pings while the server's TUN is down: +4, nothing else; up again, they pass"

lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
exit 0
