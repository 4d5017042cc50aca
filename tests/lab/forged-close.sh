#!/bin/sh
# Nothing unauthenticated ends the client.  A fake server (anyone on the
# path: fake-close.py) upgrades with rvpn.v1 and sends a bare close 4001
# (unknown key: "88 02 0f a1"): over unverified TLS (--insecure) and over
# ws:// the client logs it and keeps retrying with backoff (still running
# after 10 s, several attempts).  The same frame over TLS verified
# against the CA (--ca) is the server's word: exit 1.  And a refusal
# inside the Noise session still ends an --insecure client: rvpnctl kick
# (4008) makes it exit 1.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
RVPNCTL=${RVPNCTL:-$top_builddir/src/rvpnctl}
lab_init "$RVPN_CLIENT" "$RVPNCTL"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_up
FAKE=$top_srcdir/tests/lab/fake-close.py
ns=$NS_C1
key="--server-key $LAB_SRV_PUB --key $LAB_DIR/c1.key"

# fake_start PORT [tls]: the fake server in rvt-srv on 198.18.1.1.
fake_start() {
	local port=$1 tls=${2:-}
	# Both emptied here: the child truncates fake.out only once it runs,
	# and the last fake server's "listening" must not count.
	: >"$LAB_DIR/fake.log"
	: >"$LAB_DIR/fake.out"
	if [ -n "$tls" ]; then
		ip netns exec "$NS_SRV" python3 "$FAKE" "$LAB_SRV_C1" "$port" 4001 \
			"$LAB_DIR/fake.log" "$LAB_DIR/server.crt" "$LAB_DIR/server.key" \
			>"$LAB_DIR/fake.out" 2>&1 &
	else
		ip netns exec "$NS_SRV" python3 "$FAKE" "$LAB_SRV_C1" "$port" 4001 \
			"$LAB_DIR/fake.log" >"$LAB_DIR/fake.out" 2>&1 &
	fi
	FAKE_PID=$!
	LAB_PIDS="$LAB_PIDS $FAKE_PID"
	lab_wait_cmd "$LAB_TIMEOUT" grep -q listening "$LAB_DIR/fake.out" ||
		fail "fake server did not start"
}
fake_stop() {
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
}

# still_retrying NAME URL ARGS...: running after 10 s, >= 2 closes seen.
still_retrying() {
	local name=$1 url=$2 pid
	shift 2
	lab_client_spawn "$ns" "$name" --server "$url" "$@"
	pid=$LAB_CLIENT_PID
	lab_wait_log "$LAB_DIR/client-$name.log" "not authenticated" \
		"$LAB_TIMEOUT" "$pid" || fail "$name: the close was not seen"
	sleep 10
	kill -0 "$pid" 2>/dev/null || fail "$name: a forged close 4001 ended the client"
	[ "$(grep -c 'close 4001' "$LAB_DIR/fake.log")" -ge 2 ] ||
		fail "$name: not retrying: $(cat "$LAB_DIR/fake.log")"
	grep -q "server closed the connection: unknown key (4001), not authenticated" \
		"$LAB_DIR/client-$name.log" || fail "$name: no 'not authenticated' line"
	grep -q "reconnecting in" "$LAB_DIR/client-$name.log" || fail "$name: no backoff"
	lab_stop "$pid" || fail "$name: did not stop cleanly"
}

fake_start 443 tls
# shellcheck disable=SC2086
still_retrying insecure "$LAB_URL1" $key --insecure
ok "--insecure: forged close 4001 logged, still retrying after 10 s"

# Verified TLS: the close frame is the server's; 4001 ends the client.
# shellcheck disable=SC2086
lab_client_spawn "$ns" verified --server "$LAB_URL1" $key --ca "$LAB_DIR/ca.crt"
pid=$LAB_CLIENT_PID
lab_wait_exit "$pid" || fail "verified TLS: 4001 did not end the client"
wait "$pid"
rc=$?
[ "$rc" = 1 ] || fail "verified TLS: exit $rc, want 1"
grep -q "server refused: unknown client key (4001)" "$LAB_DIR/client-verified.log" ||
	fail "verified TLS: no refusal message"
ok "verified TLS: close 4001 ends the client (exit 1)"
fake_stop

fake_start 80
# shellcheck disable=SC2086
still_retrying plain "ws://$LAB_SRV_C1/api/v1/ws" $key
ok "ws://: forged close 4001 logged, still retrying after 10 s"
fake_stop

# A refusal inside the Noise session ends an --insecure client.
lab_server_config "$LAB_DIR/server.toml"
lab_server_start "$LAB_DIR/server.toml"
# shellcheck disable=SC2086
lab_client_start "$ns" kicked --server "$LAB_URL1" $key --insecure
pid=$LAB_CLIENT_PID
a1=$(lab_tun_addr "$ns")
"$RVPNCTL" -s "$LAB_DIR/server.sock" kick "$a1" >/dev/null || fail "kick"
lab_wait_exit "$pid" || fail "kicked --insecure client kept running"
wait "$pid"
rc=$?
[ "$rc" = 1 ] || fail "kicked --insecure client: exit $rc, want 1"
grep -q "server closed: kicked by the administrator (4008)" \
	"$LAB_DIR/client-kicked.log" || fail "no kicked message"
ok "--insecure: an authenticated refusal (kick, 4008) still ends the client"
lab_server_stop || fail "server stop"
exit 0
