#!/bin/sh
# While running, the server has its TUN, route, nft table and
# ip_forward=1, and the client its changed resolv.conf; after both stop
# (SIGTERM) none of it is left.  With nat_enabled = false the server
# touches no netfilter state at all.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

resolv_before=$(cat "/etc/netns/$NS_C1/resolv.conf")
lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)

nsx "$NS_SRV" ip link show "$LAB_TUN" >/dev/null 2>&1 || fail "no TUN while running"
nsx "$NS_SRV" ip -4 route show 10.200.0.0/24 | grep -q "dev $LAB_TUN" ||
	fail "no tunnel route while running"
nsx "$NS_SRV" nft list tables | grep -qx "table inet rvpn_$LAB_TUN" || fail "no nft table while running"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 1 ] || fail "ip_forward not on"
[ "$(cat "/etc/netns/$NS_C1/resolv.conf")" != "$resolv_before" ] ||
	fail "client did not change resolv.conf"
ok "running: TUN, route, nft table, ip_forward and client DNS in place"

lab_stop "$LAB_PID_c1" || fail "client did not stop on SIGTERM"
[ "$(cat "/etc/netns/$NS_C1/resolv.conf")" = "$resolv_before" ] ||
	fail "client left resolv.conf changed"
[ -z "$(nsx "$NS_C1" ip -o link show type tun)" ] || fail "client left a TUN"
lab_server_stop || fail "server did not stop on SIGTERM"
grep -q "INFO rvpn_server: shutting down" "$LAB_DIR/server.log" || fail "no shutdown line"
[ -z "$(nsx "$NS_SRV" ip -o link show type tun)" ] || fail "server left a TUN"
[ -z "$(nsx "$NS_SRV" ip -4 route show 10.200.0.0/24)" ] || fail "route left"
[ -z "$(nsx "$NS_SRV" nft list tables)" ] ||
	fail "nft tables left: $(nsx "$NS_SRV" nft list tables)"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 0 ] || fail "ip_forward not restored"
ok "stopped: no TUN, route or nft table; ip_forward and resolv.conf restored"

# nat_enabled = false: no table, ip_forward untouched, and so no way out.
LAB_NAT=false lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
[ -z "$(nsx "$NS_SRV" nft list tables)" ] || fail "nat_enabled=false made a table"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 0 ] || fail "ip_forward changed"
nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" >/dev/null 2>&1 &&
	fail "traffic got out without NAT and forwarding"
nsx "$NS_C1" ping -c 1 -W 2 10.200.0.1 >/dev/null 2>&1 ||
	fail "the server's tunnel address does not answer"
lab_stop "$LAB_PID_c1"
lab_server_stop || fail "server stop"
[ -z "$(nsx "$NS_SRV" ip -o link show type tun)" ] || fail "server left a TUN"
ok "nat_enabled = false: netfilter and ip_forward untouched"
exit 0
