# net: file lists (owned by the net area)
lib_librvpn_a_SOURCES += lib/pool.c lib/pool.h lib/route.c lib/route.h \
	lib/tun-linux.c lib/tun.h lib/vnet.c lib/vnet.h \
	lib/netlink.c lib/netlink.h \
	lib/nft.c lib/nft.h lib/statefile.c lib/statefile.h

# Pure data structures: plain TAP tests.
check_PROGRAMS += tests/unit/test-pool tests/unit/test-route tests/unit/test-vnet
tests_unit_test_vnet_SOURCES = tests/unit/test-vnet.c
tests_unit_test_vnet_LDADD = $(RVPN_LIBS)
tests_unit_test_pool_SOURCES = tests/unit/test-pool.c
tests_unit_test_pool_LDADD = $(RVPN_LIBS)
tests_unit_test_route_SOURCES = tests/unit/test-route.c
tests_unit_test_route_LDADD = $(RVPN_LIBS)
TESTS += tests/unit/test-pool tests/unit/test-route tests/unit/test-vnet

# Kernel-facing modules: the scripts run these inside a fresh namespace.
check_PROGRAMS += tests/unit/test-netlink tests/unit/test-nft
tests_unit_test_netlink_SOURCES = tests/unit/test-netlink.c
tests_unit_test_netlink_LDADD = $(RVPN_LIBS)
tests_unit_test_nft_SOURCES = tests/unit/test-nft.c
tests_unit_test_nft_LDADD = $(RVPN_LIBS)
TESTS += tests/netlink.sh tests/nft.sh
EXTRA_DIST += tests/netlink.sh tests/nft.sh

# TUN segmentation offload end to end (lib/vnet.c, issue 11).
TESTS += tests/lab/offload.sh
EXTRA_DIST += tests/lab/offload.sh tests/lab/bulk.py
# The TUN reader writes directly when nothing is queued; order kept.
TESTS += tests/lab/direct-write.sh
EXTRA_DIST += tests/lab/direct-write.sh
