#!/bin/sh
# rvpnctl genkey/pubkey/help against the RFC 7748 vectors.
: "${top_builddir:=.}"
CTL="$top_builddir/src/rvpnctl"
T=$(mktemp -d /tmp/rvpnctl-test.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
pass() {
	echo "ok: $*"
}

# genkey | pubkey: a 44-character key
pub=$("$CTL" genkey | "$CTL" pubkey) || fail "genkey | pubkey exited $?"
if [ ${#pub} -eq 44 ] && printf '%s' "$pub" | grep -Eq '^[A-Za-z0-9+/]{43}=$'
then pass "genkey | pubkey gives a 44-character key"
else fail "genkey | pubkey gave '$pub'"
fi

# two keys differ
a=$("$CTL" genkey); b=$("$CTL" genkey)
[ "$a" != "$b" ] && pass "two genkeys differ" || fail "genkey repeated a key"

# RFC 7748 section 6.1: Alice's and Bob's keys
pub=$(echo "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=" | "$CTL" pubkey)
[ "$pub" = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=" ] &&
	pass "pubkey of Alice's RFC 7748 key" || fail "Alice: got '$pub'"
pub=$(printf '%s' "XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os=" | "$CTL" pubkey)
[ "$pub" = "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=" ] &&
	pass "pubkey of Bob's key (no newline)" || fail "Bob: got '$pub'"

# bad input: exit 1 and a clear message
msg="rvpnctl: pubkey: standard input is not a private key (expected 44 base64 characters)"
for bad in "not a key" "" "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC="; do
	printf '%s\n' "$bad" | "$CTL" pubkey >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 1 ] && [ "$(cat "$T/err")" = "$msg" ] && [ ! -s "$T/out" ]
	then pass "pubkey rejects '$bad'"
	else fail "pubkey '$bad': exit $rc, stderr '$(cat "$T/err")'"
	fi
done

# genkey into a world-readable file warns; into a 0600 file does not
(umask 022; "$CTL" genkey >"$T/k644" 2>"$T/err")
grep -q "warning: writing a private key to a group- or world-accessible file" \
    "$T/err" && pass "genkey warns about a 0644 file" ||
	fail "no warning for a 0644 file: '$(cat "$T/err")'"
(umask 077; "$CTL" genkey >"$T/k600" 2>"$T/err")
[ ! -s "$T/err" ] && pass "genkey into a 0600 file is quiet" ||
	fail "warning for a 0600 file: '$(cat "$T/err")'"
"$CTL" pubkey <"$T/k600" >/dev/null && pass "pubkey reads a genkey file" ||
	fail "pubkey of a genkey file"

# unknown command / option: exit 1 with usage
"$CTL" frobnicate >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && head -n 1 "$T/err" | grep -qx "rvpnctl: unknown command 'frobnicate'" &&
    grep -q "^usage: rvpnctl" "$T/err"
then pass "unknown command"
else fail "unknown command: exit $rc, '$(cat "$T/err")'"
fi
"$CTL" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "^usage:" "$T/err" && pass "no command: usage, exit 1" ||
	fail "no command: exit $rc"
"$CTL" genkey extra >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "usage: rvpnctl genkey" "$T/err" &&
	pass "genkey with an argument: exit 1" || fail "genkey extra: exit $rc"

# drain and undrain: bad arguments are a usage error before any connection
for args in "drain --kik" "drain --kick extra" "undrain now"; do
	# shellcheck disable=SC2086
	"$CTL" -s "$T/none.sock" $args >"$T/out" 2>"$T/err"; rc=$?
	cmd=${args%% *}
	[ $rc -eq 1 ] && grep -q "^usage: rvpnctl \[-s socket\] $cmd" "$T/err" &&
		! grep -q "cannot connect" "$T/err" && [ ! -s "$T/out" ] &&
		pass "rvpnctl $args: usage, exit 1" ||
		fail "rvpnctl $args: exit $rc, '$(cat "$T/err")'"
done
"$CTL" -s "$T/none.sock" drain --kick >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "^rvpnctl: cannot connect to $T/none.sock" "$T/err" &&
	pass "drain --kick without a server: cannot connect, exit 1" ||
	fail "drain --kick without a server: exit $rc, '$(cat "$T/err")'"

# help, --help, -V
for h in help --help -h; do
	"$CTL" $h >"$T/out" 2>&1; rc=$?
	[ $rc -eq 0 ] && grep -q "genkey" "$T/out" && grep -q "pubkey" "$T/out" &&
		grep -q "^  drain " "$T/out" && grep -q "^  undrain " "$T/out" &&
		pass "rvpnctl $h" || fail "rvpnctl $h: exit $rc"
done
for v in -V --version; do
	out=$("$CTL" $v); rc=$?
	[ $rc -eq 0 ] && echo "$out" | grep -Eq '^rvpnctl [0-9]+\.[0-9]+' &&
		pass "rvpnctl $v" || fail "rvpnctl $v: '$out'"
done

[ $fails -eq 0 ] || exit 1
exit 0
