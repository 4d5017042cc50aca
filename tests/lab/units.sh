#!/bin/sh
# The shipped systemd units, as far as privileges go: each program runs
# under exactly what its unit file grants, read from the unit at test
# time (CapabilityBoundingSet=, AmbientCapabilities=, NoNewPrivileges=,
# SecureBits=, User=, Group=, ExecStartPre=, ExecStart=), through setpriv,
# in the lab.  So the test follows the unit: change the unit and the test
# runs the programs under the new lines.  For each: ExecStartPre= (-t)
# passes; the server logs "Listening on", the client "tunnel up", traffic
# and DNS work; ExecReload= (SIGHUP) reloads the server; SIGTERM (what
# systemctl stop sends) ends each with status 0 and nothing left behind:
# no TUN device, no nft table, ip_forward and resolv.conf as before.
# The server runs three ways under its unit: as root (the sample
# server.toml), dropping to nobody/nogroup, and with CAP_SETPCAP taken
# out of the unit's set (a drop-in could): it then leaves the bounding
# set alone instead of failing.  (systemd itself does not run here: the
# rest of the sandboxing is not part of this test.)
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v setpriv >/dev/null 2>&1 || skip "no setpriv (util-linux)"
getent passwd nobody >/dev/null 2>&1 || skip "no user nobody"
getent group nogroup >/dev/null 2>&1 || skip "no group nogroup"
SU=$top_builddir/contrib/systemd/rvpn-server.service
CU=$top_builddir/contrib/systemd/rvpn-client@.service
[ -f "$SU" ] && [ -f "$CU" ] || fail "units not made (make all)"
lab_up

# The values of KEY in the [Service] section of unit FILE, one a line.
unit_values() {
	awk -v k="$2" '
		/^\[/ { sect = $0; next }
		sect == "[Service]" && index($0, k "=") == 1 {
			print substr($0, length(k) + 2)
		}' "$1"
}

# A capability list key as a setpriv list ("-all,+net_admin,...", or
# "" when the key is absent).  systemd adds lines up; an empty line
# resets; "~" means all but the list.  Anything else fails the test
# rather than being guessed.
unit_caplist() {
	local file=$1 key=$2 line caps="" inv=0 seen=0 c out
	while IFS= read -r line; do
		seen=1
		if [ -z "$line" ]; then
			caps="" inv=0
			continue
		fi
		case $line in
		"~"*)	[ -z "$caps" ] || fail "$file: $key: '~' after a list"
			inv=1 line=${line#\~} ;;
		esac
		caps="$caps $line"
	done < <(unit_values "$file" "$key")
	[ "$seen" = 1 ] || return 0
	if [ "$inv" = 1 ]; then out="+all"; else out="-all"; fi
	for c in $caps; do
		case $c in
		CAP_[A-Z_]*) ;;
		*)	fail "$file: $key: '$c' is not a capability" ;;
		esac
		c=$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')
		if [ "$inv" = 1 ]; then out="$out,-$c"; else out="$out,+$c"; fi
	done
	echo "$out"
}

# setpriv's options for what unit FILE grants, one a line; with a third
# argument, that capability is taken out of the bounding set as well.
unit_setpriv() {
	local file=$1 minus=${2:-} bnd amb nnp user group bits b
	bnd=$(unit_caplist "$file" CapabilityBoundingSet) || exit 1
	amb=$(unit_caplist "$file" AmbientCapabilities) || exit 1
	nnp=$(unit_values "$file" NoNewPrivileges | tail -n 1)
	user=$(unit_values "$file" User | tail -n 1)
	group=$(unit_values "$file" Group | tail -n 1)
	bits=$(unit_values "$file" SecureBits | tail -n 1)
	if [ -n "$minus" ]; then
		[ -n "$bnd" ] || bnd="+all"
		bnd="$bnd,-$minus"
	fi
	[ -z "$bnd" ] || echo "--bounding-set=$bnd"
	if [ -n "$amb" ]; then
		echo "--inh-caps=${amb#-all,}"
		echo "--ambient-caps=${amb#-all,}"
	fi
	case $nnp in
	yes|true|on|1)	echo "--no-new-privs" ;;
	""|no|false|off|0) ;;
	*)	fail "$file: NoNewPrivileges=$nnp" ;;
	esac
	if [ -n "$user" ] && [ "$user" != root ]; then
		echo "--reuid=$user"
		echo "--regid=${group:-$(id -gn "$user")}"
		echo "--init-groups"
	elif [ -n "$group" ]; then
		echo "--regid=$group"
		echo "--clear-groups"
	fi
	if [ -n "$bits" ]; then
		for b in $bits; do
			echo "--securebits=+$(echo "$b" | tr - _)"
		done
	fi
}

# The arguments of the unit's KEY (ExecStart or ExecStartPre) after the
# program, with the -c file replaced by CONF, one a line.
unit_args() {
	local file=$1 key=$2 conf=$3 line a next=0
	line=$(unit_values "$file" "$key" | head -n 1)
	[ -n "$line" ] || fail "$file: no $key="
	set -f
	# shellcheck disable=SC2086
	set -- $line
	set +f
	shift
	for a in "$@"; do
		if [ "$next" = 1 ]; then
			echo "$conf"
			next=0
			continue
		fi
		[ "$a" = -c ] && next=1
		echo "$a"
	done
}

status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' \
		"/proc/$1/status"
}

ping_ok() {
	nsx "$1" ping -c 1 -W 3 "$LAB_NET" >/dev/null 2>&1
}

# Run PROGRAM under unit FILE's setpriv options in namespace NS, in the
# background, log to LOG; sets RUN_PID.  MINUS as for unit_setpriv.
unit_spawn() {
	local file=$1 minus=$2 ns=$3 log=$4 prog=$5 conf=$6
	local -a sp args
	mapfile -t sp < <(unit_setpriv "$file" "$minus")
	mapfile -t args < <(unit_args "$file" ExecStart "$conf")
	echo "--- $(date +%T) setpriv ${sp[*]} -- $prog ${args[*]}" >>"$log"
	ip netns exec "$ns" setpriv "${sp[@]}" -- "$prog" "${args[@]}" \
		>>"$log" 2>&1 &
	RUN_PID=$!
	LAB_PIDS="$LAB_PIDS $RUN_PID"
}

# ExecStartPre= under the unit: the configuration check passes.
unit_pre() {
	local file=$1 ns=$2 prog=$3 conf=$4 out
	local -a sp args
	mapfile -t sp < <(unit_setpriv "$file")
	mapfile -t args < <(unit_args "$file" ExecStartPre "$conf")
	out=$(ip netns exec "$ns" setpriv "${sp[@]}" -- "$prog" "${args[@]}" \
		2>&1) || fail "ExecStartPre under $(basename "$file"): $out"
	[ "$out" = "configuration OK" ] ||
		fail "ExecStartPre under $(basename "$file"): '$out'"
}

# The parser itself, on the units as shipped and on a made-up one.
want_srv="--bounding-set=-all,+net_admin,+net_bind_service,+setuid,+setgid,+setpcap
--no-new-privs"
got=$(unit_setpriv "$SU")
[ "$got" = "$want_srv" ] || fail "server unit read as: $got"
[ "$(unit_setpriv "$CU")" = "$(printf '%s\n' --bounding-set=-all,+net_admin --no-new-privs)" ] ||
	fail "client unit read as: $(unit_setpriv "$CU")"
printf '%s\n' '[Unit]' 'User=ignored' '[Service]' 'User=nobody' \
	'CapabilityBoundingSet=CAP_A' 'CapabilityBoundingSet=' \
	'CapabilityBoundingSet=~CAP_NET_RAW' 'AmbientCapabilities=CAP_NET_ADMIN' \
	'NoNewPrivileges=no' >"$LAB_DIR/made-up.service"
got=$(unit_setpriv "$LAB_DIR/made-up.service" | tr '\n' ' ')
[ "$got" = "--bounding-set=+all,-net_raw --inh-caps=+net_admin --ambient-caps=+net_admin --reuid=nobody --regid=$(id -gn nobody) --init-groups " ] ||
	fail "made-up unit read as: $got"
ok "the units are read as setpriv options: $(echo "$want_srv" | tr '\n' ' ')"

# What the server must leave at the end: no TUN, no nft table (whatever
# its name), ip_forward back to 0.
server_gone_clean() {
	local what=$1
	nsx "$NS_SRV" ip link show "$LAB_TUN" >/dev/null 2>&1 &&
		fail "$what: TUN $LAB_TUN left"
	[ -z "$(nsx "$NS_SRV" nft list tables 2>&1)" ] ||
		fail "$what: nft tables left: $(nsx "$NS_SRV" nft list tables)"
	[ "$(nsx "$NS_SRV" sysctl -n net.ipv4.ip_forward)" = 0 ] ||
		fail "$what: ip_forward not restored"
}

chmod 711 "$LAB_DIR"
lab_clients_file "$LAB_DIR/clients.toml" c1
chmod 644 "$LAB_DIR/clients.toml" "$LAB_DIR/server.crt"
chgrp nogroup "$LAB_DIR/server.key"
chmod 640 "$LAB_DIR/server.key"
cat >"$LAB_DIR/c1.toml" <<EOF
[client]
server_url = "$LAB_URL1"
server_public_key = "$LAB_SRV_PUB"
identity_key_file = "$LAB_DIR/c1.key"
ca_file = "$LAB_DIR/ca.crt"
EOF
RESOLV=/etc/netns/$NS_C1/resolv.conf
cp "$RESOLV" "$LAB_DIR/resolv.orig"
LOG=$LAB_DIR/server.log
CLOG=$LAB_DIR/client-c1.log

# One server run under the unit: name, extra [server] lines, capability
# taken out of the unit's set ("" for none), the user it must run as.
server_run() {
	local name=$1 extra=$2 minus=$3 uid=$4 from cfrom pid cpid rc bnd
	LAB_SERVER_EXTRA="authorized_clients_file = \"$LAB_DIR/clients.toml\"
$extra" lab_server_config "$LAB_DIR/server.toml"
	chmod 644 "$LAB_DIR/server.toml"
	unit_pre "$SU" "$NS_SRV" "$RVPN_SERVER" "$LAB_DIR/server.toml"
	from=$(lab_log_next "$LOG")
	unit_spawn "$SU" "$minus" "$NS_SRV" "$LOG" "$RVPN_SERVER" \
		"$LAB_DIR/server.toml"
	pid=$RUN_PID
	LAB_LOG_FROM=$from lab_wait_log "$LOG" "INFO rvpn_server: Listening on" \
		"$LAB_TIMEOUT" "$pid" ||
		fail "$name: no 'Listening on' under the unit: $(tail -n +"$from" "$LOG")"
	[ "$(status_field "$pid" Uid | cut -f1 -d' ')" = "$uid" ] ||
		fail "$name: Uid is $(status_field "$pid" Uid)"
	[ "$(status_field "$pid" CapEff)" = 0000000000001000 ] ||
		fail "$name: CapEff is $(status_field "$pid" CapEff)"
	[ "$(status_field "$pid" CapPrm)" = 0000000000001000 ] ||
		fail "$name: CapPrm is $(status_field "$pid" CapPrm)"
	[ "$(status_field "$pid" NoNewPrivs)" = 1 ] || fail "$name: NoNewPrivs"
	bnd=$(status_field "$pid" CapBnd)
	if [ -z "$minus" ]; then
		[ "$bnd" = 0000000000001000 ] || fail "$name: CapBnd is $bnd"
	else
		# Left as the unit (less CAP_SETPCAP) made it.
		[ "$bnd" = 00000000000014c0 ] || fail "$name: CapBnd is $bnd"
	fi

	# The client under its unit, DNS on (the lab's resolv.conf).
	unit_pre "$CU" "$NS_C1" "$RVPN_CLIENT" "$LAB_DIR/c1.toml"
	cfrom=$(lab_log_next "$CLOG")
	unit_spawn "$CU" "" "$NS_C1" "$CLOG" "$RVPN_CLIENT" "$LAB_DIR/c1.toml"
	cpid=$RUN_PID
	LAB_LOG_FROM=$cfrom lab_wait_log "$CLOG" "tunnel up" "$LAB_TIMEOUT" \
		"$cpid" ||
		fail "$name: client: no 'tunnel up' under its unit: $(tail -n +"$cfrom" "$CLOG")"
	ping_ok "$NS_C1" || fail "$name: no traffic through the tunnel"
	lab_wait_cmd "$LAB_TIMEOUT" grep -qx "nameserver $LAB_NET" "$RESOLV" ||
		fail "$name: client: DNS not applied: $(cat "$RESOLV")"
	[ "$(status_field "$cpid" CapEff)" = 0000000000001000 ] ||
		fail "$name: client CapEff is $(status_field "$cpid" CapEff)"
	[ "$(status_field "$cpid" CapBnd)" = 0000000000001000 ] ||
		fail "$name: client CapBnd is $(status_field "$cpid" CapBnd)"

	# ExecReload=: SIGHUP.
	from=$(lab_log_next "$LOG")
	kill -HUP "$pid"
	LAB_LOG_FROM=$from lab_wait_log "$LOG" "reload: done|reload failed" ||
		fail "$name: no end of reload"
	tail -n +"$from" "$LOG" | grep -q "reload: done" ||
		fail "$name: reload failed under the unit"
	ping_ok "$NS_C1" || fail "$name: no traffic after the reload"

	# systemctl stop: SIGTERM, client first (as at shutdown).
	lab_stop "$cpid"
	rc=$?
	[ "$rc" = 0 ] || fail "$name: client stopped with status $rc"
	[ -z "$(nsx "$NS_C1" ip -o link show type tun)" ] ||
		fail "$name: client TUN left: $(nsx "$NS_C1" ip -o link show type tun)"
	cmp -s "$RESOLV" "$LAB_DIR/resolv.orig" ||
		fail "$name: resolv.conf not restored: $(cat "$RESOLV")"
	nsx "$NS_C1" ip route show | grep -q "^default via $LAB_SRV_C1 " ||
		fail "$name: client default route changed"
	lab_stop "$pid"
	rc=$?
	[ "$rc" = 0 ] || fail "$name: server stopped with status $rc"
	server_gone_clean "$name"
	ok "$name: -t, 'Listening on', 'tunnel up', traffic, DNS, reload, stop (0, 0), nothing left"
}

server_run "server as root (sample config)" "" "" 0
grep -q "INFO rvpn_server: Running as root (uid 0) group root (gid 0), keeping only CAP_NET_ADMIN, secure bits noroot (locked)" "$LOG" ||
	fail "no 'Running as root ... secure bits noroot (locked)' line"
server_run "server dropping to nobody" "user = \"nobody\"
group = \"nogroup\"" "" "$(id -u nobody)"
server_run "server without CAP_SETPCAP" "" setpcap 0
grep -q "INFO rvpn_server: Running as root (uid 0) group root (gid 0), keeping only CAP_NET_ADMIN, secure bits unchanged (no CAP_SETPCAP)" "$LOG" ||
	fail "no 'secure bits unchanged (no CAP_SETPCAP)' line"

# chroot needs CAP_SYS_CHROOT, which the unit does not grant: the start
# fails saying so, and leaves nothing; the capability added (as a
# drop-in would) it starts.  (LeakSanitizer needs /proc at exit, which
# the chroot lacks: off for these two runs, as in chroot.sh.)
NOLSAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
mkdir -m 0755 "$LAB_DIR/empty"
LAB_SERVER_EXTRA="chroot = \"$LAB_DIR/empty\"" lab_server_config "$LAB_DIR/server.toml"
from=$(lab_log_next "$LOG")
ASAN_OPTIONS=$NOLSAN unit_spawn "$SU" "" "$NS_SRV" "$LOG" "$RVPN_SERVER" \
	"$LAB_DIR/server.toml"
lab_wait_exit "$RUN_PID" || fail "chroot without CAP_SYS_CHROOT: still running"
wait "$RUN_PID"
rc=$?
[ "$rc" = 1 ] || fail "chroot without CAP_SYS_CHROOT: status $rc"
tail -n +"$from" "$LOG" | grep -q "ERROR rvpn_server: chroot: '$LAB_DIR/empty': Operation not permitted (chroot needs CAP_SYS_CHROOT)" ||
	fail "no CAP_SYS_CHROOT error: $(tail -n +"$from" "$LOG")"
server_gone_clean "chroot without CAP_SYS_CHROOT"
from=$(lab_log_next "$LOG")
SU_CHROOT=$LAB_DIR/chroot.service
sed 's/^CapabilityBoundingSet=.*/& CAP_SYS_CHROOT/' "$SU" >"$SU_CHROOT"
ASAN_OPTIONS=$NOLSAN unit_spawn "$SU_CHROOT" "" "$NS_SRV" "$LOG" \
	"$RVPN_SERVER" "$LAB_DIR/server.toml"
LAB_LOG_FROM=$from lab_wait_log "$LOG" "INFO rvpn_server: Listening on" \
	"$LAB_TIMEOUT" "$RUN_PID" ||
	fail "chroot with CAP_SYS_CHROOT: $(tail -n +"$from" "$LOG")"
[ "$(readlink "/proc/$RUN_PID/root")" = "$LAB_DIR/empty" ] || fail "not chrooted"
lab_stop "$RUN_PID" || fail "chroot: stop"
server_gone_clean "chroot with CAP_SYS_CHROOT"
ok "chroot: the unit's set fails with 'chroot needs CAP_SYS_CHROOT', nothing left; with it added the server runs"
exit 0
