#!/bin/sh
# rvpn-client and its stop signals (rvpn-client(8) SIGNALS).
#  - SIGINT: "signal 2: stopping", the server ends the session at once
#    (the client's CLOSE), exit 0, rvpn0, routes and resolv.conf undone.
#  - A second signal while the first waits for a frozen server: "again:
#    stopping now", exit 0, everything still undone.
#  - SIGHUP: logged and ignored; the tunnel stays up.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
# A frozen server must get SIGCONT before lab_down can stop it.
STOPPED=
trap 'rc=$?; [ -n "$STOPPED" ] && kill -CONT "$STOPPED" 2>/dev/null; (exit $rc); lab_down' EXIT
lab_up
SLOG=$LAB_DIR/server.log
resolv=/etc/netns/$NS_C1/resolv.conf
cp "$resolv" "$LAB_DIR/resolv.before"

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"

# Everything the client applied is gone, and it exited 0.
undone() {
	local pid=$1 what=$2 rc
	lab_wait_exit "$pid" "$LAB_TIMEOUT" || fail "$what: the client did not exit"
	wait "$pid"
	rc=$?
	[ "$rc" = 0 ] || fail "$what: exit $rc"
	nsx "$NS_C1" ip link show rvpn0 >/dev/null 2>&1 && fail "$what: rvpn0 left"
	nsx "$NS_C1" ip -4 route show | grep -q "rvpn0" &&
		fail "$what: routes left: $(nsx "$NS_C1" ip -4 route show)"
	cmp -s "$LAB_DIR/resolv.before" "$resolv" ||
		fail "$what: resolv.conf not restored: $(cat "$resolv")"
}

# SIGHUP: ignored.
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
pid=$LAB_CLIENT_PID
kill -HUP "$pid"
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-c1.log" \
	"SIGHUP: nothing to reload" || fail "SIGHUP not logged"
kill -0 "$pid" 2>/dev/null || fail "SIGHUP stopped the client"
nsx "$NS_C1" ping -c 1 -W 5 "$LAB_NET" >/dev/null || fail "no traffic after SIGHUP"
ok "SIGHUP: logged, ignored, the tunnel carries traffic"

# SIGINT: a clean stop; the server hears the client's CLOSE.
from=$(lab_log_next "$SLOG")
kill -INT "$pid"
undone "$pid" SIGINT
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-c1.log" \
	"INFO rvpn_client: signal 2: stopping" || fail "SIGINT not logged"
LAB_LOG_FROM=$from lab_wait_log "$SLOG" "INFO rvpn_server: session end: .* from $LAB_C1 .* reason: client closed: client stopping$" ||
	fail "the server did not end the session: $(tail -n +"$from" "$SLOG")"
ok "SIGINT: 'signal 2: stopping', session ended at the server, exit 0, all undone"

# A second signal while the client waits (at most 2 s) for a frozen
# server to take its CLOSE.
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
pid=$LAB_CLIENT_PID
kill -STOP "$LAB_SERVER_PID" || fail "SIGSTOP server"
STOPPED=$LAB_SERVER_PID
# Fill the connection (the frozen server reads nothing), so that the
# CLOSE cannot be written and the stop has to wait.
nsx "$NS_C1" timeout 3 "$(command -v python3)" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b = b"x" * 1300
while True:
    try:
        s.sendto(b, ("'"$LAB_NET"'", 9))
    except OSError:
        pass' 2>/dev/null
kill -INT "$pid"
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-c1.log" \
	"INFO rvpn_client: signal 2: stopping" || fail "SIGINT not logged"
kill -TERM "$pid" 2>/dev/null || fail "the client exited before the second signal"
undone "$pid" "second signal"
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-c1.log" \
	"INFO rvpn_client: signal 15 again: stopping now" ||
	fail "no 'again: stopping now': $(tail -n +"$LAB_CLIENT_FROM" "$LAB_DIR/client-c1.log")"
kill -CONT "$LAB_SERVER_PID"
STOPPED=
ok "a second signal during the stop: 'signal 15 again: stopping now', exit 0, all undone"

lab_server_stop || fail "server did not stop cleanly"
exit 0
