#!/bin/sh
# The path between client and server cut (every packet on c1's link
# dropped both ways by nft, as netem loss 100 % would; the links and
# routes stay, so the client's route watcher sees nothing) and restored,
# with neither program restarted (the same PIDs):
#  - short cut (2 s, under the dead-peer timeout of three 3 s keepalives):
#    the session survives (no session end, no reconnect) and traffic
#    flows again;
#  - long cut (30 s): both ends give up on the connection (server:
#    "reason: keepalive timeout", lease freed; client: "lost"), the
#    client keeps retrying within its backoff (reconnect_max = 2) and,
#    once the path is back, rejoins with the same address; ping and curl
#    work and rvpnctl status shows one session, one lease.
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
CLOG=$LAB_DIR/client-c1.log
CUT=${CUT:-30}

status_summary() {
	"$RVPNCTL" -s "$SOCK" status -j | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
s = d["sessions"]
print(len(s), d["pool"]["used"], *sorted(x["address"] for x in s))'
}
status_is() {
	[ "$(status_summary)" = "$1" ]
}
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

LAB_SERVER_EXTRA="keepalive = 3" lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
cat >"$LAB_DIR/c1.toml" <<EOT
[client]
server_url = "$LAB_URL1"
server_public_key = "$LAB_SRV_PUB"
identity_key_file = "$LAB_DIR/c1.key"
ca_file = "$LAB_DIR/ca.crt"
reconnect_max = 2
EOT
lab_client_start "$NS_C1" c1 -c "$LAB_DIR/c1.toml"
pid=$LAB_PID_c1
a1=$(lab_tun_addr "$NS_C1")
lab_wait_cmd 10 status_is "1 1 $a1" || fail "status: $(status_summary)"
nsx "$NS_C1" ping -c 1 -W 2 "$LAB_NET" >/dev/null || fail "no ping before"
ok "c1 up with $a1"

# --- short cut
sfrom=$(lab_log_next "$SLOG") cfrom=$(lab_log_next "$CLOG")
cut_c1
nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" >/dev/null 2>&1 &&
	fail "ping passed the cut"
sleep 1
uncut_c1
lab_wait_cmd 15 nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" ||
	fail "no ping after a short cut"
tail -n +"$sfrom" "$SLOG" | grep "session end" && fail "short cut ended the session"
tail -n +"$cfrom" "$CLOG" | grep -E "lost|reconnect" && fail "short cut: client reconnected"
ok "short cut: the session survived, traffic flows"

# --- long cut
sfrom=$(lab_log_next "$SLOG") cfrom=$(lab_log_next "$CLOG")
cut_c1
t0=$(date +%s)
LAB_LOG_FROM=$sfrom lab_wait_log "$SLOG" \
	"session end: .* $a1 .*reason: keepalive timeout" "$CUT" ||
	fail "server kept the dead session for ${CUT}s"
lab_wait_cmd 10 status_is "0 0" || fail "lease kept: $(status_summary)"
LAB_LOG_FROM=$cfrom lab_wait_log "$CLOG" "lost: .*reconnecting" "$CUT" ||
	fail "client did not notice the dead path in ${CUT}s"
# The rest of the cut: the client keeps retrying, nothing passes.
left=$(( t0 + CUT - $(date +%s) ))
[ "$left" -gt 0 ] && sleep "$left"
nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" >/dev/null 2>&1 && fail "ping passed the cut"
n=$(tail -n +"$cfrom" "$CLOG" | grep -c "reconnecting in")
[ "$n" -ge 2 ] || fail "$n reconnect attempts during a ${CUT}s cut"
ok "long cut (${CUT}s): server freed the session and lease; the client retried $n times"

cfrom2=$(lab_log_next "$CLOG")
uncut_c1
LAB_LOG_FROM=$cfrom2 lab_wait_log "$CLOG" "tunnel up: $a1/" 60 "$pid" ||
	fail "client did not rejoin with $a1 after the cut"
kill -0 "$pid" || fail "client exited"
lab_wait_cmd 10 status_is "1 1 $a1" || fail "status: $(status_summary)"
lab_wait_cmd 10 nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" ||
	fail "no ping after the long cut"
nsx "$NS_C1" curl -sf --max-time 5 "http://$LAB_NET/hello.txt" |
	grep -qx "$LAB_TOKEN" || fail "no curl after the long cut"
ok "path back: the same client (PID $pid) rejoined with $a1, ping and curl work"
lab_stop "$pid" || fail "client stop"
lab_wait_cmd 10 status_is "0 0" || fail "sessions left: $(status_summary)"
ok "client stopped: no session or lease left"
lab_server_stop || fail "server stop"
fault_all_gone
exit 0
