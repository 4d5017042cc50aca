#!/bin/sh
# rvpn-client without -f detaches, and its exit status is the result of
# startup, as the server's: the parent waits on a readiness pipe.  A
# failure after the fork (here a TUN name taken by another device) exits
# 1 with the error on stderr and leaves no process; a start under the
# client unit's capability bounding set (CAP_NET_ADMIN alone, which once
# failed in the detached child after the parent had said 0) exits 0 with
# the tunnel up; SIGTERM then removes the TUN device and restores
# resolv.conf.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v setpriv >/dev/null 2>&1 || skip "no setpriv (util-linux)"
lab_up
lab_clients_file "$LAB_DIR/clients.toml" c1
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"" \
	lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
RESOLV=/etc/netns/$NS_C1/resolv.conf
cp "$RESOLV" "$LAB_DIR/resolv.orig"

# A config for c1 with tun_name $1.
client_conf() {
	cat >"$LAB_DIR/c1.toml" <<EOF
[client]
server_url = "$LAB_URL1"
server_public_key = "$LAB_SRV_PUB"
identity_key_file = "$LAB_DIR/c1.key"
ca_file = "$LAB_DIR/ca.crt"
tun_name = "$1"
EOF
}

# The pids of rvpn-client processes in the client namespace.
client_pids() {
	local p
	for p in $(ip netns pids "$NS_C1"); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$RVPN_CLIENT")" ] &&
			echo "$p"
	done
}

# Negative: the TUN name is a veth device's; TUNSETIFF fails after the
# fork.  The shell gets 1 and the error.
nsx "$NS_C1" ip link add rvtbusy type veth peer name rvtbusyp ||
	fail "veth rvtbusy"
client_conf rvtbusy
lab_san_env ip netns exec "$NS_C1" "$RVPN_CLIENT" -c "$LAB_DIR/c1.toml" \
	>"$LAB_DIR/busy.out" 2>&1
rc=$?
[ "$rc" = 1 ] || fail "a failed detached start exited $rc: $(cat "$LAB_DIR/busy.out")"
grep -q "^ERROR rvpn_client: rvtbusy: " "$LAB_DIR/busy.out" ||
	fail "no error on stderr: $(cat "$LAB_DIR/busy.out")"
lab_wait_cmd "$LAB_TIMEOUT" test -z "$(client_pids)" ||
	fail "a client is left running: $(client_pids)"
cmp -s "$RESOLV" "$LAB_DIR/resolv.orig" || fail "resolv.conf changed"
ok "detached start failing after the fork: status 1, the error on stderr, nothing left"

# Positive, under the client unit's bounding set and no_new_privs.
client_conf rvt1
lab_san_env ip netns exec "$NS_C1" setpriv --bounding-set=-all,+net_admin \
	--no-new-privs "$RVPN_CLIENT" -c "$LAB_DIR/c1.toml" \
	>"$LAB_DIR/daemon.out" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "detached start exited $rc: $(cat "$LAB_DIR/daemon.out")"
pid=$(client_pids)
[ -n "$pid" ] || fail "status 0 but no client running: $(cat "$LAB_DIR/daemon.out")"
LAB_PIDS="$LAB_PIDS $pid"
lab_wait_cmd "$LAB_TIMEOUT" test -n "$(lab_tun_addr "$NS_C1")" ||
	fail "detached client: no tunnel address"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" ping -c 1 -W 2 "$LAB_NET" ||
	fail "detached client: no traffic"
[ "$(lab_tun_dev "$NS_C1")" = rvt1 ] || fail "tunnel not on rvt1"
[ "$(awk '$1 == "PPid:" { print $2 }' "/proc/$pid/status")" != "$$" ] ||
	fail "the client did not detach"
ok "detached start under CAP_NET_ADMIN alone: status 0, tunnel up (pid $pid)"

kill -TERM "$pid"
lab_wait_exit "$pid" || fail "detached client did not stop"
nsx "$NS_C1" ip link show rvt1 >/dev/null 2>&1 && fail "TUN rvt1 left"
cmp -s "$RESOLV" "$LAB_DIR/resolv.orig" || fail "resolv.conf not restored"
ok "SIGTERM: TUN removed, resolv.conf restored"
exit 0
