#!/bin/sh
# Detached, rvpn-server and rvpn-client log to syslog, facility daemon
# (rvpn-server(8) -f, rvpn-client(8) DESCRIPTION), with the ident
# rvpn_server / rvpn_client and their pid; in the foreground (-f) they
# log to standard error and send nothing to syslog.  The syslog is a
# socket of the test's (lab_syslog_start) bound over /dev/log in a
# private mount namespace (LAB_DEVLOG): the machine's is not touched.
# Priorities: daemon (3) * 8 + info (6) = <30>, warning (4) <28>, err (3) <27>.
#  - server, detached: "<30>... rvpn_server[PID]: session up" for c1.
#  - client, detached: "<30>... rvpn_client[PID]: tunnel up"; kicked, its
#    error line comes as <27>; a server stop gives a <28> line.
#  - both in the foreground: their lines on stderr, none in syslog.
# A detached program's stderr is /dev/null: under the sanitizers their
# reports go to files (lab_san_env), which lab_down checks.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
command -v unshare >/dev/null 2>&1 || fail "no unshare (util-linux)"
lab_up
SYSLOG=$LAB_DIR/syslog.log
SOCK=$LAB_DIR/server.sock
lab_syslog_start
lab_clients_file "$LAB_DIR/clients.toml" c1
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"" \
	lab_server_config "$LAB_DIR/server.toml"
cat >"$LAB_DIR/c1.toml" <<EOF
[client]
server_url = "$LAB_URL1"
server_public_key = "$LAB_SRV_PUB"
identity_key_file = "$LAB_DIR/c1.key"
ca_file = "$LAB_DIR/ca.crt"
EOF

# The rvpn-client processes of the client namespace.
client_pids() {
	local p
	for p in $(ip netns pids "$NS_C1"); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$RVPN_CLIENT")" ] &&
			echo "$p"
	done
}
# syslog lines of IDENT[PID] with priority PRI matching PATTERN.
slog() {
	grep -E "^<$2>.* $1\[$3\]: $4" "$SYSLOG"
}

# The server, detached.
lab_san_env "$LAB_DEVLOG" ip netns exec "$NS_SRV" "$RVPN_SERVER" -c "$LAB_DIR/server.toml" \
	>"$LAB_DIR/server-detached.out" 2>&1 ||
	fail "detached server: exit $?: $(cat "$LAB_DIR/server-detached.out")"
spid=$(cat "$LAB_DIR/server.pid" 2>/dev/null)
[ -n "$spid" ] && kill -0 "$spid" 2>/dev/null ||
	fail "the pid file does not name a running server"
LAB_PIDS="$LAB_PIDS $spid"

# The client, detached.
lab_san_env "$LAB_DEVLOG" ip netns exec "$NS_C1" "$RVPN_CLIENT" -c "$LAB_DIR/c1.toml" \
	>"$LAB_DIR/client-detached.out" 2>&1 ||
	fail "detached client: exit $?: $(cat "$LAB_DIR/client-detached.out")"
cpid=$(client_pids)
[ -n "$cpid" ] || fail "no detached client running"
LAB_PIDS="$LAB_PIDS $cpid"
lab_wait_cmd "$LAB_TIMEOUT" slog rvpn_client 30 "$cpid" "tunnel up" ||
	fail "no '<30>... rvpn_client[$cpid]: tunnel up' in syslog: $(cat "$SYSLOG")"
lab_wait_cmd "$LAB_TIMEOUT" slog rvpn_server 30 "$spid" "session up" ||
	fail "no '<30>... rvpn_server[$spid]: session up' in syslog: $(cat "$SYSLOG")"
nsx "$NS_C1" ping -c 1 -W 2 "$LAB_NET" >/dev/null || fail "no traffic"
ok "detached: 'tunnel up' from rvpn_client[$cpid] and 'session up' from rvpn_server[$spid] in syslog, daemon.info"

# An error of the client's: kicked (it does not reconnect and exits).
"$RVPNCTL" -s "$SOCK" kick c1 >/dev/null || fail "rvpnctl kick c1"
lab_wait_cmd "$LAB_TIMEOUT" slog rvpn_client 27 "$cpid" \
	"server closed: kicked by the administrator \(4008\)" ||
	fail "no daemon.err kick line from the client: $(cat "$SYSLOG")"
lab_wait_exit "$cpid" || fail "the kicked client is still running"
ok "detached: the kick comes as daemon.err from rvpn_client"

# A warning: the server stops under a running client.
lab_san_env "$LAB_DEVLOG" ip netns exec "$NS_C1" "$RVPN_CLIENT" -c "$LAB_DIR/c1.toml" \
	>"$LAB_DIR/client-detached.out" 2>&1 ||
	fail "detached client again: $(cat "$LAB_DIR/client-detached.out")"
cpid=$(client_pids)
[ -n "$cpid" ] || fail "no detached client running"
LAB_PIDS="$LAB_PIDS $cpid"
lab_wait_cmd "$LAB_TIMEOUT" slog rvpn_client 30 "$cpid" "tunnel up" ||
	fail "second client: no 'tunnel up'"
lab_stop "$spid" || fail "detached server did not stop cleanly"
lab_wait_cmd "$LAB_TIMEOUT" slog rvpn_server 30 "$spid" "shutting down" ||
	fail "no 'shutting down' from the server in syslog"
lab_wait_cmd "$LAB_TIMEOUT" slog rvpn_client 28 "$cpid" "" ||
	fail "no daemon.warning line from the client after the server stopped: $(cat "$SYSLOG")"
lab_stop "$cpid" || fail "detached client did not stop cleanly"
lab_wait_cmd "$LAB_TIMEOUT" slog rvpn_client 30 "$cpid" "signal 15: stopping" ||
	fail "no 'signal 15: stopping' from the client"
grep -E "tunnel up|session up|shutting down|stopping|lost" \
	"$LAB_DIR"/*-detached.out && fail "lines after detaching on the terminal"
ok "detached: the server's stop (daemon.info) and the client's warning (daemon.warning) in syslog, not on the terminal"

# Negative: in the foreground nothing goes to syslog.
lines=$(wc -l <"$SYSLOG")
"$LAB_DEVLOG" ip netns exec "$NS_SRV" "$RVPN_SERVER" -f -c "$LAB_DIR/server.toml" \
	>"$LAB_DIR/server.log" 2>&1 &
LAB_SERVER_PID=$!
LAB_PIDS="$LAB_PIDS $LAB_SERVER_PID"
LAB_RVPN_PIDS="$LAB_RVPN_PIDS $LAB_SERVER_PID"
LAB_SERVER_FROM=1
lab_server_wait_listen
"$LAB_DEVLOG" ip netns exec "$NS_C1" "$RVPN_CLIENT" -f -c "$LAB_DIR/c1.toml" \
	>"$LAB_DIR/client-c1.log" 2>&1 &
fpid=$!
LAB_PIDS="$LAB_PIDS $fpid"
LAB_RVPN_PIDS="$LAB_RVPN_PIDS $fpid"
lab_wait_log "$LAB_DIR/client-c1.log" "INFO rvpn_client: tunnel up" ||
	fail "foreground client: no 'tunnel up' on stderr"
lab_wait_log "$LAB_DIR/server.log" "INFO rvpn_server: session up" ||
	fail "foreground server: no 'session up' on stderr"
lab_stop "$fpid" || fail "foreground client did not stop cleanly"
lab_server_stop || fail "foreground server did not stop cleanly"
grep -q "INFO rvpn_server: shutting down" "$LAB_DIR/server.log" ||
	fail "foreground server: no 'shutting down' on stderr"
[ "$(wc -l <"$SYSLOG")" = "$lines" ] ||
	fail "foreground programs wrote to syslog: $(tail -n +$((lines + 1)) "$SYSLOG")"
ok "foreground (-f): the same lines on stderr, none in syslog"

exit 0
