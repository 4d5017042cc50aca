#!/bin/sh
# The run-state directory and the pid file.  The sample etc/server.toml,
# verbatim but for the TLS and identity key paths, starts on the default
# build with /run empty (a tmpfs of its own, in a private mount namespace:
# the machine's /run is not touched): the server creates /run/rvpn (root,
# 0755) and its socket there, and serves (a client connects, rvpnctl
# status lists it).  Missing parents of control_socket are created; an
# existing directory writable by others or owned by another user is
# refused with a clear error.  A pid file that is a symbolic link is
# refused and its target left as it was.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
command -v unshare >/dev/null 2>&1 || skip "no unshare"
getent passwd nobody >/dev/null 2>&1 || skip "no user nobody"
lab_up
LOG=$LAB_DIR/server.log

# --- the sample, verbatim, with /run empty -------------------------------
sed -e "s|^tls_cert_file = .*|tls_cert_file = \"$LAB_DIR/server.crt\"|" \
    -e "s|^tls_key_file = .*|tls_key_file = \"$LAB_DIR/server.key\"|" \
    -e "s|^identity_key_file = .*|identity_key_file = \"$LAB_DIR/server_identity.key\"|" \
    "$top_srcdir/etc/server.toml" >"$LAB_DIR/sample.toml"
[ "$(diff "$top_srcdir/etc/server.toml" "$LAB_DIR/sample.toml" | grep -c '^>')" = 3 ] ||
	fail "the sample changed in more than the 3 key paths"
grep -q '^# control_socket = "/run/rvpn/rvpn-server.sock"' "$LAB_DIR/sample.toml" ||
	fail "the sample no longer documents /run/rvpn/rvpn-server.sock"
"$RVPN_SERVER" -t -c "$LAB_DIR/sample.toml" >/dev/null ||
	fail "the sample does not pass -t"

LAB_SERVER_FROM=$(lab_log_next "$LOG")
ip netns exec "$NS_SRV" unshare -m --propagation private sh -c \
	'mount -t tmpfs -o mode=755 rvt-run /run && exec "$@"' sh \
	"$RVPN_SERVER" -f -c "$LAB_DIR/sample.toml" >>"$LOG" 2>&1 &
LAB_SERVER_PID=$!
LAB_PIDS="$LAB_PIDS $LAB_SERVER_PID"
lab_server_wait_listen
pid=$LAB_SERVER_PID
RUN=/proc/$pid/root/run
[ -S "$RUN/rvpn/rvpn-server.sock" ] ||
	fail "no socket /run/rvpn/rvpn-server.sock: $(ls -la "$RUN" "$RUN/rvpn" 2>&1)"
[ "$(stat -c '%u %a' "$RUN/rvpn")" = "0 755" ] ||
	fail "/run/rvpn is $(stat -c '%u %a' "$RUN/rvpn")"
[ "$(stat -c '%a' "$RUN/rvpn/rvpn-server.sock")" = 600 ] ||
	fail "socket mode $(stat -c '%a' "$RUN/rvpn/rvpn-server.sock")"
[ "$RUN/rvpn/rvpn-server.sock" -ef /run/rvpn/rvpn-server.sock ] &&
	fail "the server used the machine's /run"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
nsx "$NS_C1" ping -c 1 -W 3 "$LAB_NET" >/dev/null || fail "no traffic"
"$RVPNCTL" -s "$RUN/rvpn/rvpn-server.sock" status >"$LAB_DIR/status.out" 2>&1 ||
	fail "rvpnctl status: $(cat "$LAB_DIR/status.out")"
grep -q "10\.200\.0\." "$LAB_DIR/status.out" ||
	fail "rvpnctl status does not list the client: $(cat "$LAB_DIR/status.out")"
lab_stop "$LAB_PID_c1" || fail "client stop"
lab_server_stop || fail "server did not stop cleanly"
ok "sample server.toml, /run empty: /run/rvpn created (root, 0755), socket 0600, client served"

# --- control_socket's directory ------------------------------------------
# One detached start with the [server] lines given ($2; $1 for the end of
# the section): prints the status and the output; the server is stopped
# again if it started, after the mode of its pid file ($3) is kept in
# $LAB_DIR/pidmode.
start_with() {
	local out rc dpid
	LAB_SERVER_EXTRA="$1" lab_server_config "$LAB_DIR/s.toml"
	sed -i '/^pid_file = /d; /^control_socket = /d' "$LAB_DIR/s.toml"
	sed -i "s|^\[server\]\$|[server]\\n$2|" "$LAB_DIR/s.toml"
	out=$(lab_san_env ip netns exec "$NS_SRV" "$RVPN_SERVER" -c "$LAB_DIR/s.toml" 2>&1)
	rc=$?
	if [ "$rc" = 0 ]; then
		dpid=$(cat "$3" 2>/dev/null)
		stat -c %a "$3" >"$LAB_DIR/pidmode" 2>&1
		[ -n "$dpid" ] && LAB_PIDS="$LAB_PIDS $dpid" && lab_stop "$dpid"
	fi
	echo "$rc $out"
}

D=$LAB_DIR/deep/er/run
res=$(start_with "" "control_socket = \"$D/ctl.sock\"\\npid_file = \"$D/srv.pid\"" "$D/srv.pid")
case $res in
0*)	;;
*)	fail "missing parents: $res" ;;
esac
[ "$(stat -c '%u %a' "$LAB_DIR/deep" "$LAB_DIR/deep/er" "$D" | tr '\n' ' ')" = "0 755 0 755 0 755 " ] ||
	fail "created directories: $(stat -c '%n %u %a' "$LAB_DIR/deep" "$LAB_DIR/deep/er" "$D")"
ok "missing parents of control_socket are created (root, 0755)"

mkdir -m 0777 "$LAB_DIR/open"
chmod 0777 "$LAB_DIR/open"
res=$(start_with "" "control_socket = \"$LAB_DIR/open/ctl.sock\"\\npid_file = \"$D/srv.pid\"" "$D/srv.pid")
case $res in
"1 "*"ERROR rvpn_server: $LAB_DIR/open: writable by anyone (mode 0777): refusing to use it"*) ;;
*)	fail "world-writable directory: $res" ;;
esac
[ ! -e "$LAB_DIR/open/ctl.sock" ] || fail "socket made in the open directory"
nsx "$NS_SRV" ip link show "$LAB_TUN" >/dev/null 2>&1 && fail "TUN left"
mkdir -m 0755 "$LAB_DIR/theirs"
chown nobody "$LAB_DIR/theirs"
res=$(start_with "" "control_socket = \"$D/ctl.sock\"\\npid_file = \"$LAB_DIR/theirs/srv.pid\"" "$LAB_DIR/theirs/srv.pid")
case $res in
"1 "*"ERROR rvpn_server: $LAB_DIR/theirs: owned by uid $(id -u nobody), not root: refusing to use it"*) ;;
*)	fail "directory of another user: $res" ;;
esac
ok "a directory writable by others or owned by another user is refused, nothing left"

# --- the pid file is never followed --------------------------------------
echo "precious" >"$LAB_DIR/target"
chmod 600 "$LAB_DIR/target"
ln -s "$LAB_DIR/target" "$D/link.pid"
res=$(start_with "" "control_socket = \"$D/ctl.sock\"\\npid_file = \"$D/link.pid\"" /dev/null)
case $res in
"1 "*"ERROR rvpn_server: pid file $D/link.pid: is a symbolic link, not replacing it"*) ;;
*)	fail "symlinked pid file: $res" ;;
esac
[ "$(cat "$LAB_DIR/target")" = precious ] || fail "the link's target was changed"
[ "$(stat -c %a "$LAB_DIR/target")" = 600 ] || fail "the target's mode changed"
nsx "$NS_SRV" ip link show "$LAB_TUN" >/dev/null 2>&1 && fail "TUN left"
[ -z "$(nsx "$NS_SRV" nft list tables)" ] || fail "nft table left"
ln "$LAB_DIR/target" "$D/hard.pid"
res=$(start_with "" "control_socket = \"$D/ctl.sock\"\\npid_file = \"$D/hard.pid\"" /dev/null)
case $res in
"1 "*"ERROR rvpn_server: pid file $D/hard.pid: not a regular file with one link, not replacing it"*) ;;
*)	fail "hard-linked pid file: $res" ;;
esac
[ "$(cat "$LAB_DIR/target")" = precious ] || fail "the hard link's file was changed"
echo 99999999 >"$D/srv.pid"
chmod 666 "$D/srv.pid"
res=$(start_with "" "control_socket = \"$D/ctl.sock\"\\npid_file = \"$D/srv.pid\"" "$D/srv.pid")
case $res in
0*)	;;
*)	fail "stale pid file: $res" ;;
esac
[ "$(cat "$LAB_DIR/pidmode")" = 644 ] ||
	fail "pid file mode $(cat "$LAB_DIR/pidmode"), want 644"
ok "a pid file that is a symbolic or hard link is refused, the target untouched; a stale one is replaced"
exit 0
