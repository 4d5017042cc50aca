#!/bin/sh
# A full tunnel from a server that pushes no IPv6 (dhcp_range6 unset)
# must not let IPv6 leave on the physical link.  c1 has an IPv6 default
# route of its own (lab.sh: uplink straight to the internet host), so a
# leak is visible in the web server's IPv6 log.
#  - before the client: IPv6 goes out directly (the lab leaks visibly);
#  - while up: unreachable ::/1 and 8000::/1 (proto 82): `ip -6 route get`
#    names no interface, curl -6 fails, IPv4 still flows in the tunnel;
#  - SIGTERM: the IPv6 routes are exactly as before;
#  - SIGKILL leaves the block; the next start removes it, and its stop
#    leaves nothing;
#  - --allow-ipv6-leak, block_ipv6 = false and a split tunnel (--route)
#    add no block: IPv6 goes out directly.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

. "$top_srcdir/tests/lab/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

ns=$NS_C1
url6="http://[$LAB_NET6]/hello.txt"
# Link-local routes appear when the kernel gets to them: not compared.
routes6() { nsx "$ns" ip -6 route show | grep -v "^fe80::"; }
routes6 >"$LAB_DIR/routes6.before"

# How c1 reaches the internet host over IPv6: "dev IF" or "unreachable".
v6_path() {
	local out
	out=$(nsx "$ns" ip -6 route get "$LAB_NET6" 2>&1)
	case $out in
	*unreachable*|*"No route to host"*)
		echo unreachable ;;
	*" dev "*) echo "dev $(echo "$out" | sed -n 's/.* dev \([^ ]*\).*/\1/p')" ;;
	*) echo "other: $out" ;;
	esac
}
# Fetch over IPv6 directly; 0 if the web server answered and logged c1's
# real uplink address.
v6_leaks() {
	local before
	before=$(grep -c "^$LAB_U1_6 " "$LAB_DIR/http6.log")
	nsx "$ns" curl -6 -sf --max-time 3 -o /dev/null "$url6" || return 1
	[ "$(grep -c "^$LAB_U1_6 " "$LAB_DIR/http6.log")" -gt "$before" ]
}
blocked() {
	local r
	for r in ::/1 8000::/1; do
		nsx "$ns" ip -6 route show | grep -q "^unreachable $r dev lo proto 82 " ||
			return 1
	done
}
same_as_before() {
	routes6 >"$LAB_DIR/routes6.after"
	diff -u "$LAB_DIR/routes6.before" "$LAB_DIR/routes6.after" >&2
}

[ "$(v6_path)" = "dev $LAB_IF_U1" ] || fail "lab: IPv6 path before: $(v6_path)"
v6_leaks || fail "lab: IPv6 does not go out directly before the client"
ok "without the client IPv6 goes out on $LAB_IF_U1 (the leak is visible)"

lab_server_config "$LAB_DIR/server.toml"
grep -q dhcp_range6 "$LAB_DIR/server.toml" && fail "server config has dhcp_range6"
lab_server_start "$LAB_DIR/server.toml"

# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
log=$LAB_DIR/client-c1.log
lab_wait_log "$log" "IPv6 blocked" || fail "no 'IPv6 blocked' line"
blocked || fail "no unreachable ::/1 and 8000::/1: $(routes6)"
[ "$(v6_path)" = unreachable ] || fail "IPv6 path while up: $(v6_path)"
v6_leaks && fail "IPv6 left on the physical link while the tunnel is up"
nsx "$ns" curl -6 -sf --max-time 3 -o /dev/null "$url6" &&
	fail "curl -6 succeeded while blocked"
got=$(nsx "$ns" curl -sf --max-time 5 "http://$LAB_NET/hello.txt") ||
	fail "no IPv4 HTTP through the tunnel"
[ "$got" = "$LAB_TOKEN" ] || fail "IPv4 HTTP: '$got'"
ok "tunnel up, no IPv6 pushed: IPv6 unreachable, curl -6 fails, IPv4 works"

lab_stop "$LAB_PID_c1" || fail "client did not stop cleanly"
same_as_before || fail "IPv6 routes changed after SIGTERM"
v6_leaks || fail "IPv6 not back after the client stopped"
ok "SIGTERM: IPv6 routes exactly as before"

# A crash leaves the block (unreachable routes belong to no device);
# the next start removes it before anything else.
LAB_LOG_FROM=$(lab_log_next "$log")
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
blocked || fail "second run: no block"
kill -KILL "$LAB_PID_c1"
wait "$LAB_PID_c1" 2>/dev/null
blocked || fail "SIGKILL: block gone (expected it left behind)"
from=$(lab_log_next "$log")
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
LAB_LOG_FROM=$from lab_wait_log "$log" \
	"removed IPv6 block routes left by an earlier run" ||
	fail "restart after a crash: no cleanup line"
blocked || fail "restart: no block"
lab_stop "$LAB_PID_c1" || fail "client did not stop cleanly"
same_as_before || fail "IPv6 routes changed after crash and restart"
ok "SIGKILL leaves the block; the next start removes it; its stop leaves nothing"

# Opt-outs: nothing blocked, IPv6 goes out directly.
check_open() {
	local what=$1
	blocked && fail "$what: block routes present"
	[ "$(v6_path)" = "dev $LAB_IF_U1" ] || fail "$what: IPv6 path $(v6_path)"
	v6_leaks || fail "$what: IPv6 does not go out directly"
	lab_stop "$LAB_PID_c1" || fail "$what: client did not stop cleanly"
	same_as_before || fail "$what: IPv6 routes changed"
	ok "$what: no block, IPv6 goes out on $LAB_IF_U1"
}
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1) --allow-ipv6-leak
check_open "--allow-ipv6-leak"

cat >"$LAB_DIR/client.toml" <<EOF
[client]
server_url = "$LAB_URL1"
server_public_key = "$LAB_SRV_PUB"
identity_key_file = "$LAB_DIR/c1.key"
ca_file = "$LAB_DIR/ca.crt"
block_ipv6 = false
EOF
lab_client_start "$ns" c1 -c "$LAB_DIR/client.toml"
check_open "block_ipv6 = false"

# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1) --route 198.18.0.0/24 --no-dns
check_open "split tunnel (--route)"

grep -q "IPv6 blocked" "$LAB_DIR/client-c1.log" || fail "log lost"
lab_server_stop || fail "server did not stop cleanly"

# The server gains, then loses IPv6 while the client stays: after each
# reconnect the client follows (re-applies the TUN), never leaking.
LAB_NET_EXTRA='dhcp_range6 = "fd10:200::/64"' \
	lab_server_config "$LAB_DIR/server6.toml"
lab_server_start "$LAB_DIR/server.toml"
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
blocked || fail "v4-only server: no block"
lab_server_stop || fail "server did not stop cleanly"
from=$(lab_log_next "$log")
lab_server_start "$LAB_DIR/server6.toml"
LAB_LOG_FROM=$from lab_wait_log "$log" "tunnel up: .* address6 fd10:200::" ||
	fail "no IPv6 after the server gained dhcp_range6"
blocked && fail "block kept although the server now pushes IPv6"
nsx "$ns" ip -6 route show ::/1 | grep -q "dev rvpn0" ||
	fail "no ::/1 dev rvpn0: $(routes6)"
[ -n "$(lab_tun_addr6 "$ns")" ] || fail "no IPv6 tunnel address"
lab_server_stop || fail "server did not stop cleanly"
from=$(lab_log_next "$log")
lab_server_start "$LAB_DIR/server.toml"
LAB_LOG_FROM=$from lab_wait_log "$log" "IPv6 blocked" ||
	fail "no block after the server lost dhcp_range6"
[ -z "$(lab_tun_addr6 "$ns")" ] || fail "IPv6 tunnel address kept"
blocked || fail "no block: $(routes6)"
v6_leaks && fail "IPv6 leaks after the server lost dhcp_range6"
lab_stop "$LAB_PID_c1" || fail "client did not stop cleanly"
same_as_before || fail "IPv6 routes changed"
lab_server_stop || fail "server did not stop cleanly"
ok "server gains, then loses IPv6: the client follows, blocked without it, nothing left"
exit 0
