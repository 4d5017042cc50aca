#!/bin/sh
# The decoy, probed as a censor's scanner would (issue 14).
# 1. decoy_root: rvpn-server on 198.18.1.1:443 and nginx on
#    198.18.1.1:8443 serve the same web root; each probe (GET, HEAD,
#    files, ranges, conditional requests, a missing path, directories,
#    OPTIONS, POST, a huge header, the tunnel paths, upgrades that are not
#    rvpn's) gets the same status from both, the same body where nginx's
#    is not its own error page, the same validators for files; no
#    response names rvpn or libwebsockets.  Traversal (.., encoded ..,
#    a symlink out of the root) is refused and never shows the file.
# 2. decoy_upstream: the same probes through rvpn-server to a local web
#    server (python3 http.server on 127.0.0.1:8080) and to that server
#    directly get the same status and body.
# With either decoy the tunnel still comes up and carries traffic.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
NGINX=$(command -v nginx) || skip "no nginx (Debian: nginx-light)"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
lab_up

SITE=$LAB_DIR/site
SECRET="secret-$LAB_P"
mkdir -p "$SITE/sub" "$SITE/empty" || fail "mkdir $SITE"
echo "$SECRET" >"$LAB_DIR/secret.txt"
printf '<html><body><h1>Welcome</h1></body></html>\n' >"$SITE/index.html"
printf '<html><body>sub</body></html>\n' >"$SITE/sub/index.html"
printf '<html><body><h1>Nothing here</h1></body></html>\n' >"$SITE/404.html"
printf 'body { color: #333; }\n' >"$SITE/style.css"
printf 'console.log(1);\n' >"$SITE/app.js"
seq 1 60000 >"$SITE/big.bin"
head -c 2000 /dev/zero | tr "\\0" "\\211" >"$SITE/img.png"
ln -s "$LAB_DIR/secret.txt" "$SITE/out.txt"
ln -s style.css "$SITE/in.css"
# One second in the past: If-Modified-Since compares whole seconds.
touch -d '2026-01-02 03:04:05 UTC' "$SITE"/*.html "$SITE"/*.css "$SITE"/*.bin \
	"$SITE"/*.png "$SITE"/*.js

# nginx: the same root, the operator's 404.html, stock MIME types.
NGX=$LAB_DIR/nginx
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
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log $NGX/access.log;
	client_body_temp_path $NGX/body;
	proxy_temp_path $NGX/proxy;
	fastcgi_temp_path $NGX/fastcgi;
	uwsgi_temp_path $NGX/uwsgi;
	scgi_temp_path $NGX/scgi;
	server_tokens off;
	server {
		listen $LAB_SRV_C1:8443 ssl;
		ssl_certificate $LAB_DIR/server.crt;
		ssl_certificate_key $LAB_DIR/server.key;
		root $SITE;
		error_page 404 /404.html;
	}
}
EOF
ip netns exec "$NS_SRV" "$NGINX" -p "$NGX" -c "$NGX/nginx.conf" \
	-e "$NGX/error.log" >"$LAB_DIR/nginx.log" 2>&1 &
NGINX_PID=$!
LAB_PIDS="$LAB_PIDS $NGINX_PID"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" curl -sf -o /dev/null --max-time 2 \
	--cacert "$LAB_DIR/ca.crt" "https://$LAB_SRV_C1:8443/" ||
	fail "nginx did not come up: $(cat "$NGX/error.log" "$LAB_DIR/nginx.log")"

# Probes come quickly from one source: no per-source rate limit.
NOLIMIT='handshake_rate_per_source = 0'
LAB_SERVER_EXTRA="decoy_root = \"$SITE\"
$NOLIMIT" lab_server_config "$LAB_DIR/root.toml"
lab_server_start "$LAB_DIR/root.toml"

# One request: headers to $LAB_DIR/p.TAG.h, body to p.TAG.b, status out.
# (--path-as-is: traversal goes out as written.)
probe() {
	local tag=$1 ns=$2 url=$3
	shift 3
	: >"$LAB_DIR/p.$tag.b"	# curl creates no file for an empty body
	nsx "$ns" curl -s --http1.1 --path-as-is --max-time 5 \
		--cacert "$LAB_DIR/ca.crt" -D "$LAB_DIR/p.$tag.h" \
		-o "$LAB_DIR/p.$tag.b" -w '%{http_code}' "$@" "$url"
}
# A header's value from a saved response.
hdr() {
	tr -d '\r' <"$LAB_DIR/p.$1.h" | awk -v h="$2" 'tolower($0) ~ "^" tolower(h) ":" {
		sub(/^[^:]*: */, ""); print; exit }'
}
# The response must not name rvpn or lws, nor leak the secret.
clean() {
	grep -Eaiq 'rvpn|libwebsockets|lws|error\.css' "$LAB_DIR/p.$1.h" "$LAB_DIR/p.$1.b" &&
		fail "$1: names rvpn/lws: $(cat "$LAB_DIR/p.$1.h")"
	grep -aq "$SECRET" "$LAB_DIR/p.$1.b" && fail "$1: the secret leaked"
	return 0
}

UP=(-H "Connection: Upgrade" -H "Upgrade: websocket")
V13=(-H "Sec-WebSocket-Version: 13")
KEY=(-H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
BIG=$(head -c 10000 /dev/zero | tr '\0' 'a')
ETAG=

# name|path|compare: body, head (HEAD: headers only) or status|curl options (eval'd)
PROBES=$(cat <<'EOF'
get-root|/|body|
head-root|/|head|-I
get-index|/index.html|body|
get-css|/style.css|body|
get-js|/app.js|body|
get-png|/img.png|body|
get-big|/big.bin|body|
get-in-link|/in.css|body|
range-mid|/big.bin|body|-H "Range: bytes=100-199"
range-suffix|/big.bin|body|-H "Range: bytes=-10"
range-open|/big.bin|body|-H "Range: bytes=299990-"
range-bad|/big.bin|status|-H "Range: bytes=999999999-"
inm|/style.css|body|-H "If-None-Match: $ETAG"
ims|/style.css|body|-H "If-Modified-Since: Fri, 02 Jan 2026 03:04:05 GMT"
ims-old|/style.css|body|-H "If-Modified-Since: Thu, 01 Jan 2026 03:04:05 GMT"
missing|/no/such/page|body|
missing-head|/nothing.html|head|-I
query|/style.css?v=3|body|
dir-noslash|/sub|status|
dir|/sub/|body|
dir-noindex|/empty/|status|
options|/|status|-X OPTIONS
post-file|/index.html|status|-d x=1
huge-header|/|status|-H "X-Big: $BIG"
ws-path|/api/v1/ws|body|
tun-path|/api/v1/ws/tun|body|
tun-head|/api/v1/ws/tun|head|-I
up-wrong-proto|/api/v1/ws/tun|body|"${UP[@]}" "${V13[@]}" "${KEY[@]}" -H "Sec-WebSocket-Protocol: chat"
up-no-proto|/api/v1/ws/tun|body|"${UP[@]}" "${V13[@]}" "${KEY[@]}"
up-no-version|/api/v1/ws/tun|body|"${UP[@]}" "${KEY[@]}" -H "Sec-WebSocket-Protocol: rvpn.v1"
up-index|/index.html|body|"${UP[@]}" "${V13[@]}" "${KEY[@]}" -H "Sec-WebSocket-Protocol: chat"
EOF
)

# Compare rvpn (URL_A in NS_A) with the reference (URL_B in NS_B).
compare_all() {
	local A=$1 NSA=$2 B=$3 NSB=$4 what=$5 name path mode opts ca cb n=0
	while IFS='|' read -r name path mode opts; do
		[ -n "$name" ] || continue
		eval "set -- $opts"
		ca=$(probe "a-$name" "$NSA" "$A$path" "$@")
		cb=$(probe "b-$name" "$NSB" "$B$path" "$@")
		clean "a-$name"
		case $name in
		huge-header)
			# nginx: 400; lws: 431 or the connection closed.
			case $ca in 4??|000) ;; *) fail "$what $name: $ca, want refused" ;; esac
			n=$((n + 1))
			continue ;;
		esac
		[ "$ca" = "$cb" ] || fail "$what $name ($path $opts): status $ca, reference $cb"
		if [ "$mode" = body ]; then
			cmp -s "$LAB_DIR/p.a-$name.b" "$LAB_DIR/p.b-$name.b" ||
				fail "$what $name: bodies differ: $(head -c 300 "$LAB_DIR/p.a-$name.b") vs $(head -c 300 "$LAB_DIR/p.b-$name.b")"
		fi
		# nginx's own error pages (status mode) name nginx: not copied.
		if [ "$what" = root ] && [ "$mode" != status ]; then
			for h in Content-Type Content-Length ETag Last-Modified Content-Range Accept-Ranges; do
				[ "$(hdr "a-$name" "$h")" = "$(hdr "b-$name" "$h")" ] ||
					fail "$what $name: $h '$(hdr "a-$name" "$h")', nginx '$(hdr "b-$name" "$h")'"
			done
		fi
		n=$((n + 1))
	done <<<"$PROBES"
	echo "$n"
}

ETAG=$(nsx "$NS_C1" curl -sI --cacert "$LAB_DIR/ca.crt" "https://$LAB_SRV_C1:8443/style.css" |
	tr -d '\r' | awk 'tolower($1) == "etag:" { print $2 }')
[ -n "$ETAG" ] || fail "no ETag from nginx"
PROBES=${PROBES//\$ETAG/$ETAG}
n=$(compare_all "https://$LAB_SRV_C1" "$NS_C1" "https://$LAB_SRV_C1:8443" "$NS_C1" root) ||
	exit 1
ok "decoy_root: $n probes answered as nginx answers them (status, body, file headers)"

# Traversal: refused, the secret never shown, as by nginx.
for t in "/../secret.txt" "/%2e%2e/secret.txt" "/sub/..%2f..%2fsecret.txt" \
    "/sub/%2e%2e/%2e%2e/secret.txt" "/..%5csecret.txt" "/out.txt" \
    "/%00/etc/passwd" "/index.html%00.png" "/../../../../etc/passwd"; do
	c=$(probe "t" "$NS_C1" "https://$LAB_SRV_C1$t")
	clean t
	# 000: lws hangs up on a URI it cannot parse (a decoded NUL).
	case $c in 4??|000) ;; *) fail "traversal $t: $c" ;; esac
	grep -aq "root:" "$LAB_DIR/p.t.b" && fail "traversal $t: /etc/passwd shown"
	cn=$(probe "tn" "$NS_C1" "https://$LAB_SRV_C1:8443$t")
	[ "$t" = /out.txt ] || case $cn in 4??) ;; *) fail "nginx traversal $t: $cn" ;; esac
done
ok "traversal (.., %2e%2e, ..%2f, a symlink out of the root, %00) refused (4xx or hang-up), nothing outside the root shown"

# No Server header from rvpn; server_header sets one.
grep -qi '^server:' "$LAB_DIR/p.a-get-root.h" && fail "a Server header without server_header"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
nsx "$NS_C1" ping -c 2 -W 2 "$LAB_NET" >/dev/null 2>&1 || fail "ping through the tunnel (decoy_root)"
body=$(nsx "$NS_C1" curl -sf --max-time 10 "http://$LAB_NET/hello.txt") ||
	fail "curl through the tunnel (decoy_root)"
[ "$body" = "$LAB_TOKEN" ] || fail "tunnel body '$body'"
ok "the tunnel comes up and carries ping and HTTP with decoy_root set"
lab_stop "$LAB_PID_c1"
lab_server_stop || fail "server (decoy_root) did not stop cleanly"
lab_stop "$NGINX_PID" || fail "nginx did not stop cleanly"

# decoy_upstream: a local site on 127.0.0.1:8080 in the server's
# namespace, compared with itself reached directly.
ip netns exec "$NS_SRV" "$PY" -u -m http.server 8080 --bind 127.0.0.1 \
	--directory "$SITE" >"$LAB_DIR/upstream.log" 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
UPSTREAM_PID=$!
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_SRV" curl -sf -o /dev/null --max-time 2 \
	http://127.0.0.1:8080/ || fail "upstream did not start"
LAB_SERVER_EXTRA="decoy_upstream = \"http://127.0.0.1:8080\"
server_header = \"nginx\"
$NOLIMIT" lab_server_config "$LAB_DIR/upstream.toml"
lab_server_start "$LAB_DIR/upstream.toml"
# The upstream's own quirks (no ranges, 501 for OPTIONS/POST) are
# passed through: the comparison is with the upstream, not nginx.
n=$(compare_all "https://$LAB_SRV_C1" "$NS_C1" "http://127.0.0.1:8080" "$NS_SRV" upstream) ||
	exit 1
ok "decoy_upstream: $n probes answered as the upstream answers them directly (status, body)"
[ "$(hdr a-get-root Server)" = "$(hdr b-get-root Server)" ] ||
	fail "the upstream's Server header not passed: '$(hdr a-get-root Server)'"
c=$(probe srvh "$NS_C1" "https://$LAB_SRV_C1/api/v1/ws/tun" "${UP[@]}" "${V13[@]}" "${KEY[@]}")
[ "$c" = 404 ] || fail "upgrade probe through decoy_upstream: $c"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
nsx "$NS_C1" ping -c 2 -W 2 "$LAB_NET" >/dev/null 2>&1 || fail "ping through the tunnel (decoy_upstream)"
ok "the upstream's headers pass (Server: $(hdr a-get-root Server)); the tunnel works with decoy_upstream set"
lab_stop "$LAB_PID_c1"
lab_server_stop || fail "server (decoy_upstream) did not stop cleanly"

# server_header on the decoy's own answers; the upstream down: 502.
lab_stop "$UPSTREAM_PID"
lab_server_start "$LAB_DIR/upstream.toml"
c=$(probe down "$NS_C1" "https://$LAB_SRV_C1/")
[ "$c" = 502 ] || fail "upstream down: $c, want 502"
clean down
[ "$(hdr down Server)" = nginx ] || fail "server_header not sent: $(cat "$LAB_DIR/p.down.h")"
ok "upstream down: 502 with the generic page; server_header = \"nginx\" sent"
lab_server_stop || fail "server did not stop cleanly"

# Bad settings: clear errors, nothing started.
printf 'decoy_root = "%s"\ndecoy_upstream = "http://127.0.0.1:8080"\n' "$SITE" >"$LAB_DIR/extra"
LAB_SERVER_EXTRA=$(cat "$LAB_DIR/extra") lab_server_config "$LAB_DIR/both.toml"
out=$("$RVPN_SERVER" -t -c "$LAB_DIR/both.toml" 2>&1) && fail "both decoys accepted"
grep -q "decoy_upstream: 'http://127.0.0.1:8080': decoy_root is set too" <<<"$out" ||
	fail "both decoys: $out"
LAB_SERVER_EXTRA='decoy_upstream = "https://example.org/x"' lab_server_config "$LAB_DIR/bad.toml"
out=$("$RVPN_SERVER" -t -c "$LAB_DIR/bad.toml" 2>&1) && fail "https upstream accepted"
grep -q "decoy_upstream: 'https://example.org/x': must be http://HOST\[:PORT\]" <<<"$out" ||
	fail "https upstream: $out"
LAB_SERVER_EXTRA="decoy_root = \"$SITE/index.html\"" lab_server_config "$LAB_DIR/bad2.toml"
out=$("$RVPN_SERVER" -t -c "$LAB_DIR/bad2.toml" 2>&1) && fail "a file as decoy_root accepted"
grep -q "not a directory" <<<"$out" || fail "decoy_root file: $out"
ok "bad decoy settings refused with a clear error"
exit 0
