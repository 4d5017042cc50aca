# load: admission before authentication (lib/admit.c), its tests, and the
# load generator bench/rvpn-load (built, not installed).
lib_librvpn_a_SOURCES += lib/admit.c lib/admit.h

check_PROGRAMS += tests/unit/test-admit
tests_unit_test_admit_SOURCES = tests/unit/test-admit.c
tests_unit_test_admit_LDADD = $(RVPN_LIBS)
TESTS += tests/unit/test-admit

# Limits and deadlines before authentication, in the namespace lab.
TESTS += tests/lab/preauth.sh
EXTRA_DIST += tests/lab/preauth.sh tests/lab/hostile.py

# The load generator: built with the programs, never installed or run by
# make check (bench/README.md).
noinst_PROGRAMS += bench/rvpn-load
bench_rvpn_load_SOURCES = bench/rvpn-load.c
bench_rvpn_load_LDADD = $(RVPN_LIBS) -lm
TESTS += tests/lab/rvpn-load.sh
EXTRA_DIST += tests/lab/rvpn-load.sh bench/run-load.sh bench/attack-mix.sh \
	bench/relay-vs-ssh.sh bench/results/2026-11-30-relay.md \
	bench/results/2026-11-30-load.md bench/results/2026-11-30-load-2.md \
	bench/udp-blast.py bench/tcp-share.sh

# The bad-input catalog: one case a line in tests/data/bad-input.txt.
TESTS += tests/lab/bad-input.sh
EXTRA_DIST += tests/lab/bad-input.sh tests/lab/badinput.py \
	tests/data/bad-input.txt
