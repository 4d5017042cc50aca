#!/bin/sh
# rvpn-server killed with SIGKILL and started again: the running clients
# reconnect within their backoff (reconnect_max = 2) and get the SAME
# addresses, though the server keeps no lease file: each client asks for
# its previous address in its handshake and a fresh server grants it when
# it is free (doc/DESIGN.md, rvpn-client(8) RECONNECTING).  c1 holds
# 10.200.0.3 while .2 is free, so the lowest free address would be wrong.
# The restarted server recovers from the crash (one warning), the lease
# table (rvpnctl status) matches the clients, and ping and curl work end
# to end through the tunnel again.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
. "$(dirname "$0")/fault-lib.sh"
fault_trap
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
lab_up
SOCK=$LAB_DIR/server.sock
SLOG=$LAB_DIR/server.log

# "N USED ADDR..." from rvpnctl status: sessions, pool.used, addresses.
status_summary() {
	"$RVPNCTL" -s "$SOCK" status -j | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
s = d["sessions"]
print(len(s), d["pool"]["used"], *sorted(x["address"] for x in s))'
}
status_is() {
	[ "$(status_summary)" = "$1" ]
}
client_conf() {	# NAME URL
	cat >"$LAB_DIR/$1.toml" <<EOT
[client]
server_url = "$2"
server_public_key = "$LAB_SRV_PUB"
identity_key_file = "$LAB_DIR/$1.key"
ca_file = "$LAB_DIR/ca.crt"
reconnect_max = 2
EOT
}
lab_key c3
client_conf c1 "$LAB_URL1"
client_conf c2 "$LAB_URL2"
client_conf c3 "$LAB_URL2"

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
# c3 (split tunnel on rvpn1, no DNS) takes .2, c1 .3, c2 .4; then c3
# leaves: .2 is free.
lab_client_start "$NS_C2" c3 -c "$LAB_DIR/c3.toml" --tun rvpn1 \
	--route 10.99.0.0/24 --no-dns
lab_client_start "$NS_C1" c1 -c "$LAB_DIR/c1.toml"
a1=$(lab_tun_addr "$NS_C1")
lab_client_start "$NS_C2" c2x -c "$LAB_DIR/c2.toml"
a2=$(nsx "$NS_C2" ip -o -4 addr show dev rvpn0 | awk '{ split($4, a, "/"); print a[1] }')
lab_stop "$LAB_PID_c3" || fail "c3 stop"
[ "$a1" = 10.200.0.3 ] && [ "$a2" = 10.200.0.4 ] ||
	fail "addresses c1 '$a1' c2 '$a2', want 10.200.0.3 and .4"
lab_wait_cmd 10 status_is "2 2 10.200.0.3 10.200.0.4"
s=$(status_summary)
[ "$s" = "2 2 10.200.0.3 10.200.0.4" ] || fail "status before: $s"
pid1=$LAB_PID_c1 pid2=$LAB_PID_c2x
ok "c1 $a1, c2 $a2, 10.200.0.2 free; status: $s"

f1=$(lab_log_next "$LAB_DIR/client-c1.log")
f2=$(lab_log_next "$LAB_DIR/client-c2x.log")
kill -KILL "$LAB_SERVER_PID"
wait "$LAB_SERVER_PID" 2>/dev/null
nsx "$NS_SRV" ip link show "$LAB_TUN" >/dev/null 2>&1 &&
	fail "the TUN outlived the server"
LAB_LOG_FROM=$f1 lab_wait_log "$LAB_DIR/client-c1.log" "lost|reconnecting" ||
	fail "c1 did not notice the crash"
nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" >/dev/null 2>&1 &&
	fail "traffic passed while the server was dead"
ok "server killed: clients notice, nothing passes"

lab_server_start "$LAB_DIR/server.toml"
n=$(tail -n +"$LAB_SERVER_FROM" "$SLOG" |
	grep -c "WARN rvpn_server: recovering from an unclean stop")
[ "$n" = 1 ] || fail "$n recovery warnings, want 1"
LAB_LOG_FROM=$f1 lab_wait_log "$LAB_DIR/client-c1.log" "tunnel up: $a1/" 30 \
	"$pid1" || fail "c1 did not rejoin with $a1"
LAB_LOG_FROM=$f2 lab_wait_log "$LAB_DIR/client-c2x.log" "tunnel up: $a2/" 30 \
	"$pid2" || fail "c2 did not rejoin with $a2"
tail -n +"$f1" "$LAB_DIR/client-c1.log" | grep "tunnel up" |
	grep -v "tunnel up: $a1/" && fail "c1 was up with another address first"
kill -0 "$pid1" && kill -0 "$pid2" || fail "a client exited"
s=$(status_summary)
[ "$s" = "2 2 10.200.0.3 10.200.0.4" ] || fail "status after: $s"
ok "both clients rejoined with their addresses (same PIDs); status: $s"

lab_wait_cmd 10 nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" ||
	fail "c1: no ping after the restart"
nsx "$NS_C1" curl -sf --max-time 5 "http://$LAB_NET/hello.txt" |
	grep -qx "$LAB_TOKEN" || fail "c1: no curl after the restart"
lab_wait_cmd 10 nsx "$NS_C2" ping -c 1 -W 1 "$LAB_NET" ||
	fail "c2: no ping after the restart"
ok "ping and curl through the tunnel after the crash"

lab_stop "$pid1" || fail "c1 stop"
lab_stop "$pid2" || fail "c2 stop"
lab_wait_cmd 10 status_is "0 0" || fail "sessions left: $(status_summary)"
s=$(status_summary)
[ "$s" = "0 0" ] || fail "status at the end: $s"
lab_server_stop || fail "server stop"
nsx "$NS_SRV" nft list tables | grep -q "rvpn_$LAB_TUN" && fail "nft table left"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 0 ] || fail "ip_forward left"
ok "clean stop: no session, lease, table or forwarding left"
fault_all_gone
exit 0
