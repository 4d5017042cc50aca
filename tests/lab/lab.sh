# SPDX-License-Identifier: ISC
# rvpn test lab: a network-namespace topology, sourced by every e2e test.
#
#   rvt-c1-PID  198.18.1.2 --- 198.18.1.1  rvt-srv-PID  198.18.0.1 --- 198.18.0.2  rvt-net-PID
#   rvt-c2-PID  198.18.2.2 --- 198.18.2.1  (rvpn-server)                (web, DNS)
#
# The clients' default route points at the server; the server's at the
# "internet" host; the internet host has no route back to 198.18.1.0/23
# or the tunnel range, so only NATed tunnel traffic gets answers.
#
# IPv6 (2001:db8::/32, no DAD): the same links carry 2001:db8::1 (server)
# --- 2001:db8::2 (net), 2001:db8:1::1 --- 2001:db8:1::2 (c1) and
# 2001:db8:2::1 --- 2001:db8:2::2 (c2).  Each client also has an IPv6
# uplink of its own straight to the internet host (rvt<PID>u1 2001:db8:11::2
# --- 2001:db8:11::1, u2/12 for c2) that carries its IPv6 default route,
# so IPv6 that bypasses the tunnel reaches the web server (a visible
# leak).  The internet host has no route to the tunnel's IPv6 range:
# only NAT66 tunnel traffic gets answers.  The server's IPv6 forwarding
# is off until rvpn-server turns it on.
#
# Usage (bash):
#   . "$top_srcdir/tests/lab/lab.sh"
#   lab_init            # skips (exit 77) without root, netns or binaries
#   lab_up              # namespaces, links, CA, keys, web server, dnsmasq
#   lab_server_config "$LAB_DIR/server.toml"
#   lab_server_start "$LAB_DIR/server.toml"
#   lab_client_start "$NS_C1" c1 --server "$LAB_URL1" ...
# lab_init installs `trap lab_down EXIT`: everything is removed on exit,
# also on failure (the logs are printed to stderr first).

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

LAB_P=$$
NS_SRV=rvt-srv-$LAB_P
NS_NET=rvt-net-$LAB_P
NS_C1=rvt-c1-$LAB_P
NS_C2=rvt-c2-$LAB_P
LAB_NSES="$NS_SRV $NS_NET $NS_C1 $NS_C2"

# veth names (IFNAMSIZ 15): created inside the namespaces, never in ours.
LAB_IF_SN=rvt${LAB_P}sn	# server side, to net
LAB_IF_NS=rvt${LAB_P}ns	# net side
LAB_IF_S1=rvt${LAB_P}s1	# server side, to c1
LAB_IF_C1=rvt${LAB_P}c1
LAB_IF_S2=rvt${LAB_P}s2	# server side, to c2
LAB_IF_C2=rvt${LAB_P}c2
LAB_IF_U1=rvt${LAB_P}u1	# c1's own IPv6 uplink
LAB_IF_N1=rvt${LAB_P}n1	# its net side
LAB_IF_U2=rvt${LAB_P}u2
LAB_IF_N2=rvt${LAB_P}n2

LAB_SRV_NET=198.18.0.1
LAB_NET=198.18.0.2
LAB_SRV_C1=198.18.1.1
LAB_C1=198.18.1.2
LAB_SRV_C2=198.18.2.1
LAB_C2=198.18.2.2
LAB_SRV_NET6=2001:db8::1
LAB_NET6=2001:db8::2
LAB_SRV_C1_6=2001:db8:1::1
LAB_C1_6=2001:db8:1::2
LAB_SRV_C2_6=2001:db8:2::1
LAB_C2_6=2001:db8:2::2
LAB_U1_6=2001:db8:11::2		# c1's address on its own uplink
LAB_U2_6=2001:db8:12::2
LAB_URL1=wss://$LAB_SRV_C1/api/v1/ws
LAB_URL2=wss://$LAB_SRV_C2/api/v1/ws
LAB_TUN=rvt0			# the server's TUN, inside rvt-srv
LAB_TOKEN="rvpn-lab-$LAB_P"	# content of the web server's known file
LAB_TIMEOUT=${LAB_TIMEOUT:-15}	# seconds for any wait
LAB_HOSTILE=$top_srcdir/tests/lab/hostile.py	# hostile connections (hostile)

RVPN_SERVER=${RVPN_SERVER:-$top_builddir/src/rvpn-server}
RVPN_CLIENT=${RVPN_CLIENT:-$top_builddir/src/rvpn-client}

LAB_DIR=
LAB_PIDS=
LAB_RVPN_PIDS=	# rvpn-server and rvpn-client: lab_down checks how they exit
LAB_SERVER_PID=
LAB_FAILED=0
LAB_UP=0

ok() {
	echo "ok - $*"
}

fail() {
	echo "FAIL: $*" >&2
	LAB_FAILED=1
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# Run a command in a namespace.  (Start background daemons with
# `ip netns exec` itself, not this function, so that $! is their PID.)
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# Skip unless root with netns, TUN, nft and the binaries; set the trap.
lab_init() {
	local b
	[ "$(id -u)" = 0 ] || skip "not root"
	command -v ip >/dev/null 2>&1 || skip "no iproute2"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	for b in "$RVPN_SERVER" "$@"; do
		[ -x "$b" ] || skip "$b not built"
	done
	LAB_DIR=$(mktemp -d /tmp/rvt-lab.XXXXXX) || fail "mktemp"
	trap lab_down EXIT
	trap 'exit 1' INT TERM HUP
	ip netns add "rvt-probe-$LAB_P" 2>/dev/null || skip "no netns support"
	ip netns del "rvt-probe-$LAB_P"
}

# Wait until FILE contains the extended regex PATTERN; 0 or 1 after
# TIMEOUT s or when PID (optional) has exited.  LAB_LOG_FROM (a line
# number, default 1) ignores earlier lines, e.g. of a previous run.
lab_wait_log() {
	local file=$1 pattern=$2 timeout=${3:-$LAB_TIMEOUT} pid=${4:-} i=0
	local from=${LAB_LOG_FROM:-1}
	while [ "$i" -lt $((timeout * 10)) ]; do
		tail -n +"$from" "$file" 2>/dev/null | grep -Eq -- "$pattern" &&
			return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			tail -n +"$from" "$file" 2>/dev/null |
				grep -Eq -- "$pattern" && return 0
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# The number of the line after the last one of FILE (for LAB_LOG_FROM).
lab_log_next() {
	if [ -f "$1" ]; then echo $(( $(wc -l <"$1") + 1 )); else echo 1; fi
}

# Wait until a command succeeds (bounded).
lab_wait_cmd() {
	local timeout=$1 i=0
	shift
	while [ "$i" -lt $((timeout * 10)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Wait for a PID to exit (bounded); 0 if it did.
lab_wait_exit() {
	local pid=$1 timeout=${2:-$LAB_TIMEOUT} i=0
	while [ "$i" -lt $((timeout * 10)) ]; do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# An X25519 key pair: $LAB_DIR/NAME.key (0600, base64) and NAME.pub.
lab_key() {
	local name=$1 der
	der="$LAB_DIR/$name.der"
	openssl genpkey -algorithm X25519 -outform DER -out "$der" 2>/dev/null ||
		fail "openssl genpkey"
	(umask 077; tail -c 32 "$der" | base64 >"$LAB_DIR/$name.key")
	openssl pkey -inform DER -in "$der" -pubout -outform DER 2>/dev/null |
		tail -c 32 | base64 >"$LAB_DIR/$name.pub"
	rm -f "$der"
	[ -s "$LAB_DIR/$name.pub" ] || fail "no public key for $name"
}

# A throwaway CA and a server certificate for 198.18.1.1, 198.18.2.1,
# 2001:db8:1::1 and 2001:db8:2::1.
lab_ca() {
	local d=$LAB_DIR
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.crt" -days 2 \
		-subj "/CN=rvpn lab CA $LAB_P" >/dev/null 2>&1 || fail "CA"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/server.key" -out "$d/server.csr" \
		-subj "/CN=$LAB_SRV_C1" >/dev/null 2>&1 || fail "server CSR"
	printf 'subjectAltName=IP:%s,IP:%s,IP:%s,IP:%s\nbasicConstraints=CA:FALSE\n' \
		"$LAB_SRV_C1" "$LAB_SRV_C2" "$LAB_SRV_C1_6" "$LAB_SRV_C2_6" \
		>"$d/san.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" \
		-CAkey "$d/ca.key" -CAcreateserial -out "$d/server.crt" \
		-days 2 -extfile "$d/san.ext" >/dev/null 2>&1 ||
		fail "server certificate"
	chmod 600 "$d/server.key" "$d/ca.key"
}

# Namespaces, links, addresses and routes.
lab_net() {
	local ns
	for ns in $LAB_NSES; do
		ip netns add "$ns" || fail "ip netns add $ns"
		nsx "$ns" ip link set lo up
	done
	ip -n "$NS_SRV" link add "$LAB_IF_SN" type veth peer name "$LAB_IF_NS" \
		netns "$NS_NET" || fail "veth srv-net"
	ip -n "$NS_SRV" link add "$LAB_IF_S1" type veth peer name "$LAB_IF_C1" \
		netns "$NS_C1" || fail "veth srv-c1"
	ip -n "$NS_SRV" link add "$LAB_IF_S2" type veth peer name "$LAB_IF_C2" \
		netns "$NS_C2" || fail "veth srv-c2"
	ip -n "$NS_C1" link add "$LAB_IF_U1" type veth peer name "$LAB_IF_N1" \
		netns "$NS_NET" || fail "veth c1-net"
	ip -n "$NS_C2" link add "$LAB_IF_U2" type veth peer name "$LAB_IF_N2" \
		netns "$NS_NET" || fail "veth c2-net"

	ip -n "$NS_SRV" addr add "$LAB_SRV_NET/24" dev "$LAB_IF_SN"
	ip -n "$NS_SRV" addr add "$LAB_SRV_C1/24" dev "$LAB_IF_S1"
	ip -n "$NS_SRV" addr add "$LAB_SRV_C2/24" dev "$LAB_IF_S2"
	ip -n "$NS_NET" addr add "$LAB_NET/24" dev "$LAB_IF_NS"
	ip -n "$NS_C1" addr add "$LAB_C1/24" dev "$LAB_IF_C1"
	ip -n "$NS_C2" addr add "$LAB_C2/24" dev "$LAB_IF_C2"
	ip -n "$NS_SRV" -6 addr add "$LAB_SRV_NET6/64" dev "$LAB_IF_SN" nodad
	ip -n "$NS_SRV" -6 addr add "$LAB_SRV_C1_6/64" dev "$LAB_IF_S1" nodad
	ip -n "$NS_SRV" -6 addr add "$LAB_SRV_C2_6/64" dev "$LAB_IF_S2" nodad
	ip -n "$NS_NET" -6 addr add "$LAB_NET6/64" dev "$LAB_IF_NS" nodad
	ip -n "$NS_C1" -6 addr add "$LAB_C1_6/64" dev "$LAB_IF_C1" nodad
	ip -n "$NS_C2" -6 addr add "$LAB_C2_6/64" dev "$LAB_IF_C2" nodad
	ip -n "$NS_C1" -6 addr add "$LAB_U1_6/64" dev "$LAB_IF_U1" nodad
	ip -n "$NS_NET" -6 addr add 2001:db8:11::1/64 dev "$LAB_IF_N1" nodad
	ip -n "$NS_C2" -6 addr add "$LAB_U2_6/64" dev "$LAB_IF_U2" nodad
	ip -n "$NS_NET" -6 addr add 2001:db8:12::1/64 dev "$LAB_IF_N2" nodad
	for ns in "$NS_SRV:$LAB_IF_SN $LAB_IF_S1 $LAB_IF_S2" \
	    "$NS_NET:$LAB_IF_NS $LAB_IF_N1 $LAB_IF_N2" \
	    "$NS_C1:$LAB_IF_C1 $LAB_IF_U1" "$NS_C2:$LAB_IF_C2 $LAB_IF_U2"; do
		for ifc in ${ns#*:}; do
			ip -n "${ns%%:*}" link set "$ifc" up || fail "link up $ifc"
		done
	done
	ip -n "$NS_SRV" route add default via "$LAB_NET" || fail "srv default"
	ip -n "$NS_C1" route add default via "$LAB_SRV_C1" || fail "c1 default"
	ip -n "$NS_C2" route add default via "$LAB_SRV_C2" || fail "c2 default"
	ip -n "$NS_SRV" -6 route add default via "$LAB_NET6" ||
		fail "srv IPv6 default"
	ip -n "$NS_C1" -6 route add default via 2001:db8:11::1 ||
		fail "c1 IPv6 default"
	ip -n "$NS_C2" -6 route add default via 2001:db8:12::1 ||
		fail "c2 IPv6 default"
	# Forwarding in the server stays off until rvpn-server's NAT turns
	# it on: without it no client packet reaches the net host.
	nsx "$NS_SRV" sysctl -qw net.ipv4.ip_forward=0
	nsx "$NS_SRV" sysctl -qw net.ipv6.conf.all.forwarding=0
	for ns in "$NS_C1" "$NS_C2"; do
		mkdir -p "/etc/netns/$ns" || fail "mkdir /etc/netns/$ns"
		echo "nameserver 192.0.2.53" >"/etc/netns/$ns/resolv.conf"
	done
}

# The "internet" host's services: a web server and dnsmasq.
lab_services() {
	local py
	mkdir -p "$LAB_DIR/www"
	echo "$LAB_TOKEN" >"$LAB_DIR/www/hello.txt"
	py=$(command -v python3)
	[ -x /usr/bin/python3 ] && py=/usr/bin/python3
	ip netns exec "$NS_NET" "$py" -u -m http.server 80 --bind "$LAB_NET" \
		--directory "$LAB_DIR/www" >"$LAB_DIR/http.log" 2>&1 &
	LAB_HTTP_PID=$!
	LAB_PIDS="$LAB_PIDS $LAB_HTTP_PID"
	# The same files on IPv6, logged apart (http6.log: who asked).
	ip netns exec "$NS_NET" "$py" -u -m http.server 80 --bind "$LAB_NET6" \
		--directory "$LAB_DIR/www" >"$LAB_DIR/http6.log" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
	# v6.rvpn.test has only an AAAA record; he4/he6.rvpn.test have one
	# address of each family, the IPv4 (he4) or IPv6 (he6) one a black
	# hole (routed to the net host, which drops it): Happy Eyeballs.
	ip netns exec "$NS_NET" dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--no-resolv --no-hosts --address=/www.rvpn.test/$LAB_NET \
		--address=/v6.rvpn.test/$LAB_NET6 \
		--address=/he4.rvpn.test/198.18.5.5 \
		--address=/he4.rvpn.test/$LAB_NET6 \
		--address=/he6.rvpn.test/2001:db8:99::5 \
		--address=/he6.rvpn.test/$LAB_NET \
		--listen-address="$LAB_NET" --listen-address="$LAB_NET6" \
		--bind-interfaces --user=root \
		--pid-file="$LAB_DIR/dnsmasq.pid" --log-queries \
		--log-facility="$LAB_DIR/dnsmasq.log" >/dev/null 2>&1 &
	LAB_DNS_PID=$!
	LAB_PIDS="$LAB_PIDS $LAB_DNS_PID"
	lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_NET" \
		curl -sf -o /dev/null "http://$LAB_NET/hello.txt" ||
		fail "web server did not start"
	lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_NET" \
		curl -sf -o /dev/null "http://[$LAB_NET6]/hello.txt" ||
		fail "IPv6 web server did not start"
}

# A syslog of our own: a unix datagram socket $LAB_DIR/devlog whose
# messages go to $LAB_DIR/syslog.log as received, one a line, with their
# "<PRI>" (facility * 8 + severity).  "$LAB_DEVLOG" CMD... runs CMD in
# a private mount namespace whose /dev is a tmpfs with null, zero,
# random, urandom, net/tun and log (that socket) bound in: the host's
# /dev and syslog are not touched.  It is a script that execs CMD, so
# with `&` $! is CMD's PID.
lab_syslog_start() {
	local py
	py=$(command -v python3)
	[ -x /usr/bin/python3 ] && py=/usr/bin/python3
	"$py" -u -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", 0) as f:
    while True:
        f.write(s.recv(8192).rstrip(b"\0\n") + b"\n")
' "$LAB_DIR/devlog" "$LAB_DIR/syslog.log" &
	LAB_PIDS="$LAB_PIDS $!"
	lab_wait_cmd "$LAB_TIMEOUT" test -S "$LAB_DIR/devlog" ||
		fail "no syslog socket"
	: >>"$LAB_DIR/syslog.log"
	mkdir -p "$LAB_DIR/hostdev" || fail "mkdir hostdev"
	LAB_DEVLOG=$LAB_DIR/devlog.sh
	cat >"$LAB_DEVLOG" <<'EOF'
#!/bin/sh
# lab.sh: CMD... with our syslog socket as /dev/log (lab_syslog_start).
exec unshare -m --propagation private sh -ec '
	h=$1; shift
	mount --bind /dev "$h"
	mount -t tmpfs -o mode=755 rvt-dev /dev
	mkdir /dev/net
	for d in null zero random urandom net/tun; do
		touch "/dev/$d"
		mount --bind "$h/$d" "/dev/$d"
	done
	touch /dev/log
	mount --bind "$(dirname "$h")/devlog" /dev/log
	exec "$@"
' sh "$(dirname "$0")/hostdev" "$@"
EOF
	chmod 755 "$LAB_DEVLOG" || fail "chmod $LAB_DEVLOG"
}

# An iperf3 server on the internet host, for a test that measures
# throughput (not started by lab_up: no test needs it by default).
lab_iperf3_start() {
	command -v iperf3 >/dev/null 2>&1 || fail "iperf3 not installed"
	ip netns exec "$NS_NET" iperf3 -s -B "$LAB_NET" -1 \
		>"$LAB_DIR/iperf3.log" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
	lab_wait_log "$LAB_DIR/iperf3.log" "Server listening" "$LAB_TIMEOUT" ||
		fail "iperf3 server did not start"
}

# The whole topology plus CA, server identity and two client keys.
lab_up() {
	lab_net
	lab_ca
	lab_key server_identity
	lab_key c1
	lab_key c2
	lab_services
	LAB_SRV_PUB=$(cat "$LAB_DIR/server_identity.pub")
	LAB_UP=1
}

# Write a server config.  Env overrides: LAB_RANGE, LAB_NAT (true/false),
# LAB_SERVER_EXTRA and LAB_NET_EXTRA (extra lines for each section).
lab_server_config() {
	cat >"$1" <<EOF
# rvpn lab server ($LAB_P)
[server]
bind_address = "0.0.0.0:443"
tls_cert_file = "$LAB_DIR/server.crt"
tls_key_file = "$LAB_DIR/server.key"
identity_key_file = "$LAB_DIR/server_identity.key"
websocket_path = "/api/v1/ws"
pid_file = "$LAB_DIR/server.pid"
control_socket = "$LAB_DIR/server.sock"
${LAB_SERVER_EXTRA:-}

[server.network]
nat_enabled = ${LAB_NAT:-true}
dhcp_range = "${LAB_RANGE:-10.200.0.0/24}"
dns_servers = ["$LAB_NET"]
tun_name = "$LAB_TUN"
mtu = 1400
${LAB_NET_EXTRA:-}
EOF
}

# An authorized-clients file with the given key names (c1 c2 ...).
lab_clients_file() {
	local file=$1 name
	shift
	: >"$file"
	for name in "$@"; do
		printf '[client.%s]\npublic_key = "%s"\n\n' "$name" \
			"$(cat "$LAB_DIR/$name.pub")" >>"$file"
	done
}

# Start rvpn-server -f in rvt-srv; wait for its listen line.
# Log: $LAB_DIR/server.log (appended to, so restarts keep history;
# LAB_SERVER_FROM is the first line of this run).
lab_server_start() {
	local conf=$1
	shift
	LAB_SERVER_FROM=$(lab_log_next "$LAB_DIR/server.log")
	echo "--- server start $(date +%T)" >>"$LAB_DIR/server.log"
	ip netns exec "$NS_SRV" "$RVPN_SERVER" -f -c "$conf" "$@" \
		>>"$LAB_DIR/server.log" 2>&1 &
	LAB_SERVER_PID=$!
	LAB_PIDS="$LAB_PIDS $LAB_SERVER_PID"
	LAB_RVPN_PIDS="$LAB_RVPN_PIDS $LAB_SERVER_PID"
	lab_server_wait_listen
}

# The listen line of this start (LAB_SERVER_FROM on).
lab_server_wait_listen() {
	LAB_LOG_FROM=$LAB_SERVER_FROM lab_wait_log "$LAB_DIR/server.log" \
		"INFO rvpn_server: Listening on" "$LAB_TIMEOUT" \
		"$LAB_SERVER_PID" && return 0
	kill -0 "$LAB_SERVER_PID" 2>/dev/null ||
		fail "rvpn-server exited during startup"
	fail "rvpn-server did not log its listen line in ${LAB_TIMEOUT}s"
}

# Stop a PID with SIGTERM (bounded), then SIGKILL.  Returns its exit
# status when it stopped by itself (0 is a clean stop; a sanitizer
# report makes it non-zero), 1 if it had to be killed.
lab_stop() {
	local pid=$1 rc
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	if lab_wait_exit "$pid" "$LAB_TIMEOUT"; then
		wait "$pid" 2>/dev/null
		rc=$?
		[ "$rc" = 127 ] && rc=0	# not our child: status unknown
		return "$rc"
	fi
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 1
}

lab_server_stop() {
	lab_stop "$LAB_SERVER_PID"
	local rc=$?
	LAB_SERVER_PID=
	return $rc
}

# Start rvpn-client -f in namespace NS as NAME (log: client-NAME.log),
# with the rest as its arguments; waits for "tunnel up".  Sets
# LAB_CLIENT_PID and LAB_PID_<NAME>.
lab_client_start() {
	local ns=$1 name=$2
	shift 2
	lab_client_spawn "$ns" "$name" "$@"
	LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log \
		"$LAB_DIR/client-$name.log" "tunnel up" "$LAB_TIMEOUT" \
		"$LAB_CLIENT_PID" || fail "client $name: no 'tunnel up' line"
}

# Like lab_client_start without waiting; LAB_CLIENT_FROM is the first
# line of this run in the client's log.
lab_client_spawn() {
	local ns=$1 name=$2
	shift 2
	LAB_CLIENT_FROM=$(lab_log_next "$LAB_DIR/client-$name.log")
	echo "--- client start $(date +%T)" >>"$LAB_DIR/client-$name.log"
	ip netns exec "$ns" "$RVPN_CLIENT" -f "$@" >>"$LAB_DIR/client-$name.log" 2>&1 &
	LAB_CLIENT_PID=$!
	eval "LAB_PID_$name=$LAB_CLIENT_PID"
	LAB_PIDS="$LAB_PIDS $LAB_CLIENT_PID"
	LAB_RVPN_PIDS="$LAB_RVPN_PIDS $LAB_CLIENT_PID"
}

# The usual client arguments for c1/c2 (key NAME, via the matching link).
lab_client_args() {
	local name=$1 url=$LAB_URL1
	[ "$name" = c2 ] && url=$LAB_URL2
	echo "--server $url --server-key $LAB_SRV_PUB --key $LAB_DIR/$name.key --ca $LAB_DIR/ca.crt"
}

# The tunnel address of a client namespace ("" if none).
lab_tun_addr() {
	nsx "$1" ip -o -4 addr show | awk '$4 ~ /^10\.200\./ { split($4, a, "/"); print a[1]; exit }'
}

# The tunnel IPv6 address of a client namespace (fd10:200::/64; "" if none).
lab_tun_addr6() {
	nsx "$1" ip -o -6 addr show | awk '$4 ~ /^fd10:200:/ { split($4, a, "/"); print a[1]; exit }'
}

# The TUN device of a client namespace.
lab_tun_dev() {
	nsx "$1" ip -o -4 addr show | awk '$4 ~ /^10\.200\./ { print $2; exit }'
}

# The python3 the lab tests use (/usr/bin's when there is one).
lab_python() {
	if [ -x /usr/bin/python3 ]; then
		echo /usr/bin/python3
	else
		command -v python3
	fi
}

# hostile NS NAME ARGS...: run hostile.py in NS in the background; its
# JSON goes to $LAB_DIR/NAME.json, and $LAB_DIR/NAME.ready is created
# ("OPENED REFUSED") once every connection is set up.
hostile() {
	local ns=$1 name=$2
	shift 2
	rm -f "$LAB_DIR/$name.ready" "$LAB_DIR/$name.json"
	ip netns exec "$ns" "$(lab_python)" "$LAB_HOSTILE" \
		--ready "$LAB_DIR/$name.ready" \
		"$@" >"$LAB_DIR/$name.json" 2>"$LAB_DIR/$name.err" &
	LAB_PIDS="$LAB_PIDS $!"
	eval "HOSTILE_$name=$!"
}

hostile_wait_ready() {
	lab_wait_cmd "$LAB_TIMEOUT" test -s "$LAB_DIR/$1.ready" ||
		fail "hostile $1 did not get ready: $(cat "$LAB_DIR/$1.err")"
	cat "$LAB_DIR/$1.ready"
}

# hostile_result NAME FIELD: one field of NAME's JSON once it has ended.
hostile_result() {
	local pid
	eval "pid=\$HOSTILE_$1"
	lab_wait_exit "$pid" 40 || fail "hostile $1 did not end"
	"$(lab_python)" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$LAB_DIR/$1.json" "$2"
}

# SIGUSR1 the server and print the counter dump lines it logs.  The
# server writes a dump's lines in one go; a second SIGUSR1's header
# comes after all of the first's lines, so no sleep is needed.
lab_server_dump() {
	local before mid
	before=$(wc -l <"$LAB_DIR/server.log")
	kill -USR1 "$LAB_SERVER_PID" || fail "SIGUSR1"
	lab_wait_cmd "$LAB_TIMEOUT" sh -c "tail -n +$((before + 1)) '$LAB_DIR/server.log' | grep -q 'INFO rvpn_server: sessions:'" ||
		fail "no SIGUSR1 dump"
	mid=$(wc -l <"$LAB_DIR/server.log")
	kill -USR1 "$LAB_SERVER_PID" || fail "SIGUSR1"
	lab_wait_cmd "$LAB_TIMEOUT" sh -c "tail -n +$((mid + 1)) '$LAB_DIR/server.log' | grep -q 'INFO rvpn_server: sessions:'" ||
		fail "no second SIGUSR1 dump"
	tail -n +$((before + 1)) "$LAB_DIR/server.log" |
		awk '/INFO rvpn_server: sessions:/ { n++ } n == 1' |
		grep "INFO rvpn_server: session"
}

# Run a program that detaches (no -f): its stderr becomes /dev/null, so
# sanitizer reports go to $LAB_DIR/san-detached.PID instead, which
# lab_down checks.  (A program that drops to another user or chroots
# cannot write there.)
lab_san_env() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$LAB_DIR/san-detached" \
	UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$LAB_DIR/san-detached" \
		"$@"
}

# Send SIG to every process left in the lab's namespaces; for TERM,
# wait (bounded) for them to go.  Each one is named on stderr.
lab_ns_reap() {
	local sig=$1 ns pid left i=0
	for ns in $LAB_NSES; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			[ "$sig" = TERM ] && echo "lab: $ns: stopping leftover" \
				"process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >&2
			kill -"$sig" "$pid" 2>/dev/null
		done
	done
	[ "$sig" = TERM ] || return 0
	while [ "$i" -lt 50 ]; do
		left=
		for ns in $LAB_NSES; do
			left="$left$(ip netns pids "$ns" 2>/dev/null)"
		done
		[ -z "$left" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
}

# Tear everything down; on failure show the logs first.  Every rvpn
# program still running is stopped here and must exit 0 (a sanitizer
# report at exit makes it non-zero), and no rvpn log may hold a sanitizer
# report: a test that passed turns into a failure when either is seen.
lab_down() {
	local rc=$? pid ns f st ino
	set +e
	if [ "$rc" != 77 ]; then
		for pid in $LAB_RVPN_PIDS; do
			kill -0 "$pid" 2>/dev/null || continue
			lab_stop "$pid"
			st=$?
			[ "$st" = 0 ] && continue
			echo "FAIL: rvpn process $pid: exit status $st at teardown" >&2
			[ "$rc" = 0 ] && rc=1
		done
		for f in "$LAB_DIR"/server*.log "$LAB_DIR"/client*.log; do
			[ -f "$f" ] || continue
			grep -qE 'Sanitizer|runtime error' "$f" || continue
			echo "FAIL: sanitizer report in $(basename "$f")" >&2
			[ "$rc" = 0 ] && rc=1
		done
		for f in "$LAB_DIR"/san-detached.*; do
			[ -f "$f" ] || continue
			echo "FAIL: sanitizer report of a detached program:" >&2
			head -n 40 "$f" >&2
			[ "$rc" = 0 ] && rc=1
		done
	fi
	if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -n "$LAB_DIR" ]; then
		for f in "$LAB_DIR"/*.log; do
			[ -f "$f" ] || continue
			echo "===== $(basename "$f")" >&2
			tail -n 60 "$f" >&2
		done
	fi
	for pid in $LAB_PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $LAB_PIDS; do
		lab_wait_exit "$pid" 5 || kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# Anything still running in this test's namespaces was started by
	# it (e.g. with `nsx ... &`, whose $! is a subshell): stop it, or it
	# outlives the namespace holding the test's inherited descriptors.
	lab_ns_reap TERM
	lab_ns_reap KILL
	for ns in $LAB_NSES; do
		# A client killed on purpose leaves its DNS record, named
		# after the namespace's inode: gone with the namespace.
		ino=$(stat -L -c %i "/run/netns/$ns" 2>/dev/null) &&
			rm -f /run/rvpn/client-*."$ino".resolv.orig
		ip netns del "$ns" 2>/dev/null
		rm -rf "/etc/netns/$ns"
	done
	[ -n "$LAB_DIR" ] && rm -rf "$LAB_DIR"
	exit "$rc"
}
