#!/bin/sh
# rvpn-client killed with SIGKILL.
#  - Its path still up: the kernel closes the TCP connection, the server
#    ends the session at once ("connection closed") and frees the lease.
#  - Its path dead too (the client's packets dropped by nft before and
#    after the kill: a crashed machine, a pulled cable): no FIN arrives,
#    so the server ends the session after the dead-peer timeout (three
#    keepalive periods, keepalive = 1 here: "reason: keepalive timeout")
#    and frees the address; a new client (another key) then gets that
#    address.  rvpnctl status matches at each step.
# Negative: a live client, idle on the same short keepalive, stays up.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
. "$(dirname "$0")/fault-lib.sh"
fault_trap
command -v nft >/dev/null 2>&1 || skip "no nft"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
lab_up
SOCK=$LAB_DIR/server.sock
SLOG=$LAB_DIR/server.log

status_summary() {
	"$RVPNCTL" -s "$SOCK" status -j | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
s = d["sessions"]
print(len(s), d["pool"]["used"], *sorted(x["address"] for x in s))'
}
status_is() {
	[ "$(status_summary)" = "$1" ]
}
# Drop everything on c1's uplink, both ways (inside rvt-c1 only).
cut_c1() {
	nsx "$NS_C1" nft -f - <<EOT || fail "nft cut"
table inet rvtcut {
	chain in { type filter hook input priority -10; iifname "$LAB_IF_C1" drop; }
	chain out { type filter hook output priority -10; oifname "$LAB_IF_C1" drop; }
}
EOT
}
uncut_c1() {
	nsx "$NS_C1" nft delete table inet rvtcut || fail "nft uncut"
}
lab_key c3

LAB_SERVER_EXTRA="keepalive = 1" lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
a1=$(lab_tun_addr "$NS_C1") a2=$(lab_tun_addr "$NS_C2")
[ "$a1" = 10.200.0.2 ] && [ "$a2" = 10.200.0.3 ] || fail "addresses $a1 $a2"
lab_wait_cmd 10 status_is "2 2 $a1 $a2" || fail "status: $(status_summary)"
ok "c1 $a1, c2 $a2"

# --- kill -9, path up: the close arrives.
from=$(lab_log_next "$SLOG")
kill -KILL "$LAB_PID_c1"
wait "$LAB_PID_c1" 2>/dev/null
LAB_LOG_FROM=$from lab_wait_log "$SLOG" "session end: .* $a1 .*reason: connection closed" ||
	fail "no session end for the killed client"
lab_wait_cmd 10 status_is "1 1 $a2" || fail "status: $(status_summary)"
ok "kill -9 with the path up: session ended at once, lease freed"

# --- kill -9 with the path dead: the dead-peer timeout.
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
[ "$(lab_tun_addr "$NS_C1")" = "$a1" ] || fail "c1 did not get $a1 back"
lab_wait_cmd 10 status_is "2 2 $a1 $a2" || fail "status: $(status_summary)"
from=$(lab_log_next "$SLOG")
cut_c1
kill -KILL "$LAB_PID_c1"
wait "$LAB_PID_c1" 2>/dev/null
# Three 1 s keepalives, ticking in whole seconds: bounded by 20 s.
LAB_LOG_FROM=$from lab_wait_log "$SLOG" \
	"session end: .* $a1 .*reason: keepalive timeout" 20 ||
	fail "the dead client's session did not time out"
LAB_LOG_FROM=$from lab_wait_log "$SLOG" "session end: .* $a2 " 1 &&
	fail "the live client's session ended too"
lab_wait_cmd 10 status_is "1 1 $a2" || fail "status: $(status_summary)"
ok "kill -9 with the path dead: keepalive timeout, lease freed"
uncut_c1

# The freed address goes to a new client (another key).
lab_client_start "$NS_C1" c3 --server "$LAB_URL1" --server-key "$LAB_SRV_PUB" \
	--key "$LAB_DIR/c3.key" --ca "$LAB_DIR/ca.crt"
a3=$(lab_tun_addr "$NS_C1")
[ "$a3" = "$a1" ] || fail "the new client got '$a3', want the freed $a1"
lab_wait_cmd 10 status_is "2 2 $a1 $a2" || fail "status: $(status_summary)"
nsx "$NS_C1" curl -sf --max-time 5 "http://$LAB_NET/hello.txt" >/dev/null ||
	fail "no traffic for the new client"
# Negative: c2 stayed up all along (idle, answering keepalives).
n=$(grep -c "session end: .* $a2 " "$SLOG")
[ "$n" = 0 ] || fail "c2's session ended $n times"
grep -q "lost" "$LAB_DIR/client-c2.log" && fail "c2 lost its connection"
ok "a new client got the freed $a1; c2 never dropped"
lab_stop "$LAB_PID_c3" || fail "c3 stop"
lab_stop "$LAB_PID_c2" || fail "c2 stop"
lab_wait_cmd 10 status_is "0 0" || fail "sessions left: $(status_summary)"
ok "all gone: status 0 sessions, 0 leases"
lab_server_stop || fail "server stop"
fault_all_gone
exit 0
