#!/bin/sh
# TCP segmentation offload on both TUNs (issue 11): the kernel hands
# rvpn TCP super-packets of up to 64 KiB, which are cut into plain
# packets (full checksums, PROTOCOL.md unchanged) inside the records.
# Files of 1, 1399, 65535 and 3 MiB + 7 bytes cross the tunnel byte-exact
# (sha256) up and down, over IPv4 and IPv6, to the server's own tunnel
# address and through NAT to the internet host; the TUN counters show
# that both TUNs passed super-packets (a few dozen packets of up to
# 64 KiB where 3 MiB is ~2300 segments on the wire: read whole by the
# sender, written joined by the receiver); ping and the drop counters
# stay clean.
# Mixed versions (no protocol change, so an rvpn without offload must
# interoperate): LAB_OLD=server with RVPN_SERVER pointing at an older
# build, or LAB_OLD=client with RVPN_CLIENT; then only the new side's
# TUN is held to offload, and the same transfers must be byte-exact.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init "$RVPN_CLIENT"
command -v ethtool >/dev/null || fail "ethtool missing (contrib/install-deps.sh)"
lab_up
bulk=$(dirname "$0")/bulk.py
py=$(command -v python3)
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

R6=fd10:200::
LAB_NET_EXTRA="dhcp_range6 = \"$R6/64\"" lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
# shellcheck disable=SC2046
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
dev1=$(lab_tun_dev "$NS_C1")
b1=$(lab_tun_addr6 "$NS_C1")
[ -n "$dev1" ] && [ -n "$b1" ] || fail "c1 has no tunnel addresses"

LAB_OLD=${LAB_OLD:-}
tuns="$NS_SRV:$LAB_TUN $NS_C1:$dev1"
[ "$LAB_OLD" = server ] && tuns="$NS_C1:$dev1"
[ "$LAB_OLD" = client ] && tuns="$NS_SRV:$LAB_TUN"
for ns in $tuns; do
	f=$(nsx "${ns%%:*}" ethtool -k "${ns#*:}")
	for k in tx-tcp-segmentation tx-tcp6-segmentation tx-checksumming; do
		echo "$f" | grep -q "^[[:space:]]*$k: on" ||
			fail "${ns#*:}: $k not on: $(echo "$f" | grep "$k")"
	done
done
ok "TSO4, TSO6 and checksum offload on ${LAB_OLD:+the TUN of the new side, old }${LAB_OLD:-both TUNs}"

# Forwarded traffic reaches the server's TUN as GRO super-packets too.
nsx "$NS_SRV" ethtool -K "$LAB_IF_SN" gro on >/dev/null 2>&1 || true

for n in 1 1399 65535 3145735; do
	head -c "$n" /dev/urandom >"$LAB_DIR/f$n"
	echo "$n $(sha256sum <"$LAB_DIR/f$n" | cut -d' ' -f1)" >"$LAB_DIR/f$n.sum"
done
mkdir -p "$LAB_DIR/srvwww"
cp "$LAB_DIR"/f* "$LAB_DIR/www/"
cp "$LAB_DIR"/f* "$LAB_DIR/srvwww/"
# The server's own web server, on its tunnel addresses.
for a in 10.200.0.1 "${R6}1"; do
	ip netns exec "$NS_SRV" "$py" -u -m http.server 8080 --bind "$a" \
		--directory "$LAB_DIR/srvwww" >>"$LAB_DIR/srvhttp.log" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
done
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" curl -sf -o /dev/null \
	"http://10.200.0.1:8080/f1" || fail "server web server (IPv4)"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" curl -sf -o /dev/null \
	"http://[${R6}1]:8080/f1" || fail "server web server (IPv6)"

# The kernel's packet counters of a TUN: "rx tx".
tun_pkts() {
	local d=/sys/class/net/$2/statistics
	nsx "$1" sh -c "echo \$(cat $d/rx_packets) \$(cat $d/tx_packets)"
}

# down URL N: fetch, compare; the server TUN's tx against the client's rx.
down() {
	local s0 c0 s1 c1 got
	s0=$(tun_pkts "$NS_SRV" "$LAB_TUN"); c0=$(tun_pkts "$NS_C1" "$dev1")
	nsx "$NS_C1" curl -sf --max-time 30 -o "$LAB_DIR/got" "$1/f$2" ||
		fail "download $1/f$2"
	s1=$(tun_pkts "$NS_SRV" "$LAB_TUN"); c1=$(tun_pkts "$NS_C1" "$dev1")
	got="$(stat -c %s "$LAB_DIR/got") $(sha256sum <"$LAB_DIR/got" | cut -d' ' -f1)"
	[ "$got" = "$(cat "$LAB_DIR/f$2.sum")" ] ||
		fail "download $1/f$2: got $got, want $(cat "$LAB_DIR/f$2.sum")"
	DOWN_SRV_TX=$(( ${s1#* } - ${s0#* } ))
	DOWN_CLI_RX=$(( ${c1% *} - ${c0% *} ))
}

# up ADDR PORT NS N: send f$N from c1 to a sink in NS; compare.
up() {
	local s0 c0 s1 c1 pid i
	rm -f "$LAB_DIR/sink.out"
	ip netns exec "$3" "$py" "$bulk" sink "$1" "$2" "$LAB_DIR/sink.out" &
	pid=$!
	LAB_PIDS="$LAB_PIDS $pid"
	for i in $(seq 1 50); do
		nsx "$3" ss -Hltn "sport = :$2" | grep -q . && break
		sleep 0.1
	done
	s0=$(tun_pkts "$NS_SRV" "$LAB_TUN"); c0=$(tun_pkts "$NS_C1" "$dev1")
	nsx "$NS_C1" timeout 30 "$py" "$bulk" send "$1" "$2" "$LAB_DIR/f$4" ||
		fail "upload of f$4 to $1"
	lab_wait_exit "$pid" "$LAB_TIMEOUT" || fail "sink on $1 did not finish"
	s1=$(tun_pkts "$NS_SRV" "$LAB_TUN"); c1=$(tun_pkts "$NS_C1" "$dev1")
	[ "$(cat "$LAB_DIR/sink.out" 2>/dev/null)" = "$(cat "$LAB_DIR/f$4.sum")" ] ||
		fail "upload of f$4 to $1: got '$(cat "$LAB_DIR/sink.out" 2>/dev/null)', want $(cat "$LAB_DIR/f$4.sum")"
	UP_CLI_TX=$(( ${c1#* } - ${c0#* } ))
	UP_SRV_RX=$(( ${s1% *} - ${s0% *} ))
}

big=3145735
for base in "http://10.200.0.1:8080" "http://[${R6}1]:8080" \
    "http://$LAB_NET" "http://[$LAB_NET6]"; do
	for n in 1 1399 65535 $big; do
		down "$base" "$n"
	done
	ok "download from $base byte-exact (1, 1399, 65535, $big bytes)"
done
# The last download was the big one from the net host: forwarded.
# At MTU 1400 the file is ~2300 segments; a quarter of that in TUN
# packets means at least 4 segments per packet on average.
few=$((big / 1360 / 4))
down "http://10.200.0.1:8080" "$big"
{ [ "$LAB_OLD" = server ] || [ "$DOWN_SRV_TX" -lt "$few" ]; } &&
    { [ "$LAB_OLD" = client ] || [ "$DOWN_CLI_RX" -lt "$few" ]; } ||
	fail "TUN packets for $big bytes: server read $DOWN_SRV_TX, client wrote $DOWN_CLI_RX (want < $few each)"
ok "download: server TUN read $DOWN_SRV_TX packets, client TUN wrote $DOWN_CLI_RX"

port=9000
for dst in "10.200.0.1:$NS_SRV" "${R6}1:$NS_SRV" "$LAB_NET:$NS_NET" \
    "$LAB_NET6:$NS_NET"; do
	for n in 1 1399 65535 $big; do
		port=$((port + 1))
		up "${dst%:*}" "$port" "${dst##*:}" "$n"
	done
	ok "upload to ${dst%:*} byte-exact (1, 1399, 65535, $big bytes)"
done
port=$((port + 1))
up 10.200.0.1 "$port" "$NS_SRV" "$big"
{ [ "$LAB_OLD" = client ] || [ "$UP_CLI_TX" -lt "$few" ]; } &&
    { [ "$LAB_OLD" = server ] || [ "$UP_SRV_RX" -lt "$few" ]; } ||
	fail "TUN packets for $big bytes: client read $UP_CLI_TX, server wrote $UP_SRV_RX (want < $few each)"
ok "upload: client TUN read $UP_CLI_TX packets, server TUN wrote $UP_SRV_RX"

nsx "$NS_C1" ping -c 2 -i 0.2 -W 2 10.200.0.1 >/dev/null || fail "ping after"
nsx "$NS_C1" ping -6 -c 2 -i 0.2 -W 2 "${R6}1" >/dev/null || fail "ping -6 after"
dump=$(lab_server_dump)
echo "$dump" | grep -Eq " source 0 header 0 .*tun 0 " ||
	fail "segments dropped as forged, malformed or unwritable: $dump"
ok "pings still answered; no segment dropped as forged, malformed or unwritable"
lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
ok "clean stop"
