#!/bin/sh
# Relay mode (issue 12): RFC 1929 username/password on the client's
# SOCKS5 listener, and a 100 MB download with its sha256.  The client
# runs as nobody.  With socks_username set: curl with the right
# credentials gets through; the wrong password, the wrong user, no
# authentication offered (method 0 only: 0xFF) and a bad subnegotiation
# version are refused, and no stream is opened for them; the password
# never appears in the log.  Bad password files (group-readable, empty,
# a username without a file) stop the client at start with a clear
# error.  A 100 MB download through the authenticated listener arrives
# whole.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v setpriv >/dev/null 2>&1 || skip "no setpriv"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
SOCKS_PY="$top_srcdir/tests/lab/socks.py"
lab_up

mkdir -p "/etc/netns/$NS_SRV"
echo "nameserver $LAB_NET" >"/etc/netns/$NS_SRV/resolv.conf"
head -c 104857600 /dev/urandom >"$LAB_DIR/www/big100.bin"
big_sha=$(sha256sum <"$LAB_DIR/www/big100.bin" | cut -d' ' -f1)

lab_clients_file "$LAB_DIR/clients.toml" c1
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"" \
	lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"

PASS=correct-horse-42
U="$LAB_DIR/nobody"
mkdir -p "$U"
cp "$LAB_DIR/c1.key" "$LAB_DIR/ca.crt" "$U/"
printf '%s\n' "$PASS" >"$U/pass"
printf '%s\n' "$PASS" >"$U/pass-open"
: >"$U/pass-empty"
chown -R nobody:nogroup "$U"
chmod 700 "$U"
chmod 600 "$U/pass" "$U/pass-empty" "$U/c1.key"
chmod 640 "$U/pass-open"
chmod 711 "$LAB_DIR"

asnobody() {
	ip netns exec "$NS_C1" setpriv --reuid=nobody --regid=nogroup \
		--clear-groups "$RVPN_CLIENT" --server "$LAB_URL1" \
		--server-key "$LAB_SRV_PUB" --key "$U/c1.key" --ca "$U/ca.crt" \
		"$@"
}

# Start-time checks (-t: configuration and files only).
out=$(asnobody -t --socks 127.0.0.1:1080 --socks-user alice \
	--socks-password-file "$U/pass" 2>&1) ||
	fail "-t with a private password file: $out"
[ "$out" = "configuration OK" ] || fail "-t: '$out'"
out=$(asnobody -t --socks 127.0.0.1:1080 --socks-user alice \
	--socks-password-file "$U/pass-open" 2>&1) &&
	fail "a group-readable password file was accepted"
echo "$out" | grep -q "pass-open: mode 0640: group or others may access it" ||
	fail "group-readable password file: '$out'"
out=$(asnobody -t --socks 127.0.0.1:1080 --socks-user alice \
	--socks-password-file "$U/pass-empty" 2>&1) &&
	fail "an empty password file was accepted"
echo "$out" | grep -q "the password must be one line of 1..255 bytes" ||
	fail "empty password file: '$out'"
out=$(asnobody -t --socks 127.0.0.1:1080 --socks-user alice 2>&1) &&
	fail "--socks-user without a password file was accepted"
echo "$out" | grep -q "socks_username and socks_password_file go together" ||
	fail "user without file: '$out'"
out=$(asnobody -t --socks-user alice --socks-password-file "$U/pass" 2>&1) &&
	fail "--socks-user without --socks was accepted"
echo "$out" | grep -q "only for relay mode" || fail "user without --socks: '$out'"
ok "bad password files and half-given credentials are refused at start with a clear error"

LAB_CLIENT_FROM=$(lab_log_next "$LAB_DIR/client-r1.log")
ip netns exec "$NS_C1" setpriv --reuid=nobody --regid=nogroup \
	--clear-groups "$RVPN_CLIENT" -f --server "$LAB_URL1" \
	--server-key "$LAB_SRV_PUB" --key "$U/c1.key" --ca "$U/ca.crt" \
	--socks 127.0.0.1:1080 --socks-user alice \
	--socks-password-file "$U/pass" >>"$LAB_DIR/client-r1.log" 2>&1 &
R1=$!
LAB_PIDS="$LAB_PIDS $R1"
LAB_RVPN_PIDS="$LAB_RVPN_PIDS $R1"
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-r1.log" \
	"relay session up" "$LAB_TIMEOUT" "$R1" ||
	fail "relay client: no 'relay session up'"
grep -q "SOCKS5 listener on 127.0.0.1:1080 (username/password required)" \
	"$LAB_DIR/client-r1.log" || fail "the listener does not say it needs a login"

cx() { nsx "$NS_C1" curl -sS --max-time 20 "$@"; }
body=$(cx --socks5-hostname "alice:$PASS@127.0.0.1:1080" \
	http://www.rvpn.test/hello.txt) || fail "curl with the right credentials"
[ "$body" = "$LAB_TOKEN" ] || fail "right credentials: body '$body'"
ok "curl --socks5-hostname alice:PASSWORD@ gets through"

reqs() { grep -c "GET /hello.txt" "$LAB_DIR/http.log"; }
n0=$(reqs)
cx --socks5-hostname "alice:wrong@127.0.0.1:1080" \
	http://www.rvpn.test/hello.txt >/dev/null 2>&1 &&
	fail "curl with the wrong password got through"
cx --socks5-hostname "bob:$PASS@127.0.0.1:1080" \
	http://www.rvpn.test/hello.txt >/dev/null 2>&1 &&
	fail "curl with the wrong user got through"
cx --socks5-hostname 127.0.0.1:1080 http://www.rvpn.test/hello.txt \
	>/dev/null 2>&1 && fail "curl without credentials got through"
[ "$(reqs)" = "$n0" ] || fail "a refused client reached the web server"
ok "curl with the wrong password, the wrong user or no credentials is refused"

raw() { nsx "$NS_C1" "$PY" "$SOCKS_PY" 1080 raw "$1"; }
hx() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
auth() { printf '01%02x%s%02x%s' "${#1}" "$(hx "$1")" "${#2}" "$(hx "$2")"; }
r=$(raw 050100)
[ "$r" = 05ff ] || fail "method 0 only: '$r', want 05ff"
r=$(raw "050102$(auth alice wrong)")
[ "$r" = 05020101 ] || fail "wrong password: '$r', want 05020101"
r=$(raw "050102$(auth alic "$PASS")")
[ "$r" = 05020101 ] || fail "a prefix of the user: '$r', want 05020101"
r=$(raw "050102$(auth alice "${PASS}x")")
[ "$r" = 05020101 ] || fail "the password and more: '$r', want 05020101"
r=$(raw "050102$(auth alice "$PASS" | sed 's/^01/05/')")
[ "$r" = 05020101 ] || fail "subnegotiation version 5: '$r', want 05020101"
r=$(raw "05020002$(auth alice wrong)0501000100000000")
[ "$r" = 05020101 ] || fail "methods 0 and 2, wrong password, CONNECT: '$r'"
grep -q "socks: 127.0.0.1:[0-9]*: wrong username or password" \
	"$LAB_DIR/client-r1.log" || fail "no refusal line in the client log"
grep -q "$PASS" "$LAB_DIR/client-r1.log" && fail "the password is in the log"
"${RVPNCTL:-$top_builddir/src/rvpnctl}" -s "$LAB_DIR/server.sock" stats -j |
	"$PY" -c 'import json, sys
r = json.load(sys.stdin)["relay_streams"]
assert r["opened"] == 1, r' || fail "a refused login opened a stream"
ok "SOCKS5 bytes: method 0 only -> 05ff; a wrong password, user prefix, longer password or version -> 0101 and close; no stream opened; password not logged"

sum=$(nsx "$NS_C1" curl -sS --max-time 180 --socks5-hostname \
	"alice:$PASS@127.0.0.1:1080" http://www.rvpn.test/big100.bin |
	sha256sum | cut -d' ' -f1)
[ "$sum" = "$big_sha" ] || fail "100 MB download: sha256 $sum"
ok "a 100 MB download through the relay arrives with the right sha256"

lab_stop "$R1" || fail "relay client did not stop cleanly"
exit 0
