#!/bin/sh
# Two clients at once get different addresses, and traffic to each
# tunnel address reaches only its owner.  Clients are isolated
# (client_to_client = false): c1 -> c2 is dropped and counted; with
# client_to_client = true it gets through.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
a1=$(lab_tun_addr "$NS_C1")
a2=$(lab_tun_addr "$NS_C2")
[ -n "$a1" ] && [ -n "$a2" ] || fail "addresses '$a1' '$a2'"
[ "$a1" != "$a2" ] || fail "both clients got $a1"
ok "two clients got different addresses ($a1, $a2)"

# rx_packets of a client TUN counts what its client wrote into it.
rxp() {
	nsx "$1" cat "/sys/class/net/$(lab_tun_dev "$1")/statistics/rx_packets"
}

# From the server host to each tunnel address: the owner answers and only
# the owner's TUN sees the 20 pings.
for target in 1 2; do
	if [ $target = 1 ]; then dst=$a1; else dst=$a2; fi
	r1=$(rxp "$NS_C1"); r2=$(rxp "$NS_C2")
	nsx "$NS_SRV" ping -c 20 -i 0.05 -W 5 "$dst" >"$LAB_DIR/ping.out" 2>&1 ||
		fail "server -> $dst: $(tail -3 "$LAB_DIR/ping.out")"
	# The 20 may still be on their way (a loaded machine): wait for
	# them at the owner's TUN, not for a time.
	if [ $target = 1 ]; then own=$NS_C1; r=$r1; else own=$NS_C2; r=$r2; fi
	lab_wait_cmd "$LAB_TIMEOUT" eval '[ $(( $(rxp "$own") - r )) -ge 20 ]'
	d1=$(( $(rxp "$NS_C1") - r1 )); d2=$(( $(rxp "$NS_C2") - r2 ))
	if [ $target = 1 ]; then mine=$d1; other=$d2; else mine=$d2; other=$d1; fi
	[ "$mine" -ge 20 ] || fail "owner of $dst got $mine packets"
	[ "$other" -eq 0 ] || fail "the other client got $other packets for $dst"
	ok "20 pings to $dst reached its owner only ($mine vs $other)"
done

# Isolation: c1 -> c2's tunnel address is dropped and counted.
nsx "$NS_C1" ping -c 3 -W 1 "$a2" >/dev/null 2>&1 &&
	fail "c1 reached c2 with client_to_client = false"
lab_server_dump >"$LAB_DIR/dump.out"
grep -E "session .* $a1 .* c2c [3-9]" "$LAB_DIR/dump.out" >/dev/null ||
	fail "c2c drops not counted: $(cat "$LAB_DIR/dump.out")"
ok "client_to_client = false: c1 -> c2 dropped and counted"

lab_stop "$LAB_PID_c1"; lab_stop "$LAB_PID_c2"
lab_server_stop || fail "server did not stop on SIGTERM"
LAB_NET_EXTRA="client_to_client = true" lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
a2=$(lab_tun_addr "$NS_C2")
nsx "$NS_C1" ping -c 3 -W 2 "$a2" >"$LAB_DIR/ping.out" 2>&1 ||
	fail "client_to_client = true: c1 -> c2: $(tail -3 "$LAB_DIR/ping.out")"
ok "client_to_client = true: c1 reaches c2 ($a2) through the server"
exit 0
