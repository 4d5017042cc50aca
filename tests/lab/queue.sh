#!/bin/sh
# The server's per-session transmit queue (SESSION_TXQ_BYTES, 1 MiB):
# a burst to a client that fits the queue arrives whole even when it comes
# out of the TUN in one wakeup, and a client that stops reading
# (SIGSTOP) drops and counts ("queue" in the SIGUSR1 dump) without
# stalling the TUN reader or the other client, which still receives every
# packet of a burst.  No timing: counts only.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_up

# 150 packets of 1400 bytes (210 KB): the 1 MiB queue holds 748.
BURST=150
# Well past what the sockets between server and a stopped client hold.
FLOOD=8000

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
a1=$(lab_tun_addr "$NS_C1")
a2=$(lab_tun_addr "$NS_C2")
[ -n "$a1" ] && [ -n "$a2" ] || fail "addresses '$a1' '$a2'"

# Send N UDP packets of 1400 bytes (IP) to ADDR from the server host.
# force: a socket buffer that holds the whole burst, so the sender never
# waits for the server to read and the burst sits in the TUN at once.
udp_send() {
	nsx "$NS_SRV" python3 - "$1" "$2" "$3" <<'EOF' || fail "udp send to $1"
import socket, sys
addr, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if mode == "force":
    s.setsockopt(socket.SOL_SOCKET, 32, 16 << 20)	# SO_SNDBUFFORCE
payload = b"q" * (1400 - 28)
for _ in range(n):
    s.sendto(payload, (addr, 9))
EOF
}

# Packets the client wrote into its TUN.
rxp() {
	nsx "$1" cat "/sys/class/net/$(lab_tun_dev "$1")/statistics/rx_packets"
}

# The queue drop counter of the session with ADDR, from a SIGUSR1 dump.
queue_drops() {
	sed -n "s/^.*INFO rvpn_server: session [^ ]* $1 .* queue \([0-9]*\) .*$/\1/p" \
		"$LAB_DIR/dump.out"
}

# Wait (bounded) until the client's TUN has seen at least WANT packets.
wait_rx() {
	local ns=$1 want=$2 i=0
	while [ "$i" -lt $((LAB_TIMEOUT * 10)) ]; do
		[ "$(rxp "$ns")" -ge "$want" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# 1. A burst that fits the queue arrives complete.
r1=$(rxp "$NS_C1")
udp_send "$a1" "$BURST" force
wait_rx "$NS_C1" $((r1 + BURST)) ||
	fail "burst of $BURST to $a1: only $(( $(rxp "$NS_C1") - r1 )) arrived"
lab_server_dump >"$LAB_DIR/dump.out"
q1=$(queue_drops "$a1")
[ "$q1" = 0 ] || fail "burst of $BURST to $a1: queue drops '$q1'"
ok "a burst of $BURST packets reached c1 whole, no queue drops"

# 2. A stopped client: its queue fills and drops; counted.
kill -STOP "$LAB_PID_c2" || fail "SIGSTOP c2"
udp_send "$a2" "$FLOOD" plain
lab_server_dump >"$LAB_DIR/dump.out"
q2=$(queue_drops "$a2")
[ -n "$q2" ] && [ "$q2" -gt 0 ] ||
	fail "stopped c2: no queue drops counted ('$q2'): $(cat "$LAB_DIR/dump.out")"
ok "stopped client c2: $q2 of $FLOOD packets dropped and counted (queue)"

# 3. ... while the other client still receives every packet of a burst.
r1=$(rxp "$NS_C1")
udp_send "$a1" "$BURST" force
wait_rx "$NS_C1" $((r1 + BURST)) ||
	fail "c2 stopped: burst to $a1: only $(( $(rxp "$NS_C1") - r1 )) arrived"
lab_server_dump >"$LAB_DIR/dump.out"
q1=$(queue_drops "$a1")
[ "$q1" = 0 ] || fail "c2 stopped: c1 queue drops '$q1'"
ok "c2 stopped: c1 still got all $BURST packets, no queue drops"

# 4. c2 resumes and its session works again.
kill -CONT "$LAB_PID_c2" || fail "SIGCONT c2"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_SRV" ping -c 1 -W 1 "$a2" ||
	fail "c2 resumed: no answer from $a2"
ok "c2 resumed: $a2 answers"

lab_stop "$LAB_PID_c1"; lab_stop "$LAB_PID_c2"
lab_server_stop || fail "server did not stop on SIGTERM"
exit 0
