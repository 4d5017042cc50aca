#!/bin/sh
# The HTTPS side without a decoy, as a prober sees it: every request that
# is not the rvpn.v1 upgrade (any path, the tunnel paths included, and
# upgrades with a wrong or missing subprotocol, version, key or
# Connection) gets the same plain 404: same status line, headers and
# body, no Server header, nothing naming rvpn or libwebsockets (no
# /error.css page).  The rvpn.v1 upgrade on the tunnel path and on the
# relay base path gets 101 (the positive cases), closed after the
# handshake timeout.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init
lab_up

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
base=https://$LAB_SRV_C1
N=0

# Fetch with curl; the response (headers and body) goes to $LAB_DIR/r.N,
# the status to $CODE.  Date and Connection are dropped from the copy
# kept for comparison ($LAB_DIR/r.N.cmp).
fetch() {
	N=$((N + 1))
	CODE=$(nsx "$NS_C1" curl -s --http1.1 --max-time 5 -i \
		-o "$LAB_DIR/r.$N" -w '%{http_code}' --cacert "$LAB_DIR/ca.crt" "$@")
	tr -d '\r' <"$LAB_DIR/r.$N" | grep -Eiv '^(date|connection):' \
		>"$LAB_DIR/r.$N.cmp"
}
upgrade() {
	fetch -H "Connection: Upgrade" -H "Upgrade: websocket" "$@"
}
V13=(-H "Sec-WebSocket-Version: 13")
KEY=(-H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
PROTO=(-H "Sec-WebSocket-Protocol: rvpn.v1")

# Nothing in the response names the product or its library.
clean() {
	grep -Eaiq 'rvpn|libwebsockets|lws|error\.css' "$LAB_DIR/r.$N" &&
		fail "$1: the response names rvpn/lws: $(cat "$LAB_DIR/r.$N")"
	grep -iq '^server:' "$LAB_DIR/r.$N" &&
		fail "$1: a Server header: $(cat "$LAB_DIR/r.$N")"
	return 0
}

fetch "$base/"
[ "$CODE" = 404 ] || fail "GET /: $CODE, want 404"
clean "GET /"
ref=$LAB_DIR/r.$N.cmp
grep -q '<h1>404 Not Found</h1>' "$LAB_DIR/r.$N" ||
	fail "GET /: not the generic 404 page: $(cat "$LAB_DIR/r.$N")"
# The same 404, byte for byte, for every other probe.
same() {
	local what=$1
	[ "$CODE" = 404 ] || fail "$what: $CODE, want 404"
	clean "$what"
	if [ "${2:-}" = head ]; then	# HEAD: the headers of GET's
		sed '/^$/q' "$ref" | cmp -s - "$LAB_DIR/r.$N.cmp" ||
			fail "$what: not the headers of GET /: $(sed '/^$/q' "$ref" | diff - "$LAB_DIR/r.$N.cmp")"
		return 0
	fi
	cmp -s "$ref" "$LAB_DIR/r.$N.cmp" ||
		fail "$what: not the same 404 as GET /: $(diff "$ref" "$LAB_DIR/r.$N.cmp")"
}
for path in /index.html /api/v1/ws /api/v1/ws/ /api/v1/ws/tun /api/v1/ws/tun?x=1 \
    /error.css /api/v1/ws/tun/..; do
	fetch "$base$path"
	same "GET $path"
done
fetch -I "$base/api/v1/ws/tun"
same "HEAD /api/v1/ws/tun" head
fetch -d x=1 "$base/api/v1/ws/tun"
same "POST /api/v1/ws/tun"
fetch -k "$base/x"
same "curl -k"
ok "plain requests (/, /index.html, the tunnel paths, HEAD, POST) get one generic 404, no Server header, nothing naming rvpn or lws"

upgrade "${V13[@]}" "${KEY[@]}" "${PROTO[@]}" "$base/elsewhere"
same "upgrade to /elsewhere"
upgrade "${V13[@]}" "${KEY[@]}" "${PROTO[@]}" "$base/api/v1/ws/other"
same "upgrade to /api/v1/ws/other"
upgrade "${V13[@]}" "${KEY[@]}" -H "Sec-WebSocket-Protocol: chat" "$base/api/v1/ws"
same "upgrade to the relay path, wrong subprotocol"
upgrade "${V13[@]}" "${KEY[@]}" "$base/api/v1/ws"
same "upgrade to the relay path, no subprotocol"
upgrade "${V13[@]}" "${KEY[@]}" -H "Sec-WebSocket-Protocol: chat" "$base/api/v1/ws/tun"
same "upgrade, wrong subprotocol"
upgrade "${V13[@]}" "${KEY[@]}" "$base/api/v1/ws/tun"
same "upgrade, no subprotocol"
upgrade "${KEY[@]}" "${PROTO[@]}" "$base/api/v1/ws/tun"
same "upgrade, no version"
upgrade -H "Sec-WebSocket-Version: 8" "${KEY[@]}" "${PROTO[@]}" "$base/api/v1/ws/tun"
same "upgrade, version 8"
upgrade "${V13[@]}" "${PROTO[@]}" "$base/api/v1/ws/tun"
same "upgrade, no key"
fetch -H "Upgrade: websocket" "${V13[@]}" "${KEY[@]}" "${PROTO[@]}" "$base/api/v1/ws/tun"
same "upgrade, no Connection: Upgrade"
fetch -H "Connection: Upgrade, HTTP2-Settings" -H "Upgrade: h2c" -H "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA" "$base/api/v1/ws/tun"
same "upgrade to h2c"
ok "upgrades that are not rvpn.v1 (other paths, wrong/no subprotocol, no/bad version, no key, no Connection, h2c) get the same 404"

# What lws itself parses before rvpn sees a request (contrib/lws patch):
# a malformed request gets a plain 400 page, an unknown Upgrade the same
# 404 as GET /; never lws's page.
raw() {
	N=$((N + 1))
	printf "$1" | nsx "$NS_C1" timeout 5 openssl s_client -quiet \
		-connect "$LAB_SRV_C1:443" >"$LAB_DIR/r.$N" 2>/dev/null
	CODE=$(head -n 1 "$LAB_DIR/r.$N" | tr -d '\r')
}
for req in 'FOO / HTTP/1.1\r\nHost: x\r\n\r\n' \
    'GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n' \
    'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n' \
    'GET /%%zz HTTP/1.1\r\nHost: x\r\n\r\n' \
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' 'hello\r\n\r\n' \
    'GET /index.html%%00.png HTTP/1.1\r\nHost: x\r\n\r\n' \
    "GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Big: $(head -c 10000 /dev/zero | tr '\0' a)\\r\\n\\r\\n"; do
	raw "$req"
	req=${req:0:60}
	# 400; an absolute URI is 403 (as nginx answers it).
	case $CODE in
	"HTTP/1.1 400 Bad Request"|"HTTP/1.1 403 Forbidden") ;;
	*) fail "'$req': '$CODE', want HTTP/1.1 400 (or 403): $(cat "$LAB_DIR/r.$N")" ;;
	esac
	grep -q "<h1>${CODE#HTTP/1.1 }</h1>" "$LAB_DIR/r.$N" ||
		fail "'$req': not the plain page: $(cat "$LAB_DIR/r.$N")"
	clean "'$req'"
done
ok "malformed requests (unknown method, absolute URI, OPTIONS *, bad %-escape, h2 preface, garbage, %00, a 10 KB header) get a plain 400/403, no lws page"
raw 'GET /api/v1/ws/tun HTTP/1.1\r\nHost: x\r\nUpgrade: foo\r\nConnection: upgrade\r\n\r\n'
[ "$CODE" = "HTTP/1.1 404 Not Found" ] || fail "Upgrade: foo: '$CODE': $(cat "$LAB_DIR/r.$N")"
tr -d '\r' <"$LAB_DIR/r.$N" | grep -Eiv '^(date|connection):' >"$LAB_DIR/r.$N.cmp"
CODE=404
same "Upgrade: foo"
ok "an unknown Upgrade gets the same 404 as GET /"

# This one stays open without a handshake: the server closes it after
# its 10 s handshake timeout, before curl's 15 s.
from=$(lab_log_next "$LAB_DIR/server.log")
upgrade --max-time 15 "${V13[@]}" "${KEY[@]}" -H "Sec-WebSocket-Protocol: chat, rvpn.v1" "$base/api/v1/ws/tun"
[ "$CODE" = 101 ] || fail "upgrade to the tunnel path: $CODE, want 101"
sed '/^\r*$/q' "$LAB_DIR/r.$N" | grep -Eiq '^server:|libwebsockets|lws' &&
	fail "the 101 names lws or has a Server header: $(cat "$LAB_DIR/r.$N")"
ok "the rvpn.v1 upgrade on /api/v1/ws/tun gets 101 (no Server header)"
LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/server.log" \
	"session end: - - from $LAB_C1 .* reason: handshake timeout" 5 ||
	fail "no handshake timeout"
ok "a WebSocket without a handshake is closed after the handshake timeout"

# The relay base path (SOCKS5 mode) is the other rvpn.v1 upgrade.
upgrade --max-time 15 "${V13[@]}" "${KEY[@]}" "${PROTO[@]}" "$base/api/v1/ws"
[ "$CODE" = 101 ] || fail "upgrade to the relay path: $CODE, want 101"
sed '/^\r*$/q' "$LAB_DIR/r.$N" | grep -Eiq '^server:|libwebsockets|lws' &&
	fail "the 101 names lws or has a Server header: $(cat "$LAB_DIR/r.$N")"
ok "the rvpn.v1 upgrade on the relay path /api/v1/ws gets 101 (no Server header)"

exit 0
