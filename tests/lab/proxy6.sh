#!/bin/sh
# trusted_proxies over IPv6 (rvpn-server.toml(5)):
#  - nginx in the server namespace terminates TLS on [2001:db8:1::1]:443
#    only and passes the tunnel path to rvpn-server on [::1]:8080, which
#    trusts "::1": the client's own IPv6 address (X-Forwarded-For) is the
#    session's remote in the log and in rvpnctl status.
#  - negative: trusting another IPv6 proxy ("::2"), the header is ignored.
#  - reload: trusted_proxies changed by rvpnctl reload and by SIGHUP
#    applies to the next connections; a bad value is refused with the key,
#    the value and the reason, and the running trust is kept.
#  - the limits before authentication count the forwarded address when
#    the TCP peer is in a trusted IPv6 prefix (max_pending_per_source per
#    X-Forwarded-For address), and the proxy's own address when not.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
NGINX=$(command -v nginx) || fail "no nginx (contrib/install-deps.sh installs it)"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
lab_up
SOCK=$LAB_DIR/server.sock
NGX=$LAB_DIR/nginx
CONF=$LAB_DIR/proxied.toml
SLOG=$LAB_DIR/server.log
URL6="wss://[$LAB_SRV_C1_6]/api/v1/ws"

# proxied_config TRUSTED: plain WebSocket on [::1]:8080 trusting TRUSTED
# (the inside of the TOML array).
proxied_config() {
	LAB_SERVER_EXTRA="trusted_proxies = [$1]
keepalive = 1" lab_server_config "$CONF"
	sed -i -e '/^tls_cert_file/d' -e '/^tls_key_file/d' \
		-e 's/^bind_address = .*/bind_address = "[::1]:8080"/' "$CONF"
}

# One field of the only session of `rvpnctl status -j` (None for null).
session_field() {
	"$RVPNCTL" -s "$SOCK" status -j | "$PY" -c 'import json, sys
s = json.load(sys.stdin)["sessions"]
assert len(s) == 1, s
print(s[0][sys.argv[1]])' "$1"
}

# connect_c1: a session from c1 through nginx over IPv6; prints nothing,
# leaves its address in $addr.
connect_c1() {
	lab_client_start "$NS_C1" c1 --server "$URL6" --server-key "$LAB_SRV_PUB" \
		--key "$LAB_DIR/c1.key" --ca "$LAB_DIR/ca.crt"
	addr=$(lab_tun_addr "$NS_C1")
	case $addr in
	10.200.0.*) ;;
	*) fail "client address '$addr'" ;;
	esac
}

disconnect_c1() {
	lab_stop "$LAB_PID_c1" || fail "client c1 did not stop cleanly"
	LAB_LOG_FROM=$LAB_SERVER_FROM lab_wait_log "$SLOG" \
		"session end: .* $addr from" 5 || fail "no session end for c1"
}

# expect_remote REMOTE FORWARDED: the session's status fields.
expect_remote() {
	[ "$(session_field remote)" = "$1" ] ||
		fail "status remote (want $1): $("$RVPNCTL" -s "$SOCK" status -j)"
	[ "$(session_field forwarded_for)" = "$2" ] ||
		fail "status forwarded_for (want $2): $("$RVPNCTL" -s "$SOCK" status -j)"
}

# reload_with HOW TRUSTED: rewrite the config and reload (ctl or hup).
reload_with() {
	local from
	proxied_config "$2"
	from=$(lab_log_next "$SLOG")
	if [ "$1" = ctl ]; then
		"$RVPNCTL" -s "$SOCK" reload >"$LAB_DIR/reload.out" 2>&1 ||
			fail "rvpnctl reload: $(cat "$LAB_DIR/reload.out")"
	else
		kill -HUP "$LAB_SERVER_PID" || fail "SIGHUP"
	fi
	LAB_LOG_FROM=$from lab_wait_log "$SLOG" "reload: done|reload failed" ||
		fail "no end of reload"
	tail -n +"$from" "$SLOG" | grep -q "reload failed" &&
		fail "reload failed: $(tail -n +"$from" "$SLOG")"
	return 0
}

# nginx: TLS on the server's IPv6 address only, to [::1]:8080.
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
		listen [$LAB_SRV_C1_6]:443 ssl;
		ssl_certificate $LAB_DIR/server.crt;
		ssl_certificate_key $LAB_DIR/server.key;
		location /api/v1/ws/ {
			proxy_pass http://[::1]:8080;
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
ip netns exec "$NS_SRV" "$NGINX" -p "$NGX" -c "$NGX/nginx.conf" \
	-e "$NGX/error.log" >"$LAB_DIR/nginx.log" 2>&1 &
NGINX_PID=$!
LAB_PIDS="$LAB_PIDS $NGINX_PID"
lab_wait_cmd "$LAB_TIMEOUT" sh -c "kill -0 $NGINX_PID && ip netns exec $NS_C1 curl -s -o /dev/null --max-time 2 --cacert $LAB_DIR/ca.crt https://[$LAB_SRV_C1_6]/" ||
	fail "nginx did not come up: $(cat "$NGX/error.log" "$LAB_DIR/nginx.log")"
ok "nginx terminates TLS on [$LAB_SRV_C1_6]:443, backend [::1]:8080"

# Trusted: the IPv6 proxy's X-Forwarded-For is the client.
proxied_config '"::1"'
lab_server_start "$CONF"
connect_c1
tail -n +"$LAB_SERVER_FROM" "$SLOG" |
	grep -q "INFO rvpn_server: session up: .* $addr from $LAB_C1_6\$" ||
	fail "no 'session up ... from $LAB_C1_6': $(tail -n +"$LAB_SERVER_FROM" "$SLOG" | grep 'session up')"
expect_remote ::1 "$LAB_C1_6"
"$RVPNCTL" -s "$SOCK" status | awk -v a="$addr" -v r="$LAB_C1_6" \
    '$2 == a && $3 == r && $4 == "(via" && $5 == "::1)" { f = 1 }
    END { exit !f }' ||
	fail "status text: $("$RVPNCTL" -s "$SOCK" status)"
nsx "$NS_C1" ping -c 1 -W 2 "$LAB_NET" >/dev/null 2>&1 ||
	fail "ping through the tunnel behind the IPv6 proxy"
ok "trusted_proxies = [\"::1\"]: the session is from $LAB_C1_6 (via ::1) in the log and status"
disconnect_c1

# Reload to another IPv6 proxy (rvpnctl reload): the header is ignored.
reload_with ctl '"::2", "2001:db8:ffff::/48"'
connect_c1
expect_remote ::1 None
ok "reload (rvpnctl) to [\"::2\", \"2001:db8:ffff::/48\"]: X-Forwarded-For ignored, remote ::1"
disconnect_c1

# SIGHUP back to a prefix holding ::1: the next connection is forwarded.
reload_with hup '"::/127"'
connect_c1
expect_remote ::1 "$LAB_C1_6"
ok "reload (SIGHUP) to [\"::/127\"]: the next connection is from $LAB_C1_6 again"
disconnect_c1

# A bad value: refused with the reason; the running trust is kept.
proxied_config '"::1/64"'
from=$(lab_log_next "$SLOG")
"$RVPNCTL" -s "$SOCK" reload >"$LAB_DIR/reload.out" 2>&1 &&
	fail "rvpnctl reload accepted trusted_proxies = [\"::1/64\"]"
grep -q "rvpnctl: reload failed: .*proxied.toml:[0-9]*: trusted_proxies: '::1/64': host bits set" \
	"$LAB_DIR/reload.out" || fail "rvpnctl reload: $(cat "$LAB_DIR/reload.out")"
LAB_LOG_FROM=$from lab_wait_log "$SLOG" "reload failed: keeping the running configuration" ||
	fail "no reload failure line: $(tail -n +"$from" "$SLOG")"
connect_c1
expect_remote ::1 "$LAB_C1_6"
ok "reload with trusted_proxies = [\"::1/64\"]: refused ($(grep -o "trusted_proxies: .*" "$LAB_DIR/reload.out")), the old trust kept"
disconnect_c1
lab_server_stop || fail "server did not stop cleanly"
lab_stop "$NGINX_PID" || fail "nginx did not stop cleanly"

# --- limits before authentication behind a trusted IPv6 proxy: c1
# (2001:db8:1::2) stands in for the proxy, straight to [::]:443.
limits_config() {
	LAB_SERVER_EXTRA="trusted_proxies = [\"$1\"]
max_pending_per_source = 4
handshake_rate_per_source = 0" lab_server_config "$LAB_DIR/limits.toml"
	sed -i 's/^bind_address = .*/bind_address = "[::]:443"/' \
		"$LAB_DIR/limits.toml"
}

limits_config 2001:db8:1::/64
lab_server_start "$LAB_DIR/limits.toml"
# (f1's connections stay open, pending, while f2 runs.)
hostile "$NS_C1" f1 --host "$LAB_SRV_C1_6" --mode upgrade --count 6 \
	--hold 10 --xff 198.18.5.1
set -- $(hostile_wait_ready f1)
[ "$1 $2" = "4 2" ] ||
	fail "6 forwarded for 198.18.5.1 by a trusted IPv6 proxy, cap 4: opened $1, refused $2"
hostile "$NS_C1" f2 --host "$LAB_SRV_C1_6" --mode upgrade --count 4 \
	--hold 0 --xff 2001:db8:77::1
set -- $(hostile_wait_ready f2)
[ "$1 $2" = "4 0" ] ||
	fail "4 forwarded for 2001:db8:77::1 next: opened $1, refused $2"
ok "trusted IPv6 proxy prefix: each X-Forwarded-For address has its own cap (4 + 4 taken, 2 refused)"
lab_stop "$HOSTILE_f1"
lab_stop "$HOSTILE_f2"
lab_server_stop || fail "server did not stop cleanly"

# Negative: the same from an untrusted IPv6 peer: one source, the peer.
limits_config 2001:db8:2::/64
lab_server_start "$LAB_DIR/limits.toml"
hostile "$NS_C1" u1 --host "$LAB_SRV_C1_6" --mode upgrade --count 6 \
	--hold 10 --xff 198.18.5.1
set -- $(hostile_wait_ready u1)
[ "$1 $2" = "4 2" ] ||
	fail "6 from an untrusted IPv6 peer, cap 4: opened $1, refused $2"
hostile "$NS_C1" u2 --host "$LAB_SRV_C1_6" --mode upgrade --count 2 \
	--hold 0 --xff 198.18.5.2
set -- $(hostile_wait_ready u2)
[ "$1 $2" = "0 2" ] ||
	fail "untrusted peer, another X-Forwarded-For: opened $1, refused $2 (want 0 2)"
ok "untrusted IPv6 peer: X-Forwarded-For ignored, its own cap applies (the next 2 refused)"
lab_stop "$HOSTILE_u1"
lab_stop "$HOSTILE_u2"
lab_server_stop || fail "server did not stop cleanly"
exit 0
