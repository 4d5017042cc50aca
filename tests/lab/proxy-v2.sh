#!/bin/sh
# proxy_protocol: HAProxy in TCP mode passes TLS through with
# send-proxy-v2; rvpn-server takes the PROXY v2 header from its
# trusted_proxies only:
# - a client through HAProxy is up, reaches the internet host, and
#   rvpnctl status shows its real address (via the proxy);
# - straight to the listener from an untrusted address: closed before
#   anything is read, with or without a (forged) PROXY header;
# - a trusted peer that sends no PROXY header (TLS at once): closed;
# - proxy_protocol without trusted_proxies: a configuration error.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
command -v haproxy >/dev/null 2>&1 || fail "haproxy missing (contrib/install-deps.sh)"
lab_up
SOCK=$LAB_DIR/server.sock

# Without trusted_proxies: refused by -t, nothing started.
printf '[server]\nproxy_protocol = true\nidentity_key_file = "%s"\n' \
	"$LAB_DIR/server_identity.key" >"$LAB_DIR/bad.toml"
out=$("$RVPN_SERVER" -t -c "$LAB_DIR/bad.toml" 2>&1) && fail "-t accepted proxy_protocol without trusted_proxies"
echo "$out" | grep -q "bad.toml:2: proxy_protocol: trusted_proxies is empty" ||
	fail "-t said: $out"
ok "proxy_protocol without trusted_proxies: $out"

lab_server_config "$LAB_DIR/server.toml"
sed -i -e 's|^bind_address = .*|bind_address = "0.0.0.0:8443"|' \
	-e 's|^\[server\]$|[server]\nproxy_protocol = true\ntrusted_proxies = ["127.0.0.1"]\nadmin_listen = "127.0.0.1:9190"|' \
	"$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
grep -q "PROXY protocol v2 on 0.0.0.0:8443" "$LAB_DIR/server.log" || fail "no PROXY line"
cat >"$LAB_DIR/haproxy.cfg" <<EOF
global
defaults
	mode tcp
	timeout connect 5s
	timeout client 1h
	timeout server 1h
frontend rvpn
	bind :443
	default_backend node
backend node
	server node 127.0.0.1:8443 send-proxy-v2
EOF
haproxy -c -q -f "$LAB_DIR/haproxy.cfg" || fail "haproxy -c"
ip netns exec "$NS_SRV" haproxy -db -f "$LAB_DIR/haproxy.cfg" >"$LAB_DIR/haproxy.log" 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_SRV" sh -c "ss -ltn | grep -q ':443 '" ||
	fail "HAProxy does not listen"

lab_client_start "$NS_C1" c1 $(lab_client_args c1)
nsx "$NS_C1" curl -s -m 5 -o "$LAB_DIR/c1.out" "http://$LAB_NET/hello.txt" &&
	grep -qx "$LAB_TOKEN" "$LAB_DIR/c1.out" || fail "c1 does not reach the internet host"
"$RVPNCTL" -s "$SOCK" status | grep -q " $LAB_C1 (via 127.0.0.1) " ||
	fail "status lacks c1's real address: $("$RVPNCTL" -s "$SOCK" status)"
ok "through HAProxy (send-proxy-v2, TLS passed through): c1 up, status shows $LAB_C1 (via 127.0.0.1)"

# Untrusted: c1 straight to port 8443, a TLS hello and a forged header.
code=$(nsx "$NS_C1" curl -s -m 5 -o /dev/null -w '%{http_code}' --cacert "$LAB_DIR/ca.crt" \
	"https://$LAB_SRV_C1:8443/" 2>/dev/null)
[ "$code" = 000 ] || fail "untrusted TLS to 8443 answered $code"
lab_wait_log "$LAB_DIR/server.log" "proxy_protocol: $LAB_C2 is not in trusted_proxies|proxy_protocol: $LAB_C1 is not in trusted_proxies" ||
	fail "no untrusted log line"
PY=$(command -v python3)
nsx "$NS_C1" "$PY" - "$LAB_SRV_C1" <<'EOF' || fail "a forged PROXY header was not closed at once"
import socket, struct, sys
s = socket.create_connection((sys.argv[1], 8443), timeout=5)
hdr = b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11]) + struct.pack("!H", 12)
hdr += socket.inet_aton("10.1.2.3") + socket.inet_aton(sys.argv[1]) + struct.pack("!HH", 1234, 8443)
try:
	s.sendall(hdr + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	data = s.recv(100)
except ConnectionResetError:
	data = b""
sys.exit(0 if data == b"" else 1)
EOF
"$RVPNCTL" -s "$SOCK" status | grep -q "10\.1\.2\.3" && fail "a forged source shows in status"
ok "from an untrusted address (c1 straight to 8443): closed, with or without a PROXY header"

# Trusted peer, no header: TLS at once from 127.0.0.1 is closed.
code=$(nsx "$NS_SRV" curl -sk -m 5 -o /dev/null -w '%{http_code}' https://127.0.0.1:8443/ 2>/dev/null)
[ "$code" = 000 ] || fail "no header from a trusted peer answered $code"
lab_wait_log "$LAB_DIR/server.log" "proxy_protocol: 127.0.0.1: not a PROXY v2 header: closed" ||
	fail "no bad-header log line"
nsx "$NS_C1" curl -s -m 5 -o /dev/null "http://$LAB_NET/hello.txt" || fail "c1 lost its tunnel"
ok "a trusted peer without a PROXY header: closed; c1's tunnel unaffected"

# Counted: rvpnctl stats -j and /metrics, from the one table.
got=$("$RVPNCTL" -s "$SOCK" stats -j | "$PY" -c 'import json,sys; p=json.load(sys.stdin)["preauth"]; print(p["untrusted_proxy"], p["proxy_header"])')
[ "$got" = "2 1" ] || fail "stats -j untrusted_proxy, proxy_header: $got, want 2 1"
nsx "$NS_SRV" curl -s -m 5 http://127.0.0.1:9190/metrics >"$LAB_DIR/metrics" || fail "metrics"
grep -qx 'rvpn_refused_connections_total{reason="untrusted_proxy"} 2' "$LAB_DIR/metrics" &&
	grep -qx 'rvpn_refused_connections_total{reason="proxy_header"} 1' "$LAB_DIR/metrics" ||
	fail "metrics: $(grep refused_connections "$LAB_DIR/metrics")"
ok "counted in stats -j (preauth.untrusted_proxy 2, proxy_header 1) and /metrics"
exit 0
