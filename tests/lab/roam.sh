#!/bin/sh
# Roaming: the client's network changes under a running tunnel.  First
# its outer address goes away (the kernel drops its default route and
# the pinned host route with it) and a new link with another address
# and default route takes over; then the default route moves back to
# the first link while the second stays up.  Each time the client sees
# the default route change, reconnects at once, pins the server's /32
# through the new default route, and the tunnel is up again (bounded
# wait: 5 s from the change) with traffic flowing.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

ns=$NS_C1
log=$LAB_DIR/client-c1.log
IF_S3=rvt${LAB_P}s3
IF_C3=rvt${LAB_P}c3
ip -n "$NS_SRV" link add "$IF_S3" type veth peer name "$IF_C3" netns "$ns" ||
	fail "veth s3-c3"
ip -n "$NS_SRV" addr add 198.18.3.1/24 dev "$IF_S3"
ip -n "$ns" addr add 198.18.3.2/24 dev "$IF_C3"
ip -n "$NS_SRV" link set "$IF_S3" up
ip -n "$ns" link set "$IF_C3" up

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
nsx "$ns" ip -4 route show "$LAB_SRV_C1/32" | grep -q "dev $LAB_IF_C1" ||
	fail "no host route via $LAB_IF_C1 at start"

# came_back WHAT GW DEV: a new "tunnel up" within 5 s, the /32 out of
# DEV (via GW, or on-link when the server is in DEV's subnet), HTTP
# through the tunnel.
came_back() {
	local what=$1 gw=$2 dev=$3
	LAB_LOG_FROM=$from lab_wait_log "$log" "tunnel up" 5 "$LAB_CLIENT_PID" ||
		fail "$what: the tunnel did not come back within 5 s"
	LAB_LOG_FROM=$from lab_wait_log "$log" "default route changed: reconnecting now" 1 ||
		fail "$what: no 'default route changed' line"
	nsx "$ns" ip -4 route show "$LAB_SRV_C1/32" |
		grep -Eq "^$LAB_SRV_C1 (via $gw )?dev $dev " ||
		fail "$what: host route: $(nsx "$ns" ip -4 route show "$LAB_SRV_C1/32")"
	lab_wait_cmd 5 nsx "$ns" curl -sf --max-time 2 -o /dev/null \
		"http://$LAB_NET/hello.txt" || fail "$what: no HTTP through the tunnel"
}

# The outer address goes; another link and address take over.
from=$(lab_log_next "$log")
nsx "$ns" ip addr del "$LAB_C1/24" dev "$LAB_IF_C1" || fail "addr del"
nsx "$ns" ip route add default via 198.18.3.1 dev "$IF_C3" || fail "default via c3"
came_back "new address" 198.18.3.1 "$IF_C3"
ok "outer address and default route changed: tunnel back, pinned via $IF_C3"

# The default route alone moves back; the second link stays up.
nsx "$ns" ip addr add "$LAB_C1/24" dev "$LAB_IF_C1" || fail "addr add"
from=$(lab_log_next "$log")
nsx "$ns" ip route replace default via "$LAB_SRV_C1" dev "$LAB_IF_C1" ||
	fail "default back"
came_back "default route back" "$LAB_SRV_C1" "$LAB_IF_C1"
nsx "$ns" ip -4 route show "$LAB_SRV_C1/32" | grep -q "$IF_C3" &&
	fail "the old pin through $IF_C3 is still there"
ok "default route moved back: tunnel back, re-pinned via $LAB_IF_C1"

lab_stop "$LAB_CLIENT_PID" || fail "client did not stop cleanly"
[ -z "$(nsx "$ns" ip -4 route show "$LAB_SRV_C1/32")" ] || fail "host route left"
exit 0
