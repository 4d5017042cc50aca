#!/bin/sh
# A key that connects again replaces its older session: the old one ends
# with "replaced by a newer connection" and the new connection takes
# over its address.  (Different keys never replace each other: see
# two-clients.sh.)
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
a1=$(lab_tun_addr "$NS_C1")
old=$LAB_PID_c1

# c2's namespace, c1's key.
lab_client_start "$NS_C2" dup --server "$LAB_URL2" --server-key "$LAB_SRV_PUB" \
	--key "$LAB_DIR/c1.key" --ca "$LAB_DIR/ca.crt"
[ "$(lab_tun_addr "$NS_C2")" = "$a1" ] ||
	fail "the new connection got '$(lab_tun_addr "$NS_C2")', want $a1"
lab_wait_log "$LAB_DIR/server.log" \
	"session end: [^ ]+ $a1 from $LAB_C1 .* reason: replaced by a newer connection" ||
	fail "server did not end the old session as replaced"
lab_wait_log "$LAB_DIR/client-c1.log" "replaced" || fail "old client not told"
grep -Eq "session up: .* $a1 from $LAB_C2" "$LAB_DIR/server.log" ||
	fail "no session up from $LAB_C2"
nsx "$NS_C2" ping -c 2 -W 2 "$LAB_NET" >/dev/null 2>&1 || fail "new connection ping"
ok "same key again: old session replaced, new one has $a1 and works"
lab_stop "$old"
exit 0
