#!/bin/sh
# Limits before authentication (rvpn-server(8), LIMITS), driven by
# tests/lab/hostile.py from c1 while real clients use c2 (or c1 itself):
#  - per-source cap: 20 keep-alive HTTP connections from c1 with
#    max_pending_per_source = 8: 8 are taken, 12 refused at accept, one
#    rate-limited log line for them; c2's real client still connects, and
#    c1 is still at its cap afterwards (a 21st is refused).
#  - rate: handshake_rate_per_source = 5: a burst of 20 upgrades from c1
#    is mostly refused; a second later a real client from c1 connects.
#  - behind a trusted proxy the source is the X-Forwarded-For address:
#    6 from one forwarded address with a cap of 4 give 4, 2 refused;
#    another forwarded address through the same proxy gets its own 4; the
#    same on a dual-stack listener, where an IPv6 client counts by /64.
#  - deadlines: a slowloris at each phase (TCP only, partial ClientHello,
#    headers a byte a second, upgraded but silent, message 1 a byte a
#    second) is closed within its 5 s deadline (slack: 2 s, the server's
#    tick); a web client making a keep-alive request a second is not cut
#    (it stays pending, under the caps).
#  - global cap: max_pending_handshakes = 10 refuses the 11th pending
#    connection from any source.
#  - RSS per pending (upgraded, silent) connection: printed, not asserted.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
lab_up
SLOG=$LAB_DIR/server.log
SOCK=$LAB_DIR/server.sock

# A python expression over `rvpnctl stats -j` ("s").
stat() {
	"$RVPNCTL" -s "$SOCK" stats -j >"$LAB_DIR/stats.json" ||
		fail "rvpnctl stats -j failed"
	"$PY" -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$LAB_DIR/stats.json" "$1"
}

refusal_lines() {
	tail -n +"$LAB_SERVER_FROM" "$SLOG" |
		grep -c "WARN rvpn_server: refused [0-9]* connections before authentication"
}

# --- per-source cap
LAB_SERVER_EXTRA='max_pending_handshakes = 100
max_pending_per_source = 8
handshake_rate_per_source = 0' lab_server_config "$LAB_DIR/cap.toml"
lab_server_start "$LAB_DIR/cap.toml"
hostile "$NS_C1" cap --host "$LAB_SRV_C1" --mode keepalive --count 20 \
	--hold 30
set -- $(hostile_wait_ready cap)
[ "$1 $2" = "8 12" ] ||
	fail "20 from c1 with max_pending_per_source = 8: opened $1, refused $2"
ok "per source: 8 pending connections from c1 taken, 12 more refused"
lab_client_start "$NS_C2" c2 $(lab_client_args c2)
ok "a real client from c2 connects meanwhile"
hostile "$NS_C1" cap2 --host "$LAB_SRV_C1" --mode upgrade --count 1 --hold 0
set -- $(hostile_wait_ready cap2)
[ "$1 $2" = "0 1" ] || fail "c1 was not at its cap any more: $1 $2"
ok "c1 is still at its cap after c2 connected (the 21st is refused)"
[ "$(refusal_lines)" = 1 ] ||
	fail "refusals not logged once: $(grep 'refused' "$SLOG")"
ok "13 refusals, one log line: $(tail -n +"$LAB_SERVER_FROM" "$SLOG" | grep -o 'refused [0-9]* connections.*' | head -n 1)"
got=$(stat 's["preauth"]["pending"], s["preauth"]["max_pending_per_source"], s["preauth"]["max_pending_handshakes"], s["preauth"]["handshake_rate_per_source"], s["rss_kb"] > 0')
[ "$got" = "(8, 13, 0, 0, True)" ] ||
	fail "rvpnctl stats -j: (pending, per source, global, rate, rss) $got"
"$RVPNCTL" -s "$SOCK" stats | grep -Eq '^  over max_pending_per_source +13$' ||
	fail "rvpnctl stats: $("$RVPNCTL" -s "$SOCK" stats)"
ok "rvpnctl stats: 8 pending, 13 refused over max_pending_per_source, RSS shown"
lab_stop "$LAB_PID_c2" || fail "client c2 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"
lab_stop "$HOSTILE_cap"

# --- rate per source
LAB_SERVER_EXTRA='max_pending_per_source = 0
handshake_rate_per_source = 5' lab_server_config "$LAB_DIR/rate.toml"
lab_server_start "$LAB_DIR/rate.toml"
hostile "$NS_C1" rate --host "$LAB_SRV_C1" --mode upgrade --count 20 --hold 0
set -- $(hostile_wait_ready rate)
[ "$1" -ge 5 ] && [ "$2" -ge 10 ] ||
	fail "a burst of 20 at 5/s: opened $1, refused $2"
ok "rate 5/s: a burst of 20 from c1: $1 taken, $2 refused"
sleep 1.2	# the bucket refills (5 a second)
lab_client_start "$NS_C1" c1 $(lab_client_args c1)
ok "a second later a real client from c1 connects"
lab_stop "$LAB_PID_c1" || fail "client c1 did not stop cleanly"
lab_server_stop || fail "server did not stop cleanly"

# --- behind a trusted proxy: the source is the forwarded address
LAB_SERVER_EXTRA="trusted_proxies = [\"$LAB_C1\"]
max_pending_per_source = 4
handshake_rate_per_source = 0" lab_server_config "$LAB_DIR/proxy.toml"
lab_server_start "$LAB_DIR/proxy.toml"
hostile "$NS_C1" fwd1 --host "$LAB_SRV_C1" --mode upgrade --count 6 \
	--hold 0 --xff 198.18.5.1
set -- $(hostile_wait_ready fwd1)
[ "$1 $2" = "4 2" ] ||
	fail "6 forwarded for 198.18.5.1, cap 4: opened $1, refused $2"
hostile "$NS_C1" fwd2 --host "$LAB_SRV_C1" --mode upgrade --count 4 \
	--hold 0 --xff 198.18.5.2
set -- $(hostile_wait_ready fwd2)
[ "$1 $2" = "4 0" ] ||
	fail "4 forwarded for 198.18.5.2 next: opened $1, refused $2"
ok "behind a trusted proxy each X-Forwarded-For address has its own cap"
lab_server_stop || fail "server did not stop cleanly"

# The same on a dual-stack listener (the proxy arrives IPv4-mapped), with
# clients forwarded over IPv6: one source per /64.
sed 's/^bind_address = .*/bind_address = "[::]:443"/' "$LAB_DIR/proxy.toml" \
	>"$LAB_DIR/proxy6.toml"
lab_server_start "$LAB_DIR/proxy6.toml"
# (fwd3's connections stay open, up to the 5 s deadline, while fwd4 runs.)
hostile "$NS_C1" fwd3 --host "$LAB_SRV_C1" --mode upgrade --count 6 \
	--hold 10 --xff 2001:db8:5::1
set -- $(hostile_wait_ready fwd3)
[ "$1 $2" = "4 2" ] ||
	fail "dual stack, 6 forwarded for 2001:db8:5::1, cap 4: opened $1, refused $2"
hostile "$NS_C1" fwd4 --host "$LAB_SRV_C1" --mode upgrade --count 2 \
	--hold 0 --xff 2001:db8:5::2
set -- $(hostile_wait_ready fwd4)
[ "$1 $2" = "0 2" ] ||
	fail "dual stack, the same /64 (2001:db8:5::2): opened $1, refused $2"
hostile "$NS_C1" fwd5 --host "$LAB_SRV_C1" --mode upgrade --count 4 \
	--hold 0 --xff 198.18.5.2
set -- $(hostile_wait_ready fwd5)
[ "$1 $2" = "4 0" ] ||
	fail "dual stack, 4 forwarded for 198.18.5.2 next: opened $1, refused $2"
ok "dual-stack listener: the proxy is trusted IPv4-mapped; an IPv6 client's source is its /64"
lab_server_stop || fail "server did not stop cleanly"
lab_stop "$HOSTILE_fwd3"

# --- deadlines of each phase (defaults: 5 s each, 15 s in all)
lab_server_config "$LAB_DIR/deadline.toml"
lab_server_start "$LAB_DIR/deadline.toml"
for m in tcp tls http upgrade msg1 keepalive; do
	hostile "$NS_C1" "dl_$m" --host "$LAB_SRV_C1" --mode "$m" --count 2 \
		--hold 30
done
for m in tcp tls http upgrade msg1; do
	limit=7
	opened=$(hostile_result "dl_$m" opened)
	left=$(hostile_result "dl_$m" open)
	took=$(hostile_result "dl_$m" max_close)
	[ "$opened" = 2 ] && [ "$left" = 0 ] ||
		fail "slowloris $m: opened $opened, still open $left after 30 s"
	"$PY" -c "import sys; sys.exit(0 if $took <= $limit else 1)" ||
		fail "slowloris $m: closed after ${took}s, deadline ${limit}s"
	ok "slowloris at phase $m: closed after ${took}s (at most ${limit}s)"
done
[ "$(hostile_result dl_keepalive open)" = 2 ] ||
	fail "a keep-alive web client was cut: $(cat "$LAB_DIR/dl_keepalive.json")"
ok "a web client with a request a second is not cut in 30 s"
lab_server_stop || fail "server did not stop cleanly"

# --- global cap
LAB_SERVER_EXTRA='max_pending_handshakes = 10
max_pending_per_source = 0
handshake_rate_per_source = 0' lab_server_config "$LAB_DIR/global.toml"
lab_server_start "$LAB_DIR/global.toml"
hostile "$NS_C1" g1 --host "$LAB_SRV_C1" --mode keepalive --count 6 --hold 30
set -- $(hostile_wait_ready g1)
[ "$1 $2" = "6 0" ] || fail "6 from c1 under a global cap of 10: $1 $2"
hostile "$NS_C2" g2 --host "$LAB_SRV_C2" --mode keepalive --count 6 --hold 30
set -- $(hostile_wait_ready g2)
[ "$1 $2" = "4 2" ] || fail "6 more from c2, global cap 10: opened $1, refused $2"
ok "max_pending_handshakes = 10: 6 + 4 taken, the 11th and 12th refused"
lab_stop "$HOSTILE_g1"
lab_stop "$HOSTILE_g2"
# Their slots come back when they close (wait: the server sees the FINs).
lab_wait_cmd 10 sh -c "ip netns exec '$NS_C1' '$PY' '$LAB_HOSTILE' --host '$LAB_SRV_C1' --mode upgrade --count 10 --hold 0 | grep -q '\"opened\": 10,'" ||
	fail "slots not given back after the connections closed"
ok "closed pending connections give their slots back: 10 taken again"
lab_wait_cmd 10 sh -c "[ \"\$('$RVPNCTL' -s '$SOCK' stats -j | '$PY' -c 'import json, sys; print(json.load(sys.stdin)[\"preauth\"][\"pending\"])')\" = 0 ]" ||
	fail "pending connections left: $("$RVPNCTL" -s "$SOCK" stats)"
ok "once all are closed nothing is pending"
lab_server_stop || fail "server did not stop cleanly"

# --- RSS per pending connection (upgraded, silent): a figure, no check
LAB_SERVER_EXTRA='max_pending_handshakes = 0
max_pending_per_source = 0
handshake_rate_per_source = 0' lab_server_config "$LAB_DIR/rss.toml"
lab_server_start "$LAB_DIR/rss.toml"
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$LAB_SERVER_PID/status")
hostile "$NS_C1" rss --host "$LAB_SRV_C1" --mode upgrade --count 500 --hold 0
set -- $(hostile_wait_ready rss)
rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$LAB_SERVER_PID/status")
[ "$1" = 500 ] || fail "500 pending connections: opened $1, refused $2"
echo "# RSS: ${rss0} kB idle, ${rss1} kB with 500 pending upgraded connections: $(( (rss1 - rss0) * 1024 / 500 )) bytes each"
ok "RSS per pending connection measured"
lab_server_stop || fail "server did not stop cleanly"
exit 0
