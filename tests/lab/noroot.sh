#!/bin/sh
# Root without root's files.  Without `user` the server stays uid 0, but
# with CAP_NET_ADMIN alone, SECBIT_NOROOT locked and (Landlock) file
# writes refused except in the directories it still writes: those of the
# control socket and pid file, and the network sysctls.  The log line
# says so.  Code running inside the server (injected here with gdb, as by
# someone who took it over) cannot open a root-owned 0600 file for
# writing, nor create a file beside it; in the run-state directory it
# can.  The clean stop still removes the socket and the pid file, the
# nft table and restores ip_forward.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init
command -v gdb >/dev/null 2>&1 || skip "no gdb"
lab_up
LOG=$LAB_DIR/server.log
RUN=$LAB_DIR/run
mkdir -m 0755 "$RUN"
LAB_SERVER_EXTRA="" lab_server_config "$LAB_DIR/server.toml"
sed -i "s|^pid_file = .*|pid_file = \"$RUN/server.pid\"|; s|^control_socket = .*|control_socket = \"$RUN/server.sock\"|" \
	"$LAB_DIR/server.toml"
echo "root's secret" >"$LAB_DIR/secret"
chmod 600 "$LAB_DIR/secret"

# Detached, so the pid file is written (and removed at the stop).
LAB_SERVER_FROM=$(lab_log_next "$LOG")
ip netns exec "$NS_SRV" "$RVPN_SERVER" -v -c "$LAB_DIR/server.toml" \
	>>"$LOG" 2>&1 || fail "start: $(cat "$LOG")"
pid=$(cat "$RUN/server.pid")
[ -n "$pid" ] && kill -0 "$pid" || fail "no server running"
LAB_PIDS="$LAB_PIDS $pid"
grep -q "INFO rvpn_server: Running as root (uid 0) group root (gid 0), keeping only CAP_NET_ADMIN, secure bits noroot (locked), file writes only under $RUN /proc/sys/net" "$LOG" ||
	fail "no 'Running as' line with the restriction: $(grep 'Running as' "$LOG")"
grep -q "file writes not restricted (Landlock not available)" "$LOG" &&
	skip "Landlock is not available here"
[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status")" = 0 ] ||
	fail "not uid 0"
ok "uid 0, CAP_NET_ADMIN alone, noroot locked, writes only under $RUN (log line)"

# Call open(2) inside the server; prints its result, then errno.
inject_open() {
	gdb -q -batch -nx -p "$pid" \
		-ex "call (int)open(\"$1\", $2, 0600)" \
		-ex 'call (int)*__errno_location()' \
		-ex 'call (int)close($1)' 2>/dev/null |
		sed -n 's/^\$[12] = //p' | tr '\n' ' '
}
O_WRONLY_TRUNC=513		# O_WRONLY | O_TRUNC
O_WRONLY_CREAT=65		# O_WRONLY | O_CREAT
res=$(inject_open "$LAB_DIR/secret" $O_WRONLY_TRUNC)
case $res in
"-1 13 ")	;;
*)	fail "open of a root 0600 file for writing gave '$res', want -1 EACCES" ;;
esac
[ "$(cat "$LAB_DIR/secret")" = "root's secret" ] || fail "the file changed"
res=$(inject_open "$LAB_DIR/planted" $O_WRONLY_CREAT)
case $res in
"-1 13 ")	;;
*)	fail "creating a file beside it gave '$res', want -1 EACCES" ;;
esac
[ ! -e "$LAB_DIR/planted" ] || fail "a file was created"
kill -0 "$pid" || fail "the server died"
ok "inside the server: a root-owned 0600 file cannot be written, nor a file created"

res=$(inject_open "$RUN/probe" $O_WRONLY_CREAT)
case $res in
-1*|"")	fail "writing in the run-state directory gave '$res'" ;;
esac
rm -f "$RUN/probe"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
nsx "$NS_C1" ping -c 1 -W 3 "$LAB_NET" >/dev/null || fail "no traffic"
ok "the run-state directory stays writable; the tunnel works"

lab_stop "$LAB_PID_c1"
lab_stop "$pid" || fail "the server did not stop cleanly"
[ ! -e "$RUN/server.sock" ] || fail "control socket left"
[ ! -e "$RUN/server.pid" ] || fail "pid file left"
[ -z "$(nsx "$NS_SRV" nft list tables)" ] || fail "nft table left"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 0 ] ||
	fail "ip_forward not restored"
nsx "$NS_SRV" ip link show "$LAB_TUN" >/dev/null 2>&1 && fail "TUN left"
ok "clean stop: socket, pid file, nft table removed, ip_forward restored"
exit 0
