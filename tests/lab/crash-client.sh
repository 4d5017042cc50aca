#!/bin/sh
# A client killed with SIGKILL leaves its DNS change behind; the next
# start undoes it from the record written before the change (under the
# runstate directory) and a clean stop then leaves DNS as before the
# first start: resolv.conf byte for byte, and for systemd-resolved and
# resolvconf (stubs on PATH that log their calls, in a mount namespace
# of the client's own where /etc/resolv.conf is their symlink) the
# revert / -d calls.  resolvconf is asked for -x (exclusive).  A
# reconnect that recreates the TUN device (another address, a new
# ifindex) applies DNS again: resolved forgot the old link's servers.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v unshare >/dev/null 2>&1 || skip "no unshare"
lab_up
REAL_CLIENT=$RVPN_CLIENT

ns=$NS_C1
resolv=/etc/netns/$ns/resolv.conf
log=$LAB_DIR/client-c1.log
# No final newline: byte for byte means byte for byte.
printf '# lab resolv.conf %s\nnameserver 192.0.2.53\noptions ndots:2' \
	"$LAB_P" >"$resolv"
cp "$resolv" "$LAB_DIR/resolv.before"

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
# (the kernel's own link routes come and go with DAD: not ours)
routes() { { nsx "$ns" ip -4 route show; nsx "$ns" ip -6 route show; } | grep -v "proto kernel"; }
routes >"$LAB_DIR/routes.before"

# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
grep -q "^nameserver $LAB_NET\$" "$resolv" || fail "DNS not applied"
kill -KILL "$LAB_CLIENT_PID"
wait "$LAB_CLIENT_PID" 2>/dev/null
nsx "$ns" ip -4 route show "$LAB_SRV_C1/32" proto 82 | grep -q . ||
	fail "SIGKILL did not leave the pinned route to the server"
grep -q "^nameserver $LAB_NET\$" "$resolv" ||
	fail "SIGKILL did not leave the rewritten resolv.conf"
ok "SIGKILL left resolv.conf rewritten"

# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
from=$LAB_CLIENT_FROM
lab_stop "$LAB_CLIENT_PID" || fail "client did not stop cleanly"
cmp "$LAB_DIR/resolv.before" "$resolv" ||
	fail "resolv.conf after start, kill -9, start, stop: $(od -c "$resolv" | head)"
n=$(tail -n +"$from" "$log" |
	grep -c "WARN rvpn_client: recovering DNS from an unclean stop")
[ "$n" = 1 ] || fail "$n DNS recovery warnings, want 1"
tail -n +"$from" "$log" | grep "recovering DNS" |
	grep -q "restored the original" || fail "recovery line: $(grep recovering "$log")"
ok "start, kill -9, start, stop: resolv.conf byte for byte the original"
routes >"$LAB_DIR/routes.after"
diff "$LAB_DIR/routes.before" "$LAB_DIR/routes.after" >&2 ||
	fail "routes after start, kill -9, start, stop differ (above)"
tail -n +"$from" "$log" |
	grep -q "removed the route to server $LAB_SRV_C1 left by an earlier run" ||
	fail "no line for the pinned route a crash left"
ok "start, kill -9, start, stop: the pinned route to the server is gone, routes as before"

# Killed twice in a row: the second run's record holds the original,
# not the first run's rewrite.
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
kill -KILL "$LAB_CLIENT_PID"; wait "$LAB_CLIENT_PID" 2>/dev/null
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
kill -KILL "$LAB_CLIENT_PID"; wait "$LAB_CLIENT_PID" 2>/dev/null
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
lab_stop "$LAB_CLIENT_PID" || fail "client did not stop cleanly"
cmp -s "$LAB_DIR/resolv.before" "$resolv" || fail "two crashes: not restored"
ok "two crashes in a row: restored"

# A crash, then a reboot (the record under /run is gone): the copy of
# the original inside the rewritten file brings it back.
record=/run/rvpn/client-rvpn0.$(stat -L -c %i "/run/netns/$ns").resolv.orig
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
[ -s "$record" ] || fail "no record $record while running"
grep -q '^#rvpn-orig ' "$resolv" || fail "no copy of the original inside resolv.conf"
kill -KILL "$LAB_CLIENT_PID"; wait "$LAB_CLIENT_PID" 2>/dev/null
rm -f "$record"
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
from=$LAB_CLIENT_FROM
lab_stop "$LAB_CLIENT_PID" || fail "client did not stop cleanly"
cmp "$LAB_DIR/resolv.before" "$resolv" || fail "after a crash and a lost record: not restored"
tail -n +"$from" "$log" | grep -q "recovering DNS .*: restored the original from the copy inside it (no record" ||
	fail "no recovery line from the copy inside"
ok "crash, record lost (reboot): restored from the copy inside resolv.conf"

# A file someone rewrote after the crash is theirs: left alone.
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
kill -KILL "$LAB_CLIENT_PID"; wait "$LAB_CLIENT_PID" 2>/dev/null
printf 'nameserver 192.0.2.99\n' >"$resolv"
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
tail -n +"$LAB_CLIENT_FROM" "$log" | grep "recovering DNS" |
	grep -q "rewritten since, left as it is" || fail "no 'left as it is'"
lab_stop "$LAB_CLIENT_PID" || fail "client did not stop cleanly"
[ "$(cat "$resolv")" = "nameserver 192.0.2.99" ] || fail "someone else's file changed"
cp "$LAB_DIR/resolv.before" "$resolv"
ok "a file rewritten by someone else after the crash is left alone"

# The helpers: a mount namespace of the client's own, /etc and /run
# replaced by lab directories (/etc: symlinks to the real entries, but
# resolv.conf links to the helper's file), stubs first on PATH.
stub=$LAB_DIR/stub
calls=$LAB_DIR/helper.calls
mkdir -p "$stub" "$LAB_DIR/etc" "$LAB_DIR/run" "$LAB_DIR/hostetc"
for e in /etc/* /etc/.[!.]*; do
	[ -e "$e" ] || [ -L "$e" ] || continue
	b=$(basename "$e")
	[ "$b" = resolv.conf ] && continue
	ln -s "$LAB_DIR/hostetc/$b" "$LAB_DIR/etc/$b"
done
for h in resolvectl resolvconf; do
	cat >"$stub/$h" <<EOS
#!/bin/sh
in=
[ "\$1" = -x ] || [ "\$1" = -a ] && in=" <\$(tr '\n' ' ' | sed 's/ \$//')>"
echo "$h \$*\$in" >>"$calls"
exit 0
EOS
	chmod +x "$stub/$h"
done
cat >"$LAB_DIR/wrap" <<EOS
#!/bin/sh
exec unshare -m --propagation private sh -c '
mount --bind /etc "$LAB_DIR/hostetc" && mount --bind "$LAB_DIR/etc" /etc &&
mount --bind "$LAB_DIR/run" /run || exit 1
PATH="$stub:\$PATH" exec "$REAL_CLIENT" "\$@"' sh "\$@"
EOS
chmod +x "$LAB_DIR/wrap"
RVPN_CLIENT=$LAB_DIR/wrap

# helper_run HELPER RESOLVPATH: start, kill -9, start, stop.
helper_run() {
	local h=$1 target=$2
	rm -f "$LAB_DIR/etc/resolv.conf" "$calls"
	mkdir -p "$LAB_DIR/run/$(dirname "${target#/run/}")"
	echo "nameserver 127.0.0.53" >"$LAB_DIR/run/${target#/run/}"
	ln -s "$target" "$LAB_DIR/etc/resolv.conf"
	# shellcheck disable=SC2046
	lab_client_start "$ns" c1 $(lab_client_args c1)
	kill -KILL "$LAB_CLIENT_PID"; wait "$LAB_CLIENT_PID" 2>/dev/null
	echo "-- killed" >>"$calls"
	# shellcheck disable=SC2046
	lab_client_start "$ns" c1 $(lab_client_args c1)
	tail -n +"$LAB_CLIENT_FROM" "$log" | grep "recovering DNS" |
		grep -q "$h" || fail "$h: no recovery line"
	echo "-- restarted" >>"$calls"
	lab_stop "$LAB_CLIENT_PID" || fail "$h: client did not stop cleanly"
	sed 's/^/# /' "$calls"
}

helper_run resolvectl /run/systemd/resolve/stub-resolv.conf
cat >"$LAB_DIR/want" <<EOS
resolvectl dns rvpn0 $LAB_NET
resolvectl domain rvpn0 ~.
-- killed
resolvectl revert rvpn0
resolvectl dns rvpn0 $LAB_NET
resolvectl domain rvpn0 ~.
-- restarted
resolvectl revert rvpn0
EOS
diff "$LAB_DIR/want" "$calls" || fail "resolvectl calls"
ok "resolvectl: start, kill -9, start (revert first), stop (revert)"

helper_run resolvconf /run/resolvconf/resolv.conf
cat >"$LAB_DIR/want" <<EOS
resolvconf -x -a rvpn0 <nameserver $LAB_NET>
-- killed
resolvconf -d rvpn0
resolvconf -x -a rvpn0 <nameserver $LAB_NET>
-- restarted
resolvconf -d rvpn0
EOS
diff "$LAB_DIR/want" "$calls" || fail "resolvconf calls"
ok "resolvconf -x: start, kill -9, start (-d first), stop (-d)"

# The TUN device recreated: another static address after a server
# restart makes the client reopen rvpn0 (new ifindex); resolved is told
# again.
rm -f "$LAB_DIR/etc/resolv.conf" "$calls"
echo "nameserver 127.0.0.53" >"$LAB_DIR/run/systemd/resolve/stub-resolv.conf"
ln -s /run/systemd/resolve/stub-resolv.conf "$LAB_DIR/etc/resolv.conf"
clients() {
	printf '[client.c1]\npublic_key = "%s"\naddress = "%s"\n' \
		"$(cat "$LAB_DIR/c1.pub")" "$1" >"$LAB_DIR/clients.toml"
}
clients 10.200.0.50
LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"" \
	lab_server_config "$LAB_DIR/server2.toml"
lab_server_stop || fail "server stop"
lab_server_start "$LAB_DIR/server2.toml"
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
idx1=$(nsx "$ns" cat /sys/class/net/rvpn0/ifindex)
lab_server_stop || fail "server stop"
clients 10.200.0.60
lab_server_start "$LAB_DIR/server2.toml"
lab_wait_cmd "$LAB_TIMEOUT" sh -c "[ \$(grep -c 'tunnel up: 10.200.0.60/' '$log') -ge 1 ]" ||
	fail "no reconnect with the new address"
idx2=$(nsx "$ns" cat /sys/class/net/rvpn0/ifindex)
[ "$idx1" != "$idx2" ] || fail "rvpn0 was not recreated ($idx1)"
lab_stop "$LAB_CLIENT_PID" || fail "client did not stop cleanly"
sed 's/^/# /' "$calls"
[ "$(grep -c "^resolvectl dns rvpn0 $LAB_NET\$" "$calls")" = 2 ] ||
	fail "DNS not applied again on the new rvpn0 (ifindex $idx1 -> $idx2)"
[ "$(grep -c "^resolvectl domain rvpn0 ~.\$" "$calls")" = 2 ] ||
	fail "~. not applied again on the new rvpn0"
ok "rvpn0 recreated (ifindex $idx1 -> $idx2): DNS applied again"

# No place for the record (the runstate directory is a file): a warning,
# and DNS is applied and restored all the same.
rm -f "$calls"
rm -rf "$LAB_DIR/run/rvpn"
echo "not a directory" >"$LAB_DIR/run/rvpn"
# shellcheck disable=SC2046
lab_client_start "$ns" c1 $(lab_client_args c1)
tail -n +"$LAB_CLIENT_FROM" "$log" | grep -q "WARN rvpn_client: dns record: .*a crash would leave it changed" ||
	fail "no warning for the missing record"
lab_stop "$LAB_CLIENT_PID" || fail "client did not stop cleanly"
grep -q "^resolvectl dns rvpn0 $LAB_NET\$" "$calls" || fail "DNS not applied without a record"
grep -q "^resolvectl revert rvpn0\$" "$calls" || fail "DNS not restored without a record"
ok "no room for the record: a warning, DNS applied and restored"
exit 0
