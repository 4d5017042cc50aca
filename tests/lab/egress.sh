#!/bin/sh
# egress_interface: NAT masquerades out of the named interface only.
#  - egress_interface = the uplink (rvt<PID>sn): logged, tunnel traffic
#    reaches the internet host from the server's address.
#  - egress_interface = the link to c2 (rvt<PID>s2), not the way out:
#    logged, the nft table names it, and tunnel traffic leaves the
#    uplink un-NATed (the internet host sees the tunnel source and has
#    no route back), so nothing comes back.
#  - unset: the default route's interface, as before.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up
LOG=$LAB_DIR/server.log

run() {
	local egress=$1
	if [ -n "$egress" ]; then
		LAB_NET_EXTRA="egress_interface = \"$egress\"" \
			lab_server_config "$LAB_DIR/server.toml"
	else
		lab_server_config "$LAB_DIR/server.toml"
	fi
	lab_server_start "$LAB_DIR/server.toml"
	lab_client_start "$NS_C1" c1 $(lab_client_args c1)
}
stop() {
	lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
	lab_server_stop || fail "server did not stop cleanly"
}
nat_line() {
	tail -n +"$LAB_SERVER_FROM" "$LOG" |
		grep -q "INFO rvpn_server: NAT enabled: masquerading 10.200.0.0/24 out of $1\$"
}
web() {
	nsx "$NS_C1" curl -sf --max-time "$1" "http://$LAB_NET/hello.txt"
}

run "$LAB_IF_SN"
nat_line "$LAB_IF_SN" || fail "egress $LAB_IF_SN: $(grep 'NAT enabled' "$LOG")"
[ "$(web 5)" = "$LAB_TOKEN" ] || fail "egress $LAB_IF_SN: no web page"
tail -n 1 "$LAB_DIR/http.log" | grep -q "^$LAB_SRV_NET " ||
	fail "the web server did not see $LAB_SRV_NET: $(tail -n 1 "$LAB_DIR/http.log")"
stop
ok "egress_interface = $LAB_IF_SN: NAT out of it, the web server sees $LAB_SRV_NET"

run "$LAB_IF_S2"
nat_line "$LAB_IF_S2" || fail "egress $LAB_IF_S2: $(grep 'NAT enabled' "$LOG")"
nsx "$NS_SRV" nft list table inet "rvpn_$LAB_TUN" | grep -q "oifname \"$LAB_IF_S2\"" ||
	fail "the nft table does not name $LAB_IF_S2: $(nsx "$NS_SRV" nft list table inet "rvpn_$LAB_TUN")"
web 3 >/dev/null && fail "egress $LAB_IF_S2: the web page came back (NAT out of the uplink?)"
nsx "$NS_C1" ping -c 2 -W 2 "$LAB_NET" >/dev/null 2>&1 &&
	fail "egress $LAB_IF_S2: ping answered"
stop
ok "egress_interface = $LAB_IF_S2: no NAT out of the uplink, nothing comes back"

run ""
nat_line "$LAB_IF_SN" || fail "default egress: $(grep 'NAT enabled' "$LOG")"
[ "$(web 5)" = "$LAB_TOKEN" ] || fail "default egress: no web page"
stop
ok "egress_interface unset: the default route's interface ($LAB_IF_SN)"
exit 0
