#!/bin/sh
# The shipped units under a real systemd.  `make install` into a staging
# tree; that tree is /usr/local of a container that boots the machine's
# own systemd (systemd-nspawn --volatile=yes: /usr read-only from the
# host, everything else a tmpfs) inside the lab's server namespace, and
# a second one in a client namespace.  There, with the units and the
# sample configurations exactly as installed (TLS paths and the client's
# server URL and keys filled in):
#   systemctl start rvpn-server: active, journal "Listening on", the
#     process keeps CAP_NET_ADMIN alone (every set), no_new_privs, and
#     its Landlock write restriction works under the unit's seccomp
#     filter (the unit must allow the landlock calls);
#   systemctl start rvpn-client@c1: "tunnel up", traffic flows;
#   rvpnctl status (inside) lists the client;
#   systemctl reload rvpn-server: journal "reload: done";
#   systemctl stop (both): result success, status 0, journal "shutting
#     down"; no TUN device, no nft table, ip_forward back to 0.
# Skips (77) without systemd-nspawn, or on a build whose prefix is not
# /usr/local (the container's systemd reads units from
# /usr/local/lib/systemd/system).
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v systemd-nspawn >/dev/null 2>&1 || skip "no systemd-nspawn (systemd-container)"
[ -x /lib/systemd/systemd ] || skip "no systemd"
command -v nsenter >/dev/null 2>&1 || skip "no nsenter"

unset MAKEFLAGS MFLAGS MAKELEVEL
dirs=$(${MAKE:-make} -s --no-print-directory -C "$top_builddir" rvpn-print-dirs) ||
	fail "make rvpn-print-dirs"
eval "$(echo "$dirs" | grep "^[a-z]*='[^']*'\$")"
# shellcheck disable=SC2154 # set by the eval
[ "$prefix" = /usr/local ] || skip "prefix is $prefix, not /usr/local"
# shellcheck disable=SC2154
[ "$sbindir" = /usr/local/sbin ] && [ "$sysconfdir" = /usr/local/etc ] ||
	skip "sbindir $sbindir / sysconfdir $sysconfdir are not under /usr/local"
lab_up

NSP_PIDS=
# Stop the containers (their systemd shuts down: units stop), bounded.
nsp_down() {
	local p
	for p in $NSP_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $NSP_PIDS; do
		lab_wait_exit "$p" 30 || kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	NSP_PIDS=
}
# On failure, the containers' journals go with the other logs.
nsp_journals() {
	local l
	for l in ${SL:-} ${CL:-}; do
		nsenter -t "$l" -a journalctl -q --no-pager -b \
			>"$LAB_DIR/journal-$l.log" 2>&1
	done
}
trap 'rc=$?; [ "$rc" = 0 ] || nsp_journals; nsp_down; (exit $rc); lab_down' EXIT

# Install into one staging tree per container (each gets its own config).
stage() {
	local dir=$1
	${MAKE:-make} -s --no-print-directory -C "$top_builddir" install \
		DESTDIR="$dir" >"$LAB_DIR/install.log" 2>&1 ||
		fail "make install: $(tail "$LAB_DIR/install.log")"
	[ -x "$dir/usr/local/sbin/rvpn-server" ] ||
		fail "no $dir/usr/local/sbin/rvpn-server"
	[ -f "$dir/usr/local/lib/systemd/system/rvpn-server.service" ] ||
		fail "make install put no unit in /usr/local/lib/systemd/system"
	# A sanitizer build: LeakSanitizer needs ptrace, which the units'
	# SystemCallFilter= refuses (ASan and UBSan still run).  A drop-in,
	# as an administrator would add; a plain build ignores it.
	for u in rvpn-server.service rvpn-client@.service; do
		mkdir -p "$dir/usr/local/lib/systemd/system/$u.d"
		printf '[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n' \
			>"$dir/usr/local/lib/systemd/system/$u.d/50-rvt-lsan.conf"
	done
}
SSTAGE=$LAB_DIR/stage-srv
CSTAGE=$LAB_DIR/stage-c1
stage "$SSTAGE"
stage "$CSTAGE"
# Only what the test starts runs: no preset enables the machine's other
# services (nginx, caddy, nftables.service) inside the lab.
mkdir -p "$LAB_DIR/preset"
echo "disable *" >"$LAB_DIR/preset/00-rvt.preset"

# The server's configuration: the installed sample with the lab's TLS
# certificate and key (the identity key is the sample's, created in the
# container's /etc/rvpn at the first start).
E=$SSTAGE/usr/local/etc/rvpn
cp "$LAB_DIR/server.crt" "$LAB_DIR/server.key" "$E/"
chmod 600 "$E/server.key"
sed -i -e 's|^tls_cert_file = .*|tls_cert_file = "/usr/local/etc/rvpn/server.crt"|' \
    -e 's|^tls_key_file = .*|tls_key_file = "/usr/local/etc/rvpn/server.key"|' \
    "$E/server.toml"

# Boot a container in namespace NS on staging tree STAGE; sets NSP_LEADER
# (its systemd, as seen from here).
nsp_boot() {
	local ns=$1 stage=$2 name=$3 p i st
	systemd-nspawn -D / --volatile=yes --register=no --keep-unit \
		-M "$name" --console=pipe \
		--network-namespace-path="/run/netns/$ns" \
		--capability=CAP_NET_ADMIN --bind=/dev/net/tun \
		--system-call-filter="landlock_create_ruleset landlock_add_rule landlock_restrict_self" \
		--bind-ro="$stage/usr/local:/usr/local" \
		--bind-ro="$LAB_DIR/preset:/etc/systemd/system-preset" \
		-b systemd.mask=systemd-networkd.service \
		systemd.mask=systemd-networkd-wait-online.service \
		systemd.mask=systemd-timesyncd.service \
		>"$LAB_DIR/nspawn-$name.log" 2>&1 &
	p=$!
	NSP_PIDS="$NSP_PIDS $p"
	NSP_LEADER=
	# The container's systemd, once its private bus socket is there.
	for i in $(seq 1 300); do
		NSP_LEADER=$(pgrep -P "$p" -x systemd | head -n 1)
		[ -n "$NSP_LEADER" ] &&
			[ -S "/proc/$NSP_LEADER/root/run/systemd/private" ] && break
		NSP_LEADER=
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$NSP_LEADER" ] ||
		fail "$name: container did not start: $(cat "$LAB_DIR/nspawn-$name.log")"
	# running, or degraded (systemd-firstboot fails on a tmpfs /etc).
	st=$(timeout 60 nsenter -t "$NSP_LEADER" -a \
	    systemctl is-system-running --wait 2>&1)
	case $st in
	running|degraded) ;;
	*)	skip "$name: systemd did not finish booting in the container: $st" ;;
	esac
}

# Run a command in the container whose systemd is $1.
in_ct() {
	local leader=$1
	shift
	nsenter -t "$leader" -a "$@"
}

journal_has() {
	in_ct "$1" journalctl -q --no-pager -u "$2" 2>/dev/null | grep -q -- "$3"
}

nsp_boot "$NS_SRV" "$SSTAGE" "rvt-srv-$LAB_P"
SL=$NSP_LEADER
in_ct "$SL" systemctl start rvpn-server.service ||
	fail "systemctl start rvpn-server: $(in_ct "$SL" journalctl -q --no-pager -u rvpn-server | tail)"
lab_wait_cmd "$LAB_TIMEOUT" journal_has "$SL" rvpn-server.service \
	"INFO rvpn_server: Listening on 0.0.0.0:443" ||
	fail "no 'Listening on' in the journal: $(in_ct "$SL" journalctl -q --no-pager -u rvpn-server | tail)"
[ "$(in_ct "$SL" systemctl is-active rvpn-server.service)" = active ] ||
	fail "rvpn-server is not active"
mainpid=$(in_ct "$SL" systemctl show -p MainPID --value rvpn-server.service)
st=$(in_ct "$SL" cat "/proc/$mainpid/status")
for f in CapEff CapPrm CapBnd; do
	echo "$st" | grep -qx "$f:[[:space:]]*0000000000001000" ||
		fail "server $f: $(echo "$st" | grep "^$f:")"
done
echo "$st" | grep -qx "NoNewPrivs:[[:space:]]*1" || fail "server: NoNewPrivs"
journal_has "$SL" rvpn-server.service \
	"Running as root (uid 0) group root (gid 0), keeping only CAP_NET_ADMIN, secure bits noroot (locked), file writes only under /run/rvpn /proc/sys/net" ||
	fail "no 'Running as' line with the secure bits and the write restriction"
pub=$(in_ct "$SL" journalctl -q --no-pager -u rvpn-server |
	sed -n 's/.*INFO rvpn_server: Server public key: //p' | tail -n 1)
[ -n "$pub" ] || fail "no server public key in the journal"
ok "systemctl start rvpn-server: active, 'Listening on', CAP_NET_ADMIN alone, noroot, writes only under /run/rvpn"

# The client: its unit, its config as installed (etc/client.toml) with
# the lab's URL, keys and CA.
C=$CSTAGE/usr/local/etc/rvpn
cp "$LAB_DIR/c1.key" "$LAB_DIR/ca.crt" "$C/"
chmod 600 "$C/c1.key"
sed -e "s|^server_url = .*|server_url = \"$LAB_URL1\"|" \
    -e "s|^server_public_key = .*|server_public_key = \"$pub\"|" \
    -e "s|^identity_key_file = .*|identity_key_file = \"/usr/local/etc/rvpn/c1.key\"\\nca_file = \"/usr/local/etc/rvpn/ca.crt\"|" \
    "$C/client.toml" >"$C/c1.toml"
nsp_boot "$NS_C1" "$CSTAGE" "rvt-c1-$LAB_P"
CL=$NSP_LEADER
in_ct "$CL" systemctl start rvpn-client@c1.service ||
	fail "systemctl start rvpn-client@c1: $(in_ct "$CL" journalctl -q --no-pager -u rvpn-client@c1 | tail)"
lab_wait_cmd "$LAB_TIMEOUT" journal_has "$CL" rvpn-client@c1.service "tunnel up" ||
	fail "no 'tunnel up': $(in_ct "$CL" journalctl -q --no-pager -u rvpn-client@c1 | tail)"
nsx "$NS_C1" ping -c 1 -W 3 "$LAB_NET" >/dev/null || fail "no traffic"
cpid=$(in_ct "$CL" systemctl show -p MainPID --value rvpn-client@c1.service)
in_ct "$CL" cat "/proc/$cpid/status" | grep -qx "CapEff:[[:space:]]*0000000000001000" ||
	fail "client CapEff: $(in_ct "$CL" grep CapEff "/proc/$cpid/status")"
ok "systemctl start rvpn-client@c1: 'tunnel up', traffic, CAP_NET_ADMIN alone"

in_ct "$SL" /usr/local/bin/rvpnctl status >"$LAB_DIR/status.out" 2>&1 ||
	fail "rvpnctl status: $(cat "$LAB_DIR/status.out")"
grep -q "10\.200\.0\." "$LAB_DIR/status.out" ||
	fail "rvpnctl status: $(cat "$LAB_DIR/status.out")"
in_ct "$SL" systemctl reload rvpn-server.service || fail "systemctl reload"
lab_wait_cmd "$LAB_TIMEOUT" journal_has "$SL" rvpn-server.service \
	"INFO rvpn_server: reload: done" || fail "no 'reload: done'"
nsx "$NS_C1" ping -c 1 -W 3 "$LAB_NET" >/dev/null || fail "no traffic after reload"
ok "rvpnctl status lists the client; systemctl reload: 'reload: done'"

in_ct "$CL" systemctl stop rvpn-client@c1.service || fail "stop client"
in_ct "$SL" systemctl stop rvpn-server.service || fail "stop server"
for u in "$CL rvpn-client@c1.service" "$SL rvpn-server.service"; do
	l=${u%% *} unit=${u#* }
	[ "$(in_ct "$l" systemctl show -p Result --value "$unit")" = success ] ||
		fail "$unit: result $(in_ct "$l" systemctl show -p Result --value "$unit")"
	[ "$(in_ct "$l" systemctl show -p ExecMainStatus --value "$unit")" = 0 ] ||
		fail "$unit: status $(in_ct "$l" systemctl show -p ExecMainStatus --value "$unit")"
done
journal_has "$SL" rvpn-server.service "INFO rvpn_server: shutting down" ||
	fail "no 'shutting down'"
nsx "$NS_SRV" ip -o link show type tun | grep -q . && fail "server TUN left"
nsx "$NS_C1" ip -o link show type tun | grep -q . && fail "client TUN left"
[ -z "$(nsx "$NS_SRV" nft list tables)" ] || fail "nft table left"
[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 0 ] ||
	fail "ip_forward not restored"
ok "systemctl stop: success, status 0, 'shutting down'; no TUN, no nft table, ip_forward 0"
exit 0
