# server: file lists (owned by the server area)
sbin_PROGRAMS += src/rvpn-server
src_rvpn_server_SOURCES = src/server/server.c src/server/server-ws.c \
	src/server/server-preauth.c \
	src/server/server-session.c src/server/server-data.c \
	src/server/server-relay.c src/server/server-tun.c \
	src/server/server-nat.c src/server/server.h \
	src/server/server-control.c src/server/server-decoy.c \
	src/server/server-decoy-up.c src/server/server-decoy.h \
	src/server/server-admin.c src/server/server-proxy.c
lib_librvpn_a_SOURCES += lib/proc.c lib/proc.h lib/proxyv2.c lib/proxyv2.h
check_PROGRAMS += tests/unit/test-proxyv2
tests_unit_test_proxyv2_SOURCES = tests/unit/test-proxyv2.c
tests_unit_test_proxyv2_LDADD = $(RVPN_LIBS)
TESTS += tests/unit/test-proxyv2
src_rvpn_server_LDADD = $(RVPN_LIBS)
dist_man_MANS += man/rvpn-server.8

# The CLI without root; its startup part and the e2e tests need root and
# network namespaces (tests/lab/lab.sh builds them) and skip (77) without.
TESTS += tests/server-cli.sh
TESTS += tests/lab/tunnel.sh tests/lab/two-clients.sh \
	tests/lab/forged-source.sh tests/lab/unknown-key.sh tests/lab/pool.sh \
	tests/lab/restart.sh tests/lab/cleanup.sh tests/lab/http.sh \
	tests/lab/replace.sh tests/lab/reload.sh tests/lab/privdrop.sh \
	tests/lab/proxy.sh tests/lab/timeouts.sh tests/lab/chroot.sh \
	tests/lab/queue.sh tests/lab/crash-server.sh tests/lab/nft-forward.sh \
	tests/lab/units.sh tests/lab/runstate.sh tests/lab/noroot.sh \
	tests/lab/systemd.sh tests/lab/relay.sh
EXTRA_DIST += tests/lab/relay.sh tests/lab/socks.py
# Relay mode: RFC 1929 login on the SOCKS5 listener, a 100 MB download.
TESTS += tests/lab/relay-auth.sh
EXTRA_DIST += tests/lab/relay-auth.sh
# trusted_proxies over IPv6, and its reload.
TESTS += tests/lab/proxy6.sh
EXTRA_DIST += tests/lab/proxy6.sh
EXTRA_DIST += tests/server-cli.sh tests/lab/lab.sh tests/lab/tunnel.sh \
	tests/lab/two-clients.sh tests/lab/forged-source.sh \
	tests/lab/unknown-key.sh tests/lab/pool.sh tests/lab/restart.sh \
	tests/lab/cleanup.sh tests/lab/http.sh tests/lab/replace.sh \
	tests/lab/reload.sh tests/lab/privdrop.sh tests/lab/proxy.sh \
	tests/lab/timeouts.sh tests/lab/chroot.sh tests/lab/queue.sh \
	tests/lab/crash-server.sh tests/lab/nft-forward.sh \
	tests/lab/units.sh tests/lab/runstate.sh tests/lab/noroot.sh \
	tests/lab/systemd.sh

# IPv6 through the tunnel (issue 9).
TESTS += tests/lab/tunnel6.sh
EXTRA_DIST += tests/lab/tunnel6.sh

# Camouflage: TLS profile, the decoy, proxy examples (issue 14).
TESTS += tests/lab/tls.sh tests/lab/decoy.sh tests/lab/proxy-examples.sh
TESTS += tests/lab/scale.sh tests/lab/proxy-v2.sh
EXTRA_DIST += tests/lab/scale.sh contrib/haproxy/haproxy.cfg doc/SCALING.md \
	tests/lab/proxy-v2.sh
EXTRA_DIST += tests/lab/tls.sh tests/lab/decoy.sh \
	tests/lab/proxy-examples.sh contrib/nginx/rvpn.conf \
	contrib/caddy/Caddyfile contrib/lws/0001-generic-http-errors.patch \
	contrib/lws/0002-confirm-upgrade-as-http.patch \
	contrib/lws/0003-parse-failure-400.patch \
	contrib/lws/0004-ws-client-mask-word.patch \
	contrib/lws/0005-ws-client-rx-bulk.patch \
	contrib/lws/0006-ws-upgrade-keep-pipelined-data.patch

# The replay table sized from max_clients, rebuilt on reload (issue 8).
TESTS += tests/lab/replay-reload.sh
EXTRA_DIST += tests/lab/replay-reload.sh

# WebSocket messages as the server reassembles them (lib/wsmsg.c).
TESTS += tests/lab/ws-frames.sh
EXTRA_DIST += tests/lab/ws-frames.sh tests/lab/wsfrag.py

# max_clients and 4005 with the client's retry, rvpnctl reload success and
# failure, SO_PEERCRED on a world-writable control socket (issue 15).
TESTS += tests/lab/max-clients.sh
EXTRA_DIST += tests/lab/max-clients.sh

# A replayed message 1 is refused with 4006 (issue 15).
TESTS += tests/lab/replay.sh
EXTRA_DIST += tests/lab/replay.sh tests/lab/replay.py

# rvpn-client: SIGINT, the second-signal stop, SIGHUP (issue 15).
TESTS += tests/lab/client-signals.sh
EXTRA_DIST += tests/lab/client-signals.sh

# Reload of client_to_client, routes, dns_servers, idle_timeout and
# keepalive, each seen at work (issue 15).
TESTS += tests/lab/reload-values.sh
EXTRA_DIST += tests/lab/reload-values.sh

# egress_interface: NAT out of the named interface only (issue 15).
TESTS += tests/lab/egress.sh
EXTRA_DIST += tests/lab/egress.sh

# Live rekey through server and client, RVPN_TEST_REKEY_SECONDS (issue 15).
TESTS += tests/lab/rekey.sh
EXTRA_DIST += tests/lab/rekey.sh

# The drop counters no_route, tun_no_route, header and tun_write, each provoked.
TESTS += tests/lab/drops.sh
EXTRA_DIST += tests/lab/drops.sh

# Detached server and client log to syslog (daemon facility), -f does not.
TESTS += tests/lab/syslog.sh
EXTRA_DIST += tests/lab/syslog.sh

# Message 1 in the same write as the upgrade request (lws patch 0006).
TESTS += tests/lab/pipelined.sh
EXTRA_DIST += tests/lab/pipelined.sh

# The single table inet rvpn of an older rvpn, deleted at start.
TESTS += tests/lab/legacy-table.sh
EXTRA_DIST += tests/lab/legacy-table.sh

# The client looks the server's name up again for either family.
TESTS += tests/lab/reresolve.sh
EXTRA_DIST += tests/lab/reresolve.sh
