#!/usr/bin/env bash
# relay-vs-ssh.sh [BUILD_DIR] -- rvpn relay mode (rvpn-client --socks)
# against OpenSSH dynamic forwarding (ssh -D), in one run, to the same web
# host, in the test lab's namespaces (tests/lab/lab.sh: c1 198.18.1.2 ---
# 198.18.1.1 srv 198.18.0.1 --- 198.18.0.2 net).  Both SOCKS5 proxies listen
# on c1's loopback; rvpn-server (relay-only, port 443) and sshd (port 2222,
# a throwaway host key and one authorized key, in a private mount namespace:
# the machine's own ssh configuration is never read or changed) run in srv;
# nginx serves the files from net.
#
# Measured, interleaved rvpn/ssh in each of REPS repetitions:
#   1 stream    curl through the proxy, one SIZE_MB file
#   4 streams   4 curls at once, the same file each (4 x SIZE_MB)
#   CPU s/GB    utime+stime (/proc/PID/stat) of each end's process tree
#               (rvpn-server / rvpn-client; sshd's processes / ssh) over the
#               bytes downloaded, per end
#   TTFB        TTFB_N sequential short requests (curl %{time_starttransfer},
#               a new proxied connection each), p50 and p99
#
#   BUILD_DIR / RVPN_BUILD   build with src/rvpn-{server,client} (default
#                            <repo>/_b; an -O2 build, not a sanitizer build)
#   SIZE_MB (200) REPS (3) TTFB_N (100)   the sizes
#   SSHD      the sshd binary (default: sshd on PATH or /usr/sbin/sshd);
#   INSTALL=1 without one: apt-get download openssh-server and libwrap0
#             and unpack them under SSHD_CACHE (default /tmp/rvpn-bench-sshd)
#             -- nothing is installed, no service starts
#   BENCH_OUT results directory (default /tmp/rvpn-bench-relay); the table
#             goes to stdout and to $BENCH_OUT/<ts>/table.md
# Needs root (namespaces), curl, nginx, ssh, ssh-keygen, ps.  Everything it
# starts is stopped and the namespaces removed on exit (lab.sh's trap).
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RVPN_BUILD=${1:-${RVPN_BUILD:-$repo/_b}}
RVPN_BUILD=$(cd "$RVPN_BUILD" 2>/dev/null && pwd) ||
    { echo "relay-vs-ssh.sh: no build directory ${1:-${RVPN_BUILD:-}}" >&2; exit 1; }
SIZE_MB=${SIZE_MB:-200}
REPS=${REPS:-3}
TTFB_N=${TTFB_N:-100}
SSHD_CACHE=${SSHD_CACHE:-/tmp/rvpn-bench-sshd}
BENCH_OUT=${BENCH_OUT:-/tmp/rvpn-bench-relay}
RVPN_SERVER=$RVPN_BUILD/src/rvpn-server
RVPN_CLIENT=$RVPN_BUILD/src/rvpn-client
export RVPN_SERVER RVPN_CLIENT
if grep -q -- '-fsanitize' "$RVPN_BUILD/config.log" 2>/dev/null; then
	echo "relay-vs-ssh.sh: warning: $RVPN_BUILD looks like a sanitizer build" >&2
fi
for t in curl nginx ssh ssh-keygen; do
	command -v "$t" >/dev/null 2>&1 ||
	    { echo "relay-vs-ssh.sh: $t not installed" >&2; exit 1; }
done

# sshd: on the system, or unpacked (INSTALL=1) without installing.
SSHD=${SSHD:-$(command -v sshd 2>/dev/null || true)}
[ -z "$SSHD" ] && [ -x /usr/sbin/sshd ] && SSHD=/usr/sbin/sshd
SSHD_LIBS=
if [ -z "$SSHD" ] && [ -x "$SSHD_CACHE/root/usr/sbin/sshd" ]; then
	SSHD=$SSHD_CACHE/root/usr/sbin/sshd
elif [ -z "$SSHD" ] && [ "${INSTALL:-0}" = 1 ]; then
	mkdir -p "$SSHD_CACHE" && (cd "$SSHD_CACHE" &&
	    apt-get download openssh-server libwrap0 >/dev/null 2>&1 &&
	    for d in ./*.deb; do dpkg -x "$d" root || exit 1; done) ||
	    { echo "relay-vs-ssh.sh: cannot download openssh-server" >&2; exit 1; }
	SSHD=$SSHD_CACHE/root/usr/sbin/sshd
fi
[ -n "$SSHD" ] && [ -x "$SSHD" ] ||
    { echo "relay-vs-ssh.sh: no sshd (INSTALL=1 unpacks one)" >&2; exit 1; }
case $SSHD in
$SSHD_CACHE/*) SSHD_LIBS=$SSHD_CACHE/root/usr/lib/x86_64-linux-gnu:$SSHD_CACHE/root/lib/x86_64-linux-gnu ;;
esac

top_srcdir=$repo
top_builddir=$RVPN_BUILD
. "$repo/tests/lab/lab.sh"
lab_init "$RVPN_CLIENT"
lab_up
TS=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH_OUT/$TS
mkdir -p "$OUT" || fail "mkdir $OUT"
echo "RVPN_BUILD=$RVPN_BUILD SIZE_MB=$SIZE_MB REPS=$REPS TTFB_N=$TTFB_N SSHD=$SSHD $0" \
	>"$OUT/command.txt"
WEB=$LAB_NET:8080
HZ=$(getconf CLK_TCK)

# nginx on the net host: the test file and a short one.
NGX=$LAB_DIR/nginx
mkdir -p "$NGX/www" "$NGX/tmp"
head -c $((SIZE_MB * 1048576)) /dev/urandom >"$NGX/www/big.bin"
echo "$LAB_TOKEN" >"$NGX/www/small.txt"
cat >"$NGX/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
user root;
pid $NGX/nginx.pid;
error_log $NGX/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	client_body_temp_path $NGX/tmp;
	proxy_temp_path $NGX/tmp;
	fastcgi_temp_path $NGX/tmp;
	uwsgi_temp_path $NGX/tmp;
	scgi_temp_path $NGX/tmp;
	server {
		listen $WEB;
		root $NGX/www;
	}
}
EOF
ip netns exec "$NS_NET" nginx -c "$NGX/nginx.conf" -p "$NGX" \
	>"$NGX/stderr.log" 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_NET" curl -sf -o /dev/null \
	"http://$WEB/small.txt" || fail "nginx did not start: $(cat "$NGX/stderr.log")"

# rvpn: relay-only server, client --socks 127.0.0.1:1080.
S=$LAB_DIR/srv
mkdir -p "$S"
lab_clients_file "$S/clients.toml" c1
cat >"$S/server.toml" <<EOF
[server]
bind_address = "0.0.0.0:443"
tls_cert_file = "$LAB_DIR/server.crt"
tls_key_file = "$LAB_DIR/server.key"
identity_key_file = "$LAB_DIR/server_identity.key"
pid_file = "$S/server.pid"
control_socket = "$S/server.sock"
authorized_clients_file = "$S/clients.toml"
EOF
LAB_SERVER_FROM=$(lab_log_next "$LAB_DIR/server.log")
ip netns exec "$NS_SRV" "$RVPN_SERVER" -f -c "$S/server.toml" \
	>>"$LAB_DIR/server.log" 2>&1 &
LAB_SERVER_PID=$!
LAB_PIDS="$LAB_PIDS $LAB_SERVER_PID"
LAB_RVPN_PIDS="$LAB_RVPN_PIDS $LAB_SERVER_PID"
lab_server_wait_listen
lab_client_spawn "$NS_C1" r1 $(lab_client_args c1) --socks 127.0.0.1:1080
RC=$LAB_CLIENT_PID
LAB_LOG_FROM=$LAB_CLIENT_FROM lab_wait_log "$LAB_DIR/client-r1.log" \
	"relay session up" "$LAB_TIMEOUT" "$RC" || fail "rvpn relay session not up"

# sshd in srv: its own mount namespace, where /run is a private tmpfs
# (privilege separation directory /run/sshd) and /etc/passwd a copy with
# the "sshd" user; root logs in with the one authorized key.
D=$LAB_DIR/ssh
mkdir -p "$D"
ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey" || fail "ssh-keygen host"
ssh-keygen -q -t ed25519 -N '' -f "$D/id" || fail "ssh-keygen client"
cp "$D/id.pub" "$D/authorized_keys"
echo "[$LAB_SRV_C1]:2222 $(cat "$D/hostkey.pub")" >"$D/known_hosts"
{ cat /etc/passwd; getent passwd sshd >/dev/null ||
    echo "sshd:x:65534:65534::/run/sshd:/usr/sbin/nologin"; } >"$D/passwd"
cat >"$D/sshd_config" <<EOF
Port 2222
ListenAddress $LAB_SRV_C1
HostKey $D/hostkey
PidFile $D/sshd.pid
AuthorizedKeysFile $D/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
UseDNS no
EOF
ip netns exec "$NS_SRV" unshare -m --propagation private sh -c '
	mount -t tmpfs -o mode=755 rvpn-bench /run &&
	mkdir -m 755 /run/sshd &&
	mount --bind "$1/passwd" /etc/passwd &&
	LD_LIBRARY_PATH=$3 exec "$2" -D -e -f "$1/sshd_config"' sh \
	"$D" "$SSHD" "$SSHD_LIBS" >"$D/sshd.log" 2>&1 &
SSHD_PID=$!
LAB_PIDS="$LAB_PIDS $SSHD_PID"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_SRV" sh -c "ss -ltn | grep -q ':2222 '" ||
	fail "sshd did not start: $(cat "$D/sshd.log")"
ip netns exec "$NS_C1" ssh -F none -N -T -D 127.0.0.1:1081 -p 2222 \
	-i "$D/id" -o UserKnownHostsFile="$D/known_hosts" \
	-o StrictHostKeyChecking=yes -o BatchMode=yes \
	-o ExitOnForwardFailure=yes -o ServerAliveInterval=0 \
	"root@$LAB_SRV_C1" </dev/null >"$D/ssh.log" 2>&1 &
SSH_PID=$!
LAB_PIDS="$LAB_PIDS $SSH_PID"
lab_wait_cmd "$LAB_TIMEOUT" nsx "$NS_C1" sh -c "ss -ltn | grep -q '127.0.0.1:1081 '" ||
	fail "ssh -D did not start: $(cat "$D/ssh.log") $(cat "$D/sshd.log")"

# The proxies work and serve the same bytes.
for port in 1080 1081; do
	body=$(nsx "$NS_C1" curl -sS --max-time 10 --socks5 "127.0.0.1:$port" \
		"http://$WEB/small.txt") || fail "curl via $port"
	[ "$body" = "$LAB_TOKEN" ] || fail "via $port: '$body'"
done
ssh_cipher=$(nsx "$NS_C1" ssh -F none -G -T -p 2222 "root@$LAB_SRV_C1" |
	awk '$1 == "ciphers" { split($2, c, ","); print c[1] }')

# Processes of a tree (PID and its descendants).
tree() {
	local p c
	for p in "$@"; do
		echo "$p"
		for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
			tree "$c"
		done
	done
}
# utime+stime of the trees, in clock ticks (exited children not counted:
# every process measured lives through the whole run).
ticks() {
	local t=0 p s
	for p in $(tree "$@"); do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		s=${s##*) }
		set -- $s
		t=$((t + ${12} + ${13}))
	done
	echo "$t"
}
SRV_RVPN=$LAB_SERVER_PID
CLI_RVPN=$RC

# dl TOOL PORT STREAMS: one measurement; appends to results.txt
#   TOOL streams bytes seconds server_ticks client_ticks
dl() {
	local tool=$1 port=$2 n=$3 sp cp s0 c0 s1 c1 t0 t1 i pids= bytes=0 b
	if [ "$tool" = rvpn ]; then sp=$SRV_RVPN cp=$CLI_RVPN
	else sp=$SSHD_PID cp=$SSH_PID; fi
	s0=$(ticks "$sp") c0=$(ticks "$cp")
	t0=$(date +%s.%N)
	for i in $(seq 1 "$n"); do
		nsx "$NS_C1" curl -sS --max-time 120 --socks5 "127.0.0.1:$port" \
			-o /dev/null -w '%{size_download}\n' \
			"http://$WEB/big.bin" >"$LAB_DIR/dl.$i" &
		pids="$pids $!"
	done
	for i in $pids; do wait "$i" || fail "$tool: a download failed"; done
	t1=$(date +%s.%N)
	s1=$(ticks "$sp") c1=$(ticks "$cp")
	for i in $(seq 1 "$n"); do
		b=$(cat "$LAB_DIR/dl.$i")
		[ "$b" = $((SIZE_MB * 1048576)) ] || fail "$tool: $b bytes"
		bytes=$((bytes + b))
	done
	echo "$tool $n $bytes $(awk "BEGIN { print $t1 - $t0 }") $((s1 - s0)) $((c1 - c0))" \
		>>"$OUT/results.txt"
}

: >"$OUT/results.txt"
for r in $(seq 1 "$REPS"); do
	for n in 1 4; do
		dl rvpn 1080 "$n"
		dl ssh 1081 "$n"
	done
done

# Time to first byte, interleaved in blocks of 10.
: >"$OUT/ttfb-rvpn.txt"
: >"$OUT/ttfb-ssh.txt"
for b in $(seq 1 $(((TTFB_N + 9) / 10))); do
	for tp in rvpn:1080 ssh:1081; do
		for i in $(seq 1 10); do
			nsx "$NS_C1" curl -sS --max-time 10 --socks5 \
				"127.0.0.1:${tp#*:}" -o /dev/null \
				-w '%{time_starttransfer}\n' \
				"http://$WEB/small.txt" >>"$OUT/ttfb-${tp%%:*}.txt" ||
				fail "${tp%%:*}: a short request failed"
		done
	done
done

python3 - "$OUT" "$HZ" "$TTFB_N" "$SIZE_MB" "$REPS" "$ssh_cipher" <<'EOF' | tee "$OUT/table.md"
import statistics as st, sys
out, hz, n, size, reps, cipher = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
rows = [l.split() for l in open(out + "/results.txt")]
def agg(tool, k):
    r = [x for x in rows if x[0] == tool and int(x[1]) == k]
    mbs = [int(x[2]) / float(x[3]) / 1e6 for x in r]
    gb = sum(int(x[2]) for x in r) / 1e9
    srv = sum(int(x[4]) for x in r) / hz / gb
    cli = sum(int(x[5]) for x in r) / hz / gb
    return st.median(mbs), min(mbs), max(mbs), srv, cli
def ttfb(tool):
    v = sorted(float(x) * 1000 for x in open("%s/ttfb-%s.txt" % (out, tool)))
    return v[len(v) // 2], v[min(len(v) - 1, int(len(v) * 0.99))], len(v)
print("%s MB file, %s repetitions (median MB/s, range), CPU s/GB over all "
      "repetitions; ssh cipher %s\n" % (size, reps, cipher))
print("| measure | rvpn relay | ssh -D | rvpn / ssh |")
print("|---|---|---|---|")
for k in (1, 4):
    a, b = agg("rvpn", k), agg("ssh", k)
    print("| %d stream%s, MB/s | %.0f (%.0f-%.0f) | %.0f (%.0f-%.0f) | %.2f |" %
          (k, "s" if k > 1 else "", a[0], a[1], a[2], b[0], b[1], b[2], a[0] / b[0]))
    print("| %d stream%s, server CPU s/GB | %.2f | %.2f | %.2f |" %
          (k, "s" if k > 1 else "", a[3], b[3], a[3] / b[3]))
    print("| %d stream%s, client CPU s/GB | %.2f | %.2f | %.2f |" %
          (k, "s" if k > 1 else "", a[4], b[4], a[4] / b[4]))
a, b = ttfb("rvpn"), ttfb("ssh")
print("| TTFB p50, ms (%d requests) | %.2f | %.2f | %.2f |" % (a[2], a[0], b[0], a[0] / b[0]))
print("| TTFB p99, ms | %.2f | %.2f | %.2f |" % (a[1], b[1], a[1] / b[1]))
EOF
echo "results: $OUT" >&2
lab_stop "$RC" || fail "rvpn-client did not stop cleanly"
exit 0
