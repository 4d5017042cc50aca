#!/bin/sh
# After a lost connection the client looks the server's name up again,
# for either family (getaddrinfo AF_UNSPEC, first answer, as at start),
# and pins the new address outside the tunnel.  The name is in the client
# namespace's hosts file; the server moves while stopped:
#  1. vpn.rvpn.test -> 198.18.1.1 (IPv4 only): the tunnel comes up;
#  2. the server loses 198.18.1.1, the name has only 2001:db8:1::1 (an
#     AAAA-only name): after the restart the client reconnects over IPv6
#     (it used to ask for A records only and kept the old address);
#  3. the server moves to 2001:db8:1::10: the client follows again.
# Each time traffic flows and the old pin is gone; at exit no pin is left.
# The server pushes no IPv6, so the client's full tunnel blocks IPv6: a
# server address not pinned outside would be unreachable.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up
NAME=vpn.rvpn.test
NEW6=2001:db8:1::10
CLOG=$LAB_DIR/client-c1.log

# A server certificate for the name (the lab's names only addresses).
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$LAB_DIR/name.key" -out "$LAB_DIR/name.csr" \
	-subj "/CN=$NAME" >/dev/null 2>&1 || fail "name CSR"
printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n' "$NAME" \
	>"$LAB_DIR/name.ext"
openssl x509 -req -in "$LAB_DIR/name.csr" -CA "$LAB_DIR/ca.crt" \
	-CAkey "$LAB_DIR/ca.key" -CAcreateserial -out "$LAB_DIR/name.crt" \
	-days 2 -extfile "$LAB_DIR/name.ext" >/dev/null 2>&1 || fail "name certificate"
chmod 600 "$LAB_DIR/name.key"
lab_server_config "$LAB_DIR/server.toml"
sed -i -e "s|^tls_cert_file = .*|tls_cert_file = \"$LAB_DIR/name.crt\"|" \
	-e "s|^tls_key_file = .*|tls_key_file = \"$LAB_DIR/name.key\"|" \
	-e 's|^bind_address = .*|bind_address = "[::]:443"|' "$LAB_DIR/server.toml"

hosts() { echo "$1 $NAME" >"/etc/netns/$NS_C1/hosts"; }
# The host routes the client pinned (protocol 82, no prefix length).
pins() {
	{ nsx "$NS_C1" ip -4 route show proto 82
	  nsx "$NS_C1" ip -6 route show proto 82; } 2>/dev/null |
		awk '$1 !~ /\// && $1 != "unreachable"'
}
# up_again FROM ADDR: the client's log from line FROM on shows a new
# tunnel and traffic passes; the pin is ADDR's alone.
up_again() {
	LAB_LOG_FROM=$1 lab_wait_log "$CLOG" "tunnel up" 60 "$LAB_PID_c1" ||
		fail "no reconnect to $2: $(tail -n +"$1" "$CLOG")"
	lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" ||
		fail "no traffic after the reconnect to $2"
	[ "$(pins | awk '{print $1}' | tr '\n' ' ')" = "$2 " ] ||
		fail "pinned routes (want $2 only): $(pins)"
}
restart_at() {	# restart_at NEW-HOSTS-ADDRESS: the server moved there
	local from
	from=$(lab_log_next "$CLOG")
	# The name first: the client looks it up when the connection ends.
	hosts "$1"
	lab_server_stop || fail "server did not stop cleanly"
	LAB_LOG_FROM=$from lab_wait_log "$CLOG" "reconnecting" ||
		fail "the client did not notice the stop"
	"${@:2}"
	lab_server_start "$LAB_DIR/server.toml"
	up_again "$from" "$1"
	tail -n +"$from" "$CLOG" | grep -q "INFO rvpn_client: server $NAME now resolves to $1 (was $prev)" ||
		fail "no 'now resolves to $1 (was $prev)': $(tail -n +"$from" "$CLOG")"
	prev=$1
}

hosts "$LAB_SRV_C1"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 --server "wss://$NAME/api/v1/ws" \
	--server-key "$LAB_SRV_PUB" --key "$LAB_DIR/c1.key" --ca "$LAB_DIR/ca.crt"
grep -q "connecting to wss://$NAME/api/v1/ws ($LAB_SRV_C1)" "$CLOG" ||
	fail "not connecting to $LAB_SRV_C1: $(cat "$CLOG")"
up_again 1 "$LAB_SRV_C1"
prev=$LAB_SRV_C1
ok "$NAME -> $LAB_SRV_C1: tunnel up, the server pinned"

restart_at "$LAB_SRV_C1_6" ip -n "$NS_SRV" addr del "$LAB_SRV_C1/24" dev "$LAB_IF_S1"
ok "the name now has only $LAB_SRV_C1_6 (AAAA), the server lost $LAB_SRV_C1: the client follows over IPv6"

restart_at "$NEW6" sh -c "ip -n $NS_SRV -6 addr add $NEW6/64 dev $LAB_IF_S1 nodad &&
	ip -n $NS_SRV -6 addr del $LAB_SRV_C1_6/64 dev $LAB_IF_S1"
ok "the server moved to $NEW6: the client follows (the IPv6 pin moved too)"

lab_stop "$LAB_PID_c1" || fail "client did not stop cleanly"
[ -z "$(pins)" ] || fail "pins left after exit: $(pins)"
nsx "$NS_C1" ip -6 route show | grep -q unreachable &&
	fail "IPv6 block left: $(nsx "$NS_C1" ip -6 route show)"
ok "client stopped: no pinned route and no IPv6 block left"
lab_server_stop || fail "server did not stop cleanly"
exit 0
