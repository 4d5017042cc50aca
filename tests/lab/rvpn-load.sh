#!/bin/sh
# bench/rvpn-load against a real server, so the load generator keeps
# working: 20 protocol-level sessions at 50/s sending 20 packets/s each
# all come up, and the server counts every packet sent (none dropped);
# with the wrong server key every session fails with close code 4000
# (bad handshake) and the report says so; the rate limit's refusals show
# as connect errors (-1); --inflight 2 still brings 20 up; UDP from the
# server's side toward 5 sessions (bench/udp-blast.py) shows in the
# report's per-session receive figures, every session getting some.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
LOAD=${RVPN_LOAD:-$top_builddir/bench/rvpn-load}
lab_init "$LOAD"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
lab_up
SOCK=$LAB_DIR/server.sock

# load NAME ARGS...: run rvpn-load --json from c1; JSON in NAME.json.
load() {
	local name=$1
	shift
	nsx "$NS_C1" "$LOAD" --server "$LAB_URL1" --ca "$LAB_DIR/ca.crt" \
		--control "$SOCK" --json "$@" >"$LAB_DIR/$name.json" \
		2>"$LAB_DIR/$name.err" || fail "rvpn-load $name: $(cat "$LAB_DIR/$name.err")"
}

# field NAME EXPR: a python expression over NAME's report ("r").
field() {
	"$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$LAB_DIR/$1.json" "$2" ||
		fail "report $1: $(cat "$LAB_DIR/$1.json")"
}

LAB_SERVER_EXTRA='handshake_rate_per_source = 0
max_pending_per_source = 0' lab_server_config "$LAB_DIR/s.toml"
lab_server_start "$LAB_DIR/s.toml"
load ok --server-key "$LAB_SRV_PUB" --sessions 20 --rate 50 --duration 3 \
	--traffic 20
got=$(field ok 'r["up"], r["up_at_end"], r["failed"], r["tx_packets"] > 0, r["tx_packets"] == r["server"]["rx_packets"], r["server"]["drops"]')
[ "$got" = "(20, 20, 0, True, True, 0)" ] ||
	fail "20 sessions (up, at end, failed, sent, server got all, drops): $got: $(cat "$LAB_DIR/ok.json")"
ok "20 sessions up, $(field ok 'r["tx_packets"]') packets all counted by the server, p99 $(field ok 'r["latency_ms"]["p99"]') ms"

load badkey --server-key "$(cat "$LAB_DIR/c2.pub")" --sessions 5 --rate 50 \
	--duration 2
got=$(field badkey 'r["up"], r["failed"], r["failures"]')
[ "$got" = "(0, 5, [{'code': 4000, 'count': 5}])" ] ||
	fail "wrong server key: (up, failed, failures) $got"
ok "wrong server key: 5 failures with close code 4000"

load inflight --server-key "$LAB_SRV_PUB" --sessions 20 --rate 1000 \
	--inflight 2 --duration 3
got=$(field inflight 'r["up"], r["failed"]')
[ "$got" = "(20, 0)" ] || fail "--inflight 2: (up, failed) $got"
ok "--inflight 2: 20 sessions up, none failed"

# Traffic toward the sessions: the pool hands out 10.200.0.2 onwards.
nsx "$NS_SRV" "$PY" "$top_srcdir/bench/udp-blast.py" -r 4 10.200.0.2 5 6 \
	>"$LAB_DIR/blast.out" 2>&1 &
blast=$!
LAB_PIDS="$LAB_PIDS $blast"
load pull --server-key "$LAB_SRV_PUB" --sessions 5 --rate 50 --duration 4
wait "$blast" || fail "udp-blast: $(cat "$LAB_DIR/blast.out")"
got=$(field pull 'r["rx_per_session"]["sessions"], r["rx_per_session"]["min_bytes"] > 0, r["rx_per_session"]["max_dev_pct"] < 100')
[ "$got" = "(5, True, True)" ] ||
	fail "per-session receive (sessions, each got some, deviation): $got: $(cat "$LAB_DIR/pull.json")"
ok "5 sessions pulling: $(field pull 'round(r["rx_per_session"]["mean_bytes"])') bytes each on average, largest deviation $(field pull 'r["rx_per_session"]["max_dev_pct"]') %"
lab_server_stop || fail "server did not stop cleanly"

LAB_SERVER_EXTRA='handshake_rate_per_source = 5
max_pending_per_source = 0' lab_server_config "$LAB_DIR/rate.toml"
lab_server_start "$LAB_DIR/rate.toml"
load rate --server-key "$LAB_SRV_PUB" --sessions 20 --rate 1000 --duration 2
got=$(field rate 'r["up"] >= 5, r["up"] + r["failed"], [f["code"] for f in r["failures"]]')
[ "$got" = "(True, 20, [-1])" ] ||
	fail "burst at 5/s per source: $got: $(cat "$LAB_DIR/rate.json")"
ok "a burst of 20 at handshake_rate_per_source = 5: $(field rate 'r["up"]') up, the rest refused at connect"
lab_server_stop || fail "server did not stop cleanly"
exit 0
