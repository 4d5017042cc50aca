#!/bin/sh
# One client end to end: the server's startup lines, an address inside
# dhcp_range, ping and HTTP to the net host through the tunnel, NAT (the
# web server sees 198.18.0.1, never 10.200.0.x), DNS through the pushed
# server.  Negative: without the tunnel nothing gets through; --no-dns
# keeps the placeholder resolver and the name does not resolve.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

# Negative first: no tunnel, no way to the net host (no route back).
nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" >/dev/null 2>&1 &&
	fail "c1 reached $LAB_NET without a tunnel"
ok "without the tunnel c1 cannot reach the net host"

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
for line in "Listening on 0.0.0.0:443" "WebSocket path: /api/v1/ws" \
    "TUN mode enabled" "Server public key: $LAB_SRV_PUB"; do
	grep -qF "INFO rvpn_server: $line" "$LAB_DIR/server.log" ||
		fail "server did not log '$line'"
done
ok "server logs its startup lines"
nsx "$NS_SRV" ip -o -4 addr show dev "$LAB_TUN" | grep -q "inet 10.200.0.1/24" ||
	fail "server TUN lacks 10.200.0.1/24"
ok "server TUN $LAB_TUN has 10.200.0.1/24"

lab_client_start "$NS_C1" c1 $(lab_client_args c1)
addr=$(lab_tun_addr "$NS_C1")
case $addr in
10.200.0.1 | 10.200.0.0 | 10.200.0.255 | "") fail "client address '$addr'" ;;
10.200.0.*) ;;
*) fail "client address '$addr' outside dhcp_range" ;;
esac
grep -q "INFO rvpn_server: session up: .* $addr from $LAB_C1" "$LAB_DIR/server.log" ||
	fail "no 'session up' line for $addr from $LAB_C1"
ok "client got $addr inside dhcp_range; server logged session up"

nsx "$NS_C1" ping -c 3 -W 2 "$LAB_NET" >"$LAB_DIR/ping.out" 2>&1 ||
	fail "ping through the tunnel: $(cat "$LAB_DIR/ping.out")"
ok "ping $LAB_NET through the tunnel"

body=$(nsx "$NS_C1" curl -sf --max-time 10 "http://$LAB_NET/hello.txt") ||
	fail "curl through the tunnel failed"
[ "$body" = "$LAB_TOKEN" ] || fail "curl body '$body'"
ok "HTTP GET through the tunnel returns the known file"

grep -q "^$LAB_SRV_NET .*GET /hello.txt" "$LAB_DIR/http.log" ||
	fail "web server log lacks $LAB_SRV_NET"
grep -q "^10\.200\." "$LAB_DIR/http.log" && fail "web server saw a tunnel address"
ok "NAT: the web server saw $LAB_SRV_NET, never 10.200.0.x"

out=$(nsx "$NS_C1" getent hosts www.rvpn.test) ||
	fail "getent hosts www.rvpn.test failed (resolv.conf: $(cat /etc/netns/$NS_C1/resolv.conf))"
echo "$out" | grep -q "^$LAB_NET " || fail "www.rvpn.test resolved to '$out'"
grep -q "query\[A\] www.rvpn.test from $LAB_SRV_NET" "$LAB_DIR/dnsmasq.log" ||
	fail "dnsmasq did not see the query from $LAB_SRV_NET"
ok "DNS resolves through the pushed server (NATed)"

# Negative: c2 with --no-dns keeps the placeholder resolver.
lab_client_start "$NS_C2" c2 $(lab_client_args c2) --no-dns
grep -q "^nameserver 192.0.2.53" "/etc/netns/$NS_C2/resolv.conf" ||
	fail "--no-dns changed resolv.conf"
nsx "$NS_C2" timeout 10 getent hosts www.rvpn.test >/dev/null 2>&1 &&
	fail "www.rvpn.test resolved without the pushed DNS"
nsx "$NS_C2" ping -c 1 -W 2 "$LAB_NET" >/dev/null 2>&1 ||
	fail "c2 ping through the tunnel"
ok "with --no-dns the name does not resolve (tunnel still works)"

# The client turns IPv6 off on its TUN (the server pushed none), so the
# kernel's router solicitations and MLD reports never reach the server:
# a session that only pinged ends with "drops 0".
a2=$(lab_tun_addr "$NS_C2")
dev2=$(lab_tun_dev "$NS_C2")
[ "$(nsx "$NS_C2" cat "/proc/sys/net/ipv6/conf/$dev2/disable_ipv6")" = 1 ] ||
	fail "IPv6 still on for $dev2"
nsx "$NS_C2" ip -6 addr show dev "$dev2" | grep -q inet6 &&
	fail "$dev2 has an IPv6 address"
lab_stop "$LAB_PID_c2" || fail "c2 did not stop cleanly"
lab_wait_log "$LAB_DIR/server.log" "session end: [^ ]+ $a2 from " ||
	fail "no session end line for $a2"
d=$(sed -n "s/.*session end: [^ ]* $a2 from .* ipv6 ignored \([0-9]*\) drops \([0-9]*\) duration.*/\1 \2/p" \
	"$LAB_DIR/server.log")
[ "$d" = "0 0" ] || fail "c2's session ended with 'ipv6 ignored, drops' '$d'"
ok "a session that only pinged ends with drops 0 (no IPv6 chatter)"
exit 0
