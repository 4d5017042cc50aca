#!/bin/sh
# chroot: with chroot set to an empty directory (and user nobody) the
# server's root is that directory; traffic flows; rvpnctl status works
# (the socket is open before the chroot); SIGHUP and rvpnctl reload are
# refused with the documented message and serving goes on; SIGTERM
# removes the nft table, restores ip_forward and the TUN is gone.
# Detached, syslog still gets messages from inside the chroot (its
# socket is connected before).  A missing directory is a config error
# naming file:line.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
# LeakSanitizer reads /proc at exit, which the chroot does not have: in a
# sanitizer build this test leaves leak checking to the others (ASan and
# UBSan still run).  A plain build ignores the variable.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
getent passwd nobody >/dev/null 2>&1 || skip "no user nobody"
getent group nogroup >/dev/null 2>&1 || skip "no group nogroup"
command -v unshare >/dev/null 2>&1 || skip "no unshare"
lab_up

CONF=$LAB_DIR/server.toml
LOG=$LAB_DIR/server.log
SOCK=$LAB_DIR/server.sock
ROOT=$LAB_DIR/empty
REFUSED="reload: not available with chroot (restart instead)"
mkdir "$ROOT" || fail "mkdir $ROOT"

ping_ok() {
	nsx "$1" ping -c 1 -W 3 "$LAB_NET" >/dev/null 2>&1
}

# The config: clients file, user nobody, chroot DIR.
write_config() {
	LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"
user = \"nobody\"
group = \"nogroup\"
chroot = \"$1\"" lab_server_config "$2"
}

lab_clients_file "$LAB_DIR/clients.toml" c1

# Negative first: a directory that does not exist, and a file.
write_config "$LAB_DIR/no-such-dir" "$LAB_DIR/missing.toml"
cline=$(grep -n '^chroot = ' "$LAB_DIR/missing.toml" | cut -d: -f1)
"$RVPN_SERVER" -t -c "$LAB_DIR/missing.toml" >"$LAB_DIR/missing.out" 2>&1 &&
	fail "a missing chroot directory passed -t"
grep -qx "$LAB_DIR/missing.toml:$cline: chroot: '$LAB_DIR/no-such-dir': no such directory" \
	"$LAB_DIR/missing.out" ||
	fail "missing directory: no file:line error: $(cat "$LAB_DIR/missing.out")"
ip netns exec "$NS_SRV" "$RVPN_SERVER" -f -c "$LAB_DIR/missing.toml" \
	>"$LAB_DIR/missing-start.out" 2>&1 && fail "started with a missing chroot"
grep -q "$LAB_DIR/missing.toml:$cline: chroot: '$LAB_DIR/no-such-dir': no such directory" \
	"$LAB_DIR/missing-start.out" || fail "start: no file:line error"
nsx "$NS_SRV" ip link show "$LAB_TUN" >/dev/null 2>&1 &&
	fail "TUN created despite the config error"
write_config "$LAB_DIR/clients.toml" "$LAB_DIR/notdir.toml"
"$RVPN_SERVER" -t -c "$LAB_DIR/notdir.toml" >"$LAB_DIR/notdir.out" 2>&1 &&
	fail "a chroot that is a file passed -t"
grep -qx "$LAB_DIR/notdir.toml:$cline: chroot: '$LAB_DIR/clients.toml': not a directory" \
	"$LAB_DIR/notdir.out" ||
	fail "not a directory: no file:line error: $(cat "$LAB_DIR/notdir.out")"
ok "a missing directory or a file as chroot is a config error naming file:line"

write_config "$ROOT" "$CONF"
lab_server_start "$CONF"
pid=$LAB_SERVER_PID
[ "$(readlink "/proc/$pid/root")" = "$ROOT" ] ||
	fail "/proc/$pid/root is $(readlink "/proc/$pid/root"), want $ROOT"
[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status")" = "$(id -u nobody)" ] ||
	fail "not running as nobody"
[ "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$pid/status")" = 0000000000001000 ] ||
	fail "CapEff is not CAP_NET_ADMIN alone"
grep -q "INFO rvpn_server: Chrooted to $ROOT\$" "$LOG" || fail "no 'Chrooted to' line"
[ -z "$(ls -A "$ROOT")" ] || fail "the server wrote into its chroot: $(ls -A "$ROOT")"
ok "/proc/PID/root is the chroot directory; nobody with CAP_NET_ADMIN only"

lab_client_start "$NS_C1" c1 $(lab_client_args c1)
ping_ok "$NS_C1" || fail "no traffic under chroot"
nsx "$NS_C1" curl -sf --max-time 10 "http://$LAB_NET/hello.txt" |
	grep -qx "$LAB_TOKEN" || fail "no HTTP through the tunnel under chroot"
ok "traffic flows through the tunnel under chroot"

"$RVPNCTL" -s "$SOCK" status >"$LAB_DIR/status.out" 2>&1 ||
	fail "rvpnctl status failed: $(cat "$LAB_DIR/status.out")"
grep -q '^c1 ' "$LAB_DIR/status.out" ||
	fail "rvpnctl status does not list c1: $(cat "$LAB_DIR/status.out")"
ok "rvpnctl status works (the socket was opened before the chroot)"

# SIGHUP: refused, logged, serving goes on; the same over rvpnctl.
from=$(lab_log_next "$LOG")
kill -HUP "$pid" || fail "SIGHUP"
LAB_LOG_FROM=$from lab_wait_log "$LOG" "reload failed|reload: done" ||
	fail "no end of reload"
tail -n +"$from" "$LOG" | grep -qx "WARN rvpn_server: $REFUSED" ||
	fail "SIGHUP: no '$REFUSED'"
tail -n +"$from" "$LOG" | grep -q "reload: done\|reload: reading" &&
	fail "SIGHUP: the configuration was read under chroot"
kill -0 "$pid" || fail "server died on SIGHUP"
ping_ok "$NS_C1" || fail "no traffic after a refused reload"
"$RVPNCTL" -s "$SOCK" reload >"$LAB_DIR/reload.out" 2>&1 &&
	fail "rvpnctl reload succeeded under chroot"
grep -qx "rvpnctl: reload failed: not available with chroot (restart instead)" \
	"$LAB_DIR/reload.out" ||
	fail "rvpnctl reload: $(cat "$LAB_DIR/reload.out")"
ping_ok "$NS_C1" || fail "no traffic after rvpnctl reload"
ok "SIGHUP and rvpnctl reload are refused ('$REFUSED'); serving goes on"

# SIGTERM inside the chroot: table, ip_forward and TUN go away.
nsx "$NS_SRV" nft list table inet "rvpn_$LAB_TUN" >/dev/null 2>&1 || fail "no nft table"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 1 ] || fail "ip_forward off"
lab_server_stop || fail "server under chroot did not stop cleanly"
nsx "$NS_SRV" nft list table inet "rvpn_$LAB_TUN" >/dev/null 2>&1 &&
	fail "nft table left after stop under chroot"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 0 ] ||
	fail "ip_forward not restored under chroot"
nsx "$NS_SRV" ip link show "$LAB_TUN" >/dev/null 2>&1 && fail "TUN left"
grep -q "WARN rvpn_server: nft:" "$LOG" && fail "nft warned at exit: $(grep 'nft:' "$LOG")"
lab_stop "$LAB_PID_c1"
ok "SIGTERM under chroot: nft table gone, ip_forward restored, TUN gone"

# Detached: syslog goes to /dev/log, here a socket of ours bound over it
# in a private mount namespace (the host has no syslog daemon to read).
lab_syslog_start
"$LAB_DEVLOG" ip netns exec "$NS_SRV" "$RVPN_SERVER" -c "$CONF" \
	>"$LAB_DIR/detached.out" 2>&1 ||
	fail "detached start failed: $(cat "$LAB_DIR/detached.out")"
dpid=$(cat "$LAB_DIR/server.pid" 2>/dev/null)
[ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null ||
	fail "the pid file does not name a running server"
LAB_PIDS="$LAB_PIDS $dpid"
[ "$(readlink "/proc/$dpid/root")" = "$ROOT" ] || fail "detached: not chrooted"
kill -HUP "$dpid" || fail "SIGHUP detached"
lab_wait_log "$LAB_DIR/syslog.log" \
	"rvpn_server\[$dpid\]: reload: not available with chroot \(restart instead\)" ||
	fail "no '$REFUSED' in syslog from the chroot"
lab_stop "$dpid" || fail "detached server did not stop cleanly"
lab_wait_log "$LAB_DIR/syslog.log" "rvpn_server\[$dpid\]: shutting down" ||
	fail "no 'shutting down' in syslog"
nsx "$NS_SRV" nft list table inet "rvpn_$LAB_TUN" >/dev/null 2>&1 &&
	fail "detached: nft table left"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 0 ] ||
	fail "detached: ip_forward not restored"
[ -f "$LAB_DIR/server.pid" ] || fail "pid file removed from inside the chroot?"
ok "detached: syslog works from inside the chroot; clean stop"
exit 0
