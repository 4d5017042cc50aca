/* SPDX-License-Identifier: ISC */
/*
 * bench-proto [-s SECONDS] [-m]: seal+open throughput of lib/proto.c
 * records for packets of 64, 512, 1400 and 8192 bytes (one per record)
 * and 16 x 1400 (one batched record).  -m prints "label bytes-per-record
 * payload-bytes-per-second" lines for bench/bench-proto.sh.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "noise.h"
#include "proto.h"

#define HEADROOM	16

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* Handshake a client/server session pair. */
static void
bench_pair(struct proto_session **c, struct proto_session **s)
{
	struct proto_hs		*ch = proto_hs_new(), *sh = proto_hs_new();
	struct proto_hello	 hello, got;
	struct proto_assign	 a;
	uint8_t			 cpriv[32], cpub[32], spriv[32], spub[32];
	uint8_t			 rec[2048], pub[32];
	size_t			 len;

	*c = proto_session_new();
	*s = proto_session_new();
	memset(&hello, 0, sizeof(hello));
	hello.version = PROTO_VERSION;
	proto_tai64n_now(hello.timestamp);
	memset(&a, 0, sizeof(a));
	a.prefix4 = 24;
	a.mtu = 1420;
	if (noise_x25519_generate(cpriv, cpub) != 0 ||
	    noise_x25519_generate(spriv, spub) != 0 ||
	    proto_hs_initiate(ch, cpriv, spub, &hello, rec, sizeof(rec),
	    &len) != 0 ||
	    proto_hs_respond_read(sh, spriv, rec, len, &got, pub) != 0 ||
	    proto_hs_respond_write(sh, &a, rec, sizeof(rec), &len, *s) != 0 ||
	    proto_hs_finish(ch, rec, len, &a, *c) != 0) {
		fprintf(stderr, "bench-proto: handshake failed\n");
		exit(1);
	}
	proto_hs_free(ch);
	proto_hs_free(sh);
}

/* Run one case for about secs seconds; returns payload bytes per second. */
static double
bench_case(size_t pktlen, unsigned npkt, double secs)
{
	static uint8_t		 buf[HEADROOM + PROTO_MAX_RECORD];
	static uint8_t		 pkt[PROTO_MAX_PACKET];
	struct proto_session	*c, *s;
	uint8_t			*rec = buf + HEADROOM;
	const uint8_t		*p;
	double			 t0, t;
	uint64_t		 n = 0, sum = 0;
	size_t			 len, off, plen;
	unsigned		 i;

	bench_pair(&c, &s);
	memset(pkt, 0x45, sizeof(pkt));
	t0 = now_s();
	do {
		for (i = 0; i < 256; i++) {
			/* Rekey as a real sender would. */
			if (proto_rekey_due(c, 0)) {
				struct proto_control ctl = {
				    .type = PROTO_CTL_REKEY };

				proto_control_build(&ctl, rec, sizeof(buf) -
				    HEADROOM, &len);
				if (proto_seal(c, rec, &len, PROTO_MAX_RECORD) ||
				    proto_open(s, rec, &len))
					exit(1);
			}
			proto_data_begin(rec, &len);
			for (unsigned k = 0; k < npkt; k++)
				proto_data_add(rec, &len, PROTO_MAX_RECORD, pkt,
				    pktlen);
			if (proto_seal(c, rec, &len, PROTO_MAX_RECORD) != 0 ||
			    proto_open(s, rec, &len) != 0) {
				fprintf(stderr, "bench-proto: seal/open failed\n");
				exit(1);
			}
			off = 0;
			while (proto_data_next(rec, len, &off, &p, &plen))
				sum += p[plen - 1];
			n++;
		}
		t = now_s() - t0;
	} while (t < secs);
	proto_session_free(c);
	proto_session_free(s);
	if (sum == 0)
		fprintf(stderr, "bench-proto: no data?\n");
	return ((double)n * (double)(pktlen * npkt) / t);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char	*label;
		size_t		 len;
		unsigned	 n;
	} cases[] = {
		{ "64", 64, 1 },
		{ "512", 512, 1 },
		{ "1400", 1400, 1 },
		{ "8192", 8192, 1 },
		{ "1400x16", 1400, 16 },
	};
	double	secs = 1.0, bps;
	int	ch, machine = 0;
	size_t	i, reclen;

	while ((ch = getopt(argc, argv, "ms:")) != -1) {
		switch (ch) {
		case 'm':
			machine = 1;
			break;
		case 's':
			secs = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench-proto [-m] [-s seconds]\n");
			return (1);
		}
	}
	if (!machine)
		printf("%-10s %10s %12s %12s %10s\n", "packets", "record",
		    "MB/s", "records/s", "ns/record");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bps = bench_case(cases[i].len, cases[i].n, secs);
		reclen = 1 + cases[i].n * (2 + cases[i].len) + PROTO_TAG_LEN;
		if (machine)
			printf("%s %zu %.0f\n", cases[i].label, reclen, bps);
		else
			printf("%-10s %10zu %12.1f %12.0f %10.0f\n",
			    cases[i].label, reclen, bps / 1e6,
			    bps / (double)(cases[i].len * cases[i].n),
			    1e9 * (double)(cases[i].len * cases[i].n) / bps);
	}
	return (0);
}
