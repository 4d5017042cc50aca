# config: file lists (owned by the config area)
lib_librvpn_a_SOURCES += lib/toml.c lib/toml.h lib/config.c lib/config.h \
	lib/config-int.h lib/config-keys.c lib/config-net.c lib/config-clients.c \
	lib/key.c lib/key.h lib/ipaddr.c lib/ipaddr.h

bin_PROGRAMS += src/rvpnctl
src_rvpnctl_SOURCES = src/ctl/rvpnctl.c src/ctl/ctl.h \
	src/ctl/ctl-genkey.c src/ctl/ctl-pubkey.c \
	src/ctl/ctl-conn.c src/ctl/ctl-status.c src/ctl/ctl-kick.c \
	src/ctl/ctl-stats.c src/ctl/ctl-reload.c src/ctl/ctl-drain.c \
	src/ctl/ctl-undrain.c
src_rvpnctl_LDADD = $(RVPN_LIBS)

dist_man_MANS += man/rvpn-server.toml.5 man/rvpn-client.toml.5 man/rvpnctl.8

# Sample configuration, installed as examples (never over /etc).
examplesdir = $(docdir)/examples
dist_examples_DATA = etc/server.toml etc/client.toml etc/clients.toml

check_PROGRAMS += tests/unit/test-config tests/unit/test-key \
	tests/unit/test-ipaddr tests/unit/test-reload
tests_unit_test_config_SOURCES = tests/unit/test-config.c
tests_unit_test_config_LDADD = $(RVPN_LIBS)
tests_unit_test_key_SOURCES = tests/unit/test-key.c
tests_unit_test_key_LDADD = $(RVPN_LIBS)
tests_unit_test_ipaddr_SOURCES = tests/unit/test-ipaddr.c
tests_unit_test_ipaddr_LDADD = $(RVPN_LIBS)
tests_unit_test_reload_SOURCES = tests/unit/test-reload.c
tests_unit_test_reload_LDADD = $(RVPN_LIBS)
tests_unit_test_reload_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTOP_SRCDIR='"$(abs_top_srcdir)"'
TESTS += tests/unit/test-config tests/unit/test-key tests/unit/test-ipaddr \
	tests/unit/test-reload \
	tests/rvpnctl.sh
EXTRA_DIST += tests/rvpnctl.sh \
	tests/data/config/bad-bool.toml \
	tests/data/config/bad-dns.toml \
	tests/data/config/bad-escape.toml \
	tests/data/config/bad-int.toml \
	tests/data/config/bad-port.toml \
	tests/data/config/bad-range.toml \
	tests/data/config/bad-type.toml \
	tests/data/config/bad-ws-path.toml \
	tests/data/config/cert-without-key.toml \
	tests/data/config/chroot-missing.toml \
	tests/data/config/chroot-notdir.toml \
	tests/data/config/client-bad-url.toml \
	tests/data/config/client-good.toml \
	tests/data/config/clients-bad-key.toml \
	tests/data/config/clients-dup-key.toml \
	tests/data/config/clients-good.toml \
	tests/data/config/clients-outside.toml \
	tests/data/config/dummy.pem \
	tests/data/config/duplicate-key.toml \
	tests/data/config/good.toml \
	tests/data/config/host-bits.toml \
	tests/data/config/many-errors.toml \
	tests/data/config/minimal.toml \
	tests/data/config/missing-cert.toml \
	tests/data/config/mtu-range.toml \
	tests/data/config/too-many-dns.toml \
	tests/data/config/unknown-key.toml \
	tests/data/config/unknown-section.toml \
	tests/data/config/unterminated.toml
tests_unit_test_config_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTOP_SRCDIR='"$(abs_top_srcdir)"'

# The control socket (ctl): message format, rvpnctl against a server.
lib_librvpn_a_SOURCES += lib/ctlmsg.c lib/ctlmsg.h lib/counters.h
check_PROGRAMS += tests/unit/test-ctlmsg
tests_unit_test_ctlmsg_SOURCES = tests/unit/test-ctlmsg.c
tests_unit_test_ctlmsg_LDADD = $(RVPN_LIBS)
TESTS += tests/unit/test-ctlmsg tests/ctl-errors.sh tests/lab/ctl-status.sh \
	tests/lab/ctl-kick.sh tests/lab/ctl-stats.sh tests/lab/admin.sh
EXTRA_DIST += tests/ctl-errors.sh tests/lab/ctl-status.sh \
	tests/lab/ctl-kick.sh tests/lab/ctl-stats.sh tests/lab/admin.sh \
	doc/rvpnctl-status.schema.json
