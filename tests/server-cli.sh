#!/bin/sh
# rvpn-server command line: --help, --version, -t on good and broken
# configurations, unknown options; as root, a bad config at startup
# changes nothing (no TUN, no nft table) in a fresh namespace.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
SRV=${RVPN_SERVER:-$top_builddir/src/rvpn-server}
[ -x "$SRV" ] || { echo "SKIP: $SRV not built"; exit 77; }

T=$(mktemp -d /tmp/rvt-cli.XXXXXX)
NS=
cleanup() {
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# --help: usage on stdout, exit 0, every long option listed.
"$SRV" --help >"$T/out" 2>&1 || fail "--help exit $?"
for o in --foreground --config --test-config --verbose --version --help; do
	grep -q -- "$o" "$T/out" || fail "--help lacks $o"
done
ok "--help lists every option"

# -V / --version.
"$SRV" -V >"$T/out" 2>&1 || fail "-V exit $?"
grep -Eq '^rvpn-server [0-9]+\.[0-9]+' "$T/out" || fail "-V: $(cat "$T/out")"
ok "-V prints the version"

# Unknown option and stray argument: usage on stderr, exit 1.
"$SRV" --bogus >"$T/out" 2>"$T/err" && fail "--bogus accepted"
[ $? = 1 ] || fail "--bogus: exit not 1"
grep -q "usage: rvpn-server" "$T/err" || fail "--bogus: no usage"
"$SRV" stray >/dev/null 2>"$T/err" && fail "stray argument accepted"
grep -q "usage: rvpn-server" "$T/err" || fail "stray: no usage"
ok "unknown option and stray argument are refused with usage"

# A good config: "configuration OK", exit 0, and the missing identity
# key is NOT created by -t (it touches nothing).
cat >"$T/good.toml" <<EOF
[server]
bind_address = "127.0.0.1:8443"
identity_key_file = "$T/identity.key"
pid_file = "$T/server.pid"
control_socket = "$T/server.sock"

[server.network]
dhcp_range = "10.200.0.0/24"
tun_name = "rvt0"
EOF
"$SRV" -t -c "$T/good.toml" >"$T/out" 2>&1 || fail "-t good: exit $? $(cat "$T/out")"
grep -qx "configuration OK" "$T/out" || fail "-t good: $(cat "$T/out")"
[ ! -e "$T/identity.key" ] || fail "-t created the identity key"
grep -q "WARN rvpn_server: identity_key_file '$T/identity.key': No such file or directory: the first start creates a new identity" \
	"$T/out" || fail "-t does not report the missing identity key: $(cat "$T/out")"
# A key file that is not a key: -t fails with the file's name.
echo "not a key" >"$T/bad.key"; chmod 600 "$T/bad.key"
sed "s|$T/identity.key|$T/bad.key|" "$T/good.toml" >"$T/badkey.toml"
"$SRV" -t -c "$T/badkey.toml" >"$T/out" 2>&1 && fail "-t accepted a bad key file"
grep -q "$T/bad.key" "$T/out" || fail "-t bad key: $(cat "$T/out")"
grep -q "configuration OK" "$T/out" && fail "-t bad key: configuration OK"
"$SRV" --test-config --config "$T/good.toml" >"$T/out" 2>&1 ||
	fail "--test-config good: exit $?"
ok "-t on a good config prints 'configuration OK' and creates nothing"

# A broken config: every error with file:line, exit 1.
cat >"$T/bad.toml" <<EOF
[server]
bind_address = "127.0.0.1:8443"
identity_key_file = "$T/identity.key"

[server.network]
dhcp_range = "10.200.0.0/33"
mtu = 100
EOF
"$SRV" -t -c "$T/bad.toml" >"$T/out" 2>"$T/err" && fail "-t bad: exit 0"
rc=$?
[ $rc = 1 ] || fail "-t bad: exit $rc, want 1"
grep -q "bad.toml:6: dhcp_range: '10.200.0.0/33'" "$T/err" ||
	fail "-t bad: no file:line for dhcp_range: $(cat "$T/err")"
grep -q "bad.toml:7: mtu: '100'" "$T/err" ||
	fail "-t bad: no file:line for mtu: $(cat "$T/err")"
grep -q "configuration OK" "$T/out" "$T/err" && fail "-t bad: said OK"
ok "-t on a broken config prints every file:line error and exits 1"

# A missing config file.
"$SRV" -t -c "$T/nonexistent.toml" >"$T/out" 2>"$T/err" && fail "missing: exit 0"
grep -q "nonexistent.toml" "$T/err" || fail "missing: $(cat "$T/err")"
ok "-t on a missing file names it and exits 1"

# The rest changes network state: root and a namespace only.
if [ "$(id -u)" != 0 ] || ! ip netns add "rvt-cli-$$" 2>/dev/null; then
	echo "ok - # SKIP startup tests need root and netns"
	exit 0
fi
NS=rvt-cli-$$
ip -n "$NS" link set lo up

# -t as root in the namespace touches nothing either (the man page
# promises it): no TUN, no nft table, no key, pid file or socket.
# A default route (over a veth pair): NAT could start if -t tried.
ip -n "$NS" link add rvtd0 type veth peer name rvtd1 &&
	ip -n "$NS" link set rvtd0 up && ip -n "$NS" link set rvtd1 up &&
	ip -n "$NS" addr add 198.18.0.1/24 dev rvtd0 &&
	ip -n "$NS" route add default via 198.18.0.2 || fail "veth uplink"
sed 's/^\[server.network\]$/&\nnat_enabled = true/' "$T/good.toml" >"$T/nat.toml"
grep -qx "nat_enabled = true" "$T/nat.toml" || fail "nat.toml"
ip netns exec "$NS" "$SRV" -t -c "$T/nat.toml" >"$T/out" 2>&1 ||
	fail "-t as root: exit $? $(cat "$T/out")"
grep -qx "configuration OK" "$T/out" || fail "-t as root: $(cat "$T/out")"
[ -z "$(ip -n "$NS" -o link show type tun)" ] || fail "-t as root: TUN created"
[ -z "$(ip netns exec "$NS" nft list tables 2>&1)" ] ||
	fail "-t as root: nft table created: $(ip netns exec "$NS" nft list tables 2>&1)"
for f in identity.key server.pid server.sock; do
	[ ! -e "$T/$f" ] || fail "-t as root created $f"
done
ok "-t as root creates no TUN, nft table, key, pid file or socket"

# A bad config at startup: errors printed, exit 1, nothing created.
ip netns exec "$NS" "$SRV" -f -c "$T/bad.toml" >"$T/out" 2>"$T/err" &&
	fail "startup with bad config: exit 0"
grep -q "bad.toml:6: dhcp_range" "$T/err" || fail "startup: $(cat "$T/err")"
[ -z "$(ip -n "$NS" -o link show type tun)" ] || fail "startup: TUN created"
[ ! -e "$T/identity.key" ] || fail "startup: identity key created"
[ -z "$(ip netns exec "$NS" nft list tables 2>/dev/null)" ] ||
	fail "startup: nft table created"
ok "a bad config at startup exits 1 and creates no TUN, key or table"

# A good config starts (positive counterpart), creates the identity key
# and logs its public key, and SIGTERM stops it with exit 0.
ip netns exec "$NS" "$SRV" -f -c "$T/good.toml" >"$T/log" 2>&1 &
pid=$!
i=0
while ! grep -q "Listening on 127.0.0.1:8443" "$T/log" && [ $i -lt 300 ]; do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1; i=$((i + 1))
done
grep -q "INFO rvpn_server: Listening on 127.0.0.1:8443" "$T/log" ||
	{ kill $pid; fail "good config: no listen line: $(cat "$T/log")"; }
grep -q "WARN rvpn_server: Created a new identity key $T/identity.key (the file did not exist), public key: " \
	"$T/log" || { kill $pid; fail "no 'Created a new identity key' warning"; }
[ "$(stat -c %a "$T/identity.key")" = 600 ] || { kill $pid; fail "key mode"; }
ip -n "$NS" link show rvt0 >/dev/null 2>&1 || { kill $pid; fail "no TUN rvt0"; }
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 0 ] || fail "SIGTERM: exit $rc"
ip -n "$NS" link show rvt0 >/dev/null 2>&1 && fail "TUN left after stop"
ok "a good config starts, creates the key (0600), stops on SIGTERM with 0"

# Port in use: startup fails with exit 1 and removes its TUN.  The
# first server logs to a new file: $T/log still holds the last server's
# listen line until the child has truncated it.  A second server that
# did listen would run forever: timeout bounds it (exit 124).
ip netns exec "$NS" "$SRV" -f -c "$T/good.toml" >"$T/log-holder" 2>&1 &
pid=$!
i=0
while ! grep -q "Listening on 127.0.0.1:8443" "$T/log-holder" 2>/dev/null &&
    [ $i -lt 300 ]; do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1; i=$((i + 1))
done
grep -q "Listening on 127.0.0.1:8443" "$T/log-holder" ||
	{ kill $pid; fail "busy: the first server is not listening: $(cat "$T/log-holder")"; }
sed -e 's/tun_name = "rvt0"/tun_name = "rvt1"/' \
	-e 's|/server.sock"|/busy.sock"|' "$T/good.toml" >"$T/busy.toml"
timeout 30 ip netns exec "$NS" "$SRV" -f -c "$T/busy.toml" >"$T/out" 2>"$T/err"
rc=$?
kill -TERM $pid; wait $pid
[ $rc = 1 ] || fail "busy port: exit $rc"
grep -q "cannot listen on 127.0.0.1:8443" "$T/err" || fail "busy: $(cat "$T/err")"
ip -n "$NS" link show rvt1 >/dev/null 2>&1 && fail "busy: TUN rvt1 left"
ok "a startup failure (port in use) exits 1 and leaves no TUN"
exit 0
