#!/bin/sh
# The TUN reader writes to the connection itself when nothing is queued
# (issue 11): an idle ping's request leaves the client, and its reply the
# server, in the same wakeup as the TUN read: no WRITEABLE round trip
# (epoll_ctl POLLOUT, another epoll_wait) between the TUN read and the
# write to the TLS socket (strace of both processes).  And order: while a
# stopped client's records are queued, packets to it are never written
# past them: after SIGCONT, 3000 numbered UDP datagrams sent to it in a
# burst arrive in order (drops allowed, a full queue drops; reordering
# not), and so do 3000 sent by the client.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v strace >/dev/null || fail "strace missing (contrib/install-deps.sh)"
command -v python3 >/dev/null || fail "python3 missing (contrib/install-deps.sh)"
lab_up

lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
# shellcheck disable=SC2046
lab_client_start "$NS_C1" c1 $(lab_client_args c1) --no-dns
a1=$(lab_tun_addr "$NS_C1")
[ -n "$a1" ] || fail "c1 has no tunnel address"
nsx "$NS_C1" ping -c 2 -W 2 "$LAB_NET" >/dev/null || fail "ping before the trace"

# The fd of PID's TUN device and of its one established TLS socket.
tun_fd() {
	local f
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f")" = /dev/net/tun ] && { basename "$f"; return; }
	done
}

# Between a TUN read that returned data and the next write to another
# fd, count the epoll_wait calls and the epoll_ctl calls that ask for
# EPOLLOUT.  Prints "reads writes detours".
detours() {
	awk -v tun="$2" '
	/^[0-9]+ +read\(/ {
		fd = $2; sub(/^read\(/, "", fd); sub(/,.*/, "", fd)
		if (fd == tun && $NF + 0 > 0) { open = 1; reads++ }
		next
	}
	open && /epoll_wait\(/ { det++; next }
	open && /epoll_ctl\(.*EPOLLOUT/ { det++; next }
	open && /^[0-9]+ +(write|writev|sendmsg)\(/ {
		fd = $2; sub(/^[a-z]+\(/, "", fd); sub(/,.*/, "", fd)
		if (fd != tun) { writes++; open = 0 }
	}
	END { printf "%d %d %d\n", reads, writes, det }' "$1"
}

sfd=$(tun_fd "$LAB_SERVER_PID")
cfd=$(tun_fd "$LAB_PID_c1")
[ -n "$sfd" ] && [ -n "$cfd" ] || fail "TUN fds: server '$sfd' client '$cfd'"
strace -f -e trace=read,write,writev,sendmsg,epoll_wait,epoll_ctl \
	-o "$LAB_DIR/srv.st" -p "$LAB_SERVER_PID" 2>/dev/null &
st1=$!
strace -f -e trace=read,write,writev,sendmsg,epoll_wait,epoll_ctl \
	-o "$LAB_DIR/cli.st" -p "$LAB_PID_c1" 2>/dev/null &
st2=$!
# Attached once the trace files have lines (bounded); then only what
# the 5 pings after that cause counts.
i=0
while [ "$i" -lt 50 ] && ! { [ -s "$LAB_DIR/srv.st" ] && [ -s "$LAB_DIR/cli.st" ]; }; do
	nsx "$NS_C1" ping -c 1 -W 1 "$LAB_NET" >/dev/null 2>&1
	i=$((i + 1))
done
sl=$(wc -l <"$LAB_DIR/srv.st")
cl=$(wc -l <"$LAB_DIR/cli.st")
nsx "$NS_C1" ping -c 5 -i 0.2 -W 2 "$LAB_NET" >"$LAB_DIR/ping.out" 2>&1 ||
	fail "ping while traced: $(cat "$LAB_DIR/ping.out")"
kill "$st1" "$st2"
wait "$st1" "$st2" 2>/dev/null
tail -n +$((sl + 1)) "$LAB_DIR/srv.st" >"$LAB_DIR/srv5.st"
tail -n +$((cl + 1)) "$LAB_DIR/cli.st" >"$LAB_DIR/cli5.st"
read -r sr sw sdet <<EOF
$(detours "$LAB_DIR/srv5.st" "$sfd")
EOF
read -r cr cw cdet <<EOF
$(detours "$LAB_DIR/cli5.st" "$cfd")
EOF
[ "$sr" -ge 5 ] && [ "$sw" -ge 5 ] ||
	fail "server trace: $sr TUN reads, $sw socket writes (want 5 each)"
[ "$cr" -ge 5 ] && [ "$cw" -ge 5 ] ||
	fail "client trace: $cr TUN reads, $cw socket writes (want 5 each)"
[ "$sdet" = 0 ] ||
	fail "server: $sdet epoll calls between TUN read and socket write: $(head -40 "$LAB_DIR/srv5.st")"
[ "$cdet" = 0 ] ||
	fail "client: $cdet epoll calls between TUN read and socket write: $(head -40 "$LAB_DIR/cli5.st")"
ok "idle ping: TUN read to socket write in one wakeup on both ends ($sr and $cr reads, no epoll between)"

# Numbered UDP datagrams: send N (numbered from FIRST) from NS to
# ADDR:PORT, as fast as the socket takes them; receive in NS until 2 s of silence, check order.
udp_recv() {
	ip netns exec "$1" python3 - "$2" "$3" "$LAB_DIR/$4" <<'PY' &
import socket, struct, sys
addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind((addr, port))
open(out + ".ready", "w").close()
s.settimeout(10)
seen, last, bad = 0, -1, 0
try:
    while True:
        d, _ = s.recvfrom(2048)
        n = struct.unpack("!I", d[:4])[0]
        if n <= last:
            bad += 1
        last = n
        seen += 1
        s.settimeout(2)
except socket.timeout:
    pass
with open(out, "w") as f:
    f.write("%d %d %d\n" % (seen, bad, last))
PY
}
udp_send() {
	nsx "$1" python3 - "$2" "$3" "$4" "$5" <<'PY' || fail "udp send to $2"
import socket, struct, sys
addr, port = sys.argv[1], int(sys.argv[2])
first, n = int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 32, 16 << 20)	# SO_SNDBUFFORCE
pad = b"o" * (1400 - 28 - 4)
for i in range(first, first + n):
    s.sendto(struct.pack("!I", i) + pad, (addr, port))
PY
}
wait_file() {
	local i=0
	while [ "$i" -lt $((LAB_TIMEOUT * 10)) ]; do
		[ -e "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

N=3000
# Down: c1 stopped while the burst queues at the server, then resumed.
rm -f "$LAB_DIR/down" "$LAB_DIR/down.ready"
udp_recv "$NS_C1" "$a1" 9001 down
rpid=$!
LAB_PIDS="$LAB_PIDS $rpid"
wait_file "$LAB_DIR/down.ready" || fail "receiver in c1 did not start"
kill -STOP "$LAB_PID_c1" || fail "SIGSTOP c1"
udp_send "$NS_SRV" "$a1" 9001 0 "$N"
kill -CONT "$LAB_PID_c1" || fail "SIGCONT c1"
udp_send "$NS_SRV" "$a1" 9001 "$N" "$N"
wait "$rpid"
read -r seen bad last <"$LAB_DIR/down"
[ "$seen" -gt 0 ] || fail "down: nothing arrived"
[ "$bad" = 0 ] || fail "down: $bad of $seen datagrams out of order"
ok "down: $seen of $((2 * N)) numbered datagrams arrived, in order (queue, then direct)"

# Up: the client's queue (its socket full while the server is stopped).
rm -f "$LAB_DIR/up" "$LAB_DIR/up.ready"
udp_recv "$NS_SRV" 10.200.0.1 9002 up
rpid=$!
LAB_PIDS="$LAB_PIDS $rpid"
wait_file "$LAB_DIR/up.ready" || fail "receiver in the server namespace did not start"
kill -STOP "$LAB_SERVER_PID" || fail "SIGSTOP server"
udp_send "$NS_C1" 10.200.0.1 9002 0 "$N"
kill -CONT "$LAB_SERVER_PID" || fail "SIGCONT server"
udp_send "$NS_C1" 10.200.0.1 9002 "$N" "$N"
wait "$rpid"
read -r seen bad last <"$LAB_DIR/up"
[ "$seen" -gt 0 ] || fail "up: nothing arrived"
[ "$bad" = 0 ] || fail "up: $bad of $seen datagrams out of order"
ok "up: $seen of $((2 * N)) numbered datagrams arrived, in order"

lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_server_stop || fail "server did not stop on SIGTERM"
exit 0
