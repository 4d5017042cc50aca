#!/bin/sh
# The admin listener (admin_listen) and drain, on one node:
# - GET /healthz is 200 "ok" while serving; /metrics is the Prometheus
#   text format (content type, parsed by prometheus_client's parser, the
#   one Debian ships), counters end in _total, node_name is in
#   rvpn_build_info and in rvpnctl status, and the byte and packet
#   counters move with traffic;
# - the public listener does not answer /healthz or /metrics (its 404);
# - rvpnctl drain: /healthz 503 "draining", a new client is refused with
#   4014 and tries again at once (no backoff), sessions stay;
# - rvpnctl drain --kick: the sessions end with 4014; undrain: 200 again
#   and the clients come back by themselves.
# - a full pool: /healthz 503 "pool full"; relay-only (no TUN): 200.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
command -v curl >/dev/null 2>&1 || fail "curl missing (contrib/install-deps.sh)"
# Debian's python3 (its python3-prometheus-client), not another on PATH.
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" -c 'import prometheus_client.parser' 2>/dev/null ||
	fail "python3-prometheus-client missing (contrib/install-deps.sh)"
lab_up
SOCK=$LAB_DIR/server.sock
ctl() {
	"$RVPNCTL" -s "$SOCK" "$@"
}
ADMIN=http://127.0.0.1:9190
# curl in the server's namespace: prints "CODE BODY".
admin_get() {
	nsx "$NS_SRV" curl -s -m 5 -w '%{http_code}' -o "$LAB_DIR/body" \
		"$ADMIN$1" >"$LAB_DIR/code" 2>/dev/null
	echo "$(cat "$LAB_DIR/code") $(head -1 "$LAB_DIR/body")"
}
# The value of one series in the last /metrics, through the parser.
metrics() {
	nsx "$NS_SRV" curl -s -m 5 -D "$LAB_DIR/mhead" -o "$LAB_DIR/metrics" \
		"$ADMIN/metrics" || fail "GET /metrics"
}
metric() {
	"$PY" - "$LAB_DIR/metrics" "$@" <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
name, labels = sys.argv[2], dict(a.split("=", 1) for a in sys.argv[3:])
for fam in text_string_to_metric_families(text):
	for s in fam.samples:
		if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
			print(int(s.value))
			sys.exit(0)
sys.exit(1)
EOF
}

LAB_SERVER_EXTRA="admin_listen = \"127.0.0.1:9190\"
node_name = \"node-a\"
drain_kick_spread = 2" LAB_RANGE=10.200.0.0/29 \
	lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
grep -q "INFO rvpn_server: Node name: node-a" "$LAB_DIR/server.log" ||
	fail "no node name in the log"
grep -q "Admin listener on 127.0.0.1:9190" "$LAB_DIR/server.log" ||
	fail "no admin listener line"
[ "$(admin_get /healthz)" = "200 ok" ] || fail "healthz: $(admin_get /healthz)"
[ "$(admin_get /nothing | cut -d' ' -f1)" = 404 ] || fail "admin: other path not 404"
code=$(nsx "$NS_SRV" curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST "$ADMIN/healthz")
[ "$code" = 501 ] || fail "POST /healthz: $code, want 501"
# Not on the public listener: the tunnel port answers as for any path.
for p in /healthz /metrics; do
	code=$(nsx "$NS_C1" curl -s -m 5 --cacert "$LAB_DIR/ca.crt" -o "$LAB_DIR/pub" \
		-w '%{http_code}' "https://$LAB_SRV_C1$p")
	[ "$code" = 404 ] && ! grep -q rvpn_ "$LAB_DIR/pub" ||
		fail "public listener answered $p with $code"
done
ok "healthz 200 ok; other paths 404, POST 501; the public listener has no /healthz or /metrics (404)"

lab_client_start "$NS_C1" c1 $(lab_client_args c1)
metrics
grep -qi '^content-type: text/plain; version=0.0.4' "$LAB_DIR/mhead" ||
	fail "metrics content type: $(grep -i content-type "$LAB_DIR/mhead")"
[ "$(metric rvpn_build_info node=node-a)" = 1 ] || fail "build_info without node-a"
[ "$(metric rvpn_sessions state=up)" = 1 ] || fail "sessions up != 1"
[ "$(metric rvpn_pool_addresses family=ipv4)" = 5 ] || fail "pool size"
[ "$(metric rvpn_pool_free_addresses family=ipv4)" = 4 ] || fail "pool free"
[ "$(metric rvpn_handshakes_total result=ok)" = 1 ] || fail "handshakes ok"
metric rvpn_dropped_packets_total reason=source >/dev/null || fail "no drop series"
metric rvpn_dropped_packets_total reason=tun_no_route >/dev/null || fail "no TUN drop series"
metric rvpn_refused_connections_total reason=timeout >/dev/null || fail "no refusal series"
# Every counter family's samples end in _total (the parser strips it).
grep '^# TYPE .* counter$' "$LAB_DIR/metrics" | awk '$3 !~ /_total$/ { bad = 1 } END { exit bad }' ||
	fail "a counter without _total"
rx0=$(metric rvpn_received_packets_total); tx0=$(metric rvpn_sent_bytes_total)
nsx "$NS_C1" ping -q -c 20 -i 0.05 -W 2 "$LAB_NET" >/dev/null || fail "ping through the tunnel"
metrics
rx1=$(metric rvpn_received_packets_total); tx1=$(metric rvpn_sent_bytes_total)
[ "$rx1" -ge $((rx0 + 20)) ] && [ "$tx1" -gt "$tx0" ] ||
	fail "counters did not move: rx $rx0 -> $rx1, tx bytes $tx0 -> $tx1"
ctl status | head -1 | grep -q "node node-a," || fail "status: $(ctl status | head -1)"
ctl status -j | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(not (d["node"]=="node-a" and d["draining"] is False))' ||
	fail "status -j node/draining"
ok "metrics parsed by prometheus_client: build_info node=node-a, sessions, pool 5/4 free, counters _total; rx packets $rx0 -> $rx1 after 20 pings"

# drain: 503, the session stays, a new client is refused with 4014 and
# retries without backoff.
out=$(ctl drain) || fail "drain failed"
[ "$out" = "draining; 1 sessions stay" ] || fail "drain said '$out'"
[ "$(admin_get /healthz)" = "503 draining" ] || fail "healthz while draining: $(admin_get /healthz)"
metrics
[ "$(metric rvpn_draining)" = 1 ] && [ "$(metric rvpn_healthy)" = 0 ] || fail "draining gauges"
ctl status -j | python3 -c 'import json,sys; sys.exit(not json.load(sys.stdin)["draining"])' ||
	fail "status -j draining false"
lab_client_spawn "$NS_C2" c2 $(lab_client_args c2)
C2_FROM=$LAB_CLIENT_FROM
LAB_LOG_FROM=$C2_FROM lab_wait_log "$LAB_DIR/client-c2.log" \
	"server draining \(4014\): moving on without delay" || fail "c2 not refused with 4014"
LAB_LOG_FROM=$C2_FROM lab_wait_log "$LAB_DIR/client-c2.log" \
	"lost: .*; reconnecting in 0\.0 s" || fail "c2 did not retry at once after 4014"
nsx "$NS_C1" ping -q -c 3 -i 0.2 -W 2 "$LAB_NET" >/dev/null || fail "c1 lost its tunnel in drain"
ok "drain: healthz 503 draining, c1 stays, c2 refused with 4014 and retries at once"

out=$(ctl undrain) || fail "undrain failed"
[ "$(admin_get /healthz)" = "200 ok" ] || fail "healthz after undrain"
LAB_LOG_FROM=$C2_FROM lab_wait_log "$LAB_DIR/client-c2.log" "tunnel up" || fail "c2 not up after undrain"
ok "undrain: healthz 200, c2 connects"

# drain --kick: both sessions end with 4014 within the spread (2 s),
# clients retry; undrain and they are back.
C1_FROM=$(lab_log_next "$LAB_DIR/client-c1.log")
C2_FROM=$(lab_log_next "$LAB_DIR/client-c2.log")
out=$(ctl drain --kick) || fail "drain --kick failed"
[ "$out" = "draining; moving 2 sessions over 2 s" ] || fail "drain --kick said '$out'"
for c in c1 c2; do
	f=C1_FROM; [ $c = c2 ] && f=C2_FROM
	LAB_LOG_FROM=${!f} lab_wait_log "$LAB_DIR/client-$c.log" \
		"server draining \(4014\)" || fail "$c not moved by drain --kick"
done
lab_wait_log "$LAB_DIR/server.log" "drain: all 2 sessions moved" || fail "kick did not finish"
[ "$(ctl status | grep -c ' 10\.200\.0\.')" = 0 ] || fail "sessions left after the kick"
ctl undrain >/dev/null || fail "undrain"
for c in c1 c2; do
	f=C1_FROM; [ $c = c2 ] && f=C2_FROM
	LAB_LOG_FROM=${!f} lab_wait_log "$LAB_DIR/client-$c.log" "tunnel up" ||
		fail "$c not back after undrain"
done
metrics
[ "$(metric rvpn_handshakes_total result=refused code=4014)" -ge 1 ] ||
	fail "refused 4014 not counted"
ok "drain --kick: both sessions ended with 4014 over 2 s; after undrain both are back"

# A full pool (5 addresses, max_clients 2): 503 pool full.
ctl drain >/dev/null
LAB_SERVER_EXTRA="admin_listen = \"127.0.0.1:9190\"
max_clients = 2" LAB_RANGE=10.200.0.0/29 lab_server_config "$LAB_DIR/server.toml"
ctl reload >/dev/null || fail "reload"
ctl undrain >/dev/null
[ "$(admin_get /healthz)" = "503 pool full" ] || fail "healthz at max_clients: $(admin_get /healthz)"
ok "max_clients reached: healthz 503 pool full"

# Relay-only (no [server.network]): no TUN to be gone, healthz 200.
lab_server_stop || fail "server did not stop cleanly"
cat >"$LAB_DIR/relay.toml" <<EOF
[server]
bind_address = "0.0.0.0:443"
tls_cert_file = "$LAB_DIR/server.crt"
tls_key_file = "$LAB_DIR/server.key"
identity_key_file = "$LAB_DIR/server_identity.key"
pid_file = "$LAB_DIR/server.pid"
control_socket = "$LAB_DIR/server.sock"
admin_listen = "127.0.0.1:9190"
EOF
lab_server_start "$LAB_DIR/relay.toml"
[ "$(admin_get /healthz)" = "200 ok" ] || fail "relay-only healthz: $(admin_get /healthz)"
ok "relay-only (no TUN): healthz 200 ok"
exit 0
