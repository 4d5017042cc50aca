#!/bin/sh
# Behind a TLS reverse proxy: nginx in the server namespace terminates
# TLS on 198.18.1.1:443 and passes /api/v1/ws/ to rvpn-server speaking
# plain WebSocket on 127.0.0.1:8080.  The client connects through nginx
# and the tunnel carries ping and HTTP; with trusted_proxies the session
# shows the client's own address from X-Forwarded-For (the last hop, so
# a header the client forges is not believed).  Negative: without
# trusted_proxies the header is ignored; the plain listener warns on a
# non-loopback address and not on 127.0.0.1.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
NGINX=$(command -v nginx) || skip "no nginx (Debian: nginx-light)"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
lab_up
SOCK=$LAB_DIR/server.sock
NGX=$LAB_DIR/nginx
WARN="no tls_cert_file: plain WebSocket on"

# A server config without a certificate, listening on BIND.
plain_config() {
	local conf=$1 bind=$2
	lab_server_config "$conf"
	sed -i -e '/^tls_cert_file/d' -e '/^tls_key_file/d' \
		-e "s/^bind_address = .*/bind_address = \"$bind\"/" "$conf"
	grep -q "^tls_" "$conf" && fail "plain config still has tls keys"
	return 0
}

# The lines of this server run (from LAB_SERVER_FROM on).
server_run_log() {
	tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log"
}

# One field of the only session of `rvpnctl status -j` (None for null).
session_field() {
	"$RVPNCTL" -s "$SOCK" status -j | "$PY" -c 'import json, sys
s = json.load(sys.stdin)["sessions"]
assert len(s) == 1, s
print(s[0][sys.argv[1]])' "$1"
}

# Negative first: a plain listener on 0.0.0.0 warns.
plain_config "$LAB_DIR/wild.toml" 0.0.0.0:8080
lab_server_start "$LAB_DIR/wild.toml"
server_run_log | grep -qF "WARN rvpn_server: $WARN 0.0.0.0:8080; put a TLS reverse proxy in front" ||
	fail "no plain-listener warning for 0.0.0.0:8080: $(server_run_log)"
server_run_log | grep -qF "INFO rvpn_server: Listening on 0.0.0.0:8080" ||
	fail "no listen line for 0.0.0.0:8080"
lab_server_stop || fail "server (0.0.0.0:8080) did not stop cleanly"
ok "plain WebSocket on 0.0.0.0:8080 logs the warning"

# nginx: TLS with the lab certificate, /api/v1/ws/ to 127.0.0.1:8080.
mkdir -p "$NGX" || fail "mkdir $NGX"
cat >"$NGX/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
user root root;
pid $NGX/nginx.pid;
error_log $NGX/error.log info;
events {
	worker_connections 64;
}
http {
	access_log $NGX/access.log;
	client_body_temp_path $NGX/body;
	proxy_temp_path $NGX/proxy;
	fastcgi_temp_path $NGX/fastcgi;
	uwsgi_temp_path $NGX/uwsgi;
	scgi_temp_path $NGX/scgi;
	map \$http_upgrade \$connection_upgrade {
		default upgrade;
		'' close;
	}
	server {
		listen $LAB_SRV_C1:443 ssl;
		listen [$LAB_SRV_C1_6]:443 ssl;
		ssl_certificate $LAB_DIR/server.crt;
		ssl_certificate_key $LAB_DIR/server.key;
		location /api/v1/ws/ {
			proxy_pass http://127.0.0.1:8080;
			proxy_http_version 1.1;
			proxy_set_header Upgrade \$http_upgrade;
			proxy_set_header Connection \$connection_upgrade;
			proxy_set_header Host \$host;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_read_timeout 1h;
			proxy_send_timeout 1h;
		}
	}
}
EOF
nsx "$NS_SRV" "$NGINX" -t -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/error.log" \
	>"$LAB_DIR/nginx-t.log" 2>&1 || fail "nginx -t: $(cat "$LAB_DIR/nginx-t.log")"
ip netns exec "$NS_SRV" "$NGINX" -p "$NGX" -c "$NGX/nginx.conf" \
	-e "$NGX/error.log" >"$LAB_DIR/nginx.log" 2>&1 &
NGINX_PID=$!
LAB_PIDS="$LAB_PIDS $NGINX_PID"
# Up when it answers over TLS (502: nothing behind it yet).
ngx_code() {
	nsx "$NS_C1" curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		--cacert "$LAB_DIR/ca.crt" "https://$LAB_SRV_C1$1"
}
lab_wait_cmd "$LAB_TIMEOUT" sh -c "kill -0 $NGINX_PID && ip netns exec $NS_C1 curl -s -o /dev/null --max-time 2 --cacert $LAB_DIR/ca.crt https://$LAB_SRV_C1/" ||
	fail "nginx did not come up: $(cat "$NGX/error.log" "$LAB_DIR/nginx.log")"
[ "$(ngx_code /api/v1/ws/tun)" = 502 ] ||
	fail "nginx without a backend: not 502"
ok "nginx terminates TLS on $LAB_SRV_C1:443 (502 with no backend)"

# The server behind it: plain, on loopback, trusting 127.0.0.1.
LAB_SERVER_EXTRA='trusted_proxies = ["127.0.0.1"]
keepalive = 1' plain_config "$LAB_DIR/proxied.toml" 127.0.0.1:8080
lab_server_start "$LAB_DIR/proxied.toml"
server_run_log | grep -qF "INFO rvpn_server: Listening on 127.0.0.1:8080" ||
	fail "no listen line for 127.0.0.1:8080"
server_run_log | grep -qF "$WARN" &&
	fail "plain listener on 127.0.0.1 warned: $(server_run_log | grep -F "$WARN")"
ok "plain WebSocket on 127.0.0.1:8080: no warning"
# Direct access from outside: nothing listens on 198.18.1.1:8080.
nsx "$NS_C1" curl -s -o /dev/null --max-time 3 "http://$LAB_SRV_C1:8080/" &&
	fail "the plain listener is reachable from the client side"
[ "$(ngx_code /api/v1/ws/other)" = 404 ] ||
	fail "a request through nginx to another path: not the server's 404"
ok "through nginx the server answers (404 off the tunnel path); :8080 is not reachable from outside"

lab_client_start "$NS_C1" c1 $(lab_client_args c1)
addr=$(lab_tun_addr "$NS_C1")
case $addr in
10.200.0.*) ;;
*) fail "client address '$addr'" ;;
esac
server_run_log | grep -q "INFO rvpn_server: session up: .* $addr from $LAB_C1\$" ||
	fail "no 'session up ... from $LAB_C1': $(server_run_log | grep 'session up')"
ok "client connects through nginx to $addr; the server logs it from $LAB_C1"

nsx "$NS_C1" ping -c 3 -W 2 "$LAB_NET" >"$LAB_DIR/ping.out" 2>&1 ||
	fail "ping through the tunnel: $(cat "$LAB_DIR/ping.out")"
body=$(nsx "$NS_C1" curl -sf --max-time 10 "http://$LAB_NET/hello.txt") ||
	fail "curl through the tunnel failed"
[ "$body" = "$LAB_TOKEN" ] || fail "curl body '$body'"
ok "ping and HTTP through the tunnel behind nginx"

[ "$(session_field remote)" = 127.0.0.1 ] ||
	fail "status remote: $("$RVPNCTL" -s "$SOCK" status -j)"
[ "$(session_field forwarded_for)" = "$LAB_C1" ] ||
	fail "status forwarded_for: $("$RVPNCTL" -s "$SOCK" status -j)"
"$RVPNCTL" -s "$SOCK" status | awk -v a="$addr" -v r="$LAB_C1" \
    '$2 == a && $3 == r && $4 == "(via" && $5 == "127.0.0.1)" { f = 1 }
    END { exit !f }' ||
	fail "status text: $("$RVPNCTL" -s "$SOCK" status)"
ok "status: remote 127.0.0.1, forwarded_for $LAB_C1 (text: $LAB_C1 (via 127.0.0.1))"

# A forged X-Forwarded-For, padded past 256 bytes: nginx appends the
# real peer and the server takes the last hop of the whole header.
# (A raw upgrade; -v logs the connection's remote.)
lab_client_stop_c1() {
	lab_stop "$LAB_PID_c1"
	LAB_LOG_FROM=$LAB_SERVER_FROM lab_wait_log "$LAB_DIR/server.log" \
		"session end: .* $addr from" 5 || fail "no session end for c1"
}
lab_client_stop_c1
# nginx logs an upgraded request when its connection ends.
lab_wait_cmd 5 grep -q '"GET /api/v1/ws/tun HTTP/1.1" 101 ' \
	"$NGX/access.log" ||
	fail "nginx did not log the upgrade: $(cat "$NGX/access.log")"
ok "nginx logged the client's upgrade (101)"
lab_server_stop || fail "server did not stop cleanly"
lab_server_start "$LAB_DIR/proxied.toml" -v
nsx "$NS_C1" curl -s --http1.1 --max-time 3 --cacert "$LAB_DIR/ca.crt" \
	-H "X-Forwarded-For: $(printf '192.0.2.%d, ' $(seq 1 40))192.0.2.66" \
	-H "Connection: Upgrade" \
	-H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" \
	-H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" \
	-H "Sec-WebSocket-Protocol: rvpn.v1" \
	-o /dev/null "https://$LAB_SRV_C1/api/v1/ws/tun"
LAB_LOG_FROM=$LAB_SERVER_FROM lab_wait_log "$LAB_DIR/server.log" \
	"session_new: connection from " 5 ||
	fail "no debug line for the raw upgrade: $(server_run_log)"
server_run_log | grep -q "session_new: connection from $LAB_C1\$" ||
	fail "forged header believed: $(server_run_log | grep 'connection from')"
ok "a forged X-Forwarded-For is not believed (the last hop, $LAB_C1, is)"

# A client that reaches the proxy over IPv6: its address is the last hop.
from=$(lab_log_next "$LAB_DIR/server.log")
nsx "$NS_C1" curl -6 -s --http1.1 --max-time 3 --cacert "$LAB_DIR/ca.crt" \
	-H "Connection: Upgrade" \
	-H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" \
	-H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" \
	-H "Sec-WebSocket-Protocol: rvpn.v1" \
	-o /dev/null "https://[$LAB_SRV_C1_6]/api/v1/ws/tun"
LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/server.log" \
	"session_new: connection from $LAB_C1_6\$" 5 ||
	fail "IPv6 X-Forwarded-For: $(tail -n +"$from" "$LAB_DIR/server.log" | grep 'connection from')"
ok "X-Forwarded-For with an IPv6 client ($LAB_C1_6) is its remote"

# Negative: the same setup without trusted_proxies.
lab_server_stop || fail "server did not stop cleanly"
LAB_SERVER_EXTRA='keepalive = 1' plain_config "$LAB_DIR/untrusted.toml" \
	127.0.0.1:8080
lab_server_start "$LAB_DIR/untrusted.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
addr=$(lab_tun_addr "$NS_C1")
server_run_log | grep -q "INFO rvpn_server: session up: .* $addr from 127.0.0.1\$" ||
	fail "untrusted: $(server_run_log | grep 'session up')"
[ "$(session_field remote)" = 127.0.0.1 ] ||
	fail "untrusted status remote: $("$RVPNCTL" -s "$SOCK" status -j)"
[ "$(session_field forwarded_for)" = None ] ||
	fail "untrusted status forwarded_for: $("$RVPNCTL" -s "$SOCK" status -j)"
"$RVPNCTL" -s "$SOCK" status | awk -v a="$addr" \
    '$2 == a && $3 == "127.0.0.1" && $4 !~ /via/ { f = 1 } END { exit !f }' ||
	fail "untrusted status text: $("$RVPNCTL" -s "$SOCK" status)"
nsx "$NS_C1" ping -c 1 -W 2 "$LAB_NET" >/dev/null 2>&1 ||
	fail "ping through the tunnel (untrusted)"
ok "without trusted_proxies X-Forwarded-For is ignored: remote 127.0.0.1, forwarded_for null"

lab_stop "$LAB_PID_c1"
lab_server_stop || fail "server did not stop cleanly"
lab_stop "$NGINX_PID" || fail "nginx did not stop cleanly"
exit 0
