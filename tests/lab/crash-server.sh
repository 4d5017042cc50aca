#!/bin/sh
# A server killed with SIGKILL while NAT is on leaves its nft table and
# ip_forward = 1 behind; the next start undoes both (from the undo record
# written before the change, <tun>.state next to the control socket),
# says so in one warning, and a clean stop then leaves ip_forward as it
# was before the first start.  The table is the instance's own
# (rvpn_<tun>): another instance's table is never touched.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init
command -v nft >/dev/null 2>&1 || skip "no nft"
lab_up

state=$LAB_DIR/$LAB_TUN.state
table=rvpn_$LAB_TUN
fwd() { nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward; }
has_table() { nsx "$NS_SRV" nft list tables | grep -qx "table inet $1"; }

# Another server on this host, on another TUN.
nsx "$NS_SRV" nft add table inet rvpn_rvt9 || fail "other table"
[ "$(fwd)" = 0 ] || fail "lab: ip_forward not 0"

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
[ "$(fwd)" = 1 ] || fail "ip_forward not on while running"
has_table "$table" || fail "no table $table while running"
[ "$(stat -c %a "$state" 2>/dev/null)" = 600 ] ||
	fail "no undo record $state (0600) while running"
grep -qx "ip_forward 0" "$state" || fail "undo record: $(cat "$state")"
ok "running: table $table, ip_forward 1, undo record 0600"

kill -KILL "$LAB_SERVER_PID"
wait "$LAB_SERVER_PID" 2>/dev/null
[ "$(fwd)" = 1 ] && has_table "$table" && [ -s "$state" ] ||
	fail "SIGKILL did not leave the state this test is about"
ok "SIGKILL left ip_forward 1, the table and the record"

lab_server_start "$LAB_DIR/server.toml"
n=$(tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log" |
	grep -c "WARN rvpn_server: recovering from an unclean stop")
[ "$n" = 1 ] || fail "$n recovery warnings, want 1"
tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log" | grep "recovering" |
	grep -q "deleted table inet $table, restored net.ipv4.ip_forward = 0" ||
	fail "recovery line: $(grep recovering "$LAB_DIR/server.log")"
[ "$(fwd)" = 1 ] || fail "ip_forward not on in the second run"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
nsx "$NS_C1" curl -sf --max-time 5 "http://$LAB_NET/hello.txt" >/dev/null ||
	fail "no traffic through the second run"
lab_stop "$LAB_PID_c1"
lab_server_stop || fail "server did not stop cleanly"
[ "$(fwd)" = 0 ] || fail "ip_forward is $(fwd) after start, kill -9, start, stop"
has_table "$table" && fail "table $table left"
[ -e "$state" ] && fail "undo record left"
has_table rvpn_rvt9 || fail "the other instance's table was deleted"
ok "start, kill -9, start, stop: ip_forward 0, no table, other instance kept"

# A crash, then a start with nat_enabled = false: still undone.
lab_server_start "$LAB_DIR/server.toml"
kill -KILL "$LAB_SERVER_PID"
wait "$LAB_SERVER_PID" 2>/dev/null
LAB_NAT=false lab_server_config "$LAB_DIR/server-nonat.toml"
lab_server_start "$LAB_DIR/server-nonat.toml"
[ "$(fwd)" = 0 ] || fail "nat_enabled = false after a crash: ip_forward $(fwd)"
has_table "$table" && fail "nat_enabled = false after a crash: table left"
lab_server_stop || fail "server stop"
[ -e "$state" ] && fail "undo record left"
ok "a crash then nat_enabled = false: recovered too"
exit 0
