#!/bin/sh
# rvpnctl stats: the server's counters move.  A refused unknown key
# counts under 4001, a session under sessions total/current, its
# traffic under from/to client (also after it ended), and a kick under
# neither (it is not a handshake failure).
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
[ "$(st 's["sessions"]["total"], s["sessions"]["current"], f[4001], len(f)')" = "(0, 0, 0, 14)" ] ||
	fail "fresh server: $(cat "$LAB_DIR/stats.json")"
ok "a fresh server counts nothing; all 14 refusal codes are listed"

lab_client_start "$NS_C1" c1 $(lab_client_args c1)
nsx "$NS_C1" ping -c 5 -i 0.1 -W 2 "$LAB_NET" >/dev/null || fail "c1 ping"
[ "$(st 's["sessions"]["total"], s["sessions"]["current"], s["handshakes"]["ok"]')" = "(1, 1, 1)" ] ||
	fail "one session: $(cat "$LAB_DIR/stats.json")"
[ "$(st 's["from_client"]["packets"] >= 5 and s["to_client"]["packets"] >= 5')" = True ] ||
	fail "traffic not counted: $(cat "$LAB_DIR/stats.json")"
ok "a session counts in sessions and handshakes ok; its packets both ways"

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

# Counters of an ended session stay in the totals.
pk=$(st 's["from_client"]["packets"]')
lab_stop "$LAB_PID_c1"
lab_wait_cmd "$LAB_TIMEOUT" sh -c "'$RVPNCTL' -s '$SOCK' stats | grep -q '^sessions: 1 total, 0 current$'" ||
	fail "session did not end: $("$RVPNCTL" -s "$SOCK" stats)"
[ "$(st 's["from_client"]["packets"]')" -ge "$pk" ] ||
	fail "ended session's packets lost: $(cat "$LAB_DIR/stats.json")"
ok "an ended session's packets stay counted ($pk)"

"$RVPNCTL" -s "$SOCK" stats -x >/dev/null 2>"$LAB_DIR/err" &&
	fail "stats -x accepted"
[ "$(cat "$LAB_DIR/err")" = "usage: rvpnctl [-s socket] stats [-j]" ] ||
	fail "stats -x: $(cat "$LAB_DIR/err")"
ok "stats with an unknown option: usage, exit 1"
exit 0
