# tests that exercise the build itself: lws on an application-owned event_base
#check_PROGRAMS += tests/lws-evloop
#tests_lws_evloop_SOURCES = tests/lws-evloop.c
#tests_lws_evloop_LDADD = $(RVPN_LIBS)
#TESTS += tests/lws-evloop
EXTRA_DIST += tests/lib.sh
