#!/bin/sh
# The service files made from contrib/**/*.in: no @dir@ left; the init
# scripts parse (sh -n, bash -n, dash -n, shellcheck where present); the
# systemd units pass systemd-analyze verify (where it works here) and name
# the right binaries, paths and sandboxing keys; the init script's
# configtest, status and stop do what they say.  Every check is also run on
# a broken copy, which must fail it.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/rvpn-contrib.XXXXXX") || exit 1
pids=
cleanup()
{
	for p in $pids; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

# The directories make uses, without the outer make's flags.
unset MAKEFLAGS MFLAGS MAKELEVEL
dirs=$(${MAKE:-make} -s --no-print-directory -C "$top_builddir" \
    rvpn-print-dirs) || { echo "make rvpn-print-dirs failed"; exit 1; }
eval "$(echo "$dirs" | grep "^[a-z]*='[^']*'\$")"
# shellcheck disable=SC2154 # set by the eval
echo "sbindir=$sbindir sysconfdir=$sysconfdir runstatedir=$runstatedir"

C=$top_builddir/contrib
units="$C/systemd/rvpn-server.service $C/systemd/rvpn-client@.service"
inits="$C/init.d/rvpn-server $C/freebsd/rvpn_server"
for f in $units $inits; do
	[ -f "$f" ] || { echo "FAIL: $f was not made (make all)"; exit 1; }
done

# --- every @dir@ substituted --------------------------------------------
# Prints the leftover lines; fails if there are any.
no_placeholders()
{
	! grep -n '@[a-z_]*@' "$1"
}
for f in $units $inits; do
	if no_placeholders "$f" >"$T/out"; then ok "no @dir@ left in ${f#"$C"/}"
	else fail "${f#"$C"/}: left: $(cat "$T/out")"; fi
done
if no_placeholders "$top_srcdir/contrib/init.d/rvpn-server.in" >/dev/null; then
	fail "no_placeholders accepts an .in file"
else ok "no_placeholders rejects an .in file"; fi

# --- init scripts parse -------------------------------------------------
shells="sh bash"
command -v dash >/dev/null 2>&1 && shells="$shells dash"
printf 'if true; then\n\techo unterminated\n' >"$T/broken.sh"
for sh in $shells; do
	for f in $inits; do
		if $sh -n "$f" 2>"$T/err"; then ok "$sh -n ${f#"$C"/}"
		else fail "$sh -n ${f#"$C"/}: $(cat "$T/err")"; fi
	done
	if $sh -n "$T/broken.sh" 2>/dev/null; then
		fail "$sh -n accepts a script with an unterminated if"
	else ok "$sh -n rejects an unterminated if"; fi
done
if command -v shellcheck >/dev/null 2>&1; then
	for f in $inits; do
		if shellcheck -s sh "$f" >"$T/out" 2>&1; then
			ok "shellcheck ${f#"$C"/}"
		else fail "shellcheck ${f#"$C"/}:"; cat "$T/out"; fi
	done
	printf '#!/bin/sh\nrm -rf $1/*\n' >"$T/sc.sh"
	if shellcheck -s sh "$T/sc.sh" >/dev/null 2>&1; then
		fail "shellcheck accepts an unquoted \$1"
	else ok "shellcheck rejects an unquoted \$1"; fi
else
	echo "ok - # SKIP shellcheck (not installed)"
fi

# --- units name the right programs, paths and sandboxing ----------------
# Each expected line must be in the unit as it is; prints what is missing
# or present but forbidden.
check_lines()
{
	file=$1 list=$2 bad=0
	while IFS= read -r line; do
		case $line in
		"")	continue ;;
		"!"*)	k=${line#!}
			if grep -q "^$k" "$file"; then
				echo "forbidden: $k"; bad=1
			fi ;;
		*)	if ! grep -qxF "$line" "$file"; then
				echo "missing: $line"; bad=1
			fi ;;
		esac
	done <"$list"
	return $bad
}
cat >"$T/server.keys" <<EOF
Type=exec
ExecStartPre=$sbindir/rvpn-server -t -c $sysconfdir/rvpn/server.toml
ExecStart=$sbindir/rvpn-server -f -c $sysconfdir/rvpn/server.toml
ExecReload=/bin/kill -HUP \$MAINPID
Restart=on-failure
RuntimeDirectory=rvpn
RuntimeDirectoryMode=0750
ConfigurationDirectory=rvpn
CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID CAP_SETPCAP
DeviceAllow=/dev/net/tun rw
DevicePolicy=closed
ProtectSystem=strict
ReadWritePaths=/etc/rvpn
PrivateTmp=yes
ProtectHome=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
NoNewPrivileges=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=landlock_create_ruleset landlock_add_rule landlock_restrict_self
WantedBy=multi-user.target
!ProtectKernelTunables=
!PrivateDevices=
!User=
EOF
cat >"$T/client.keys" <<EOF
Type=exec
ExecStartPre=$sbindir/rvpn-client -t -c $sysconfdir/rvpn/%i.toml
ExecStart=$sbindir/rvpn-client -f -c $sysconfdir/rvpn/%i.toml
Restart=on-failure
CapabilityBoundingSet=CAP_NET_ADMIN
DeviceAllow=/dev/net/tun rw
DevicePolicy=closed
ProtectSystem=true
PrivateTmp=yes
ProtectHome=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
NoNewPrivileges=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
WantedBy=multi-user.target
!PrivateDevices=
!ReadWritePaths=
EOF
su=$C/systemd/rvpn-server.service
cu=$C/systemd/rvpn-client@.service
if check_lines "$su" "$T/server.keys" >"$T/out"; then
	ok "rvpn-server.service: $(grep -c . "$T/server.keys") lines checked"
else fail "rvpn-server.service:"; cat "$T/out"; fi
if check_lines "$cu" "$T/client.keys" >"$T/out"; then
	ok "rvpn-client@.service: $(grep -c . "$T/client.keys") lines checked"
else fail "rvpn-client@.service:"; cat "$T/out"; fi
# Broken copies: a key dropped, a wrong binary, a forbidden key added.
sed '/^ProtectHome=/d' "$su" >"$T/b1.service"
sed 's|^ExecStart=.*|ExecStart=/usr/bin/rvpn-server -f|' "$su" >"$T/b2.service"
{ cat "$su"; echo "ProtectKernelTunables=yes"; } >"$T/b3.service"
for b in "b1:missing: ProtectHome=yes" \
    "b2:missing: ExecStart=$sbindir/rvpn-server -f -c $sysconfdir/rvpn/server.toml" \
    "b3:forbidden: ProtectKernelTunables="; do
	n=${b%%:*} want=${b#*:}
	if check_lines "$T/$n.service" "$T/server.keys" >"$T/out"; then
		fail "check_lines accepts $n.service"
	elif [ "$(cat "$T/out")" != "$want" ]; then
		fail "check_lines on $n.service said '$(cat "$T/out")', not '$want'"
	else ok "check_lines on $n.service: $want"; fi
done
# The man pages the units point at are the project's.
for m in $(sed -n 's/^Documentation=//p' "$su" "$cu"); do
	p=${m#man:}; sect=${p##*\(}; sect=${sect%\)}; p=${p%\(*}
	if [ -f "$top_srcdir/man/$p.$sect" ]; then ok "Documentation $m"
	else fail "Documentation=$m: no man/$p.$sect"; fi
done

# --- systemd-analyze verify ---------------------------------------------
# Fails on a non-zero status or on any message about the unit itself
# (verify only warns, with status 0, on unknown keys and bad values).
verify()
{
	u=$(basename "$1")
	systemd-analyze verify --man=no "$1" >"$T/verify.out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || grep -F "${u%@*}" "$T/verify.out" >/dev/null; then
		cat "$T/verify.out"
		return 1
	fi
	return 0
}
mkdir -p "$T/v" "$T/probe"
printf '[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n' \
    >"$T/probe/rvpn-probe.service"
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "ok - # SKIP systemd-analyze verify (not installed)"
elif ! verify "$T/probe/rvpn-probe.service" >"$T/out"; then
	echo "ok - # SKIP systemd-analyze verify does not work here"
	sed 's/^/  /' "$T/out"
else
	# verify checks that the programs exist: point at the built ones.
	for u in $units; do
		sed "s|$sbindir/|$top_builddir/src/|g" "$u" \
		    >"$T/v/$(basename "$u")"
		if verify "$T/v/$(basename "$u")" >"$T/out"; then
			ok "systemd-analyze verify $(basename "$u")"
		else fail "systemd-analyze verify $(basename "$u"):"
			cat "$T/out"; fi
	done
	mkdir -p "$T/vb"
	sed 's/^\[Service\]$/[Service/' "$T/v/rvpn-server.service" \
	    >"$T/vb/rvpn-server.service"
	sed 's/^ProtectHome=yes$/ProtectHome=maybe/' \
	    "$T/v/rvpn-client@.service" >"$T/vb/rvpn-client@.service"
	for u in rvpn-server.service rvpn-client@.service; do
		if verify "$T/vb/$u" >"$T/out"; then
			fail "systemd-analyze verify accepts a broken $u"
		else ok "verify rejects a broken $u: $(head -n 1 "$T/out")"; fi
	done
fi

# --- the init script at work, without starting a server -----------------
# A copy with the built server, its own /etc/default and run directory.
mkdir -p "$T/etc/rvpn" "$T/default" "$T/run" "$T/bin"
mkinit()
{
	sed -e "s|@sbindir@|$top_builddir/src|g" \
	    -e "s|@sysconfdir@|$T/etc|g" -e "s|@runstatedir@|$T/run|g" \
	    -e "s|/etc/default/|$T/default/|g" \
	    -e "s|command -v start-stop-daemon|command -v $1|g" \
	    "$top_srcdir/contrib/init.d/rvpn-server.in" >"$T/$2"
}
mkinit start-stop-daemon init-ssd
mkinit rvpn-no-such-start-stop-daemon init-plain
# Line 6 is dhcp_range: $1.
server_toml()
{
	printf '%s\n' '[server]' 'bind_address = "127.0.0.1:8443"' \
	    'identity_key_file = "id.key"' 'pid_file = "srv.pid"' \
	    '[server.network]' "dhcp_range = \"$1\"" >"$T/etc/rvpn/server.toml"
}
server_toml 10.200.0.0/24
pidfile=$T/etc/rvpn/srv.pid
# An installed server has its identity key (without it -t warns that the
# first start creates a new one).
(umask 077; "$top_builddir/src/rvpnctl" genkey >"$T/etc/rvpn/id.key") ||
    { echo "FAIL: rvpnctl genkey"; exit 1; }

# configtest: the server's verdict and its status.
out=$(sh "$T/init-plain" configtest 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$out" = "configuration OK" ]; then
	ok "configtest: configuration OK"
else fail "configtest: status $rc: $out"; fi
server_toml 10.200.0.0/33
out=$(sh "$T/init-plain" configtest 2>&1); rc=$?
case $rc:$out in
1:*"server.toml:6: dhcp_range: '10.200.0.0/33'"*)
	ok "configtest on a bad file: status 1, $out" ;;
*)	fail "configtest on a bad file: status $rc: $out" ;;
esac
out=$(sh "$T/init-plain" start 2>&1); rc=$?
want="$T/etc/rvpn/server.toml:6: dhcp_range: '10.200.0.0/33': prefix length must be 8..30
rvpn-server: $T/etc/rvpn/server.toml has errors, not (re)starting"
if [ $rc -eq 1 ] && [ "$out" = "$want" ]; then
	ok "start with a bad file refuses, with the server's errors"
else fail "start with a bad file: status $rc: $out"; fi
server_toml 10.200.0.0/24

# status: LSB codes 3 (no pid file), 1 (stale), 0 (running).
out=$(sh "$T/init-plain" status); rc=$?
[ $rc -eq 3 ] && [ "$out" = "rvpn-server is not running" ] &&
    ok "status without a pid file: 3" || fail "status: $rc: $out"
sh -c 'echo $$' >"$pidfile"
out=$(sh "$T/init-plain" status); rc=$?
[ $rc -eq 1 ] && [ "$out" = "rvpn-server is not running, but $pidfile exists" ] &&
    ok "status with a stale pid file: 1" || fail "stale: $rc: $out"
sleep 60 & spid=$!; pids="$pids $spid"
echo "$spid" >"$pidfile"
out=$(sh "$T/init-plain" status); rc=$?
[ $rc -eq 1 ] && ok "status: a live pid of another program is not the server" ||
    fail "status with pid of sleep: $rc: $out"
kill "$spid"; wait "$spid" 2>/dev/null

# Whether our child $1 has exited (it stays a zombie until waited for).
gone()
{
	! kill -0 "$1" 2>/dev/null ||
	    [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# stop, fallback path: SIGTERM; one that ignores it is killed.
printf 'while :; do sleep 1; done\n' >"$T/bin/rvpn-server"
sh "$T/bin/rvpn-server" & spid=$!; pids="$pids $spid"
echo "$spid" >"$pidfile"
out=$(sh "$T/init-plain" status); rc=$?
[ $rc -eq 0 ] && [ "$out" = "rvpn-server is running (pid $spid)" ] &&
    ok "status: running" || fail "status running: $rc: $out"
out=$(sh "$T/init-plain" stop 2>&1); rc=$?
if [ $rc -eq 0 ] && gone "$spid" && [ ! -e "$pidfile" ]; then
	ok "stop (kill): stopped, pid file removed"
else fail "stop (kill): status $rc: $out"; fi
wait "$spid" 2>/dev/null
printf "trap '' TERM\n: >'%s'\nwhile :; do sleep 1; done\n" "$T/ready" \
    >"$T/bin/rvpn-server"
echo "STOP_TIMEOUT=1" >"$T/default/rvpn-server"
sh "$T/bin/rvpn-server" & spid=$!; pids="$pids $spid"
echo "$spid" >"$pidfile"
i=0		# the trap must be set before the TERM comes
while [ ! -e "$T/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
out=$(sh "$T/init-plain" stop 2>&1); rc=$?
want="Stopping rvpn-server
rvpn-server: pid $spid ignored SIGTERM for 1s, killing it"
if [ $rc -eq 0 ] && [ "$out" = "$want" ] && gone "$spid"; then ok "stop (kill): SIGKILL after STOP_TIMEOUT"
else fail "stop ignoring TERM: status $rc: $out"; fi
wait "$spid" 2>/dev/null
out=$(sh "$T/init-plain" stop 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$out" = "rvpn-server is not running" ] &&
    ok "stop when stopped: 0" || fail "stop when stopped: $rc: $out"

# reload: a fake server that records each signal in $T/sigs.  A good
# config sends SIGHUP; a broken one (configtest fails) sends nothing,
# which the USR1 the test sends itself afterwards proves (pending traps
# run in signal-number order: a HUP would be recorded before it).  A
# shell cannot trap a signal ignored when it started (POSIX), and the
# suite may run under nohup: the fake server starts with both defaulted.
printf "trap 'echo HUP >>\"%s\"' HUP\ntrap 'echo USR1 >>\"%s\"' USR1\n: >'%s'\nwhile :; do sleep 0.1; done\n" \
    "$T/sigs" "$T/sigs" "$T/ready" >"$T/bin/rvpn-server"
rm -f "$T/ready" "$T/sigs" "$T/default/rvpn-server"
env --default-signal=HUP,USR1 sh "$T/bin/rvpn-server" & spid=$!; pids="$pids $spid"
echo "$spid" >"$pidfile"
i=0
while [ ! -e "$T/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sigs_are()
{
	i=0
	while [ "$(cat "$T/sigs" 2>/dev/null)" != "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ "$(cat "$T/sigs" 2>/dev/null)" = "$1" ]
}
out=$(sh "$T/init-plain" reload 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$out" = "Reloading rvpn-server" ] && sigs_are HUP; then
	ok "reload: the server gets SIGHUP"
else fail "reload: status $rc: $out: $(cat "$T/sigs" 2>/dev/null)"; fi
server_toml 10.200.0.0/33
out=$(sh "$T/init-plain" reload 2>&1); rc=$?
kill -USR1 "$spid"
if [ $rc -eq 1 ] &&
    [ "$(echo "$out" | tail -n 1)" = "rvpn-server: $T/etc/rvpn/server.toml has errors, not (re)starting" ] &&
    sigs_are "HUP
USR1"; then
	ok "reload with a broken config: status 1, no SIGHUP"
else fail "reload with a broken config: status $rc: $out: $(cat "$T/sigs" 2>/dev/null)"; fi
server_toml 10.200.0.0/24
kill "$spid"; wait "$spid" 2>/dev/null; rm -f "$pidfile"

# stop, start-stop-daemon path: it matches the program, not just the pid.
if command -v start-stop-daemon >/dev/null 2>&1; then
	rm -f "$T/bin/rvpn-server"
	cp "$(command -v sleep)" "$T/bin/rvpn-server"
	printf 'DAEMON=%s\n' "$T/bin/rvpn-server" >"$T/default/rvpn-server"
	"$T/bin/rvpn-server" 60 & spid=$!; pids="$pids $spid"
	echo "$spid" >"$pidfile"
	out=$(sh "$T/init-ssd" status); rc=$?
	[ $rc -eq 0 ] || fail "start-stop-daemon: the fake server: $rc: $out"
	out=$(sh "$T/init-ssd" stop 2>&1); rc=$?
	if [ $rc -eq 0 ] && [ "$out" = "Stopping rvpn-server" ] &&
	    gone "$spid"; then
		ok "stop (start-stop-daemon): stopped"
	else fail "stop (start-stop-daemon): status $rc: $out"; fi
	wait "$spid" 2>/dev/null
else
	echo "ok - # SKIP start-stop-daemon path (not installed)"
fi

# --- the init script drives a real server, in a namespace ---------------
# start (daemonized, pid file), status, reload (SIGHUP), stop (SIGTERM:
# TUN removed), through start-stop-daemon and through the fallback.
if [ "$(id -u)" != 0 ] || ! ip netns add "rvt-ctb-$$" 2>/dev/null; then
	echo "ok - # SKIP init script with a real server (needs root and netns)"
	exit $failed
fi
NS=rvt-ctb-$$
trap 'cleanup; ip netns del "$NS" 2>/dev/null' EXIT
ip -n "$NS" link set lo up
rm -f "$T/default/rvpn-server"
printf '%s\n' '[server]' 'bind_address = "127.0.0.1:8443"' \
    'identity_key_file = "id.key"' 'pid_file = "srv.pid"' \
    'control_socket = "ctl.sock"' '[server.network]' \
    'dhcp_range = "10.200.0.0/24"' 'nat_enabled = false' \
    'tun_name = "rvt0"' >"$T/etc/rvpn/server.toml"
for init in init-ssd init-plain; do
	out=$(ip netns exec "$NS" sh "$T/$init" start 2>&1); rc=$?
	spid=$(cat "$pidfile" 2>/dev/null); pids="$pids $spid"
	# The server logs to stderr until it has detached.
	if [ $rc -eq 0 ] &&
	    [ "$(echo "$out" | head -n 1)" = "Starting rvpn-server" ] &&
	    echo "$out" | grep -q "Listening on 127.0.0.1:8443" &&
	    [ -n "$spid" ] && ip -n "$NS" link show rvt0 >/dev/null 2>&1; then
		ok "$init start: pid $spid, TUN rvt0 up"
	else fail "$init start: status $rc: $out"
		[ -z "$spid" ] || kill "$spid"; continue; fi
	out=$(sh "$T/$init" start 2>&1); rc=$?
	[ $rc -eq 0 ] && [ "$out" = "rvpn-server is already running (pid $spid)" ] &&
	    ok "$init start again: already running" ||
	    fail "$init start again: $rc: $out"
	out=$(sh "$T/$init" status); rc=$?
	[ $rc -eq 0 ] && [ "$out" = "rvpn-server is running (pid $spid)" ] &&
	    ok "$init status: running" || fail "$init status: $rc: $out"
	out=$(sh "$T/$init" reload 2>&1); rc=$?
	if [ $rc -eq 0 ] && [ "$out" = "Reloading rvpn-server" ] &&
	    sh "$T/$init" status >/dev/null; then
		ok "$init reload: SIGHUP, still running"
	else fail "$init reload: status $rc: $out"; fi
	out=$(sh "$T/$init" stop 2>&1); rc=$?
	if [ $rc -eq 0 ] && [ "$out" = "Stopping rvpn-server" ] &&
	    gone "$spid" && [ ! -e "$pidfile" ] &&
	    ! ip -n "$NS" link show rvt0 >/dev/null 2>&1; then
		ok "$init stop: stopped, TUN and pid file removed"
	else fail "$init stop: status $rc: $out"; fi
	out=$(sh "$T/$init" reload 2>&1); rc=$?
	[ $rc -eq 7 ] && [ "$out" = "rvpn-server is not running" ] &&
	    ok "$init reload when stopped: 7" ||
	    fail "$init reload when stopped: $rc: $out"
done

exit $failed
