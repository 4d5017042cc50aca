# client: file lists (owned by the client area)
sbin_PROGRAMS += src/rvpn-client
src_rvpn_client_SOURCES = src/client/client.c src/client/client-ws.c \
	src/client/client-data.c src/client/client-socks.c \
	src/client/client-tun.c src/client/client-dns.c src/client/client.h \
	src/client/client-roam.c
src_rvpn_client_LDADD = $(RVPN_LIBS)
dist_man_MANS += man/rvpn-client.8

# The SOCKS5 listener's parser (pure), its unit test and fuzz target.
lib_librvpn_a_SOURCES += lib/socks5.c lib/socks5.h
check_PROGRAMS += tests/unit/test-socks5
tests_unit_test_socks5_SOURCES = tests/unit/test-socks5.c
tests_unit_test_socks5_LDADD = $(RVPN_LIBS)
TESTS += tests/unit/test-socks5

# client-cli.sh needs no root; the others use tests/lab/lab.sh (skip: 77).
CLIENT_TESTS = tests/client-cli.sh tests/client-restore.sh \
	tests/client-reconnect.sh tests/client-tls.sh tests/client-ipv6-leak.sh \
	tests/lab/crash-client.sh tests/lab/client-daemon.sh \
	tests/lab/forged-close.sh tests/lab/roam.sh
TESTS += $(CLIENT_TESTS)
EXTRA_DIST += $(CLIENT_TESTS) tests/lab/fake-close.py
