#!/bin/sh
# max_clients against real clients, changed by rvpnctl reload.
#  - max_clients = 1: c1 is up; c2 (run from -c client.toml, with
#    reconnect_max = 1) is refused with 4005 "server full", says so, keeps
#    no address and retries; the refusals count under 4005.
#  - rvpnctl reload with a broken file: exit 1 with the server's reason,
#    the running configuration kept (c2 still refused, the server runs).
#  - rvpnctl reload with max_clients = 2: exit 0, "reload: done" logged,
#    and c2's next retry gets a tunnel that carries traffic.
#  - SO_PEERCRED: a control socket made world-writable by mistake still
#    refuses a non-root user ("permission denied"); root gets through.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
lab_up
SOCK=$LAB_DIR/server.sock
SLOG=$LAB_DIR/server.log
CONF=$LAB_DIR/server.toml

conf() {
	LAB_SERVER_EXTRA="max_clients = $1" lab_server_config "$CONF"
}
# The 4005 count of rvpnctl stats -j.
full_count() {
	"$RVPNCTL" -s "$SOCK" stats -j | "$PY" -c 'import json, sys
s = json.load(sys.stdin)
print({e["code"]: e["count"] for e in s["handshakes"]["failed"]}[4005])'
}

conf 1
lab_server_start "$CONF"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)

cat >"$LAB_DIR/client.toml" <<EOF
[client]
server_url = "$LAB_URL2"
server_public_key = "$LAB_SRV_PUB"
identity_key_file = "$LAB_DIR/c2.key"
ca_file = "$LAB_DIR/ca.crt"
reconnect_max = 1
EOF
lab_client_spawn "$NS_C2" c2 -c "$LAB_DIR/client.toml"
C2LOG=$LAB_DIR/client-c2.log
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$C2LOG" \
	"WARN rvpn_client: server refused: server full \(4005\)" \
	"$LAB_TIMEOUT" "$LAB_PID_c2" || fail "c2 not refused with 4005: $(cat "$C2LOG")"
# It retries: a second refusal.
lab_wait_cmd "$LAB_TIMEOUT" eval '[ "$(full_count)" -ge 2 ]' ||
	fail "c2 did not retry (4005 count $(full_count))"
grep -q "reconnecting in" "$C2LOG" || fail "c2 logs no retry"
kill -0 "$LAB_PID_c2" 2>/dev/null || fail "c2 gave up"
[ -z "$(lab_tun_addr "$NS_C2")" ] || fail "refused c2 has a tunnel address"
grep -q "tunnel up" "$C2LOG" && fail "c2 got a tunnel"
[ "$("$RVPNCTL" -s "$SOCK" status | grep -c " 10\.200\.0\.")" = 1 ] ||
	fail "status: $("$RVPNCTL" -s "$SOCK" status)"
ok "max_clients = 1: c2 (from client.toml) refused with 4005, retries, no address ($(full_count) refusals)"

# A broken file: rvpnctl reload fails with the reason; nothing changes.
from=$(lab_log_next "$SLOG")
conf 2
sed -i 's/^max_clients = 2$/max_clients = many/' "$CONF"
mline=$(grep -n '^max_clients' "$CONF" | cut -d: -f1)
"$RVPNCTL" -s "$SOCK" reload >"$LAB_DIR/out" 2>"$LAB_DIR/err" &&
	fail "rvpnctl reload of a broken file: exit 0"
grep -q "^rvpnctl: reload failed: $CONF:$mline: max_clients" "$LAB_DIR/err" ||
	fail "rvpnctl reload (broken): '$(cat "$LAB_DIR/err")'"
[ ! -s "$LAB_DIR/out" ] || fail "rvpnctl reload (broken) printed '$(cat "$LAB_DIR/out")'"
LAB_LOG_FROM=$from lab_wait_log "$SLOG" "reload failed: keeping the running configuration" ||
	fail "server did not log the failed reload"
n=$(full_count)
lab_wait_cmd "$LAB_TIMEOUT" eval '[ "$(full_count)" -gt "$n" ]' ||
	fail "after a failed reload c2 was not refused again"
[ -z "$(lab_tun_addr "$NS_C2")" ] || fail "c2 got in after a failed reload"
kill -0 "$LAB_SERVER_PID" || fail "server exited"
ok "rvpnctl reload of a broken file: exit 1 with file:line; max_clients stays 1"

# max_clients = 2: rvpnctl reload succeeds and c2's next retry gets in.
from=$(lab_log_next "$SLOG")
conf 2
"$RVPNCTL" -s "$SOCK" reload >"$LAB_DIR/out" 2>"$LAB_DIR/err" ||
	fail "rvpnctl reload: exit $?: $(cat "$LAB_DIR/err")"
[ ! -s "$LAB_DIR/err" ] || fail "rvpnctl reload wrote '$(cat "$LAB_DIR/err")'"
LAB_LOG_FROM=$from lab_wait_log "$SLOG" "INFO rvpn_server: reload: done" ||
	fail "no 'reload: done'"
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$C2LOG" "tunnel up" \
	"$LAB_TIMEOUT" "$LAB_PID_c2" || fail "c2 did not get in after the reload"
nsx "$NS_C2" ping -c 3 -W 5 "$LAB_NET" >/dev/null || fail "no traffic for c2"
[ "$("$RVPNCTL" -s "$SOCK" status | grep -c " 10\.200\.0\.")" = 2 ] ||
	fail "status: $("$RVPNCTL" -s "$SOCK" status)"
ok "rvpnctl reload to max_clients = 2: exit 0; c2's retry gets a tunnel"

# SO_PEERCRED: the socket's mode is not the only guard.
command -v setpriv >/dev/null 2>&1 || fail "setpriv not installed"
id nobody >/dev/null 2>&1 || fail "no user nobody"
chmod 777 "$LAB_DIR"
chmod 666 "$SOCK"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$RVPNCTL" -s "$SOCK" -V >/dev/null 2>&1 ||
	fail "nobody cannot run $RVPNCTL (a build directory nobody can read?)"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$RVPNCTL" -s "$SOCK" status >"$LAB_DIR/out" 2>"$LAB_DIR/err" &&
	fail "nobody got a status through the control socket"
[ "$(cat "$LAB_DIR/err")" = "rvpnctl: permission denied" ] ||
	fail "nobody: '$(cat "$LAB_DIR/err")'"
[ ! -s "$LAB_DIR/out" ] || fail "nobody got output: $(cat "$LAB_DIR/out")"
"$RVPNCTL" -s "$SOCK" status >/dev/null || fail "root after nobody"
ok "a mode-0666 control socket still refuses nobody (SO_PEERCRED); root gets through"

lab_stop "$LAB_PID_c2" || fail "c2 did not stop cleanly"
lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
exit 0
