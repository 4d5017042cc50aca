#!/bin/sh
# tun and netlink against the kernel, inside a namespace of their own.
# test-netlink calls back "netlink.sh --check STAGE" to compare with ip(8).

fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "$1" = --check ]; then
	case "$2" in
	configured)
		ip -o addr show dev rvt0 | grep -q ' inet 10\.200\.0\.1/24 ' ||
		    fail "ip -o addr: no 10.200.0.1/24 on rvt0"
		ip link show dev rvt0 | grep -q ' mtu 1400 ' ||
		    fail "ip link: rvt0 mtu is not 1400"
		ip link show dev rvt0 | grep -q '[<,]UP[,>]' ||
		    fail "ip link: rvt0 is not up"
		ip -4 route show | grep -q '^10\.200\.0\.0/24 dev rvt0 .*kernel' ||
		    fail "ip route: no connected route"
		ip -4 route show | grep -q '^10\.201\.0\.0/16 dev rvt0 ' ||
		    fail "ip route: no 10.201.0.0/16 dev rvt0"
		ip -4 route show |
		    grep -q '^198\.18\.0\.0/24 via 10\.200\.0\.2 dev rvt0 ' ||
		    fail "ip route: no 198.18.0.0/24 via 10.200.0.2"
		! ip -4 route show | grep -q '198\.18\.1\.0' ||
		    fail "ip route: failed add left 198.18.1.0/24"
		;;
	deleted)
		! ip -4 route show | grep -Eq '^(default|10\.201\.|198\.)' ||
		    fail "ip route: routes left: $(ip -4 route show)"
		;;
	configured6)
		ip -o -6 addr show dev rvt0 | grep -q ' inet6 fd00:200::1/64 ' ||
		    fail "ip -o -6 addr: no fd00:200::1/64 on rvt0"
		ip -6 route show | grep -q '^fd00:201::/48 dev rvt0 ' ||
		    fail "ip -6 route: no fd00:201::/48 dev rvt0"
		for r in ::/1 8000::/1; do
			ip -6 route show | grep -q "^unreachable $r dev lo proto 82 " ||
			    fail "ip -6 route: no unreachable $r proto 82"
		done
		;;
	deleted6)
		! ip -6 route show | grep -Eq '^(unreachable|fd00:201)' ||
		    fail "ip -6 route: routes left: $(ip -6 route show)"
		;;
	*)	fail "unknown stage $2" ;;
	esac
	exit 0
fi

[ "$(id -u)" = 0 ] || { echo "skip: not root"; exit 77; }
command -v ip >/dev/null 2>&1 || { echo "skip: no ip"; exit 77; }
[ -c /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
: "${top_builddir:=.}"
prog=$top_builddir/tests/unit/test-netlink
[ -x "$prog" ] || fail "$prog not built"

ns=rvt-nl-$$
ip netns add "$ns" 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
trap 'ip netns del "$ns" 2>/dev/null' EXIT
trap 'exit 1' INT TERM HUP
ip netns exec "$ns" ip link set lo up || fail "lo up"

ip netns exec "$ns" "$prog" "${SHELL:-/bin/sh} $0 --check" ||
    fail "test-netlink failed"
# Not persistent: the TUN went away with the fd.
! ip netns exec "$ns" ip link show dev rvt0 >/dev/null 2>&1 ||
    fail "rvt0 left behind"
exit 0
