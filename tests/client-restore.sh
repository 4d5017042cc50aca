#!/bin/sh
# rvpn-client in the lab: while connected, the full-tunnel routes, the host
# route to the server and the pushed DNS are in place and traffic flows
# through the tunnel; after SIGTERM all of it is gone and resolv.conf is
# byte-identical to before.  A split tunnel (--route, --no-dns) adds just
# its prefix.  A client the server does not know is refused:
# it exits 1 with the refusal message and leaves nothing behind.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

. "$top_srcdir/tests/lab/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

ns=$NS_C1
resolv=/etc/netns/$ns/resolv.conf
printf '# lab resolv.conf %s\nnameserver 192.0.2.53\nsearch lab.invalid\n' \
	"$LAB_P" >"$resolv"
cp "$resolv" "$LAB_DIR/resolv.before"
nsx "$ns" ip -4 route show >"$LAB_DIR/routes.before"

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"

# Negative: without the tunnel the internet host cannot answer c1.
nsx "$ns" curl -sf --max-time 3 -o /dev/null "http://$LAB_NET/hello.txt" &&
	fail "c1 reaches $LAB_NET without the tunnel"
grep -q ' dev rvpn0' "$LAB_DIR/routes.before" && fail "rvpn0 routes before start"
ok "no tunnel routes and no reply before the client starts"

# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
log=$LAB_DIR/client-c1.log
grep -Eq 'tunnel up: 10\.200\.0\.[0-9]+/24 via 198\.18\.1\.1 mtu 1400 dns 198\.18\.0\.2' "$log" ||
	fail "tunnel up line: $(grep 'tunnel up' "$log")"
ok "tunnel up line"

[ "$(lab_tun_dev "$ns")" = rvpn0 ] || fail "no address on rvpn0"
for r in 0.0.0.0/1 128.0.0.0/1; do
	nsx "$ns" ip -4 route show "$r" | grep -q 'dev rvpn0' ||
		fail "no route $r dev rvpn0"
done
nsx "$ns" ip -4 route show "$LAB_SRV_C1/32" | grep -q "dev $LAB_IF_C1" ||
	fail "no host route to the server via $LAB_IF_C1"
ok "0.0.0.0/1 and 128.0.0.0/1 via rvpn0, host route to the server"

grep -q "^nameserver $LAB_NET\$" "$resolv" || fail "pushed DNS not in resolv.conf"
grep -q '^nameserver 192.0.2.53' "$resolv" && fail "old nameserver still in resolv.conf"
grep -q '^search lab.invalid' "$resolv" || fail "search line lost"
nsx "$ns" cat /etc/resolv.conf | grep -q "^nameserver $LAB_NET\$" ||
	fail "the namespace does not see the pushed DNS"
ok "resolv.conf holds the pushed DNS, rewritten in place"

got=$(nsx "$ns" curl -sf --max-time 5 "http://$LAB_NET/hello.txt") ||
	fail "no HTTP through the tunnel"
[ "$got" = "$LAB_TOKEN" ] || fail "HTTP through the tunnel: '$got'"
nsx "$ns" getent hosts www.rvpn.test | grep -q "^$LAB_NET " ||
	fail "no DNS through the tunnel"
ok "HTTP and DNS through the tunnel"

pid=$LAB_CLIENT_PID
kill -TERM "$pid"
lab_wait_exit "$pid" || fail "client did not stop on SIGTERM"
wait "$pid"
rc=$?
[ "$rc" = 0 ] || fail "client exit status $rc after SIGTERM"
nsx "$ns" ip link show rvpn0 >/dev/null 2>&1 && fail "rvpn0 still exists"
nsx "$ns" ip -4 route show >"$LAB_DIR/routes.after"
cmp -s "$LAB_DIR/routes.before" "$LAB_DIR/routes.after" ||
	fail "routes differ after stop: $(diff "$LAB_DIR/routes.before" "$LAB_DIR/routes.after")"
cmp -s "$LAB_DIR/resolv.before" "$resolv" || fail "resolv.conf not restored"
nsx "$ns" curl -sf --max-time 3 -o /dev/null "http://$LAB_NET/hello.txt" &&
	fail "c1 still reaches $LAB_NET after stop"
ok "after SIGTERM: exit 0, rvpn0, routes and resolv.conf as before"

# Split tunnel with --no-dns: only the given prefix via rvpn0, no host
# route (the server is outside it), resolv.conf untouched.
# shellcheck disable=SC2046
lab_client_start "$ns" split $(lab_client_args c1) --route 198.18.0.0/24 --no-dns
pid=$LAB_CLIENT_PID
grep -q 'tunnel up: .* dns off' "$LAB_DIR/client-split.log" ||
	fail "split: tunnel up line: $(grep 'tunnel up' "$LAB_DIR/client-split.log")"
nsx "$ns" ip -4 route show 198.18.0.0/24 | grep -q 'dev rvpn0' ||
	fail "split: no 198.18.0.0/24 dev rvpn0"
nsx "$ns" ip -4 route show | grep -Eq '^(0\.0\.0\.0|128\.0\.0\.0)/1' &&
	fail "split: full-tunnel routes present"
nsx "$ns" ip -4 route show "$LAB_SRV_C1/32" | grep -q . &&
	fail "split: needless host route to the server"
cmp -s "$LAB_DIR/resolv.before" "$resolv" || fail "split: --no-dns changed resolv.conf"
got=$(nsx "$ns" curl -sf --max-time 5 "http://$LAB_NET/hello.txt") ||
	fail "split: no HTTP through the tunnel"
[ "$got" = "$LAB_TOKEN" ] || fail "split: HTTP '$got'"
lab_stop "$pid" || fail "split: client did not stop"
nsx "$ns" ip -4 route show >"$LAB_DIR/routes.after"
cmp -s "$LAB_DIR/routes.before" "$LAB_DIR/routes.after" ||
	fail "split: routes differ after stop"
ok "split tunnel, --no-dns: one route via rvpn0, DNS untouched, all undone"

# A key the server does not know: refused, exit 1, nothing left behind.
lab_server_stop
lab_clients_file "$LAB_DIR/clients.toml" c2
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"" \
	lab_server_config "$LAB_DIR/server2.toml"
lab_server_start "$LAB_DIR/server2.toml"
# shellcheck disable=SC2046
lab_client_spawn "$ns" c1b $(lab_client_args c1)
pid=$LAB_CLIENT_PID
lab_wait_exit "$pid" || fail "refused client did not exit"
wait "$pid"
rc=$?
[ "$rc" = 1 ] || fail "refused client exit status $rc, want 1"
pub=$(cat "$LAB_DIR/c1.pub")
grep -qF "server refused: unknown client key (4001): add this client's public key $pub to the server's authorized clients file" \
	"$LAB_DIR/client-c1b.log" || fail "no refusal message"
nsx "$ns" ip link show rvpn0 >/dev/null 2>&1 && fail "rvpn0 left after refusal"
cmp -s "$LAB_DIR/resolv.before" "$resolv" || fail "resolv.conf changed by a refused client"
ok "unknown key: exit 1, the refusal message, nothing left behind"
exit 0
