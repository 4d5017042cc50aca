#!/bin/sh
# rvpn's forward rules with nat_enabled: connections from the clients go
# out and their replies come back, but nothing new gets in toward the
# tunnel (the old "ct state established,related accept" had no effect
# under policy accept); a packet the server's kernel routes from the TUN
# back into it is dropped while client_to_client = false and passes once
# a reload sets it true.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v nft >/dev/null 2>&1 || skip "no nft"
lab_up

table=rvpn_$LAB_TUN
rules() { nsx "$NS_SRV" nft list table inet "$table"; }

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
a1=$(lab_tun_addr "$NS_C1")
nsx "$NS_C1" curl -sf --max-time 5 "http://$LAB_NET/hello.txt" >/dev/null ||
	fail "client -> internet through NAT"
ok "client -> internet: out and back"

# The internet host learns a route to the tunnel range (as a LAN host
# would): a new connection toward a client must still not get in.
nsx "$NS_NET" ip route add 10.200.0.0/24 via "$LAB_SRV_NET" || fail "route"
nsx "$NS_NET" ping -c 2 -W 1 "$a1" >/dev/null 2>&1 &&
	fail "the internet host reached client $a1 (new connection inward)"
rules | grep -Eq "oifname \"$LAB_TUN\" counter packets [1-9][0-9]* bytes [0-9]+ drop" ||
	fail "inward drop not counted: $(rules)"
ok "internet -> client: new connections dropped and counted"

# Tunnel to tunnel through the server's kernel: a route into the TUN for
# a range outside dhcp_range, pinged by c1.
nsx "$NS_SRV" ip route add 10.201.0.0/24 dev "$LAB_TUN" || fail "route"
nsx "$NS_C1" ping -c 2 -W 1 10.201.0.9 >/dev/null 2>&1
rules | grep -Eq "iifname \"$LAB_TUN\" oifname \"$LAB_TUN\" counter packets [1-9][0-9]* bytes [0-9]+ drop" ||
	fail "tun -> tun not dropped: $(rules)"
ok "client_to_client = false: tun -> tun dropped"

LAB_NET_EXTRA="client_to_client = true" lab_server_config "$LAB_DIR/server.toml"
from=$(lab_log_next "$LAB_DIR/server.log")
kill -HUP "$LAB_SERVER_PID"
LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/server.log" "reload: done" ||
	fail "no reload"
rules | grep -Eq "iifname \"$LAB_TUN\" oifname \"$LAB_TUN\" counter packets 0 bytes 0 accept" ||
	fail "reload did not change the rule: $(rules)"
nsx "$NS_C1" ping -c 2 -W 1 10.201.0.9 >/dev/null 2>&1
rules | grep -Eq "iifname \"$LAB_TUN\" oifname \"$LAB_TUN\" counter packets [1-9][0-9]* bytes [0-9]+ accept" ||
	fail "tun -> tun not accepted after the reload: $(rules)"
nsx "$NS_NET" ping -c 2 -W 1 "$a1" >/dev/null 2>&1 &&
	fail "client_to_client = true let new connections in"
ok "reload to client_to_client = true: tun -> tun accepted, inward still dropped"
lab_stop "$LAB_PID_c1"
lab_server_stop || fail "server stop"
exit 0
