#!/bin/sh
# SIGHUP reload: a broken config changes nothing and says where it is
# broken; a revoked key ends that session only; a swapped certificate is
# served to new TLS connections while the old session carries on;
# log_level applies; a restart-only key is logged and kept.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v openssl >/dev/null 2>&1 || skip "no openssl"
lab_up

CONF=$LAB_DIR/server.toml
CLIENTS=$LAB_DIR/clients.toml
LOG=$LAB_DIR/server.log

# The config with the given clients file and extra [server] lines.
write_config() {
	LAB_SERVER_EXTRA="authorized_clients_file = \"$CLIENTS\"
$1" LAB_NET_EXTRA="${2:-}" lab_server_config "$CONF"
}

# SIGHUP the server; wait for the end of that reload ("done" or
# "failed"); RELOAD_FROM is its first log line.
reload() {
	RELOAD_FROM=$(lab_log_next "$LOG")
	kill -HUP "$LAB_SERVER_PID" || fail "SIGHUP"
	LAB_LOG_FROM=$RELOAD_FROM lab_wait_log "$LOG" \
		"reload: done|reload failed" "$LAB_TIMEOUT" "$LAB_SERVER_PID" ||
		fail "no end of reload in the log"
}

# The log since the last reload.
reload_log() {
	tail -n +"$RELOAD_FROM" "$LOG"
}

# Ping the net host from a client namespace through the tunnel.
ping_ok() {
	nsx "$1" ping -c 1 -W 3 "$LAB_NET" >/dev/null 2>&1
}

# SHA-256 fingerprint of the certificate the server presents now.
served_fp() {
	nsx "$NS_C1" timeout 10 openssl s_client -connect "$LAB_SRV_C1:443" \
		-showcerts </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 2>/dev/null
}

lab_clients_file "$CLIENTS" c1 c2
write_config 'log_level = "info"'
lab_server_start "$CONF"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
ping_ok "$NS_C1" || fail "c1: no traffic before reload"
ping_ok "$NS_C2" || fail "c2: no traffic before reload"

# (b) A broken config (with c2 removed from the clients file too) is not
# applied: each error is logged with file:line, traffic flows, c2 stays.
lab_clients_file "$CLIENTS" c1
write_config 'keepalive = "often"
max_clients = 0'
kline=$(grep -n '^keepalive' "$CONF" | cut -d: -f1)
mline=$(grep -n '^max_clients' "$CONF" | cut -d: -f1)
reload
reload_log | grep -q "WARN rvpn_server: reload: $CONF:$kline: keepalive: 'often': " ||
	fail "broken config: no file:line error for keepalive"
reload_log | grep -q "WARN rvpn_server: reload: $CONF:$mline: max_clients: '0': " ||
	fail "broken config: the second error is not logged"
reload_log | grep -q "WARN rvpn_server: reload failed: keeping the running configuration" ||
	fail "broken config: no 'keeping the running configuration'"
reload_log | grep -q "reload: done" && fail "broken config applied"
kill -0 "$LAB_SERVER_PID" || fail "server died on a broken config"
ping_ok "$NS_C1" || fail "c1: no traffic after a broken reload"
ping_ok "$NS_C2" || fail "c2: no traffic after a broken reload (old clients file gone?)"
grep -q "key revoked" "$LAB_DIR/client-c2.log" && fail "c2 revoked by a broken config"
ok "a broken config is refused with file:line errors; traffic and the old values stay"

# (a) The same clients file, now with a valid config: c2's key is
# revoked (4012), c1 carries on.
write_config 'log_level = "info"'
reload
reload_log | grep -q "INFO rvpn_server: reload: done: 1 authorized clients, 1 revoked" ||
	fail "revoke: reload not done"
lab_wait_log "$LAB_DIR/client-c2.log" "client key revoked \\(4012\\)" "$LAB_TIMEOUT" ||
	fail "c2 did not show 'key revoked'"
lab_wait_exit "$LAB_PID_c2" "$LAB_TIMEOUT" || fail "revoked client kept running"
LAB_LOG_FROM=$RELOAD_FROM lab_wait_log "$LOG" \
	"session end: c2 10\\.200\\.0\\.[0-9]+ from $LAB_C2 .* reason: key revoked" ||
	fail "server did not log c2's end with 'key revoked'"
ping_ok "$NS_C1" || fail "c1: no traffic after c2 was revoked"
reload_log | grep -q "session end: c1" && fail "c1's session ended"
ok "a revoked key's session ends with 'key revoked'; the other client's traffic flows"

# (c) Certificate swap in place (as a renewal does).  A key that does
# not match the certificate is refused first and the old one stays.
fp0=$(served_fp)
[ -n "$fp0" ] || fail "no certificate served"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$LAB_DIR/new.key" -out "$LAB_DIR/new.csr" \
	-subj "/CN=$LAB_SRV_C1" >/dev/null 2>&1 || fail "new CSR"
openssl x509 -req -in "$LAB_DIR/new.csr" -CA "$LAB_DIR/ca.crt" \
	-CAkey "$LAB_DIR/ca.key" -CAcreateserial -out "$LAB_DIR/new.crt" \
	-days 2 -extfile "$LAB_DIR/san.ext" >/dev/null 2>&1 || fail "new cert"
fp_new=$(openssl x509 -in "$LAB_DIR/new.crt" -noout -fingerprint -sha256)
[ "$fp_new" != "$fp0" ] || fail "the new certificate is the old one"
cp "$LAB_DIR/server.key" "$LAB_DIR/old.key"
cp "$LAB_DIR/new.crt" "$LAB_DIR/server.crt"	# key not yet swapped
reload
reload_log | grep -q "WARN rvpn_server: reload: $LAB_DIR/server.crt: $LAB_DIR/server.key: the key does not match the certificate" ||
	fail "mismatched key: no error"
[ "$(served_fp)" = "$fp0" ] || fail "mismatched key: served certificate changed"
ok "a key that does not match the certificate is refused; the old certificate is served"

cp "$LAB_DIR/new.key" "$LAB_DIR/server.key"
reload
reload_log | grep -q "reload: done" || fail "cert swap: reload failed"
fp1=$(served_fp)
[ "$fp1" = "$fp_new" ] ||
	fail "after SIGHUP the server presents $fp1, not the new $fp_new"
ping_ok "$NS_C1" || fail "c1's established session stopped after the cert swap"
reload_log | grep -q "session end: c1" && fail "c1's session ended at the cert swap"
ok "after a cert swap new TLS connections see the new certificate ($fp_new); c1 carries on"

# A new client connection verifies the new certificate (same CA).
lab_clients_file "$CLIENTS" c1 c2
reload
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
ping_ok "$NS_C2" || fail "c2 (re-authorized) has no traffic"
ok "a re-authorized key connects again, over the new certificate"

# (d) log_level: no debug lines at info; debug ones after the change
# (the second reload logs the certificate load at debug).
reload_log | grep -q "^DEBUG rvpn_server:" && fail "debug lines at log_level info"
write_config 'log_level = "debug"'
reload
reload_log | grep -q "reload: done: .* log level DEBUG" || fail "log_level: reload"
reload
reload_log | grep -q "^DEBUG rvpn_server: server_ws_tls_reload: " ||
	fail "log_level debug not applied"
ok "log_level change applies at reload"

# (e) Restart-only keys are logged and keep their running value.
write_config 'log_level = "info"' 'mtu = 1300'
# lab_server_config already writes mtu = 1400: replace it.
sed -i '/^mtu = 1400$/d' "$CONF"
sed -i 's|^websocket_path = .*|websocket_path = "/other"|' "$CONF"
reload
reload_log | grep -q "WARN rvpn_server: reload: mtu changed: restart required, keeping the old value" ||
	fail "mtu change not logged"
reload_log | grep -q "WARN rvpn_server: reload: websocket_path changed: restart required, keeping the old value" ||
	fail "websocket_path change not logged"
reload_log | grep -q "reload: done" || fail "restart-only: reload failed"
nsx "$NS_SRV" ip link show "$LAB_TUN" | grep -q " mtu 1400 " ||
	fail "mtu applied to the TUN"
ping_ok "$NS_C1" || fail "c1: no traffic after a restart-only change"
lab_stop "$LAB_PID_c2"
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
[ "$(nsx "$NS_C2" ip -o link show "$(lab_tun_dev "$NS_C2")" | grep -o 'mtu [0-9]*')" = "mtu 1400" ] ||
	fail "a new client got the new mtu"
ok "restart-only keys (mtu, websocket_path) are logged and not applied"

# A clean stop still works after the reloads.
lab_server_stop || fail "server did not stop cleanly"
exit 0
