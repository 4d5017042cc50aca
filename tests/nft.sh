#!/bin/sh
# nft against the kernel, inside a namespace of its own.  test-nft calls
# back "nft.sh --check STAGE" to read the table with nft(8).

fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -Fq -- "$1" "$T" || fail "nft list: no '$1'"; }
hasnt() { ! grep -Fq -- "$1" "$T" || fail "nft list: unexpected '$1'"; }

if [ "$1" = --check ]; then
	T=$(mktemp) || exit 1
	trap 'rm -f "$T"' EXIT
	nft list table inet rvt_test >"$T" || fail "nft list table failed"
	cat "$T" | sed 's/^/# /'
	fw=$(cat /proc/sys/net/ipv4/ip_forward)
	case "$2" in
	installed)
		has 'type nat hook postrouting priority srcnat; policy accept;'
		has 'ip saddr 10.200.0.0/24 oifname "lo" masquerade'
		has 'type filter hook forward priority filter; policy accept;'
		has 'iifname "rvt0" tcp flags syn tcp option maxseg size > 1360 tcp option maxseg size set 1360'
		has 'oifname "rvt0" tcp flags syn tcp option maxseg size > 1360 tcp option maxseg size set 1360'
		has 'iifname "rvt0" oifname "rvt0" counter packets 0 bytes 0 drop'
		has 'iifname "rvt0" accept'
		has 'oifname "rvt0" ct state established,related accept'
		has 'oifname "rvt0" counter packets 0 bytes 0 drop'
		hasnt 'stale'
		[ "$fw" = 1 ] || fail "ip_forward is $fw"
		;;
	c2c)
		has 'iifname "rvt0" oifname "rvt0" counter packets 0 bytes 0 accept'
		has 'oifname "rvt0" ct state established,related accept'
		has 'oifname "rvt0" counter packets 0 bytes 0 drop'
		[ "$(grep -c 'drop' "$T")" = 1 ] || fail "one drop rule only"
		;;
	replaced)
		has 'maxseg size set 1240'
		hasnt '1360'
		[ "$(grep -c masquerade "$T")" = 1 ] || fail "masquerade twice"
		[ "$(grep -c 'hook forward' "$T")" = 1 ] || fail "forward twice"
		;;
	nomasq)
		hasnt 'masquerade'
		hasnt 'postrouting'
		has 'maxseg size set 1360'
		[ "$fw" = 0 ] || fail "ip_forward is $fw"
		;;
	*)	fail "unknown stage $2" ;;
	esac
	exit 0
fi

[ "$(id -u)" = 0 ] || { echo "skip: not root"; exit 77; }
command -v ip >/dev/null 2>&1 || { echo "skip: no ip"; exit 77; }
command -v nft >/dev/null 2>&1 || { echo "skip: no nft"; exit 77; }
[ -c /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
: "${top_builddir:=.}"
prog=$top_builddir/tests/unit/test-nft
[ -x "$prog" ] || fail "$prog not built"

ns=rvt-nft-$$
ip netns add "$ns" 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
trap 'ip netns del "$ns" 2>/dev/null' EXIT
trap 'exit 1' INT TERM HUP
ip netns exec "$ns" ip link set lo up || fail "lo up"
# A table left by a crashed server, to be replaced.
ip netns exec "$ns" nft add table inet rvt_test || fail "stale table"
ip netns exec "$ns" nft add chain inet rvt_test stale || fail "stale chain"

ip netns exec "$ns" "$prog" "${SHELL:-/bin/sh} $0 --check" ||
    fail "test-nft failed"
[ -z "$(ip netns exec "$ns" nft list ruleset)" ] ||
    fail "ruleset left: $(ip netns exec "$ns" nft list ruleset)"
[ "$(ip netns exec "$ns" cat /proc/sys/net/ipv4/ip_forward)" = 0 ] ||
    fail "ip_forward left on"
exit 0
