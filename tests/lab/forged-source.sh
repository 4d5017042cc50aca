#!/bin/sh
# A packet whose source is not the client's tunnel address is dropped by
# the server and counted ("drops source N" in the SIGUSR1 dump, and in
# the "drops D" total of the session end line).  Negative: pings from
# the real address get answers and count no source drop.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
a1=$(lab_tun_addr "$NS_C1")
dev=$(lab_tun_dev "$NS_C1")

# Echo requests that reached the net host (its kernel's ICMP counter).
in_echos() {
	nsx "$NS_NET" awk '$1 == "Icmp:" && !h { for (i = 2; i <= NF; i++)
	    if ($i == "InEchos") c = i; h = 1; next }
	    $1 == "Icmp:" { print $c; exit }' /proc/net/snmp
}

e0=$(in_echos)
nsx "$NS_C1" ping -c 3 -W 2 -I "$a1" "$LAB_NET" >/dev/null 2>&1 ||
	fail "ping from the real address $a1"
e1=$(in_echos)
[ $((e1 - e0)) -eq 3 ] || fail "net host saw $((e1 - e0)) echo requests, not 3"
lab_server_dump >"$LAB_DIR/dump1"
grep -Eq "session .* $a1 .* drops source 0 " "$LAB_DIR/dump1" ||
	fail "source drops before forging: $(cat "$LAB_DIR/dump1")"
ok "pings from $a1 are answered and count no source drop"

# A second address on the client's TUN: the kernel sends from it through
# the tunnel; the server must not forward it.
nsx "$NS_C1" ip addr add 10.200.0.250/32 dev "$dev" || fail "ip addr add"
nsx "$NS_C1" ping -c 5 -i 0.2 -W 1 -I 10.200.0.250 "$LAB_NET" \
	>/dev/null 2>&1 && fail "a forged-source ping was answered"
lab_server_dump >"$LAB_DIR/dump2"
n=$(sed -n "s/.* $a1 .* drops source \([0-9]*\) .*/\1/p" "$LAB_DIR/dump2")
[ -n "$n" ] && [ "$n" -ge 5 ] ||
	fail "forged packets not counted (source '$n'): $(cat "$LAB_DIR/dump2")"
e2=$(in_echos)
[ "$e2" -eq "$e1" ] ||
	fail "forged source leaked: the net host saw $((e2 - e1)) echo requests"
ok "5 forged-source packets dropped and counted (source $n)"

from=$(lab_log_next "$LAB_DIR/server.log")
lab_stop "$LAB_PID_c1"
LAB_LOG_FROM=$from lab_wait_log "$LAB_DIR/server.log" \
	"session end: .* $a1 .* drops [0-9]+ " ||
	fail "no session end line"
d=$(tail -n +"$from" "$LAB_DIR/server.log" |
	sed -n "s/.*session end: .* drops \([0-9]*\) duration.*/\1/p")
[ "$d" -ge "$n" ] || fail "session end drops $d < $n"
ok "the session end line counts the drops ($d)"
exit 0
