#!/usr/bin/env bash
# run-peers.sh [BUILD_DIR] -- rvpn next to OpenVPN and ocserv, in one run of
# the shared peer benchmark (../shared/bench/run.sh: private namespaces
# rb-cli/rb-srv/rb-net, interleaved repetitions), then a ratio table.
# Builds nothing. Needs root and the peers (INSTALL=1 apt-gets them).
#
#   BUILD_DIR / RVPN_BUILD  build dir with src/rvpn-{server,client}, src/rvpnctl
#                           (default: <repo>/_ci/release; use an -O2 build,
#                           never a sanitizer build)
#   BENCH_SHARED            the harness (default: <repo>/../shared/bench)
#   REPS IPERF_TIME PING_COUNT STREAMS BENCH_OUT INSTALL   passed to run.sh
#   TESTS                   the tests, space-separated (default: baseline rvpn
#                           and both ciphers of OpenVPN and ocserv; e.g.
#                           TESTS="baseline rvpn openvpn:AES-256-GCM
#                           ocserv:AES-256-GCM" for a shorter run)
#
# Output: run.sh's $BENCH_OUT/<ts>/ (results.txt, table.md, env.txt, logs/)
# plus ratios.md and command.txt there; the table and the ratios go to stdout.
# Ratios are rvpn / peer of the means over the repetitions, with the range of
# the per-repetition ratios (repetition R of rvpn against repetition R of the
# peer) in brackets. Throughput: > 1 is rvpn faster. RTT, CPU s/GB: < 1 is
# rvpn cheaper.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RVPN_BUILD=${1:-${RVPN_BUILD:-$repo/_ci/release}}
RVPN_BUILD=$(cd "$RVPN_BUILD" 2>/dev/null && pwd) ||
    { echo "run-peers.sh: no build directory ${1:-${RVPN_BUILD:-}}" >&2; exit 1; }
export RVPN_BUILD
shared=${BENCH_SHARED:-$repo/../shared/bench}
shared=$(cd "$shared" 2>/dev/null && pwd) ||
    { echo "run-peers.sh: no harness in ${BENCH_SHARED:-$repo/../shared/bench}" >&2; exit 1; }
for p in rvpn-server rvpn-client rvpnctl; do
	[[ -x $RVPN_BUILD/src/$p ]] ||
	    { echo "run-peers.sh: $RVPN_BUILD/src/$p missing (build it first)" >&2; exit 1; }
done
if grep -q -- '-fsanitize' "$RVPN_BUILD/config.log" 2>/dev/null; then
	echo "run-peers.sh: warning: $RVPN_BUILD looks like a sanitizer build" >&2
fi

if [[ -n ${TESTS:-} ]]; then
	read -r -a tests <<<"$TESTS"
else
	tests=(baseline rvpn openvpn:AES-256-GCM openvpn:CHACHA20-POLY1305
	    ocserv:AES-256-GCM ocserv:CHACHA20-POLY1305)
fi
cmd="BENCH_PEERS_D=$repo/bench/peers.d RVPN_BUILD=$RVPN_BUILD REPS=${REPS:-2} IPERF_TIME=${IPERF_TIME:-10} $shared/run.sh ${tests[*]}"
log=$(mktemp /tmp/run-peers.XXXXXX)
trap 'rm -f "$log"' EXIT

echo "+ $cmd"
BENCH_PEERS_D=$repo/bench/peers.d REPS=${REPS:-2} IPERF_TIME=${IPERF_TIME:-10} \
    "$shared/run.sh" "${tests[@]}" 2>&1 | tee "$log"
rc=$?
out=$(sed -n 's/^results in //p' "$log" | tail -n 1)
if [[ -z $out || ! -s $out/results.txt ]]; then
	echo "run-peers.sh: run.sh produced no results (exit $rc)" >&2
	exit 1
fi
{
	echo "$cmd"
	echo "rvpn build: $RVPN_BUILD ($("$RVPN_BUILD/src/rvpn-server" -V 2>&1 | head -n 1))"
	echo "run.sh exit: $rc"
} >"$out/command.txt"

python3 - "$out/results.txt" >"$out/ratios.md" <<'EOF'
import math, sys
from collections import defaultdict

RVPN = "rvpn-wss"
# The peers of this run, of these: AES-256-GCM first (the issue's comparison).
ALL_PEERS = [("openvpn-tcp-aes256gcm", "OpenVPN AES-256-GCM"),
             ("ocserv-cstp-aes256gcm", "ocserv AES-256-GCM"),
             ("openvpn-tcp-chacha20poly1305", "OpenVPN ChaCha20"),
             ("ocserv-cstp-chacha20poly1305", "ocserv ChaCha20")]
METRICS = [("tcp_up_P1_mbps", "up 1 stream Mbit/s", "higher"),
           ("tcp_up_P4_mbps", "up 4 streams Mbit/s", "higher"),
           ("tcp_down_P1_mbps", "down 1 stream Mbit/s", "higher"),
           ("tcp_down_P4_mbps", "down 4 streams Mbit/s", "higher"),
           ("rtt_median_ms", "RTT median ms", "lower"),
           ("tcp_up_P1_srv_cpu_s_per_gb", "srv CPU s/GB up 1", "lower"),
           ("tcp_up_P4_srv_cpu_s_per_gb", "srv CPU s/GB up 4", "lower"),
           ("tcp_down_P1_srv_cpu_s_per_gb", "srv CPU s/GB down 1", "lower"),
           ("tcp_down_P4_srv_cpu_s_per_gb", "srv CPU s/GB down 4", "lower"),
           ("tcp_up_P1_cli_cpu_s_per_gb", "cli CPU s/GB up 1", "lower"),
           ("tcp_down_P1_cli_cpu_s_per_gb", "cli CPU s/GB down 1", "lower"),
           ("tcp_up_P1_retrans", "retransmits up 1", "lower"),
           ("tcp_down_P1_retrans", "retransmits down 1", "lower")]

val = defaultdict(dict)    # (name, metric) -> {rep: value}
for line in open(sys.argv[1]):
    f = line.split()
    if not f or f[0] != "RESULT":
        continue
    kv = dict(x.split("=", 1) for x in f[1:])
    try:
        v = float(kv["value"])
    except ValueError:
        continue
    if math.isnan(v):
        continue
    val[kv["name"], kv["metric"]][kv["rep"]] = v

names = {k[0] for k in val}
PEERS = [p for p in ALL_PEERS if p[0] in names]

def fmt(x):
    return "%.0f" % x if x >= 100 else "%.1f" % x if x >= 10 else "%.3g" % x

def mean(d):
    return sum(d.values()) / len(d) if d else None

print("| " + " | ".join(["metric", "better", "rvpn"] +
      ["%s | rvpn / %s" % (label, label) for _, label in PEERS]) + " |")
print("|---|---|---|" + "---|---|" * len(PEERS))
measured = {k[1] for k in val}
for m, label, better in METRICS:
    if m not in measured:
        continue	# not in this run (e.g. STREAMS=1)
    r = val[RVPN, m]
    row = ["%s | %s | %s" % (label, better, fmt(mean(r)) if r else "FAIL")]
    for peer, _ in PEERS:
        p = val[peer, m]
        if not p:
            row.append("FAIL | -")
            continue
        if not r or mean(p) == 0:
            row.append("%s | -" % fmt(mean(p)))
            continue
        ratio = "%.2f" % (mean(r) / mean(p))
        per = [r[k] / p[k] for k in sorted(r) if k in p and p[k]]
        if len(per) > 1:
            ratio += " [%.2f-%.2f]" % (min(per), max(per))
        row.append("%s | %s" % (fmt(mean(p)), ratio))
    print("| " + " | ".join(row) + " |")
EOF

echo
echo "## Results ($out/table.md)"
cat "$out/table.md"
echo
echo "## Ratios ($out/ratios.md)"
cat "$out/ratios.md"
exit "$rc"
