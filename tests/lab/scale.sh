#!/bin/sh
# Two rvpn nodes behind HAProxy (doc/SCALING.md), with the shipped
# contrib/haproxy/haproxy.cfg (addresses and paths replaced):
#
#   c1, c2 --- rvt-srv (HAProxy, TLS on 198.18.1.1/198.18.2.1:443) --- rvt-net
#                 |  198.18.10.0/24         | 198.18.11.0/24
#              rvt-na (node-a)           rvt-nb (node-b)
#              10.200.0.0/24             10.200.1.0/24, one identity key
#
# - leastconn spreads c1 and c2 over both nodes; both reach the internet
#   host; each node's status and /metrics show its own session, with the
#   client's real address (X-Forwarded-For from a trusted proxy);
# - SIGKILL of c1's node: c1 comes back through the other node with an
#   address of its block (the time is measured and printed);
# - rvpnctl drain --kick on a node: /healthz 503, its clients move to
#   the other node, a curl loop in each client loses at most the
#   requests in flight; undrain: /healthz 200 again;
# - /metrics parsed by prometheus_client's parser, counters move;
# - without the load balancer: a client given both nodes (--server
#   twice) moves to the second when the first is drained (4014), and a
#   client whose first --server does not answer uses the second.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
command -v haproxy >/dev/null 2>&1 || fail "haproxy missing (contrib/install-deps.sh)"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" -c 'import prometheus_client.parser' 2>/dev/null ||
	fail "python3-prometheus-client missing (contrib/install-deps.sh)"

NS_A=rvt-na-$LAB_P
NS_B=rvt-nb-$LAB_P
LAB_NSES="$LAB_NSES $NS_A $NS_B"	# made (and removed) with the others
lab_up
A_LB=198.18.10.1 A=198.18.10.2
B_LB=198.18.11.1 B=198.18.11.2

# The nodes' links to the load balancer's namespace; it routes their
# NATed traffic to the internet host, which routes it back.
for n in a:$NS_A:$A_LB:$A b:$NS_B:$B_LB:$B; do
	IFS=: read -r x ns lb addr <<<"$n"
	ip -n "$NS_SRV" link add "rvt${LAB_P}l$x" type veth peer name \
		"rvt${LAB_P}$x" netns "$ns" || fail "veth $x"
	ip -n "$NS_SRV" addr add "$lb/24" dev "rvt${LAB_P}l$x"
	ip -n "$ns" addr add "$addr/24" dev "rvt${LAB_P}$x"
	ip -n "$NS_SRV" link set "rvt${LAB_P}l$x" up
	ip -n "$ns" link set "rvt${LAB_P}$x" up
	ip -n "$ns" route add default via "$lb" || fail "default $x"
done
nsx "$NS_SRV" sysctl -qw net.ipv4.ip_forward=1
ip -n "$NS_NET" route add 198.18.10.0/23 via "$LAB_SRV_NET" || fail "net route"

# One node: its own directory (control socket, undo record), address
# block and admin port on its private address.
node_config() {	# node_config NAME ADDR LB RANGE
	mkdir -p "$LAB_DIR/$1"
	cat >"$LAB_DIR/$1/server.toml" <<EOF
[server]
bind_address = "$2:8080"
identity_key_file = "$LAB_DIR/server_identity.key"
websocket_path = "/api/v1/ws"
pid_file = "$LAB_DIR/$1/server.pid"
control_socket = "$LAB_DIR/$1/server.sock"
trusted_proxies = ["$3"]
admin_listen = "$2:9190"
node_name = "node-$1"
drain_kick_spread = 2

[server.network]
nat_enabled = true
dhcp_range = "$4"
dns_servers = ["$LAB_NET"]
tun_name = "rvt0"
EOF
}
node_start() {	# node_start NAME NS
	local log=$LAB_DIR/server-$1.log from pid
	from=$(lab_log_next "$log")
	ip netns exec "$2" "$RVPN_SERVER" -f -c "$LAB_DIR/$1/server.toml" \
		>>"$log" 2>&1 &
	pid=$!
	LAB_PIDS="$LAB_PIDS $pid"
	LAB_RVPN_PIDS="$LAB_RVPN_PIDS $pid"
	eval "PID_$1=$pid"
	LAB_LOG_FROM=$from lab_wait_log "$log" "INFO rvpn_server: Listening on" \
		"$LAB_TIMEOUT" "$pid" || fail "node $1 did not start"
}
ctl() {	# ctl NAME ARGS...
	local n=$1
	shift
	"$RVPNCTL" -s "$LAB_DIR/$n/server.sock" "$@"
}
health() {	# health ADDR: the status code of /healthz, from HAProxy's side
	nsx "$NS_SRV" curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$1:9190/healthz"
}
metric() {	# metric ADDR NAME [LABEL=VALUE...]: one sample, parsed
	local addr=$1
	shift
	nsx "$NS_SRV" curl -s -m 5 "http://$addr:9190/metrics" >"$LAB_DIR/metrics" ||
		fail "GET /metrics of $addr"
	"$PY" - "$LAB_DIR/metrics" "$@" <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
name, labels = sys.argv[2], dict(a.split("=", 1) for a in sys.argv[3:])
for fam in text_string_to_metric_families(text):
	for s in fam.samples:
		if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
			print(int(s.value))
			sys.exit(0)
sys.exit(1)
EOF
}
# Whether HAProxy has server NAME of rvpn_nodes up (its stats socket).
hap_up() {
	"$PY" - "$LAB_DIR/haproxy.sock" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"show servers state rvpn_nodes\n")
data = b""
while True:
	b = s.recv(65536)
	if not b:
		break
	data += b
for line in data.decode().splitlines():
	f = line.split()
	# be_id be_name srv_id srv_name srv_addr srv_op_state ...: 2 = running
	if len(f) > 5 and f[3] == sys.argv[2]:
		sys.exit(0 if f[5] == "2" else 1)
sys.exit(1)
EOF
}
# The node a client's tunnel address belongs to (a or b).
node_of() {
	case $(lab_tun_addr "$1") in
	10.200.0.*) echo a ;;
	10.200.1.*) echo b ;;
	*) echo none ;;
	esac
}
other() {
	[ "$1" = a ] && echo b || echo a
}

node_config a "$A" "$A_LB" 10.200.0.0/24
node_config b "$B" "$B_LB" 10.200.1.0/24
node_start a "$NS_A"
node_start b "$NS_B"

# HAProxy: the shipped configuration, TLS with the lab's certificate.
cat "$LAB_DIR/server.crt" "$LAB_DIR/server.key" >"$LAB_DIR/haproxy.pem"
chmod 600 "$LAB_DIR/haproxy.pem"
# (Plus a stats socket, for the test to see what HAProxy thinks of a node.)
sed -e "s|/etc/haproxy/rvpn.pem|$LAB_DIR/haproxy.pem|" \
    -e "s|^global$|global\n\tstats socket $LAB_DIR/haproxy.sock mode 600 level admin|" \
    -e "s|10\.0\.0\.11:8080|$A:8080|" -e "s|10\.0\.0\.12:8080|$B:8080|" \
    "$top_srcdir/contrib/haproxy/haproxy.cfg" >"$LAB_DIR/haproxy.cfg"
haproxy -c -q -f "$LAB_DIR/haproxy.cfg" || fail "haproxy -c rejects the shipped configuration"
ip netns exec "$NS_SRV" haproxy -db -f "$LAB_DIR/haproxy.cfg" >"$LAB_DIR/haproxy.log" 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
[ "$(health "$A")" = 200 ] && [ "$(health "$B")" = 200 ] || fail "healthz of the nodes"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" curl -s -o /dev/null --cacert "$LAB_DIR/ca.crt" \
	"https://$LAB_SRV_C1/" || fail "HAProxy does not answer"
ok "two nodes (10.200.0.0/24, 10.200.1.0/24, one identity key) behind HAProxy (contrib/haproxy/haproxy.cfg, haproxy -c clean)"

# Spread: leastconn gives c2 the node c1 is not on.
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
n1=$(node_of "$NS_C1")
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
n2=$(node_of "$NS_C2")
[ "$n1" != none ] && [ "$n2" = "$(other "$n1")" ] || fail "not spread: c1 on $n1, c2 on $n2"
for c in c1 c2; do
	ns=$NS_C1; [ $c = c2 ] && ns=$NS_C2
	nsx "$ns" curl -s -m 5 -o "$LAB_DIR/$c.out" "http://$LAB_NET/hello.txt" &&
		grep -qx "$LAB_TOKEN" "$LAB_DIR/$c.out" || fail "$c does not reach the internet host"
done
ctl "$n1" status | grep -q " $LAB_C1 (via " ||
	fail "node $n1 status lacks c1 from $LAB_C1: $(ctl "$n1" status)"
ctl "$n2" status | grep -q " $LAB_C2 (via " || fail "node $n2 status lacks c2"
ctl "$n1" status | head -1 | grep -q "node node-$n1," || fail "status node name"
eval "a1=\$$(echo "$n1" | tr ab AB)"
eval "a2=\$$(echo "$n2" | tr ab AB)"
[ "$(metric "$a1" rvpn_sessions state=up)" = 1 ] || fail "metrics of node $n1: sessions"
[ "$(metric "$a2" rvpn_sessions state=up)" = 1 ] || fail "metrics of node $n2: sessions"
[ "$(metric "$a2" rvpn_build_info node=node-$n2)" = 1 ] || fail "metrics of node $n2: build_info"
rx0=$(metric "$a1" rvpn_received_packets_total)
nsx "$NS_C1" ping -q -c 20 -i 0.05 -W 2 "$LAB_NET" >/dev/null || fail "c1 ping"
rx1=$(metric "$a1" rvpn_received_packets_total)
[ "$rx1" -ge $((rx0 + 20)) ] || fail "node $n1 rx packets $rx0 -> $rx1"
ok "c1 on node-$n1, c2 on node-$n2; both reach the internet host; status shows each node's own client by its real address; node-$n1's rvpn_received_packets_total $rx0 -> $rx1 after 20 pings (prometheus_client parser)"

# SIGKILL c1's node: c1 comes back through the other one.
C1_FROM=$(lab_log_next "$LAB_DIR/client-c1.log")
eval "kpid=\$PID_$n1"
t0=$(date +%s.%N)
kill -KILL "$kpid"
wait "$kpid" 2>/dev/null
LAB_LOG_FROM=$C1_FROM lab_wait_log "$LAB_DIR/client-c1.log" "tunnel up" 30 ||
	fail "c1 did not come back after node-$n1 was killed"
t1=$(date +%s.%N)
[ "$(node_of "$NS_C1")" = "$(other "$n1")" ] || fail "c1 came back on $(node_of "$NS_C1")"
nsx "$NS_C1" curl -s -m 5 -o /dev/null "http://$LAB_NET/hello.txt" || fail "c1 after the failover"
i=0
while hap_up "node-$n1"; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "HAProxy still has node-$n1 up after its SIGKILL"
	sleep 0.2
done
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
echo "# measured: c1 back through node-$(other "$n1") ($(lab_tun_addr "$NS_C1")) ${secs} s after SIGKILL of node-$n1"
ok "SIGKILL node-$n1: HAProxy marks it down; c1 back through node-$(other "$n1") with $(lab_tun_addr "$NS_C1") in $secs s"

# The killed node again (its next start recovers what the kill left).
eval "ns=\$NS_$(echo "$n1" | tr ab AB)"
node_start "$n1" "$ns"
eval "ka=\$$(echo "$n1" | tr ab AB)"
i=0
while [ "$(health "$ka")" != 200 ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "node-$n1 not healthy after restart"
	sleep 0.2
done
# HAProxy takes clients there again once its checks saw it up (rise 2).
i=0
until hap_up "node-$n1"; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "HAProxy did not mark node-$n1 up again"
	sleep 0.2
done

# Both clients are on node m now; drain --kick moves them to the other.
m=$(other "$n1")
eval "ma=\$$(echo "$m" | tr ab AB)"
[ "$(node_of "$NS_C2")" = "$m" ] || fail "c2 not on node-$m"
for c in c1 c2; do
	ns=$NS_C1; [ $c = c2 ] && ns=$NS_C2
	ip netns exec "$ns" sh -c "ok=0 bad=0; while [ ! -e '$LAB_DIR/stop-curl' ] && [ \$((ok + bad)) -lt 600 ]; do
		if curl -s -m 5 -o /dev/null 'http://$LAB_NET/hello.txt'; then ok=\$((ok + 1)); else bad=\$((bad + 1)); fi
		sleep 0.1; done; echo \"\$ok \$bad\" >'$LAB_DIR/curl-$c'" &
	LAB_PIDS="$LAB_PIDS $!"
	eval "CURL_$c=$!"
done
sleep 1
C1_FROM=$(lab_log_next "$LAB_DIR/client-c1.log")
C2_FROM=$(lab_log_next "$LAB_DIR/client-c2.log")
out=$(ctl "$m" drain --kick) || fail "drain --kick"
[ "$(health "$ma")" = 503 ] || fail "healthz of a drained node: $(health "$ma")"
for c in c1 c2; do
	f=C1_FROM; ns=$NS_C1; [ $c = c2 ] && f=C2_FROM ns=$NS_C2
	LAB_LOG_FROM=${!f} lab_wait_log "$LAB_DIR/client-$c.log" "server draining \(4014\)" ||
		fail "$c not moved by drain --kick"
	LAB_LOG_FROM=${!f} lab_wait_log "$LAB_DIR/client-$c.log" "tunnel up" ||
		fail "$c not back after the drain"
	[ "$(node_of "$ns")" = "$n1" ] || fail "$c moved to $(node_of "$ns")"
done
sleep 1
touch "$LAB_DIR/stop-curl"
for c in c1 c2; do
	eval "wait \$CURL_$c"
	read -r good bad <"$LAB_DIR/curl-$c"
	echo "# $c curl loop during the move: $good ok, $bad failed"
	# In flight: the one open at the move, and one begun before the new
	# tunnel was up (the old source address is gone).
	[ "$good" -gt 0 ] && [ "$bad" -le 2 ] || fail "$c lost $bad requests in the move"
done
ctl "$m" undrain >/dev/null || fail "undrain"
[ "$(health "$ma")" = 200 ] || fail "healthz after undrain"
[ "$(metric "$ma" rvpn_handshakes_total result=ok)" -ge 2 ] || fail "node-$m handshakes"
ok "drain --kick node-$m: healthz 503, c1 and c2 moved to node-$n1 (4014), curl loops lost at most the request in flight; undrain: healthz 200"

# Several servers, no load balancer: c2 straight to both nodes.
lab_stop "$LAB_PID_c2" || fail "c2 did not stop cleanly"
lab_client_start "$NS_C2" c2 --server "ws://$A:8080/api/v1/ws" \
	--server "ws://$B:8080/api/v1/ws" --server-key "$LAB_SRV_PUB" \
	--key "$LAB_DIR/c2.key"
[ "$(node_of "$NS_C2")" = a ] || fail "c2 did not start on the first server"
C2_FROM=$(lab_log_next "$LAB_DIR/client-c2.log")
ctl a drain --kick >/dev/null || fail "drain a"
LAB_LOG_FROM=$C2_FROM lab_wait_log "$LAB_DIR/client-c2.log" \
	"next server: ws://$B:8080/api/v1/ws" || fail "c2 did not move to the next server"
LAB_LOG_FROM=$C2_FROM lab_wait_log "$LAB_DIR/client-c2.log" "tunnel up" ||
	fail "c2 not up on node-b"
[ "$(node_of "$NS_C2")" = b ] || fail "c2 on $(node_of "$NS_C2") after the drain"
tail -n +"$C2_FROM" "$LAB_DIR/client-c2.log" | grep -q "reconnecting in 0\.0 s" ||
	fail "c2 waited after 4014"
ctl a undrain >/dev/null
ok "--server node-a --server node-b: drain --kick of node-a moves c2 to node-b at once (next server, no backoff)"

lab_stop "$LAB_PID_c1" || fail "c1 did not stop cleanly"
lab_client_start "$NS_C1" c1 --server "wss://$LAB_SRV_C1:8443/api/v1/ws" \
	$(lab_client_args c1)
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-c1.log" \
	"next server: $LAB_URL1 " || fail "c1 did not move on from the dead server"
ok "a first --server that refuses connections: c1 moves to the next and comes up"
exit 0
