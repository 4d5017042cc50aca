# proto: file lists (owned by the proto area)
lib_librvpn_a_SOURCES += lib/noise.c lib/noise.h lib/proto.c lib/proto.h \
	lib/replay.c lib/replay.h lib/proto-tlv.c lib/proto-int.h \
	lib/stream.c lib/stream.h lib/relay.c lib/relay.h

# Noise IK test vectors (tests/noise-vectors FILE; the .sh picks the file).
check_PROGRAMS += tests/noise-vectors
tests_noise_vectors_SOURCES = tests/noise-vectors.c
tests_noise_vectors_LDADD = $(RVPN_LIBS)
TESTS += tests/noise-vectors.sh
EXTRA_DIST += tests/noise-vectors.sh tests/data/noise-ik.json

check_PROGRAMS += tests/unit/test-proto
tests_unit_test_proto_SOURCES = tests/unit/test-proto.c
tests_unit_test_proto_LDADD = $(RVPN_LIBS)
TESTS += tests/unit/test-proto

# Relay mode: stream messages, session TLVs, STREAM records.
check_PROGRAMS += tests/unit/test-stream
tests_unit_test_stream_SOURCES = tests/unit/test-stream.c
tests_unit_test_stream_LDADD = $(RVPN_LIBS)
TESTS += tests/unit/test-stream
check_PROGRAMS += tests/unit/test-relay
tests_unit_test_relay_SOURCES = tests/unit/test-relay.c
tests_unit_test_relay_LDADD = $(RVPN_LIBS)
TESTS += tests/unit/test-relay

# The replay table (handshake timestamps per key).
check_PROGRAMS += tests/unit/test-replay
tests_unit_test_replay_SOURCES = tests/unit/test-replay.c
tests_unit_test_replay_LDADD = $(RVPN_LIBS)
TESTS += tests/unit/test-replay

# Microbenchmark: built with the programs, never run by make check
# (bench/bench-proto.sh runs it next to openssl speed).
noinst_PROGRAMS += bench/bench-proto
bench_bench_proto_SOURCES = bench/bench-proto.c
bench_bench_proto_LDADD = $(RVPN_LIBS)
EXTRA_DIST += bench/bench-proto.sh bench/README.md doc/PROTOCOL.md doc/DESIGN.md

# libFuzzer targets: built and run by tests/fuzz/run.sh with clang (CI),
# not by make check.
EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/fuzz-record.c \
	tests/fuzz/fuzz-handshake.c tests/fuzz/fuzz-config.c \
	tests/fuzz/fuzz-vnet.c tests/fuzz/fuzz-stream.c \
	tests/fuzz/fuzz-socks5.c tests/fuzz/fuzz-proxyv2.c \
	tests/fuzz/fuzz-ctlmsg.c \
	tests/fuzz/corpus

# txq: the bounded ring of DATA records used by server and client.
lib_librvpn_a_SOURCES += lib/txq.c lib/txq.h lib/wsmsg.c lib/wsmsg.h
check_PROGRAMS += tests/unit/test-txq
tests_unit_test_txq_SOURCES = tests/unit/test-txq.c
tests_unit_test_txq_LDADD = $(RVPN_LIBS)
TESTS += tests/unit/test-txq

# Log lines: control characters in arguments escaped, one line per call.
check_PROGRAMS += tests/unit/test-log
tests_unit_test_log_SOURCES = tests/unit/test-log.c
tests_unit_test_log_LDADD = $(RVPN_LIBS)
TESTS += tests/unit/test-log
