#!/bin/sh
# Privileges: with user/group the server runs as them with CAP_NET_ADMIN
# alone (permitted, effective, bounding), nothing inheritable or ambient,
# no_new_privs; traffic flows; a reload that cannot read the TLS key
# fails and serving goes on; SIGTERM still removes the nft table and
# restores ip_forward.  Without user/group it stays uid 0 with the same
# capabilities and SECBIT_NOROOT locked.  A client keeps CAP_NET_ADMIN
# alone, with DNS too.  A user that does not exist is a config error with
# file:line.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
getent passwd nobody >/dev/null 2>&1 || skip "no user nobody"
getent group nogroup >/dev/null 2>&1 || skip "no group nogroup"
lab_up

CONF=$LAB_DIR/server.toml
LOG=$LAB_DIR/server.log
NOBODY=$(id -u nobody)
NOGROUP=$(getent group nogroup | cut -d: -f3)

# One field of /proc/PID/status, tabs squeezed to single spaces.
status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' \
		"/proc/$1/status"
}

# Check the capability sets of PID: expected CapEff/CapPrm/CapBnd hex.
check_caps() {
	local pid=$1 want=$2 what=$3 f v
	for f in CapEff CapPrm CapBnd; do
		v=$(status_field "$pid" "$f")
		[ "$v" = "$want" ] || fail "$what: $f is $v, want $want"
	done
	for f in CapInh CapAmb; do
		v=$(status_field "$pid" "$f")
		[ "$v" = 0000000000000000 ] || fail "$what: $f is $v, want 0"
	done
}

ping_ok() {
	nsx "$1" ping -c 1 -W 3 "$LAB_NET" >/dev/null 2>&1
}

# The dropped user must reach the config, clients file and TLS files (as
# with Debian's ssl-cert group for Let's Encrypt keys).
chmod 711 "$LAB_DIR"
lab_clients_file "$LAB_DIR/clients.toml" c1 c2
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"
user = \"nobody\"
group = \"nogroup\"" lab_server_config "$CONF"
chmod 644 "$CONF" "$LAB_DIR/clients.toml" "$LAB_DIR/server.crt"
chgrp nogroup "$LAB_DIR/server.key"
chmod 640 "$LAB_DIR/server.key"

# Negative first: a user that does not exist (the config check).
sed 's/^user = "nobody"$/user = "rvpn-no-such-user"/' "$CONF" >"$LAB_DIR/nouser.toml"
uline=$(grep -n '^user = ' "$LAB_DIR/nouser.toml" | cut -d: -f1)
"$RVPN_SERVER" -t -c "$LAB_DIR/nouser.toml" >"$LAB_DIR/nouser.out" 2>&1 &&
	fail "a missing user passed -t"
grep -qx "$LAB_DIR/nouser.toml:$uline: user: 'rvpn-no-such-user': no such user" \
	"$LAB_DIR/nouser.out" || fail "missing user: no file:line error: $(cat "$LAB_DIR/nouser.out")"
ok "a user that does not exist is a config error naming file:line"

lab_server_start "$CONF"
pid=$LAB_SERVER_PID
[ "$(status_field "$pid" Uid)" = "$NOBODY $NOBODY $NOBODY $NOBODY" ] ||
	fail "Uid is $(status_field "$pid" Uid)"
[ "$(status_field "$pid" Gid)" = "$NOGROUP $NOGROUP $NOGROUP $NOGROUP" ] ||
	fail "Gid is $(status_field "$pid" Gid)"
[ "$(status_field "$pid" Groups)" = "$NOGROUP" ] ||
	fail "supplementary groups are '$(status_field "$pid" Groups)'"
check_caps "$pid" 0000000000001000 "server as nobody"
[ "$(status_field "$pid" NoNewPrivs)" = 1 ] || fail "NoNewPrivs is not 1"
grep -q "INFO rvpn_server: Running as user nobody (uid $NOBODY) group nogroup (gid $NOGROUP), keeping only CAP_NET_ADMIN" \
	"$LAB_DIR/server.log" || fail "no 'Running as' line"
ok "server runs as nobody/nogroup with CAP_NET_ADMIN only, NoNewPrivs 1"

lab_client_start "$NS_C1" c1 $(lab_client_args c1)
ping_ok "$NS_C1" || fail "no traffic with dropped privileges"
cpid=$LAB_PID_c1
[ "$(status_field "$cpid" Uid)" = "0 0 0 0" ] || fail "client uid changed"
check_caps "$cpid" 0000000000001000 "client with DNS"
[ "$(status_field "$cpid" NoNewPrivs)" = 1 ] || fail "client: NoNewPrivs is not 1"
lab_client_start "$NS_C2" c2 $(lab_client_args c2) --no-dns
check_caps "$LAB_PID_c2" 0000000000001000 "client with --no-dns"
ping_ok "$NS_C2" || fail "c2: no traffic"
ok "traffic flows; clients keep CAP_NET_ADMIN only, with DNS or without"

# A reload that cannot read the TLS key (as nobody) fails; serving goes on.
chmod 600 "$LAB_DIR/server.key"
chgrp root "$LAB_DIR/server.key"
from=$(lab_log_next "$LOG")
kill -HUP "$pid"
LAB_LOG_FROM=$from lab_wait_log "$LOG" "reload failed|reload: done" ||
	fail "no end of reload"
kline=$(grep -n '^tls_key_file' "$CONF" | cut -d: -f1)
tail -n +"$from" "$LOG" | grep -q "WARN rvpn_server: reload: $CONF:$kline: tls_key_file: '$LAB_DIR/server.key': Permission denied" ||
	fail "unreadable key: no error naming the file"
tail -n +"$from" "$LOG" | grep -q "reload failed: keeping the running configuration" ||
	fail "unreadable key: reload did not fail"
ping_ok "$NS_C1" || fail "no traffic after a failed reload"
lab_stop "$LAB_PID_c2"
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
ok "a TLS key the user cannot read fails the reload; new and old sessions work"

chgrp nogroup "$LAB_DIR/server.key"
chmod 640 "$LAB_DIR/server.key"
from=$(lab_log_next "$LOG")
kill -HUP "$pid"
LAB_LOG_FROM=$from lab_wait_log "$LOG" "reload failed|reload: done" ||
	fail "no end of reload"
tail -n +"$from" "$LOG" | grep -q "reload: done" ||
	fail "reload with a readable key failed"
ok "with the key readable by the group the reload succeeds"

# SIGTERM with CAP_NET_ADMIN alone: table, ip_forward and TUN go away.
nsx "$NS_SRV" nft list table inet "rvpn_$LAB_TUN" >/dev/null 2>&1 || fail "no nft table"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 1 ] || fail "ip_forward off"
lab_server_stop || fail "server as nobody did not stop cleanly"
nsx "$NS_SRV" nft list table inet "rvpn_$LAB_TUN" >/dev/null 2>&1 &&
	fail "nft table left after stop as nobody"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 0 ] ||
	fail "ip_forward not restored by nobody"
nsx "$NS_SRV" ip link show "$LAB_TUN" >/dev/null 2>&1 && fail "TUN left"
grep -q "session end: c1 .* reason: server shutting down" "$LOG" ||
	fail "c1's session did not end with the shutdown reason"
lab_stop "$LAB_PID_c1"
lab_stop "$LAB_PID_c2"
ok "SIGTERM as nobody: nft table gone, ip_forward restored, TUN gone"

# Detached (no -f): the pid file is written before the drop; nobody
# cannot remove it from a root directory, the next start replaces it.
for run in 1 2; do
	ip netns exec "$NS_SRV" "$RVPN_SERVER" -c "$CONF" ||
		fail "detached start $run failed"
	dpid=$(cat "$LAB_DIR/server.pid" 2>/dev/null)
	[ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null ||
		fail "run $run: pid file does not name a running server"
	LAB_PIDS="$LAB_PIDS $dpid"
	[ "$(status_field "$dpid" Uid)" = "$NOBODY $NOBODY $NOBODY $NOBODY" ] ||
		fail "detached: not nobody"
	[ "$run" = 1 ] || [ "$dpid" != "$first" ] || fail "pid file not replaced"
	first=$dpid
	lab_stop "$dpid"
	nsx "$NS_SRV" nft list table inet "rvpn_$LAB_TUN" >/dev/null 2>&1 &&
		fail "detached: nft table left"
done
ok "detached: pid file written before the drop, replaced at the next start"

# Without user/group: uid 0, but CAP_NET_ADMIN alone.
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"" \
	lab_server_config "$CONF"
lab_server_start "$CONF"
pid=$LAB_SERVER_PID
[ "$(status_field "$pid" Uid)" = "0 0 0 0" ] || fail "root run: Uid changed"
check_caps "$pid" 0000000000001000 "server as root"
[ "$(status_field "$pid" NoNewPrivs)" = 1 ] || fail "root run: NoNewPrivs"
# SECBIT_NOROOT | SECBIT_NOROOT_LOCKED (checked by the server itself).
grep -q "INFO rvpn_server: Running as root (uid 0) group root (gid 0), keeping only CAP_NET_ADMIN, secure bits noroot (locked)" \
	"$LAB_DIR/server.log" || fail "root run: no 'secure bits noroot (locked)' line"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
ping_ok "$NS_C1" || fail "root run: no traffic"
lab_server_stop || fail "root run: stop"
nsx "$NS_SRV" nft list table inet "rvpn_$LAB_TUN" >/dev/null 2>&1 && fail "root run: table left"
ok "without user/group: uid 0 with CAP_NET_ADMIN only; clean stop"
exit 0
