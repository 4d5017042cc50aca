#!/bin/sh
# IPv6 through the tunnel (dhcp_range6 = "fd10:200::/64"): each client
# gets one IPv4 and one IPv6 address in range, ::/1 and 8000::/1 through
# its TUN and no IPv6 block; with nat_enabled, ping -6, curl -6 and a
# name with only an AAAA record reach the internet host through the
# tunnel, which sees the server's address (NAT66), and IPv6 forwarding
# is on while the server runs and restored after; IPv6 to each tunnel
# address reaches only
# its owner; clients are isolated over IPv6 too; a forged IPv6 source is
# dropped and counted and client 2 is unaffected.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

R6=fd10:200::
# The only name server pushed is an IPv6 one (dns_servers may hold both).
LAB_NET_EXTRA="dhcp_range6 = \"$R6/64\"" lab_server_config "$LAB_DIR/server.toml"
sed -i "s/^dns_servers = .*/dns_servers = [\"$LAB_NET6\"]/" "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
nsx "$NS_SRV" ip -6 addr show dev "$LAB_TUN" | grep -q "inet6 ${R6}1/64" ||
	fail "server TUN has no ${R6}1/64: $(nsx "$NS_SRV" ip -6 addr show dev "$LAB_TUN")"
ok "the server's TUN has ${R6}1/64"

# shellcheck disable=SC2046
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
# shellcheck disable=SC2046
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
a1=$(lab_tun_addr "$NS_C1"); a2=$(lab_tun_addr "$NS_C2")
b1=$(lab_tun_addr6 "$NS_C1"); b2=$(lab_tun_addr6 "$NS_C2")
dev1=$(lab_tun_dev "$NS_C1")
case $a1 in 10.200.0.*) ;; *) fail "c1 IPv4 '$a1'" ;; esac
case $b1 in "$R6"*) ;; *) fail "c1 IPv6 '$b1'" ;; esac
case $b2 in "$R6"*) ;; *) fail "c2 IPv6 '$b2'" ;; esac
[ "$b1" != "$b2" ] || fail "both clients got $b1"
[ "$(nsx "$NS_C1" ip -o -6 addr show scope global | grep -c "$R6")" = 1 ] ||
	fail "c1 has not exactly one tunnel IPv6 address"
# The IPv6 host number follows the IPv4 one (10.200.0.N / fd10:200::N).
[ "${b1#"$R6"}" = "$(printf %x "${a1##*.}")" ] || fail "c1 pair $a1 / $b1"
grep -q "tunnel up: $a1/24 via .* dns $LAB_NET6 address6 $b1/64" "$LAB_DIR/client-c1.log" ||
	fail "tunnel up line: $(grep 'tunnel up' "$LAB_DIR/client-c1.log")"
grep -q "session up: c1 $a1 from $LAB_C1 address6 $b1" "$LAB_DIR/server.log" ||
	grep -Eq "session up: [^ ]+ $a1 from $LAB_C1 address6 $b1\$" "$LAB_DIR/server.log" ||
	fail "session up line: $(grep 'session up' "$LAB_DIR/server.log")"
for r in ::/1 8000::/1; do
	nsx "$NS_C1" ip -6 route show "$r" | grep -q "dev $dev1" ||
		fail "c1: no $r dev $dev1: $(nsx "$NS_C1" ip -6 route show)"
done
nsx "$NS_C1" ip -6 route show | grep -q '^unreachable' &&
	fail "c1 blocks IPv6 although the server pushed IPv6"
grep -q "IPv6 blocked" "$LAB_DIR/client-c1.log" && fail "c1 logged a block"
ok "c1 $a1 + $b1, c2 $a2 + $b2; ::/1 and 8000::/1 via $dev1; no block"

nsx "$NS_C1" ping -6 -c 3 -i 0.2 -W 2 "${R6}1" >/dev/null ||
	fail "c1 cannot ping the server's ${R6}1"
ok "c1 pings the server's tunnel address ${R6}1"

# NAT66: the internet host has no route back to $R6/64.
[ "$(nsx "$NS_SRV" sysctl -n net.ipv6.conf.all.forwarding)" = 1 ] ||
	fail "IPv6 forwarding not on in the server"
nsx "$NS_SRV" nft list ruleset >"$LAB_DIR/ruleset"
grep -q "ip6 saddr $R6/64 oifname \"$LAB_IF_SN\" masquerade" "$LAB_DIR/ruleset" ||
	fail "no NAT66 rule: $(cat "$LAB_DIR/ruleset")"
grep -q 'maxseg size set 1340' "$LAB_DIR/ruleset" ||
	fail "no IPv6 MSS clamp (1400 - 60): $(cat "$LAB_DIR/ruleset")"
nsx "$NS_C1" ping -6 -c 3 -i 0.2 -W 2 "$LAB_NET6" >/dev/null ||
	fail "c1: ping -6 $LAB_NET6"
before=$(grep -c "^$LAB_SRV_NET6 " "$LAB_DIR/http6.log")
got=$(nsx "$NS_C1" curl -6 -sf --max-time 5 "http://[$LAB_NET6]/hello.txt") ||
	fail "c1: curl -6 http://[$LAB_NET6]/"
[ "$got" = "$LAB_TOKEN" ] || fail "curl -6: '$got'"
[ "$(grep -c "^$LAB_SRV_NET6 " "$LAB_DIR/http6.log")" -gt "$before" ] ||
	fail "the web server did not see the server's $LAB_SRV_NET6: $(tail -3 "$LAB_DIR/http6.log")"
grep -q "^$LAB_U1_6 " "$LAB_DIR/http6.log" &&
	fail "c1's own uplink address reached the web server"
grep -q "^$b1 " "$LAB_DIR/http6.log" && fail "the tunnel address was not NATed"
grep -q "^nameserver $LAB_NET6\$" "/etc/netns/$NS_C1/resolv.conf" ||
	fail "c1's resolv.conf lacks the IPv6 name server: $(cat "/etc/netns/$NS_C1/resolv.conf")"
nsx "$NS_C1" getent ahostsv6 v6.rvpn.test | grep -q "^$LAB_NET6 " ||
	fail "no AAAA for v6.rvpn.test through the tunnel DNS"
nsx "$NS_C1" getent ahostsv4 v6.rvpn.test >/dev/null &&
	fail "v6.rvpn.test has an A record: the test proves nothing"
got=$(nsx "$NS_C1" curl -sf --max-time 5 "http://v6.rvpn.test/hello.txt") ||
	fail "c1: curl http://v6.rvpn.test/ (AAAA only)"
[ "$got" = "$LAB_TOKEN" ] || fail "AAAA-only name: '$got'"
grep -q "query\[AAAA\] v6.rvpn.test from $LAB_SRV_NET6" "$LAB_DIR/dnsmasq.log" ||
	fail "the AAAA query did not reach dnsmasq over IPv6 via NAT66: $(tail -5 "$LAB_DIR/dnsmasq.log")"
ok "ping -6, curl -6 and an AAAA-only name (asked of the pushed IPv6 name server) through the tunnel; the web server sees $LAB_SRV_NET6 (NAT66)"

rxp() {
	nsx "$1" cat "/sys/class/net/$(lab_tun_dev "$1")/statistics/rx_packets"
}
for target in 1 2; do
	if [ $target = 1 ]; then dst=$b1; else dst=$b2; fi
	r1=$(rxp "$NS_C1"); r2=$(rxp "$NS_C2")
	nsx "$NS_SRV" ping -6 -c 20 -i 0.05 -W 5 "$dst" >"$LAB_DIR/ping.out" 2>&1 ||
		fail "server -> $dst: $(tail -3 "$LAB_DIR/ping.out")"
	# The 20 may still be on their way (a loaded machine): wait for
	# them at the owner's TUN, not for a time.
	if [ $target = 1 ]; then own=$NS_C1; r=$r1; else own=$NS_C2; r=$r2; fi
	lab_wait_cmd "$LAB_TIMEOUT" eval '[ $(( $(rxp "$own") - r )) -ge 20 ]'
	d1=$(( $(rxp "$NS_C1") - r1 )); d2=$(( $(rxp "$NS_C2") - r2 ))
	if [ $target = 1 ]; then mine=$d1; other=$d2; else mine=$d2; other=$d1; fi
	[ "$mine" -ge 20 ] || fail "owner of $dst got $mine packets"
	[ "$other" -eq 0 ] || fail "the other client got $other packets for $dst"
	ok "20 IPv6 pings to $dst reached its owner only ($mine vs $other)"
done

# Isolation over IPv6: c1 -> c2 dropped and counted.
r2=$(rxp "$NS_C2")
nsx "$NS_C1" ping -6 -c 3 -i 0.2 -W 1 "$b2" >/dev/null 2>&1 &&
	fail "c1 reached c2 over IPv6 with client_to_client = false"
lab_server_dump >"$LAB_DIR/dump.out"
grep -Eq "session .* $a1 .* c2c [3-9]" "$LAB_DIR/dump.out" ||
	fail "IPv6 c2c drops not counted: $(cat "$LAB_DIR/dump.out")"
[ "$(rxp "$NS_C2")" -eq "$r2" ] || fail "c2's TUN got packets from c1"
ok "client_to_client = false: c1 -> c2 over IPv6 dropped and counted"

# A forged IPv6 source: a second address on c1's TUN.
nsx "$NS_C1" ip -6 addr add "${R6}beef/128" dev "$dev1" nodad ||
	fail "ip -6 addr add"
r2=$(rxp "$NS_C2")
nsx "$NS_C1" ping -6 -c 5 -i 0.2 -W 1 -I "${R6}beef" "${R6}1" \
	>/dev/null 2>&1 && fail "a forged-source IPv6 ping was answered"
nsx "$NS_C1" ping -6 -c 5 -i 0.2 -W 1 -I "${R6}beef" "$b2" \
	>/dev/null 2>&1 && fail "a forged-source IPv6 ping reached c2"
lab_server_dump >"$LAB_DIR/dump2.out"
n=$(sed -n "s/.* $a1 .* drops source \([0-9]*\) .*/\1/p" "$LAB_DIR/dump2.out")
[ -n "$n" ] && [ "$n" -ge 10 ] ||
	fail "forged IPv6 not counted (source '$n'): $(cat "$LAB_DIR/dump2.out")"
[ "$(rxp "$NS_C2")" -eq "$r2" ] || fail "c2's TUN got forged packets"
nsx "$NS_C2" ping -6 -c 3 -i 0.2 -W 2 "${R6}1" >/dev/null ||
	fail "c2 affected: cannot ping ${R6}1"
grep -Eq "session .* $a2 .* drops source 0 " "$LAB_DIR/dump2.out" ||
	fail "c2 counted source drops: $(cat "$LAB_DIR/dump2.out")"
ok "forged IPv6 source dropped and counted ($n); c2 unaffected"

lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_stop "$LAB_PID_c2" || fail "c2 did not stop cleanly"
nsx "$NS_C1" ip -6 route show | grep -Eq '^(::/1|8000::/1|unreachable)' &&
	fail "c1 left IPv6 routes: $(nsx "$NS_C1" ip -6 route show)"
lab_server_stop || fail "server did not stop cleanly"
[ -z "$(nsx "$NS_SRV" ip -6 route show | grep "$R6")" ] ||
	fail "server left $R6 routes"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv6.conf.all.forwarding)" = 0 ] ||
	fail "IPv6 forwarding not restored"
[ -z "$(nsx "$NS_SRV" nft list tables)" ] || fail "nft table left"
ok "stopped: no IPv6 tunnel routes or nft table left, IPv6 forwarding restored"

# A crash leaves IPv6 forwarding on; the next start restores it from the
# undo record, and a clean stop leaves it as it was.
fwd6() { nsx "$NS_SRV" sysctl -n net.ipv6.conf.all.forwarding; }
lab_server_start "$LAB_DIR/server.toml"
grep -qx "ip6_forward 0" "$LAB_DIR/$LAB_TUN.state" ||
	fail "undo record: $(cat "$LAB_DIR/$LAB_TUN.state")"
kill -KILL "$LAB_SERVER_PID"
wait "$LAB_SERVER_PID" 2>/dev/null
[ "$(fwd6)" = 1 ] || fail "SIGKILL: IPv6 forwarding already off"
LAB_NAT=false LAB_NET_EXTRA="dhcp_range6 = \"$R6/64\"" \
	lab_server_config "$LAB_DIR/server-nonat.toml"
lab_server_start "$LAB_DIR/server-nonat.toml"
tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log" | grep "recovering" |
	grep -q "restored net.ipv6.conf.all.forwarding = 0" ||
	fail "recovery line: $(grep recovering "$LAB_DIR/server.log")"
[ "$(fwd6)" = 0 ] || fail "IPv6 forwarding not restored after the crash"
lab_server_stop || fail "server did not stop cleanly"
[ "$(fwd6)" = 0 ] || fail "IPv6 forwarding changed by nat_enabled = false"
ok "kill -9: the next start restores IPv6 forwarding (0)"

# bind_address = "[::]:443": one dual-stack listener.  c1 comes over
# IPv6 (wss://[2001:db8:1::1]/...), c2 over IPv4; rvpnctl status shows
# both remotes and both inner addresses, and validates.
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
sed 's/^bind_address = .*/bind_address = "[::]:443"/' "$LAB_DIR/server.toml" \
	>"$LAB_DIR/server-dual.toml"
lab_server_start "$LAB_DIR/server-dual.toml"
tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log" |
	grep -q "Listening on \[::\]:443" || fail "no listen line for [::]:443"
lab_client_start "$NS_C1" c1 --server "wss://[$LAB_SRV_C1_6]/api/v1/ws" \
	--server-key "$LAB_SRV_PUB" --key "$LAB_DIR/c1.key" --ca "$LAB_DIR/ca.crt"
# shellcheck disable=SC2046
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
a1=$(lab_tun_addr "$NS_C1"); b1=$(lab_tun_addr6 "$NS_C1")
a2=$(lab_tun_addr "$NS_C2"); b2=$(lab_tun_addr6 "$NS_C2")
tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log" |
	grep -q "session up: [^ ]* $a1 from $LAB_C1_6 address6 $b1\$" ||
	fail "c1 over IPv6: $(grep 'session up' "$LAB_DIR/server.log")"
tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log" |
	grep -q "session up: [^ ]* $a2 from $LAB_C2 address6 $b2\$" ||
	fail "c2 over IPv4 to [::]: $(grep 'session up' "$LAB_DIR/server.log")"
nsx "$NS_C1" ip -6 route show "$LAB_SRV_C1_6/128" | grep -q "dev $LAB_IF_C1" ||
	fail "c1: no host route to $LAB_SRV_C1_6: $(nsx "$NS_C1" ip -6 route show)"
nsx "$NS_C1" curl -6 -sf --max-time 5 -o /dev/null "http://[$LAB_NET6]/hello.txt" ||
	fail "c1 over an IPv6 transport: no IPv6 through the tunnel"
nsx "$NS_C1" curl -sf --max-time 5 -o /dev/null "http://$LAB_NET/hello.txt" ||
	fail "c1 over an IPv6 transport: no IPv4 through the tunnel"
ok "[::]:443: c1 over IPv6 ($LAB_C1_6), c2 over IPv4; host route to $LAB_SRV_C1_6; both families flow"

"$RVPNCTL" -s "$LAB_DIR/server.sock" status -j >"$LAB_DIR/status.json" ||
	fail "rvpnctl status -j"
"$PY" - "$top_srcdir/doc/rvpnctl-status.schema.json" "$LAB_DIR/status.json" \
	"$a1" "$b1" "$LAB_C1_6" "$a2" "$b2" "$LAB_C2" <<'PYEOF' ||
import json, sys
schema, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
try:
    import jsonschema
    jsonschema.Draft202012Validator(schema,
        format_checker=jsonschema.FormatChecker()).validate(doc)
except ImportError:
    pass
a1, b1, r1, a2, b2, r2 = sys.argv[3:9]
rows = {s["address"]: s for s in doc["sessions"]}
assert rows[a1]["address6"] == b1 and rows[a1]["remote"] == r1, rows[a1]
assert rows[a2]["address6"] == b2 and rows[a2]["remote"] == r2, rows[a2]
assert doc["pool6_used"] == 2, doc["pool6_used"]
PYEOF
	fail "status -j: $(cat "$LAB_DIR/status.json")"
"$RVPNCTL" -s "$LAB_DIR/server.sock" status >"$LAB_DIR/status.txt"
grep -q "ADDRESS6" "$LAB_DIR/status.txt" && grep -q " $b1\$" "$LAB_DIR/status.txt" ||
	fail "status text: $(cat "$LAB_DIR/status.txt")"
ok "rvpnctl status (-j) shows address6 and the IPv6 remote; the schema validates"
lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
[ -z "$(nsx "$NS_C1" ip -6 route show "$LAB_SRV_C1_6/128")" ] ||
	fail "c1 left its host route to $LAB_SRV_C1_6"
lab_stop "$LAB_PID_c2"
lab_server_stop || fail "server did not stop cleanly"
ok "the IPv6 host route is gone after the client stops"

# bind_address on one IPv6 address: IPv6 there only, no IPv4.
sed 's/^bind_address = .*/bind_address = "['"$LAB_SRV_C1_6"']:443"/' \
	"$LAB_DIR/server.toml" >"$LAB_DIR/server-v6only.toml"
lab_server_start "$LAB_DIR/server-v6only.toml"
tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log" |
	grep -q "Listening on \[$LAB_SRV_C1_6\]:443" ||
	fail "no listen line for [$LAB_SRV_C1_6]:443"
nsx "$NS_SRV" ss -Hltn "sport = :443" >"$LAB_DIR/ss.out"
grep -q "\[$LAB_SRV_C1_6\]:443" "$LAB_DIR/ss.out" && [ "$(wc -l <"$LAB_DIR/ss.out")" = 1 ] ||
	fail "listening sockets: $(cat "$LAB_DIR/ss.out")"
lab_client_start "$NS_C1" c1 --server "wss://[$LAB_SRV_C1_6]/api/v1/ws" \
	--server-key "$LAB_SRV_PUB" --key "$LAB_DIR/c1.key" --ca "$LAB_DIR/ca.crt"
lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
ok "bind_address = \"[$LAB_SRV_C1_6]:443\": one IPv6 socket there, c1 connects"

# The certificate is checked against the IPv6 address: one naming only
# the IPv4 addresses is refused.
d=$LAB_DIR
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$d/v4only.key" -out "$d/v4only.csr" -subj "/CN=$LAB_SRV_C1" \
	>/dev/null 2>&1 || fail "CSR"
printf 'subjectAltName=IP:%s\n' "$LAB_SRV_C1" >"$d/v4only.ext"
openssl x509 -req -in "$d/v4only.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
	-CAcreateserial -out "$d/v4only.crt" -days 2 -extfile "$d/v4only.ext" \
	>/dev/null 2>&1 || fail "certificate"
chmod 600 "$d/v4only.key"
sed -e "s|^tls_cert_file = .*|tls_cert_file = \"$d/v4only.crt\"|" \
    -e "s|^tls_key_file = .*|tls_key_file = \"$d/v4only.key\"|" \
	"$LAB_DIR/server-dual.toml" >"$LAB_DIR/server-v4cert.toml"
lab_server_start "$LAB_DIR/server-v4cert.toml"
lab_client_spawn "$NS_C1" c1 --server "wss://[$LAB_SRV_C1_6]/api/v1/ws" \
	--server-key "$LAB_SRV_PUB" --key "$LAB_DIR/c1.key" --ca "$LAB_DIR/ca.crt"
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-c1.log" \
	"TLS handshake failed" || fail "a certificate without $LAB_SRV_C1_6 was accepted"
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-c1.log" \
	"tunnel up" 1 && fail "tunnel up with the wrong certificate"
lab_stop "$LAB_PID_c1"
lab_server_stop || fail "server did not stop cleanly"
ok "a certificate that does not name $LAB_SRV_C1_6 is refused"

# routes may mix families: a split tunnel for both.
sed "s|^routes = .*||" "$LAB_DIR/server.toml" >"$LAB_DIR/server-split.toml"
printf 'routes = ["%s", "%s"]\n' 198.18.0.0/24 2001:db8::/64 \
	>>"$LAB_DIR/server-split.toml"
lab_server_start "$LAB_DIR/server-split.toml"
# shellcheck disable=SC2046
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
dev1=$(lab_tun_dev "$NS_C1")
nsx "$NS_C1" ip -4 route show 198.18.0.0/24 | grep -q "dev $dev1" ||
	fail "split: no 198.18.0.0/24 dev $dev1"
nsx "$NS_C1" ip -6 route show 2001:db8::/64 | grep -q "dev $dev1" ||
	fail "split: no 2001:db8::/64 dev $dev1: $(nsx "$NS_C1" ip -6 route show)"
nsx "$NS_C1" ip -4 route show | grep -Eq '^(0\.0\.0\.0|128\.0\.0\.0)/1' &&
	fail "split: IPv4 halves routed"
nsx "$NS_C1" ip -6 route show | grep -Eq '^(::/1|8000::/1|unreachable)' &&
	fail "split: IPv6 halves or block: $(nsx "$NS_C1" ip -6 route show)"
before=$(grep -c "^$LAB_SRV_NET6 " "$LAB_DIR/http6.log")
nsx "$NS_C1" curl -6 -sf --max-time 5 -o /dev/null "http://[$LAB_NET6]/hello.txt" ||
	fail "split: curl -6 through the pushed IPv6 route"
[ "$(grep -c "^$LAB_SRV_NET6 " "$LAB_DIR/http6.log")" -gt "$before" ] ||
	fail "split: 2001:db8::/64 did not go through the tunnel"
nsx "$NS_C1" ip -6 route get 2001:db8:11::1 | grep -q "dev $LAB_IF_U1" ||
	fail "split: other IPv6 does not stay outside"
lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
ok "routes = [198.18.0.0/24, 2001:db8::/64]: both through the tunnel, the rest outside"

# The same split chosen by the client (--route of both families) from a
# full-tunnel server.
lab_server_start "$LAB_DIR/server.toml"
# shellcheck disable=SC2046
lab_client_start "$NS_C1" c1 $(lab_client_args c1) --no-dns \
	--route 198.18.0.0/24 --route 2001:db8::/64
nsx "$NS_C1" ip -6 route show 2001:db8::/64 | grep -q "dev $dev1" ||
	fail "--route: no 2001:db8::/64 dev $dev1: $(nsx "$NS_C1" ip -6 route show)"
nsx "$NS_C1" ip -6 route show | grep -Eq '^(::/1|8000::/1|unreachable)' &&
	fail "--route: IPv6 halves or block: $(nsx "$NS_C1" ip -6 route show)"
nsx "$NS_C1" ip -4 route show | grep -Eq '^(0\.0\.0\.0|128\.0\.0\.0)/1' &&
	fail "--route: IPv4 halves routed"
nsx "$NS_C1" curl -6 -sf --max-time 5 -o /dev/null "http://[$LAB_NET6]/hello.txt" ||
	fail "--route: curl -6 through the configured IPv6 route"
lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
ok "--route 198.18.0.0/24 --route 2001:db8::/64: both families split by the client"

# A static address6 in the clients file; another key gets its pair.
lab_clients_file "$LAB_DIR/clients.toml" c1 c2
sed -i "/^\[client.c1\]/a address6 = \"${R6}beef:1\"" "$LAB_DIR/clients.toml"
sed "s|^\[server\]|[server]\nauthorized_clients_file = \"$LAB_DIR/clients.toml\"|" \
	"$LAB_DIR/server.toml" >"$LAB_DIR/server-static.toml"
lab_server_start "$LAB_DIR/server-static.toml"
# shellcheck disable=SC2046
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
# shellcheck disable=SC2046
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
[ "$(lab_tun_addr6 "$NS_C1")" = "${R6}beef:1" ] ||
	fail "c1 did not get its static ${R6}beef:1: '$(lab_tun_addr6 "$NS_C1")'"
a2=$(lab_tun_addr "$NS_C2")
[ "$(lab_tun_addr6 "$NS_C2")" = "$R6$(printf %x "${a2##*.}")" ] ||
	fail "c2: '$(lab_tun_addr6 "$NS_C2")' is not the pair of $a2"
nsx "$NS_C1" ping -6 -c 2 -i 0.2 -W 2 "${R6}1" >/dev/null ||
	fail "c1 with its static address6 cannot ping ${R6}1"
lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_stop "$LAB_PID_c2" || fail "c2 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
ok "address6 = ${R6}beef:1 for c1 is its address; c2 gets the pair of $a2"
exit 0
