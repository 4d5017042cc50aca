#!/bin/sh
# rvpn-client and TLS: a certificate the system CAs do not vouch for is
# refused (the client keeps retrying, nothing comes up); --insecure
# accepts it because the pinned server key still authenticates the
# server: with a wrong --server-key the handshake fails; the refusal
# arrives unauthenticated, so the client logs it and keeps retrying,
# leaving nothing applied.  A certificate from the trusted CA (--ca) but
# for another name is refused the same way.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

. "$top_srcdir/tests/lab/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up
lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
ns=$NS_C1
resolv=/etc/netns/$ns/resolv.conf
cp "$resolv" "$LAB_DIR/resolv.before"
base="--server $LAB_URL1 --key $LAB_DIR/c1.key"

# No --ca: the lab CA is not a system CA.
# shellcheck disable=SC2086
lab_client_spawn "$ns" noca $base --server-key "$LAB_SRV_PUB"
pid=$LAB_CLIENT_PID
log=$LAB_DIR/client-noca.log
lab_wait_log "$log" "TLS handshake failed.*reconnecting in" "$LAB_TIMEOUT" "$pid" ||
	fail "no TLS failure logged"
grep -q "tunnel up" "$log" && fail "tunnel up with an untrusted certificate"
[ -z "$(lab_tun_addr "$ns")" ] || fail "address on rvpn0 without TLS"
lab_stop "$pid" || fail "client did not stop"
wait "$pid" 2>/dev/null
ok "untrusted certificate: TLS refused, retrying, nothing applied"

# --insecure with a key that is not the server's: a man in the middle
# with a self-signed certificate looks exactly like this.  The refusal
# (4000) comes in a close frame nothing authenticates, so the client
# logs it and keeps retrying (anyone on the path could have sent it).
# shellcheck disable=SC2046,SC2086
lab_client_spawn "$ns" wrongkey $base --insecure --server-key "$(cat "$LAB_DIR/c2.pub")"
pid=$LAB_CLIENT_PID
lab_wait_log "$LAB_DIR/client-wrongkey.log" \
	"server closed the connection: bad handshake \(4000\), not authenticated \(--insecure\): retrying" \
	"$LAB_TIMEOUT" "$pid" || fail "no unauthenticated bad-handshake message"
lab_wait_log "$LAB_DIR/client-wrongkey.log" "reconnecting in" "$LAB_TIMEOUT" "$pid" ||
	fail "wrong server key: not retrying"
kill -0 "$pid" 2>/dev/null || fail "wrong server key with --insecure: the client exited"
grep -q "tunnel up" "$LAB_DIR/client-wrongkey.log" && fail "tunnel up with a wrong key"
[ -z "$(lab_tun_addr "$ns")" ] || fail "address on rvpn0 with a wrong key"
cmp -s "$LAB_DIR/resolv.before" "$resolv" || fail "resolv.conf changed"
lab_stop "$pid" || fail "client did not stop"
nsx "$ns" ip link show rvpn0 >/dev/null 2>&1 && fail "rvpn0 left behind"
ok "--insecure with a wrong server key: refused, unauthenticated, retrying, nothing applied"

# --insecure with the right key: up.
# shellcheck disable=SC2086
lab_client_start "$ns" insecure $base --insecure --server-key "$LAB_SRV_PUB"
pid=$LAB_CLIENT_PID
got=$(nsx "$ns" curl -sf --max-time 5 "http://$LAB_NET/hello.txt") ||
	fail "no HTTP through the tunnel"
[ "$got" = "$LAB_TOKEN" ] || fail "HTTP: '$got'"
lab_stop "$pid" || fail "client did not stop"
ok "--insecure with the pinned key: tunnel up, traffic flows"

# A certificate from the trusted CA, but for another name (198.18.9.9):
# with --ca the client refuses it (the CA vouches for the wrong host),
# retries and applies nothing.  The same CA with the right name is the
# positive case (every other lab test).
d=$LAB_DIR
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$d/other.key" -out "$d/other.csr" -subj "/CN=198.18.9.9" \
	>/dev/null 2>&1 || fail "other CSR"
printf 'subjectAltName=IP:198.18.9.9,DNS:other.rvpn.test\nbasicConstraints=CA:FALSE\n' \
	>"$d/other.ext"
openssl x509 -req -in "$d/other.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
	-CAcreateserial -out "$d/other.crt" -days 2 -extfile "$d/other.ext" \
	>/dev/null 2>&1 || fail "other certificate"
chmod 600 "$d/other.key"
openssl verify -CAfile "$d/ca.crt" "$d/other.crt" >/dev/null ||
	fail "the other certificate does not chain to the lab CA"
lab_server_stop || fail "server did not stop"
sed -e "s|$d/server.crt|$d/other.crt|" -e "s|$d/server.key|$d/other.key|" \
	"$d/server.toml" >"$d/other.toml"
grep -q "other.crt" "$d/other.toml" || fail "other.toml"
lab_server_start "$d/other.toml"
# shellcheck disable=SC2086
lab_client_spawn "$ns" othername $base --ca "$d/ca.crt" --server-key "$LAB_SRV_PUB"
pid=$LAB_CLIENT_PID
log=$LAB_DIR/client-othername.log
lab_wait_log "$log" "TLS handshake failed.*reconnecting in" "$LAB_TIMEOUT" "$pid" ||
	fail "a certificate for another name: no TLS failure logged: $(cat "$log")"
grep -q "tunnel up" "$log" && fail "tunnel up with a certificate for another name"
[ -z "$(lab_tun_addr "$ns")" ] || fail "address on rvpn0 with a certificate for another name"
cmp -s "$LAB_DIR/resolv.before" "$resolv" || fail "resolv.conf changed"
lab_stop "$pid" || fail "client did not stop"
ok "a certificate from the trusted CA for another name: TLS refused, retrying, nothing applied"
lab_server_stop || fail "server did not stop cleanly"
exit 0
