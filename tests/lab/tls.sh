#!/bin/sh
# TLS as a well-configured web server offers it, checked with sslscan and
# openssl s_client against rvpn-server: TLS 1.2 and 1.3 only (no SSLv3,
# TLS 1.0, 1.1), TLS 1.2 suites forward-secret AEAD only (no CBC, no
# static RSA), ALPN http/1.1.  And the client's ClientHello, seen by
# openssl s_server: SNI carries a host name, never an address, and ALPN
# offers http/1.1.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v sslscan >/dev/null 2>&1 || skip "no sslscan (contrib/install-deps.sh)"
lab_up

# sslscan opens dozens of connections a second: no per-source limit.
LAB_SERVER_EXTRA='handshake_rate_per_source = 0
max_pending_per_source = 0' lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
SCAN=$LAB_DIR/sslscan.txt
nsx "$NS_C1" timeout 60 sslscan --no-colour --no-heartbleed "$LAB_SRV_C1:443" \
	>"$SCAN" 2>&1 || fail "sslscan: $(cat "$SCAN")"
grep -q "^TLSv1.2 *enabled" "$SCAN" && grep -q "^TLSv1.3 *enabled" "$SCAN" ||
	fail "TLS 1.2 and 1.3 not both enabled: $(cat "$SCAN")"
for v in SSLv2 SSLv3 TLSv1.0 TLSv1.1; do
	grep -q "^$v *disabled" "$SCAN" || fail "$v not disabled: $(cat "$SCAN")"
done
ok "sslscan: TLS 1.2 and 1.3 enabled; SSLv2, SSLv3, TLS 1.0, 1.1 disabled"

suites=$(awk '/^(Preferred|Accepted) / { print $2, $5 }' "$SCAN")
[ -n "$suites" ] || fail "sslscan listed no suite: $(cat "$SCAN")"
bad=$(echo "$suites" | grep -Ev ' (TLS_AES_|TLS_CHACHA20_|ECDHE-[A-Z]+-(AES[0-9]+-GCM-SHA[0-9]+|CHACHA20-POLY1305)|DHE-RSA-AES[0-9]+-GCM-SHA[0-9]+)' || true)
[ -z "$bad" ] || fail "non-AEAD or non-forward-secret suites accepted: $bad"
echo "$suites" | grep -q '^TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256$' ||
	fail "ECDHE-ECDSA-AES128-GCM-SHA256 not offered: $suites"
ok "sslscan: only AEAD forward-secret suites: $(echo "$suites" | awk '{ print $2 }' | tr '\n' ' ')"

sclient() {
	echo | nsx "$NS_C1" timeout 10 openssl s_client -connect "$LAB_SRV_C1:443" \
		-CAfile "$LAB_DIR/ca.crt" "$@" 2>&1
}
for c in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA384 AES128-GCM-SHA256; do
	sclient -tls1_2 -cipher "$c" | grep -q "Cipher is $c" &&
		fail "TLS 1.2 with $c accepted"
done
sclient -tls1_1 | grep -q "New, TLSv1.1" && fail "TLS 1.1 accepted"
out=$(sclient -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -alpn h2,http/1.1)
grep -q "Cipher is ECDHE-ECDSA-AES128-GCM-SHA256" <<<"$out" ||
	fail "TLS 1.2 AEAD refused: $out"
grep -q "ALPN protocol: http/1.1" <<<"$out" || fail "TLS 1.2 ALPN: $out"
out=$(sclient -tls1_3 -alpn h2,http/1.1)
grep -q "New, TLSv1.3" <<<"$out" || fail "TLS 1.3 refused: $out"
grep -q "ALPN protocol: http/1.1" <<<"$out" || fail "TLS 1.3 ALPN: $out"
ok "s_client: CBC, static-RSA and TLS 1.1 refused; TLS 1.2 AEAD and TLS 1.3 with ALPN http/1.1 (h2 not chosen)"
lab_server_stop || fail "server did not stop cleanly"

# The client's ClientHello.  openssl s_server -tlsextdebug prints each
# extension; -servername reports the SNI ("Hostname in TLS extension").
echo "$LAB_SRV_C1 vpn.rvpn.test" >"/etc/netns/$NS_C1/hosts"
hello() {
	local url=$1 name=$2 log=$LAB_DIR/s_server.$2 pid
	shift 2
	ip netns exec "$NS_SRV" stdbuf -oL openssl s_server -accept "$LAB_SRV_C1:8443" \
		-cert "$LAB_DIR/server.crt" -key "$LAB_DIR/server.key" \
		-servername vpn.rvpn.test -cert2 "$LAB_DIR/server.crt" \
		-key2 "$LAB_DIR/server.key" -alpn http/1.1 -tlsextdebug -www \
		>"$log" 2>&1 </dev/null &
	pid=$!
	LAB_PIDS="$LAB_PIDS $pid"
	lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_SRV" sh -c "ss -ltn | grep -q '$LAB_SRV_C1:8443'" ||
		fail "s_server did not listen: $(cat "$log")"
	lab_client_spawn "$NS_C1" "$name" --server "$url" --server-key "$LAB_SRV_PUB" \
		--key "$LAB_DIR/c1.key" --insecure "$@"
	lab_wait_log "$log" 'TLS client extension "key share"' "$LAB_TIMEOUT" ||
		fail "$name: no ClientHello at s_server: $(cat "$log")"
	lab_stop "$LAB_CLIENT_PID"
	lab_stop "$pid"
}
hello "wss://vpn.rvpn.test:8443/api/v1/ws" name
grep -q 'Hostname in TLS extension: "vpn.rvpn.test"' "$LAB_DIR/s_server.name" ||
	fail "no SNI vpn.rvpn.test: $(cat "$LAB_DIR/s_server.name")"
grep -A1 'extension "application layer protocol negotiation"' "$LAB_DIR/s_server.name" | grep -q ' 00 09 08 68 74 74 70 2f-31 2e 31 ' ||
	fail "client ALPN: $(cat "$LAB_DIR/s_server.name")"
ok "client to a host name: SNI vpn.rvpn.test, ALPN http/1.1"
hello "wss://$LAB_SRV_C1:8443/api/v1/ws" addr
grep -q 'TLS client extension "server name"' "$LAB_DIR/s_server.addr" &&
	fail "SNI sent for an address: $(cat "$LAB_DIR/s_server.addr")"
grep -A1 'extension "application layer protocol negotiation"' "$LAB_DIR/s_server.addr" | grep -q ' 00 09 08 68 74 74 70 2f-31 2e 31 ' ||
	fail "client ALPN (address): $(cat "$LAB_DIR/s_server.addr")"
ok "client to an address: no SNI, ALPN http/1.1"
hello "wss://$LAB_SRV_C1:8443/api/v1/ws" sni --sni front.rvpn.test
grep -q 'Hostname in TLS extension: "front.rvpn.test"' "$LAB_DIR/s_server.sni" ||
	fail "--sni not sent: $(cat "$LAB_DIR/s_server.sni")"
ok "client --sni front.rvpn.test: SNI front.rvpn.test to an address"
# --sni checks the certificate against that name: a server whose
# certificate names only front.rvpn.test is reached at its address with
# --sni front.rvpn.test (verified with --ca), and refused without it.
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$LAB_DIR/front.key" -out "$LAB_DIR/front.csr" \
	-subj "/CN=front.rvpn.test" >/dev/null 2>&1 || fail "front CSR"
printf 'subjectAltName=DNS:front.rvpn.test\nbasicConstraints=CA:FALSE\n' >"$LAB_DIR/front.ext"
openssl x509 -req -in "$LAB_DIR/front.csr" -CA "$LAB_DIR/ca.crt" \
	-CAkey "$LAB_DIR/ca.key" -CAcreateserial -out "$LAB_DIR/front.crt" \
	-days 2 -extfile "$LAB_DIR/front.ext" >/dev/null 2>&1 || fail "front certificate"
lab_server_config "$LAB_DIR/front.toml"
sed -i -e "s|^tls_cert_file = .*|tls_cert_file = \"$LAB_DIR/front.crt\"|" \
	-e "s|^tls_key_file = .*|tls_key_file = \"$LAB_DIR/front.key\"|" "$LAB_DIR/front.toml"
lab_server_start "$LAB_DIR/front.toml"
lab_client_spawn "$NS_C1" nosni $(lab_client_args c1)
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-nosni.log" \
	"TLS handshake failed" "$LAB_TIMEOUT" "$LAB_CLIENT_PID" ||
	fail "a certificate for front.rvpn.test accepted for $LAB_SRV_C1: $(cat "$LAB_DIR/client-nosni.log")"
lab_stop "$LAB_CLIENT_PID"
lab_client_start "$NS_C1" front $(lab_client_args c1) --sni front.rvpn.test
nsx "$NS_C1" ping -c 1 -W 2 "$LAB_NET" >/dev/null 2>&1 || fail "ping with --sni"
ok "--sni front.rvpn.test: the certificate is checked against it (tunnel up with --ca); without --sni the same certificate is refused"
lab_stop "$LAB_PID_front"
lab_server_stop || fail "server (front) did not stop cleanly"
out=$("$RVPN_CLIENT" -f --server "wss://$LAB_SRV_C1/api/v1/ws" --sni 198.18.1.1 2>&1) &&
	fail "--sni with an address accepted"
grep -q "sni: '198.18.1.1': an address is never sent in SNI" <<<"$out" ||
	fail "--sni 198.18.1.1: $out"
ok "--sni with an address: refused ($out)"
exit 0
