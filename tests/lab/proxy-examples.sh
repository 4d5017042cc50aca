#!/bin/sh
# The reverse-proxy examples as shipped: contrib/nginx/rvpn.conf and
# contrib/caddy/Caddyfile, with only the host name, addresses and paths
# changed for the lab.  Each serves a web root at / on 198.18.1.1:443 and
# passes both rvpn paths (TUN and relay) to rvpn-server on 127.0.0.1:8080 (plain, with
# decoy_root on the same root, as the examples' comments say).  Through
# each: the client connects and the tunnel carries ping and HTTP, a relay
# (SOCKS5) client fetches a page; GET /
# is the site; the tunnel paths probed without a valid rvpn upgrade (a
# plain GET, a wrong subprotocol, no version) get the site's own 404.html
# with 404; nothing names rvpn or libwebsockets.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
NGINX=$(command -v nginx) || skip "no nginx (Debian: nginx-light)"
CADDY=$(command -v caddy) || skip "no caddy (contrib/install-deps.sh)"
lab_up

SITE=$LAB_DIR/site
mkdir -p "$SITE" || fail "mkdir $SITE"
printf '<html><body><h1>Welcome %s</h1></body></html>\n' "$LAB_P" >"$SITE/index.html"
printf '<html><body><h1>Lost?</h1></body></html>\n' >"$SITE/404.html"

LAB_SERVER_EXTRA="trusted_proxies = [\"127.0.0.1\"]
decoy_root = \"$SITE\"" lab_server_config "$LAB_DIR/server.toml"
sed -i -e '/^tls_cert_file/d' -e '/^tls_key_file/d' \
	-e 's/^bind_address = .*/bind_address = "127.0.0.1:8080"/' "$LAB_DIR/server.toml"

UP=(-H "Connection: Upgrade" -H "Upgrade: websocket")
V13=(-H "Sec-WebSocket-Version: 13")
KEY=(-H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
get() {
	local tag=$1
	shift
	: >"$LAB_DIR/g.$tag.b"
	nsx "$NS_C1" curl -s --http1.1 --max-time 5 --cacert "$LAB_DIR/ca.crt" \
		-D "$LAB_DIR/g.$tag.h" -o "$LAB_DIR/g.$tag.b" -w '%{http_code}' \
		"$@"
}
clean() {
	grep -Eaiq 'rvpn|libwebsockets|lws|error\.css' "$LAB_DIR/g.$1.h" "$LAB_DIR/g.$1.b" &&
		fail "$2 $1: names rvpn/lws: $(cat "$LAB_DIR/g.$1.h" "$LAB_DIR/g.$1.b")"
	return 0
}

# Everything through the proxy named $1, up on 198.18.1.1:443.
check_proxy() {
	local what=$1 c base=https://$LAB_SRV_C1
	c=$(get root "$base/")
	[ "$c" = 200 ] && cmp -s "$LAB_DIR/g.root.b" "$SITE/index.html" ||
		fail "$what: GET / $c: $(cat "$LAB_DIR/g.root.b")"
	clean root "$what"
	for probe in plain wrong noversion ws; do
		case $probe in
		plain) c=$(get $probe "$base/api/v1/ws/tun") ;;
		wrong) c=$(get $probe "${UP[@]}" "${V13[@]}" "${KEY[@]}" \
			-H "Sec-WebSocket-Protocol: chat" "$base/api/v1/ws/tun") ;;
		noversion) c=$(get $probe "${UP[@]}" "${KEY[@]}" \
			-H "Sec-WebSocket-Protocol: rvpn.v1" "$base/api/v1/ws/tun") ;;
		ws) c=$(get $probe "$base/api/v1/ws") ;;
		esac
		[ "$c" = 404 ] || fail "$what: probe $probe: $c, want 404"
		cmp -s "$LAB_DIR/g.$probe.b" "$SITE/404.html" ||
			fail "$what: probe $probe: not the site's 404.html: $(cat "$LAB_DIR/g.$probe.b")"
		clean $probe "$what"
	done
	ok "$what: / is the site; the tunnel paths without a valid upgrade get the site's 404.html"

	lab_client_start "$NS_C1" c1 $(lab_client_args c1)
	nsx "$NS_C1" ping -c 2 -W 2 "$LAB_NET" >/dev/null 2>&1 ||
		fail "$what: ping through the tunnel"
	body=$(nsx "$NS_C1" curl -sf --max-time 10 "http://$LAB_NET/hello.txt") ||
		fail "$what: curl through the tunnel"
	[ "$body" = "$LAB_TOKEN" ] || fail "$what: tunnel body '$body'"
	tail -n +"$LAB_SERVER_FROM" "$LAB_DIR/server.log" |
		grep -q "session up: .* from $LAB_C1\$" ||
		fail "$what: the session is not from $LAB_C1 (X-Forwarded-For)"
	ok "$what: the client connects through it; ping, HTTP; the server sees $LAB_C1"
	lab_stop "$LAB_PID_c1"
	# Relay mode through the same proxy, at the base path.
	lab_client_spawn "$NS_C1" r1 $(lab_client_args c1) --socks 127.0.0.1:1080
	LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-r1.log" \
		"relay session up" "$LAB_TIMEOUT" "$LAB_CLIENT_PID" ||
		fail "$what: no relay session through the proxy"
	body=$(nsx "$NS_C1" curl -sf --max-time 10 --socks5 127.0.0.1:1080 \
		"http://$LAB_NET/hello.txt") || fail "$what: curl through the relay"
	[ "$body" = "$LAB_TOKEN" ] || fail "$what: relay body '$body'"
	ok "$what: a relay (SOCKS5) client works through it at the base path"
	lab_stop "$LAB_PID_r1"
}

# --- nginx, contrib/nginx/rvpn.conf --------------------------------------
NGX=$LAB_DIR/nginx
mkdir -p "$NGX" || fail "mkdir $NGX"
sed -e "s|listen 443 ssl;|listen $LAB_SRV_C1:443 ssl;|" \
	-e '/listen \[::\]:443 ssl;/d' \
	-e "s|/etc/letsencrypt/live/vpn.example.com/fullchain.pem|$LAB_DIR/server.crt|" \
	-e "s|/etc/letsencrypt/live/vpn.example.com/privkey.pem|$LAB_DIR/server.key|" \
	-e "s|root /var/www/html;|root $SITE;|" \
	"$top_srcdir/contrib/nginx/rvpn.conf" >"$NGX/rvpn.conf"
grep -q "$SITE" "$NGX/rvpn.conf" && grep -q "$LAB_DIR/server.crt" "$NGX/rvpn.conf" ||
	fail "contrib/nginx/rvpn.conf: the lab edits did not apply"
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
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log $NGX/access.log;
	client_body_temp_path $NGX/body;
	proxy_temp_path $NGX/proxy;
	fastcgi_temp_path $NGX/fastcgi;
	uwsgi_temp_path $NGX/uwsgi;
	scgi_temp_path $NGX/scgi;
	include $NGX/rvpn.conf;
}
EOF
nsx "$NS_SRV" "$NGINX" -t -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/error.log" \
	>"$LAB_DIR/nginx-t.log" 2>&1 || fail "nginx -t: $(cat "$LAB_DIR/nginx-t.log")"
ip netns exec "$NS_SRV" "$NGINX" -p "$NGX" -c "$NGX/nginx.conf" \
	-e "$NGX/error.log" >"$LAB_DIR/nginx.log" 2>&1 &
NGINX_PID=$!
LAB_PIDS="$LAB_PIDS $NGINX_PID"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" curl -sf -o /dev/null --max-time 2 \
	--cacert "$LAB_DIR/ca.crt" "https://$LAB_SRV_C1/" ||
	fail "nginx did not come up: $(cat "$NGX/error.log" "$LAB_DIR/nginx.log")"
lab_server_start "$LAB_DIR/server.toml"
check_proxy nginx
lab_stop "$NGINX_PID" || fail "nginx did not stop cleanly"

# --- Caddy, contrib/caddy/Caddyfile --------------------------------------
CDY=$LAB_DIR/caddy
mkdir -p "$CDY" || fail "mkdir $CDY"
{
	printf '{\n\tadmin off\n\tauto_https disable_redirects\n\tstorage file_system %s\n}\n\n' "$CDY/data"
	sed -e "s|^vpn.example.com {|https://$LAB_SRV_C1:443 {\n\ttls $LAB_DIR/server.crt $LAB_DIR/server.key|" \
		-e "s|root \* /var/www/html|root * $SITE|" \
		"$top_srcdir/contrib/caddy/Caddyfile"
} >"$CDY/Caddyfile"
grep -q "root \* $SITE" "$CDY/Caddyfile" && grep -q "^https://$LAB_SRV_C1:443 {" "$CDY/Caddyfile" ||
	fail "contrib/caddy/Caddyfile: the lab edits did not apply"
HOME=$CDY XDG_DATA_HOME=$CDY/data XDG_CONFIG_HOME=$CDY/config \
	"$CADDY" validate --config "$CDY/Caddyfile" --adapter caddyfile \
	>"$CDY/validate.log" 2>&1 || fail "caddy validate: $(cat "$CDY/validate.log")"
HOME=$CDY XDG_DATA_HOME=$CDY/data XDG_CONFIG_HOME=$CDY/config \
	ip netns exec "$NS_SRV" "$CADDY" run --config "$CDY/Caddyfile" \
	--adapter caddyfile >"$CDY/caddy.log" 2>&1 &
CADDY_PID=$!
LAB_PIDS="$LAB_PIDS $CADDY_PID"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" curl -sf -o /dev/null --max-time 2 \
	--cacert "$LAB_DIR/ca.crt" "https://$LAB_SRV_C1/" ||
	fail "caddy did not come up: $(cat "$CDY/caddy.log")"
check_proxy caddy
lab_stop "$CADDY_PID" || fail "caddy did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
exit 0
