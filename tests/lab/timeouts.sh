#!/bin/sh
# Session timers.  idle_timeout = 3: a client that sends nothing is
# closed with 4010 (server: "reason: idle timeout"; the client says so
# and reconnects), while one that pings every 0.5 s stays up past it.
# keepalive = 2: a stopped client (SIGSTOP) gets no record through, so
# the server ends its session ("reason: keepalive timeout") and releases
# the lease; after SIGCONT the client reconnects.  Negative: with
# idle_timeout = 0 an idle, live client stays up past three keepalives.
# (The server's timers tick in whole seconds: idle_timeout = 3 leaves a
# 0.5 s pinger 2 s of slack on a loaded machine, keepalive = 2 a live
# peer 4 s; neither is a timed assertion.)
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
# A stopped client must get SIGCONT before lab_down can stop it.
STOPPED=
trap 'rc=$?; [ -n "$STOPPED" ] && kill -CONT "$STOPPED" 2>/dev/null; (exit $rc); lab_down' EXIT
lab_up
SOCK=$LAB_DIR/server.sock
SLOG=$LAB_DIR/server.log
CLOG=$LAB_DIR/client-c1.log

# "N USED [CONNECTED_SECONDS]": sessions, pool.used, the first session's age.
status_summary() {
	"$RVPNCTL" -s "$SOCK" status -j | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
s = d["sessions"]
print(len(s), d["pool"]["used"], *[x["connected_seconds"] for x in s[:1]])'
}

# The number of "session end" lines in the server log.
ends() {
	grep -c "INFO rvpn_server: session end: " "$SLOG"
}

# --- idle_timeout = 3, keepalive = 2
LAB_SERVER_EXTRA='idle_timeout = 3
keepalive = 2' lab_server_config "$LAB_DIR/idle.toml"
lab_server_start "$LAB_DIR/idle.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
addr=$(lab_tun_addr "$NS_C1")
LAB_LOG_FROM=$LAB_SERVER_FROM lab_wait_log "$SLOG" \
	"INFO rvpn_server: session end: [^ ]+ $addr from $LAB_C1 .* reason: idle timeout\$" ||
	fail "no idle session end: $(grep 'session end' "$SLOG")"
ok "an idle session ends: server logs 'reason: idle timeout'"
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$CLOG" \
	"WARN rvpn_client: server closed the connection: idle timeout \(4010\)" ||
	fail "client did not report 4010"
from=$(grep -n "idle timeout (4010)" "$CLOG" | tail -n 1 | cut -d: -f1)
LAB_LOG_FROM=$from lab_wait_log "$CLOG" "reconnecting in" ||
	fail "client did not schedule a reconnect"
LAB_LOG_FROM=$from lab_wait_log "$CLOG" "INFO rvpn_client: tunnel up:" \
	"$LAB_TIMEOUT" "$LAB_CLIENT_PID" || fail "client did not reconnect"
ok "the client reports 'idle timeout (4010)' and reconnects"

# Traffic keeps it up: ping every 0.5 s for 7 s, more than twice the
# timeout.  (Started at once: the new session's idle clock runs.)
n=$(ends)
nsx "$NS_C1" ping -c 14 -i 0.5 -W 5 "$LAB_NET" >"$LAB_DIR/ping.out" 2>&1 ||
	fail "ping -i 0.5: $(cat "$LAB_DIR/ping.out")"
grep -q "14 packets transmitted, 14 received" "$LAB_DIR/ping.out" ||
	fail "ping lost packets: $(cat "$LAB_DIR/ping.out")"
set -- $(status_summary)
[ "$(ends)" = "$n" ] && [ "$1" = 1 ] && [ "${3:-0}" -ge 6 ] ||
	fail "session did not stay up while busy (status $*): $(tail -n 5 "$SLOG")"
ok "a session with traffic stays up past idle_timeout (up ${3}s, 14/14 pings)"
lab_stop "$LAB_PID_c1"
lab_server_stop || fail "server did not stop cleanly"

# --- idle_timeout = 0 (negative), keepalive = 2: idle stays up.
LAB_SERVER_EXTRA='idle_timeout = 0
keepalive = 2' lab_server_config "$LAB_DIR/noidle.toml"
lab_server_start "$LAB_DIR/noidle.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
addr=$(lab_tun_addr "$NS_C1")
n=$(ends)
# Up for more than three keepalives by the server's own clock (a wait
# for that, not a sleep), with no session end in between.
lab_wait_cmd 20 eval '[ "$(status_summary | cut -d" " -f3)" -ge 9 ]' ||
	fail "session not up 9 s (status $(status_summary)): $(tail -n 5 "$SLOG")"
set -- $(status_summary)
[ "$(ends)" = "$n" ] && [ "$1" = 1 ] && [ "${3:-0}" -ge 9 ] ||
	fail "idle session with idle_timeout = 0 (status $*): $(tail -n 5 "$SLOG")"
tail -n +"$LAB_CLIENT_FROM" "$CLOG" | grep -q "server closed" &&
	fail "client was closed: $(tail -n +"$LAB_CLIENT_FROM" "$CLOG")"
ok "with idle_timeout = 0 an idle session (keepalive 2) stays up ${3}s"

# --- dead peer: SIGSTOP the client; keepalive = 2 ends it in 6 s or so.
pid=$LAB_PID_c1
from=$(lab_log_next "$SLOG")
kill -STOP "$pid" || fail "SIGSTOP"
STOPPED=$pid
LAB_LOG_FROM=$from lab_wait_log "$SLOG" \
	"INFO rvpn_server: session end: [^ ]+ $addr from $LAB_C1 .* reason: keepalive timeout\$" ||
	fail "no keepalive session end: $(tail -n +"$from" "$SLOG")"
lab_wait_cmd 5 sh -c "[ \"\$('$RVPNCTL' -s '$SOCK' status -j | '$PY' -c 'import json, sys; d = json.load(sys.stdin); print(len(d[\"sessions\"]), d[\"pool\"][\"used\"])')\" = '0 0' ]" ||
	fail "session or lease left: $("$RVPNCTL" -s "$SOCK" status)"
kill -0 "$pid" || fail "the stopped client died"
ok "a stopped client: 'reason: keepalive timeout', no session, lease released"

cfrom=$(lab_log_next "$CLOG")
kill -CONT "$pid" || fail "SIGCONT"
STOPPED=
LAB_LOG_FROM=$cfrom lab_wait_log "$CLOG" "reconnecting in" \
	"$LAB_TIMEOUT" "$pid" || fail "client did not notice: $(tail -n +"$cfrom" "$CLOG")"
LAB_LOG_FROM=$cfrom lab_wait_log "$CLOG" "INFO rvpn_client: tunnel up:" \
	"$LAB_TIMEOUT" "$pid" || fail "client did not reconnect: $(tail -n +"$cfrom" "$CLOG")"
set -- $(status_summary)
[ "$1 $2" = "1 1" ] || fail "after reconnect: status $*"
nsx "$NS_C1" ping -c 1 -W 2 "$LAB_NET" >/dev/null 2>&1 ||
	fail "ping after reconnect"
ok "after SIGCONT the client notices and reconnects ($(tail -n +"$cfrom" "$CLOG" | grep -m1 -o 'lost: [^;]*'))"

lab_stop "$pid"
lab_server_stop || fail "server did not stop cleanly"
exit 0
