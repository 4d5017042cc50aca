#!/bin/sh
# make install DESTDIR=... from the build tree puts exactly the expected
# files in place, with the expected modes; installing again keeps an edited
# server.toml; make uninstall removes every file but that edited config;
# make install prefix=/opt/rvpn installs under /opt/rvpn, and the service
# files it writes name /opt/rvpn.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/rvpn-install.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

# Our own make: not the outer make's jobserver, -k or variables.
unset MAKEFLAGS MFLAGS MAKELEVEL
mk()
{
	${MAKE:-make} --no-print-directory -C "$top_builddir" "$@"
}

# Set sbindir, sysconfdir, ... as make sees them with these overrides.
dirs()
{
	d=$(mk -s rvpn-print-dirs "$@") || { echo "rvpn-print-dirs failed"; exit 1; }
	# Only the assignments: make may first remake the Makefile, aloud.
	eval "$(echo "$d" | grep "^[a-z]*='[^']*'\$")"
}

# The files (and symlinks) under $1, one path a line, sorted.
tree()
{
	(cd "$1" && find . \( -type f -o -type l \) -print) |
	    sed 's|^\.||' | LC_ALL=C sort
}

# What an install holds, for the directories dirs() set.
# shellcheck disable=SC2154 # set by dirs
expected()
{
	{
	echo "$sbindir/rvpn-server"
	echo "$sbindir/rvpn-client"
	echo "$bindir/rvpnctl"
	for m in rvpn-server.8 rvpn-client.8 rvpnctl.8; do
		echo "$mandir/man8/$m"
	done
	for m in rvpn-server.toml.5 rvpn-client.toml.5; do
		echo "$mandir/man5/$m"
	done
	for f in server.toml client.toml clients.toml; do
		echo "$sysconfdir/rvpn/$f"	# Makefile.am, never overwritten
		echo "$docdir/examples/$f"	# mk/config.mk
	done
	echo "$systemdsystemunitdir/rvpn-server.service"
	echo "$systemdsystemunitdir/rvpn-client@.service"
	echo "$rvpncontribdir/init.d/rvpn-server"
	echo "$rvpncontribdir/freebsd/rvpn_server"
	echo "$rvpncontribdir/README"
	} | LC_ALL=C sort
}

# Compare tree $1 with list $2; print what is missing or unexpected.
compare()
{
	tree "$1" >"$T/have"
	LC_ALL=C comm -13 "$T/have" "$2" | sed 's/^/missing: /'
	LC_ALL=C comm -23 "$T/have" "$2" | sed 's/^/unexpected: /'
	cmp -s "$T/have" "$2"
}

# Mode of a file as ls prints it (-rwxr-xr-x).
mode()
{
	ls -ld "$1" | cut -c1-10
}

# --- make install DESTDIR=... -------------------------------------------
D=$T/dest
dirs
expected >"$T/want"
if mk install DESTDIR="$D" >"$T/log" 2>&1; then
	ok "make install DESTDIR=$D"
else fail "make install DESTDIR=$D:"; tail -n 20 "$T/log"; exit 1; fi
if compare "$D" "$T/want" >"$T/out"; then
	ok "installed tree: the $(wc -l <"$T/want") expected files"
else fail "installed tree:"; cat "$T/out"; fi

# The comparison fails on an extra and on a missing file.
touch "$D$sbindir/stray"
mv "$D$bindir/rvpnctl" "$T/rvpnctl.saved" 2>/dev/null
compare "$D" "$T/want" >"$T/out"
want="missing: $bindir/rvpnctl
unexpected: $sbindir/stray"
if [ "$(cat "$T/out")" = "$want" ]; then
	ok "compare reports a missing and an unexpected file"
else fail "compare said: $(cat "$T/out")"; fi
rm -f "$D$sbindir/stray"
mv "$T/rvpnctl.saved" "$D$bindir/rvpnctl" 2>/dev/null

badmode=0
for f in "$sbindir/rvpn-server" "$sbindir/rvpn-client" "$bindir/rvpnctl" \
    "$rvpncontribdir/init.d/rvpn-server" "$rvpncontribdir/freebsd/rvpn_server"
do
	[ -f "$D$f" ] || continue
	m=$(mode "$D$f")
	[ "$m" = "-rwxr-xr-x" ] || { fail "$f: mode $m, want -rwxr-xr-x"; badmode=1; }
done
for f in "$systemdsystemunitdir/rvpn-server.service" \
    "$systemdsystemunitdir/rvpn-client@.service" \
    "$sysconfdir/rvpn/server.toml" "$rvpncontribdir/README"; do
	[ -f "$D$f" ] || continue
	m=$(mode "$D$f")
	[ "$m" = "-rw-r--r--" ] || { fail "$f: mode $m, want -rw-r--r--"; badmode=1; }
done
[ $badmode -eq 0 ] && ok "modes: programs and scripts 755, data 644"

u=$D$systemdsystemunitdir/rvpn-server.service
line="ExecStart=$sbindir/rvpn-server -f -c $sysconfdir/rvpn/server.toml"
if grep -qxF "$line" "$u" 2>/dev/null; then ok "installed unit: $line"
else fail "installed unit lacks $line"; fi
if cmp -s "$D$sysconfdir/rvpn/server.toml" "$top_srcdir/etc/server.toml"
then ok "server.toml is the sample"
else fail "installed server.toml differs from etc/server.toml"; fi

# --- again, over an edited server.toml -----------------------------------
conf=$D$sysconfdir/rvpn/server.toml
echo "# edited by the administrator" >>"$conf"
if mk install DESTDIR="$D" >"$T/log" 2>&1; then
	ok "make install over an installed tree"
else fail "second make install:"; tail -n 20 "$T/log"; fi
if grep -qxF "keeping existing $conf" "$T/log"; then
	ok "second install says: keeping existing $conf"
else fail "second install did not say 'keeping existing $conf'"; fi
if tail -n 1 "$conf" | grep -qx "# edited by the administrator"; then
	ok "the edit survives a second install"
else fail "the second install overwrote $conf"; fi
compare "$D" "$T/want" >"$T/out" || { fail "tree after reinstall:"; cat "$T/out"; }

# --- make uninstall ------------------------------------------------------
if mk uninstall DESTDIR="$D" >"$T/log" 2>&1; then
	ok "make uninstall DESTDIR=$D"
else fail "make uninstall:"; tail -n 20 "$T/log"; fi
echo "$sysconfdir/rvpn/server.toml" >"$T/left"
if compare "$D" "$T/left" >"$T/out"; then
	ok "uninstall leaves only the edited $sysconfdir/rvpn/server.toml" \
	    "(expected: a changed config is the administrator's)"
else fail "after uninstall:"; cat "$T/out"; fi

# --- make install prefix=/opt/rvpn ---------------------------------------
def_sbindir=$sbindir
D=$T/opt
dirs prefix=/opt/rvpn
expected >"$T/want"
if mk install prefix=/opt/rvpn DESTDIR="$D" >"$T/log" 2>&1; then
	ok "make install prefix=/opt/rvpn DESTDIR=$D"
else fail "make install prefix=/opt/rvpn:"; tail -n 20 "$T/log"; fi
if compare "$D" "$T/want" >"$T/out"; then
	ok "prefix=/opt/rvpn tree: the $(wc -l <"$T/want") expected files"
else fail "prefix=/opt/rvpn tree:"; cat "$T/out"; fi
if [ "$sbindir" = "$def_sbindir" ]; then
	echo "skipped: sbindir was fixed at configure time ($sbindir)"
elif [ "$sbindir" != /opt/rvpn/sbin ]; then
	fail "prefix=/opt/rvpn: sbindir is $sbindir"
fi
for u in rvpn-server.service rvpn-client@.service; do
	f=$D$systemdsystemunitdir/$u
	p=${u%%@*}; p=${p%.service}
	line="ExecStart=$sbindir/$p -f -c $sysconfdir/rvpn/"
	if grep -q "^$line" "$f" 2>/dev/null; then ok "$u names $sbindir/$p"
	else fail "$u: no line starting '$line'"; fi
done
f=$D$rvpncontribdir/init.d/rvpn-server
if grep -qxF "DAEMON=$sbindir/rvpn-server" "$f" 2>/dev/null &&
    grep -qxF "CONFIG=$sysconfdir/rvpn/server.toml" "$f"; then
	ok "init.d/rvpn-server names $sbindir and $sysconfdir"
else fail "init.d/rvpn-server: DAEMON or CONFIG not under the prefix"; fi
if mk uninstall prefix=/opt/rvpn DESTDIR="$D" >"$T/log" 2>&1; then
	ok "make uninstall prefix=/opt/rvpn"
else fail "make uninstall prefix=/opt/rvpn:"; tail -n 20 "$T/log"; fi
: >"$T/none"
if compare "$D" "$T/none" >"$T/out"; then
	ok "prefix=/opt/rvpn uninstall leaves no files"
else fail "after prefix=/opt/rvpn uninstall:"; cat "$T/out"; fi

exit $failed
