# The build itself: lws runs on an application-owned libevent event_base.
check_PROGRAMS += tests/lws-evloop
tests_lws_evloop_SOURCES = tests/lws-evloop.c
tests_lws_evloop_LDADD = $(RVPN_LIBS)
TESTS += tests/lws-evloop.sh
EXTRA_DIST += tests/lws-evloop.sh

# configure refuses a libwebsockets without built-in libevent support.
TESTS += tests/configure-lws.sh
EXTRA_DIST += tests/configure-lws.sh
