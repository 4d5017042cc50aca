# The build itself: lws runs on an application-owned libevent event_base.
check_PROGRAMS += tests/lws-evloop
tests_lws_evloop_SOURCES = tests/lws-evloop.c
tests_lws_evloop_LDADD = $(RVPN_LIBS)
TESTS += tests/lws-evloop.sh
EXTRA_DIST += tests/lws-evloop.sh

# configure refuses a libwebsockets without built-in libevent support.
TESTS += tests/configure-lws.sh
EXTRA_DIST += tests/configure-lws.sh doc/TESTING.md

# Faults: crashes, dead peers, a cut path, a deleted TUN (issue 16).
TESTS += tests/lab/fault-server-kill.sh tests/lab/fault-client-kill.sh \
	tests/lab/fault-link-cut.sh tests/lab/fault-tun-gone.sh \
	tests/lab/fault-wan.sh
EXTRA_DIST += tests/lab/fault-server-kill.sh tests/lab/fault-client-kill.sh \
	tests/lab/fault-link-cut.sh tests/lab/fault-tun-gone.sh \
	tests/lab/fault-wan.sh tests/lab/wan.py tests/lab/fault-lib.sh \
	bench/churn-soak.sh \
	bench/results/2026-11-30-faults.md
