#!/bin/sh
# rvpnctl stats: the server's counters move.  A refused unknown key
# counts under 4001, a session under sessions total/current, its
# traffic under from/to client (also after it ended), and a kick under
# neither (it is not a handshake failure).  IPv6 from a client and on
# the server's TUN counts as ignored, not as drops.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
lab_up
SOCK=$LAB_DIR/server.sock

# stats -j through a python expression; "s" is the parsed document.
st() {
	"$RVPNCTL" -s "$SOCK" stats -j >"$LAB_DIR/stats.json" ||
		fail "stats -j failed"
	"$PY" -c 'import json, sys
s = json.load(open(sys.argv[1]))
f = {e["code"]: e["count"] for e in s["handshakes"]["failed"]}
print(eval(sys.argv[2]))' "$LAB_DIR/stats.json" "$1" ||
		fail "stats -j: $(cat "$LAB_DIR/stats.json")"
}

lab_clients_file "$LAB_DIR/clients.toml" c1
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"" \
	lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
[ "$(st 's["sessions"]["total"], s["sessions"]["current"], f[4001], len(f)')" = "(0, 0, 0, 15)" ] ||
	fail "fresh server: $(cat "$LAB_DIR/stats.json")"
ok "a fresh server counts nothing; all 15 refusal codes are listed"

lab_client_start "$NS_C1" c1 $(lab_client_args c1)
nsx "$NS_C1" ping -c 5 -i 0.1 -W 2 "$LAB_NET" >/dev/null || fail "c1 ping"
[ "$(st 's["sessions"]["total"], s["sessions"]["current"], s["handshakes"]["ok"]')" = "(1, 1, 1)" ] ||
	fail "one session: $(cat "$LAB_DIR/stats.json")"
[ "$(st 's["from_client"]["packets"] >= 5 and s["to_client"]["packets"] >= 5')" = True ] ||
	fail "traffic not counted: $(cat "$LAB_DIR/stats.json")"
ok "a session counts in sessions and handshakes ok; its packets both ways"

# IPv6 (not carried: the lab server has no dhcp_range6) from c1's TUN (rvpn-client turns
# IPv6 off there: turn it back on) and into the server's TUN: ignored,
# counted apart, not drops.  Nobody answers the pings.
ipv6_send() {
	nsx "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=0" ||
		fail "$1: cannot enable IPv6 on $2"
	nsx "$1" ip -6 addr add "$3/64" dev "$2" nodad ||
		fail "$1: cannot add $3 to $2"
	nsx "$1" ping -6 -c 3 -i 0.2 -W 1 "$4" >/dev/null 2>&1
	return 0
}
ipv6_counted() {
	[ "$(st 's["ipv6_ignored"] >= 3 and s["tun_ipv6_ignored"] >= 3')" = True ]
}
[ "$(st 'type(s["ipv6_ignored"]) is int and type(s["tun_ipv6_ignored"]) is int')" = True ] ||
	fail "IPv6 counters missing: $(cat "$LAB_DIR/stats.json")"
drops=$(st 'sum(s["drops"].values())')
ipv6_send "$NS_C1" "$(lab_tun_dev "$NS_C1")" fd00:200::2 fd00:200::1
ipv6_send "$NS_SRV" "$LAB_TUN" fd00:201::1 fd00:201::2
lab_wait_cmd "$LAB_TIMEOUT" ipv6_counted ||
	fail "IPv6 not counted: $(cat "$LAB_DIR/stats.json")"
[ "$(st 'sum(s["drops"].values())')" = "$drops" ] ||
	fail "IPv6 counted as drops (were $drops): $(cat "$LAB_DIR/stats.json")"
v6c=$(st 's["ipv6_ignored"]')
"$RVPNCTL" -s "$SOCK" stats >"$LAB_DIR/stats.txt" || fail "stats"
grep -A2 "^IPv6 packets ignored (not carried, not drops):$" \
	"$LAB_DIR/stats.txt" | grep -Eq "^  from clients +$v6c$" ||
	fail "stats text: $(cat "$LAB_DIR/stats.txt")"
grep -Eq "^  from the TUN +[1-9][0-9]*$" "$LAB_DIR/stats.txt" ||
	fail "stats text: $(cat "$LAB_DIR/stats.txt")"
ok "IPv6 from a client ($v6c) and on the TUN counts as ignored, not as drops ($drops)"

# The unknown key c2: refused with 4001, counted there and nowhere else.
lab_client_spawn "$NS_C2" c2 $(lab_client_args c2)
lab_wait_exit "$LAB_PID_c2" "$LAB_TIMEOUT" || fail "c2 was not refused"
[ "$(st 'f[4001], sum(f.values()), s["sessions"]["total"]')" = "(1, 1, 1)" ] ||
	fail "refusal not counted: $(cat "$LAB_DIR/stats.json")"
"$RVPNCTL" -s "$SOCK" stats >"$LAB_DIR/stats.txt" || fail "stats"
grep -Eq "^  4001 unknown key +1$" "$LAB_DIR/stats.txt" ||
	fail "stats text: $(cat "$LAB_DIR/stats.txt")"
grep -q "^sessions: 1 total, 1 current$" "$LAB_DIR/stats.txt" ||
	fail "stats text: $(cat "$LAB_DIR/stats.txt")"
ok "an unknown key counts once under 4001 (JSON and text)"

# A kick ends c1's session: counted neither as a refusal nor as a new
# session or handshake.  Counters of an ended session stay in the totals.
pk=$(st 's["from_client"]["packets"]')
"$RVPNCTL" -s "$SOCK" kick c1 >/dev/null || fail "kick c1"
lab_wait_exit "$LAB_PID_c1" "$LAB_TIMEOUT" || fail "c1 still runs after the kick"
lab_wait_cmd "$LAB_TIMEOUT" sh -c "'$RVPNCTL' -s '$SOCK' stats | grep -q '^sessions: 1 total, 0 current$'" ||
	fail "session did not end: $("$RVPNCTL" -s "$SOCK" stats)"
[ "$(st 's["from_client"]["packets"]')" -ge "$pk" ] ||
	fail "ended session's packets lost: $(cat "$LAB_DIR/stats.json")"
[ "$(st 's["ipv6_ignored"]')" -ge "$v6c" ] ||
	fail "ended session's IPv6 lost: $(cat "$LAB_DIR/stats.json")"
[ "$(st 'f[4001], f[4008], sum(f.values()), s["sessions"]["total"], s["handshakes"]["ok"]')" = "(1, 0, 1, 1, 1)" ] ||
	fail "a kick was counted: $(cat "$LAB_DIR/stats.json")"
"$RVPNCTL" -s "$SOCK" stats >"$LAB_DIR/stats.txt" || fail "stats"
grep -Eq "^  4008 .* +0$" "$LAB_DIR/stats.txt" ||
	fail "stats text after the kick: $(cat "$LAB_DIR/stats.txt")"
ok "a kick counts under neither refusals (4008: 0) nor sessions or handshakes"
ok "an ended session's packets stay counted ($pk, IPv6 $v6c)"

"$RVPNCTL" -s "$SOCK" stats -x >/dev/null 2>"$LAB_DIR/err" &&
	fail "stats -x accepted"
[ "$(cat "$LAB_DIR/err")" = "usage: rvpnctl [-s socket] stats [-j]" ] ||
	fail "stats -x: $(cat "$LAB_DIR/err")"
ok "stats with an unknown option: usage, exit 1"
exit 0
