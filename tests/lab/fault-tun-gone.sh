#!/bin/sh
# The TUN device deleted under a running program (`ip link del`): the
# program logs one line "TUN device NAME is gone (read: ...): exiting",
# undoes what it set up and exits with status 1 (systemd's
# Restart=on-failure starts it again), instead of spinning on the dead
# descriptor, which stays readable with EBADFD.  The other side does not
# spin either (CPU time over 3 s stays under 0.5 s), and a restart of the
# program that exited brings the tunnel back.
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
SLOG=$LAB_DIR/server.log
CLOG=$LAB_DIR/client-c1.log
hz=$(getconf CLK_TCK)

# CPU time (ms) PID uses over 3 s.
cpu3() {
	local a b
	a=$(awk '{ print $14 + $15 }' "/proc/$1/stat") || return 1
	sleep 3
	b=$(awk '{ print $14 + $15 }' "/proc/$1/stat") || return 1
	echo $(( (b - a) * 1000 / hz ))
}
# The exit status of PID, which must exit within LAB_TIMEOUT s.
exit_status() {
	lab_wait_exit "$1" || fail "$2 did not exit (busy on the dead TUN?)"
	wait "$1"
}
fwd() { nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward; }

LAB_SERVER_EXTRA="keepalive = 2" lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
a1=$(lab_tun_addr "$NS_C1")
nsx "$NS_C1" curl -sf --max-time 5 "http://$LAB_NET/hello.txt" >/dev/null ||
	fail "no traffic before the fault"
ok "tunnel up, c1 has $a1"

# --- under the server
cfrom=$(lab_log_next "$CLOG")
ip -n "$NS_SRV" link del "$LAB_TUN" || fail "ip link del $LAB_TUN"
exit_status "$LAB_SERVER_PID" rvpn-server
st=$?
[ "$st" = 1 ] || fail "rvpn-server exit status $st, want 1"
n=$(tail -n +"$LAB_SERVER_FROM" "$SLOG" | grep -c "TUN device $LAB_TUN is gone")
[ "$n" = 1 ] || fail "$n 'TUN device $LAB_TUN is gone' lines, want 1"
tail -n +"$LAB_SERVER_FROM" "$SLOG" | grep -q \
	"WARN rvpn_server: TUN device $LAB_TUN is gone (read: .*): exiting" ||
	fail "no clear log line"
[ "$(fwd)" = 0 ] || fail "ip_forward left on"
nsx "$NS_SRV" nft list tables | grep -q "rvpn_$LAB_TUN" && fail "nft table left"
[ -e "$LAB_DIR/server.sock" ] && fail "control socket left"
tail -n +"$LAB_SERVER_FROM" "$SLOG" | sed -n "/is gone/,\$p" |
	grep -v "is gone" | grep -E 'WARN|ERROR' &&
	fail "more server warnings after the TUN went"
ok "server: one line, exit status 1, NAT and forwarding undone"

LAB_LOG_FROM=$cfrom lab_wait_log "$CLOG" "reconnecting" ||
	fail "client did not notice"
kill -0 "$LAB_PID_c1" || fail "client exited with the server"
ms=$(cpu3 "$LAB_PID_c1") || fail "client gone"
[ "$ms" -lt 500 ] || fail "client used $ms ms of CPU in 3 s without a server"
ok "client waits for the server without spinning ($ms ms CPU in 3 s)"

lab_server_start "$LAB_DIR/server.toml"
LAB_LOG_FROM=$cfrom lab_wait_log "$CLOG" "tunnel up: $a1/" 30 \
	"$LAB_PID_c1" || fail "client did not rejoin with $a1"
lab_wait_cmd 10 nsx "$NS_C1" curl -sf --max-time 2 \
	"http://$LAB_NET/hello.txt" || fail "no traffic after the server restart"
ok "restarted server: the same client rejoins with $a1, traffic flows"

# --- under the client
dev=$(lab_tun_dev "$NS_C1")
[ -n "$dev" ] || fail "no client TUN"
ip -n "$NS_C1" link del "$dev" || fail "ip link del $dev"
exit_status "$LAB_PID_c1" rvpn-client
st=$?
[ "$st" = 1 ] || fail "rvpn-client exit status $st, want 1"
n=$(grep -c "TUN device $dev is gone" "$CLOG")
[ "$n" = 1 ] || fail "$n 'TUN device $dev is gone' lines, want 1"
grep -q "WARN rvpn_client: TUN device $dev is gone (read: .*): exiting" "$CLOG" ||
	fail "no clear client log line"
[ "$(cat "/etc/netns/$NS_C1/resolv.conf")" = "nameserver 192.0.2.53" ] ||
	fail "client DNS not restored: $(cat "/etc/netns/$NS_C1/resolv.conf")"
nsx "$NS_C1" ip route show default | grep -q "via $LAB_SRV_C1" ||
	fail "default route not restored: $(nsx "$NS_C1" ip route)"
[ -z "$(lab_tun_addr "$NS_C1")" ] || fail "tunnel address left"
sed -n "/TUN device $dev is gone/,\$p" "$CLOG" | grep -v "is gone" |
	grep -E 'WARN|ERROR' && fail "more warnings after the TUN went"
ok "client: one line, exit status 1, DNS and routes restored"

# The client's exit closed its connection: no session, no lease.
sessions_leases() {
	"$RVPNCTL" -s "$LAB_DIR/server.sock" status -j | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
print(len(d["sessions"]), d["pool"]["used"])'
}
sessions_gone() {
	[ "$(sessions_leases)" = "0 0" ]
}
lab_wait_cmd 10 sessions_gone ||
	fail "server status after the client left: $(sessions_leases)"
ms=$(cpu3 "$LAB_SERVER_PID") || fail "server gone"
[ "$ms" -lt 500 ] || fail "server used $ms ms of CPU in 3 s"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
nsx "$NS_C1" curl -sf --max-time 5 "http://$LAB_NET/hello.txt" >/dev/null ||
	fail "no traffic after the client restart"
ok "server unaffected ($ms ms CPU in 3 s); a restarted client works"
lab_stop "$LAB_PID_c1" || fail "client stop"
lab_server_stop || fail "server stop"
fault_all_gone
exit 0
