#!/bin/sh
# The HTTPS side: any plain request gets 404 (also on the tunnel path);
# a WebSocket upgrade to another path gets 404; the upgrade with the
# rvpn.v1 subprotocol on the tunnel path gets 101 (the positive case).
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init
lab_up

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
base=https://$LAB_SRV_C1

code() {
	nsx "$NS_C1" curl -s --http1.1 --max-time 5 -o /dev/null \
		-w '%{http_code}' --cacert "$LAB_DIR/ca.crt" "$@"
}
upgrade() {
	code -H "Connection: Upgrade" -H "Upgrade: websocket" \
		-H "Sec-WebSocket-Version: 13" \
		-H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" "$@"
}

for path in / /index.html /api/v1/ws /api/v1/ws/tun; do
	c=$(code "$base$path")
	[ "$c" = 404 ] || fail "GET $path: $c, want 404"
done
c=$(nsx "$NS_C1" curl -sk --max-time 5 -o /dev/null -w '%{http_code}' "$base/x")
[ "$c" = 404 ] || fail "curl -k: $c"
ok "plain GETs (/, /index.html, /api/v1/ws, /api/v1/ws/tun) get 404"

c=$(upgrade -H "Sec-WebSocket-Protocol: rvpn.v1" "$base/elsewhere")
[ "$c" = 404 ] || fail "upgrade to /elsewhere: $c, want 404"
ok "a WebSocket upgrade to another path gets 404"

# This one stays open without a handshake: the server closes it after
# its 10 s handshake timeout, before curl's 15 s.
from=$(lab_log_next "$LAB_DIR/server.log")
c=$(upgrade --max-time 15 -H "Sec-WebSocket-Protocol: rvpn.v1" "$base/api/v1/ws/tun")
[ "$c" = 101 ] || fail "upgrade to the tunnel path: $c, want 101"
ok "the rvpn.v1 upgrade on /api/v1/ws/tun gets 101"
LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/server.log" \
	"session end: - - from $LAB_C1 .* reason: handshake timeout" 5 ||
	fail "no handshake timeout"
ok "a WebSocket without a handshake is closed after the handshake timeout"

c=$(upgrade "$base/api/v1/ws/tun")
[ "$c" = 101 ] && fail "upgrade without the rvpn.v1 subprotocol accepted"
ok "an upgrade without the rvpn.v1 subprotocol is refused ($c)"

exit 0
