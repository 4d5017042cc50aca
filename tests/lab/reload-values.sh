#!/bin/sh
# Reload (SIGHUP) of the values that change without a restart
# (rvpn-server.toml(5)), each seen at work, before and after:
#  - client_to_client false -> true -> false: c1 reaches c2's tunnel
#    address only while true, on the running sessions.
#  - routes and dns_servers: the next handshake gets the new ones (split
#    routes instead of the full tunnel, the second name server in
#    resolv.conf); the running session keeps what it had.
#  - idle_timeout 0 -> 3: an idle running session ends with "idle timeout".
#  - keepalive 25 -> 2: a frozen client's session ends ("keepalive
#    timeout") within seconds, not 75 s.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
# A stopped client must get SIGCONT before lab_down can stop it.
STOPPED=
trap 'rc=$?; [ -n "$STOPPED" ] && kill -CONT "$STOPPED" 2>/dev/null; (exit $rc); lab_down' EXIT
lab_up
CONF=$LAB_DIR/server.toml
LOG=$LAB_DIR/server.log

# conf C2C DNS ROUTES IDLE KEEPALIVE
conf() {
	LAB_SERVER_EXTRA="idle_timeout = $4
keepalive = $5" LAB_NET_EXTRA="client_to_client = $1
routes = [$3]" lab_server_config "$CONF"
	sed -i "s|^dns_servers = .*|dns_servers = [$2]|" "$CONF"
}
reload() {
	local from
	from=$(lab_log_next "$LOG")
	kill -HUP "$LAB_SERVER_PID" || fail "SIGHUP"
	LAB_LOG_FROM=$from lab_wait_log "$LOG" "reload: done|reload failed" ||
		fail "no end of reload"
	tail -n +"$from" "$LOG" | grep -q "reload failed" &&
		fail "reload failed: $(tail -n +"$from" "$LOG")"
	return 0
}
reaches() {
	nsx "$NS_C1" ping -c 2 -i 0.2 -W 2 "$1" >/dev/null 2>&1
}

conf false "\"$LAB_NET\"" "" 0 25
lab_server_start "$CONF"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
a2=$(lab_tun_addr "$NS_C2")
reaches "$a2" && fail "c1 reached c2 with client_to_client = false"
conf true "\"$LAB_NET\"" "" 0 25
reload
lab_wait_cmd "$LAB_TIMEOUT" reaches "$a2" ||
	fail "client_to_client = true at reload: c1 does not reach $a2"
conf false "\"$LAB_NET\"" "" 0 25
reload
reaches "$a2" && fail "client_to_client = false at reload: c1 still reaches $a2"
ok "client_to_client false -> true -> false at reload applies to the running sessions"

# routes and dns_servers: the next handshake.
conf false "\"$LAB_NET\", \"198.18.0.9\"" "\"198.18.77.0/24\"" 0 25
reload
nsx "$NS_C1" ip -4 route show 0.0.0.0/1 | grep -q "dev rvpn0" ||
	fail "the running session lost its full-tunnel routes"
grep -q "198.18.0.9" "/etc/netns/$NS_C1/resolv.conf" &&
	fail "the running session got the new name server"
lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
nsx "$NS_C1" ip -4 route show 198.18.77.0/24 | grep -q "dev rvpn0" ||
	fail "no pushed route 198.18.77.0/24: $(nsx "$NS_C1" ip -4 route show)"
nsx "$NS_C1" ip -4 route show 0.0.0.0/1 | grep -q "dev rvpn0" &&
	fail "full-tunnel routes with pushed routes"
[ "$(grep '^nameserver' "/etc/netns/$NS_C1/resolv.conf" | awk '{print $2}' | tr '\n' ' ')" = "$LAB_NET 198.18.0.9 " ] ||
	fail "resolv.conf after reconnect: $(cat "/etc/netns/$NS_C1/resolv.conf")"
ok "routes and dns_servers at reload: the next handshake gets them, the running one keeps its own"

# idle_timeout 0 -> 3: the idle sessions end (c1 and c2 send nothing).
from=$(lab_log_next "$LOG")
conf false "\"$LAB_NET\"" "" 3 25
reload
LAB_LOG_FROM=$from lab_wait_log "$LOG" \
	"INFO rvpn_server: session end: .* from $LAB_C1 .* reason: idle timeout$" ||
	fail "idle_timeout = 3 at reload: no idle end: $(tail -n +"$from" "$LOG")"
ok "idle_timeout 0 -> 3 at reload: an idle running session ends with 'idle timeout'"

# keepalive 25 -> 2: a frozen client's session ends in seconds.
conf false "\"$LAB_NET\"" "" 0 2
reload
# c2 afresh: after its idle end it may be between reconnects.
lab_stop "$LAB_PID_c2" || fail "c2 did not stop cleanly"
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
from=$(lab_log_next "$LOG")
kill -STOP "$LAB_PID_c2" || fail "SIGSTOP c2"
STOPPED=$LAB_PID_c2
LAB_LOG_FROM=$from lab_wait_log "$LOG" \
	"INFO rvpn_server: session end: .* from $LAB_C2 .* reason: keepalive timeout$" ||
	fail "keepalive = 2 at reload: no keepalive end: $(tail -n +"$from" "$LOG")"
kill -CONT "$LAB_PID_c2"
STOPPED=
ok "keepalive 25 -> 2 at reload: a frozen client's session ends with 'keepalive timeout'"

lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_stop "$LAB_PID_c2" || fail "c2 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
exit 0
