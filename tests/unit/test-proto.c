/* SPDX-License-Identifier: ISC */
/* lib/proto.c: handshake, records, limits, rekey, replay, error texts. */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "log.h"
#include "noise.h"
#include "proto.h"
#include "replay.h"
#include "tap.h"

#define HEADROOM	16	/* stands in for LWS_PRE */
#define BUFSZ		(PROTO_MAX_RECORD + 64)

static uint8_t	 cpriv[32], cpub[32], spriv[32], spub[32];
static uint8_t	 bufa[HEADROOM + BUFSZ], bufb[HEADROOM + BUFSZ];
static uint8_t	 pool[65536];	/* packet contents */

/* OpenSSL allocations, to check the record path allocates nothing. */
static unsigned long	ossl_allocs;

static void *
count_malloc(size_t n, const char *file, int line)
{
	ossl_allocs++;
	return (malloc(n));
}

static void *
count_realloc(void *p, size_t n, const char *file, int line)
{
	ossl_allocs++;
	return (realloc(p, n));
}

static void
count_free(void *p, const char *file, int line)
{
	free(p);
}

static uint64_t	rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (rng_state);
}

static uint64_t
mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

static struct in_addr
A4(const char *s)
{
	struct in_addr	a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return (a);
}

static struct in6_addr
A6(const char *s)
{
	struct in6_addr	a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		abort();
	return (a);
}

static void
sample_assign(struct proto_assign *a)
{
	memset(a, 0, sizeof(*a));
	a->addr4 = A4("10.200.0.2");
	a->prefix4 = 24;
	a->gateway4 = A4("10.200.0.1");
	a->dns4[0] = A4("10.200.0.1");
	a->dns4[1] = A4("198.18.0.53");
	a->ndns4 = 2;
	a->dns6[0] = A6("2001:db8::53");
	a->ndns6 = 1;
	a->mtu = 1420;
	a->keepalive = 25;
	a->has_addr6 = true;
	a->addr6 = A6("fd00:200::2");
	a->prefix6 = 64;
	a->routes[0].family = AF_INET;
	a->routes[0].prefix = 0;
	a->routes[0].addr.v4 = A4("0.0.0.0");
	a->routes[1].family = AF_INET6;
	a->routes[1].prefix = 0;
	a->routes[1].addr.v6 = A6("::");
	a->routes[2].family = AF_INET;
	a->routes[2].prefix = 15;
	a->routes[2].addr.v4 = A4("198.18.0.0");
	a->nroutes = 3;
}

static bool
assign_equal(const struct proto_assign *a, const struct proto_assign *b)
{
	unsigned	i;

	if (a->addr4.s_addr != b->addr4.s_addr || a->prefix4 != b->prefix4 ||
	    a->gateway4.s_addr != b->gateway4.s_addr ||
	    a->ndns4 != b->ndns4 || a->ndns6 != b->ndns6 || a->mtu != b->mtu ||
	    a->keepalive != b->keepalive || a->has_addr6 != b->has_addr6 ||
	    memcmp(&a->addr6, &b->addr6, 16) != 0 ||
	    a->prefix6 != b->prefix6 || a->nroutes != b->nroutes)
		return (false);
	for (i = 0; i < a->ndns4; i++)
		if (a->dns4[i].s_addr != b->dns4[i].s_addr)
			return (false);
	for (i = 0; i < a->ndns6; i++)
		if (memcmp(&a->dns6[i], &b->dns6[i], 16) != 0)
			return (false);
	for (i = 0; i < a->nroutes; i++) {
		if (a->routes[i].family != b->routes[i].family ||
		    a->routes[i].prefix != b->routes[i].prefix ||
		    memcmp(&a->routes[i].addr, &b->routes[i].addr,
		    a->routes[i].family == AF_INET ? 4 : 16) != 0)
			return (false);
	}
	return (true);
}

/* A full handshake; client session c, server session s.  0 on success. */
static int
pair(struct proto_session **c, struct proto_session **s)
{
	struct proto_hs		*ch = proto_hs_new(), *sh = proto_hs_new();
	struct proto_hello	 hello, got;
	struct proto_assign	 a, ga;
	uint8_t			 rec[2048], pub[32];
	size_t			 len;
	int			 rc = -1;

	*c = proto_session_new();
	*s = proto_session_new();
	memset(&hello, 0, sizeof(hello));
	hello.version = PROTO_VERSION;
	proto_tai64n_now(hello.timestamp);
	sample_assign(&a);
	if (proto_hs_initiate(ch, cpriv, spub, &hello, rec, sizeof(rec),
	    &len) == 0 &&
	    proto_hs_respond_read(sh, spriv, rec, len, &got, pub) == 0 &&
	    proto_hs_respond_write(sh, &a, rec, sizeof(rec), &len, *s) == 0 &&
	    proto_hs_finish(ch, rec, len, &ga, *c) == 0)
		rc = 0;
	proto_hs_free(ch);
	proto_hs_free(sh);
	return (rc);
}

static void
unpair(struct proto_session *c, struct proto_session *s)
{
	proto_session_free(c);
	proto_session_free(s);
}

/* Seal a raw (possibly invalid) body as type t and return the open result. */
static int
seal_open_raw(struct proto_session *tx, struct proto_session *rx, uint8_t t,
    const uint8_t *body, size_t blen)
{
	uint8_t	*rec = bufa + HEADROOM;
	size_t	 len = 1 + blen;
	int	 rc;

	rec[0] = t;
	memcpy(rec + 1, body, blen);
	if ((rc = proto_seal(tx, rec, &len, BUFSZ)) != 0)
		return (1000 + rc);
	return (proto_open(rx, rec, &len));
}

/* A sealed PING in rec; returns its length. */
static size_t
sealed_ping(struct proto_session *tx, uint8_t *rec, uint64_t ts)
{
	struct proto_control	ctl = { .type = PROTO_CTL_PING, .ts = ts };
	size_t			len = 0;

	if (proto_control_build(&ctl, rec, BUFSZ, &len) != 0 ||
	    proto_seal(tx, rec, &len, BUFSZ) != 0)
		return (0);
	return (len);
}

static void
test_handshake(void)
{
	struct proto_hs		*ch = proto_hs_new(), *sh = proto_hs_new();
	struct proto_session	*c = proto_session_new(), *s = proto_session_new();
	struct proto_hello	 hello, got;
	struct proto_assign	 a, ga;
	uint8_t			 rec[2048], pub[32];
	size_t			 len;

	memset(&hello, 0, sizeof(hello));
	hello.version = PROTO_VERSION;
	proto_tai64n_now(hello.timestamp);
	hello.has_addr4 = true;
	hello.addr4 = A4("10.200.0.9");
	sample_assign(&a);
	tap_is_int(proto_hs_initiate(ch, cpriv, spub, &hello, rec, 40, &len),
	    PROTO_ERR_SPACE, "initiate: small buffer is SPACE");
	tap_is_int(proto_hs_initiate(ch, cpriv, spub, &hello, rec,
	    sizeof(rec), &len), PROTO_OK, "initiate");
	tap_is_int(rec[0], PROTO_T_HANDSHAKE_INIT, "msg1 type byte");
	tap_is_int(proto_hs_initiate(ch, cpriv, spub, &hello, rec,
	    sizeof(rec), &len), PROTO_ERR_STATE, "initiate twice is STATE");
	tap_is_int(proto_hs_respond_read(sh, spriv, rec, len, &got, pub),
	    PROTO_OK, "respond_read");
	tap_ok(memcmp(pub, cpub, 32) == 0, "server learns the client key");
	tap_is_int(got.version, PROTO_VERSION, "hello version");
	tap_ok(memcmp(got.timestamp, hello.timestamp, 12) == 0,
	    "hello timestamp");
	tap_ok(got.has_addr4 && got.addr4.s_addr == hello.addr4.s_addr,
	    "hello requested address");
	tap_is_int(proto_hs_respond_write(sh, &a, rec, sizeof(rec), &len, s),
	    PROTO_OK, "respond_write");
	tap_is_int(rec[0], PROTO_T_HANDSHAKE_RESP, "msg2 type byte");
	tap_is_int(proto_hs_finish(ch, rec, len, &ga, c), PROTO_OK, "finish");
	tap_ok(assign_equal(&a, &ga), "assignment arrives intact");
	proto_hs_free(ch);
	proto_hs_free(sh);
	unpair(c, s);
}

/* 100,000 records both ways, random batching and sizes, byte-exact. */
static void
test_bulk(void)
{
	struct proto_session	*c, *s, *tx, *rx;
	struct proto_control	 ctl;
	struct proto_counters	 cc, sc;
	uint8_t			*rec = bufa + HEADROOM;
	const uint8_t		*pkt;
	size_t			 len, off, plen, exp_off[PROTO_MAX_BATCH];
	size_t			 exp_len[PROTO_MAX_BATCH];
	unsigned long		 allocs;
	unsigned		 i, j, npkt, bad = 0, got, errs = 0;
	uint64_t		 r;

	if (pair(&c, &s) != 0) {
		tap_ok(0, "bulk: handshake");
		return;
	}
	allocs = ossl_allocs;
	for (i = 0; i < 100000; i++) {
		r = rng();
		tx = r & 1 ? c : s;
		rx = r & 1 ? s : c;
		if ((r >> 1) % 100 == 0) {	/* a PING now and then */
			len = sealed_ping(tx, rec, i);
			if (len == 0 || proto_open(rx, rec, &len) != 0 ||
			    proto_control_parse(rec, len, &ctl) != 0 ||
			    ctl.type != PROTO_CTL_PING || ctl.ts != i)
				errs++;
			continue;
		}
		npkt = (r >> 8) % 100 == 0 ? 1 + (r >> 16) % PROTO_MAX_BATCH :
		    1 + (r >> 16) % 4;
		proto_data_begin(rec, &len);
		for (j = 0; j < npkt; j++) {
			r = rng();
			switch (r % 20) {
			case 0:
				plen = PROTO_MIN_PACKET +
				    (r >> 8) % (PROTO_MAX_PACKET -
				    PROTO_MIN_PACKET + 1);
				break;
			case 1: case 2: case 3: case 4: case 5:
				plen = 200 + (r >> 8) % 1300;
				break;
			default:
				plen = PROTO_MIN_PACKET + (r >> 8) % 180;
				break;
			}
			exp_off[j] = (r >> 32) % (sizeof(pool) - plen);
			exp_len[j] = plen;
			if (proto_data_add(rec, &len, BUFSZ, pool + exp_off[j],
			    plen) != 0)
				break;
		}
		npkt = j;
		if (proto_data_count(rec, len) != npkt)
			errs++;
		if (proto_seal(tx, rec, &len, BUFSZ) != 0 ||
		    proto_open(rx, rec, &len) != 0) {
			errs++;
			break;
		}
		off = 0;
		got = 0;
		while (proto_data_next(rec, len, &off, &pkt, &plen) == 1) {
			if (got >= npkt || plen != exp_len[got] ||
			    memcmp(pkt, pool + exp_off[got], plen) != 0)
				bad++;
			got++;
		}
		if (got != npkt)
			bad++;
	}
	allocs = ossl_allocs - allocs;
	tap_is_int(errs, 0, "bulk: 100000 records seal/open without error");
	tap_is_int(bad, 0, "bulk: every packet delivered byte-exact");
	tap_is_int(allocs, 0, "bulk: the record path allocates nothing in "
	    "OpenSSL");
	proto_session_counters(c, &cc);
	proto_session_counters(s, &sc);
	tap_is_int(cc.tx_records + sc.tx_records, 100000,
	    "bulk: counters count the records sent");
	tap_ok(cc.tx_records == sc.rx_records &&
	    sc.tx_records == cc.rx_records, "bulk: tx of one is rx of the other");
	unpair(c, s);
}

static void
test_record_errors(void)
{
	struct proto_session	*c, *s;
	uint8_t			*rec = bufa + HEADROOM, *rec2 = bufb + HEADROOM;
	uint8_t			 body[2048];
	size_t			 len, len2, off;
	unsigned		 i;

	/* Tampered body, then tampered type byte (the AD). */
	pair(&c, &s);
	len = sealed_ping(c, rec, 1);
	tap_is_int(proto_open(s, rec, &len), PROTO_OK, "untampered opens");
	len = sealed_ping(c, rec, 2);
	rec[3] ^= 0x01;
	tap_is_int(proto_open(s, rec, &len), PROTO_ERR_AUTH,
	    "tampered record is AUTH");
	len = sealed_ping(c, rec, 3);
	tap_is_int(proto_open(s, rec, &len), PROTO_ERR_STATE,
	    "after an AUTH failure every open fails (STATE)");
	unpair(c, s);

	pair(&c, &s);
	len = sealed_ping(c, rec, 1);
	rec[0] = PROTO_T_DATA;
	tap_is_int(proto_open(s, rec, &len), PROTO_ERR_AUTH,
	    "changed type byte is AUTH (type is additional data)");
	unpair(c, s);

	/* Reordered. */
	pair(&c, &s);
	len = sealed_ping(c, rec, 1);
	len2 = sealed_ping(c, rec2, 2);
	tap_is_int(proto_open(s, rec2, &len2), PROTO_ERR_AUTH,
	    "reordered record is AUTH");
	unpair(c, s);
	pair(&c, &s);
	len = sealed_ping(c, rec, 1);
	len2 = sealed_ping(c, rec2, 2);
	tap_ok(proto_open(s, rec, &len) == 0 && proto_open(s, rec2, &len2) == 0,
	    "records in order open");
	unpair(c, s);

	/* Replayed. */
	pair(&c, &s);
	len = sealed_ping(c, rec, 1);
	memcpy(rec2, rec, len);
	len2 = len;
	tap_is_int(proto_open(s, rec, &len), PROTO_OK, "first copy opens");
	tap_is_int(proto_open(s, rec2, &len2), PROTO_ERR_AUTH,
	    "replayed record is AUTH");
	unpair(c, s);

	/* Truncated. */
	pair(&c, &s);
	len = sealed_ping(c, rec, 1);
	len2 = PROTO_TAG_LEN;
	tap_is_int(proto_open(s, rec, &len2), PROTO_ERR_SHORT,
	    "record shorter than type + tag is SHORT");
	unpair(c, s);
	pair(&c, &s);
	len = sealed_ping(c, rec, 1);
	len2 = 1 + PROTO_TAG_LEN + 9;
	tap_is_int(proto_open(s, rec, &len2), PROTO_OK,
	    "record of exact length opens");
	unpair(c, s);

	/* Oversized. */
	pair(&c, &s);
	proto_data_begin(rec, &len);
	while (proto_data_add(rec, &len, PROTO_MAX_RECORD, pool,
	    PROTO_MAX_PACKET) == 0)
		;
	tap_is_int(proto_data_add(rec, &len, PROTO_MAX_RECORD + 4096, pool,
	    PROTO_MAX_PACKET), PROTO_ERR_SPACE,
	    "data_add past PROTO_MAX_RECORD is SPACE even with a larger cap");
	i = PROTO_MAX_RECORD - PROTO_TAG_LEN - len - 2;
	tap_is_int(proto_data_add(rec, &len, BUFSZ, pool, i), PROTO_OK,
	    "data_add fills the record exactly");
	tap_is_int(proto_seal(c, rec, &len, BUFSZ), PROTO_OK,
	    "record of PROTO_MAX_RECORD seals");
	tap_is_int(len, PROTO_MAX_RECORD, "sealed length is PROTO_MAX_RECORD");
	tap_is_int(proto_open(s, rec, &len), PROTO_OK,
	    "record of PROTO_MAX_RECORD opens");
	len = PROTO_MAX_RECORD + 1;
	rec[0] = PROTO_T_DATA;
	tap_is_int(proto_open(s, rec, &len), PROTO_ERR_TOOBIG,
	    "oversized record is TOOBIG");
	len = PROTO_MAX_RECORD - PROTO_TAG_LEN + 1;
	rec[0] = PROTO_T_DATA;
	tap_is_int(proto_seal(c, rec, &len, BUFSZ), PROTO_ERR_TOOBIG,
	    "sealing an oversized record is TOOBIG");
	unpair(c, s);

	/* Unknown record type. */
	pair(&c, &s);
	len = sealed_ping(c, rec, 1);
	rec[0] = 0x7f;
	tap_is_int(proto_open(s, rec, &len), PROTO_ERR_TYPE,
	    "unknown record type is TYPE");
	unpair(c, s);

	/* Packet length past the end. */
	pair(&c, &s);
	memset(body, 0x45, sizeof(body));
	body[0] = 0;
	body[1] = 48;
	tap_is_int(seal_open_raw(c, s, PROTO_T_DATA, body, 2 + 20),
	    PROTO_ERR_LENGTH, "length prefix past the end is LENGTH");
	unpair(c, s);
	pair(&c, &s);
	tap_is_int(seal_open_raw(c, s, PROTO_T_DATA, body, 2 + 48), PROTO_OK,
	    "length prefix up to the end opens");
	unpair(c, s);

	/* Zero-length packet; packet under the minimum; dangling byte. */
	pair(&c, &s);
	body[0] = body[1] = 0;
	tap_is_int(seal_open_raw(c, s, PROTO_T_DATA, body, 2 + 20),
	    PROTO_ERR_EMPTY, "zero-length packet is EMPTY");
	unpair(c, s);
	pair(&c, &s);
	body[1] = PROTO_MIN_PACKET - 1;
	tap_is_int(seal_open_raw(c, s, PROTO_T_DATA, body,
	    2 + PROTO_MIN_PACKET - 1), PROTO_ERR_PKTSIZE,
	    "packet under PROTO_MIN_PACKET is PKTSIZE");
	unpair(c, s);
	pair(&c, &s);
	body[1] = 20;
	tap_is_int(seal_open_raw(c, s, PROTO_T_DATA, body, 2 + 20 + 1),
	    PROTO_ERR_SHORT, "a dangling length byte is SHORT");
	unpair(c, s);
	len = 0;
	proto_data_begin(rec, &len);
	tap_is_int(proto_data_add(rec, &len, BUFSZ, pool, 0), PROTO_ERR_EMPTY,
	    "data_add of an empty packet is EMPTY");
	tap_is_int(proto_data_add(rec, &len, BUFSZ, pool, 19),
	    PROTO_ERR_PKTSIZE, "data_add under the minimum is PKTSIZE");
	tap_is_int(proto_data_add(rec, &len, BUFSZ, pool,
	    PROTO_MAX_PACKET + 1), PROTO_ERR_PKTSIZE,
	    "data_add over the maximum is PKTSIZE");
	tap_is_int(proto_data_add(rec, &len, 1 + 2 + 20 + PROTO_TAG_LEN - 1,
	    pool, 20), PROTO_ERR_SPACE, "data_add without room for the tag "
	    "is SPACE");

	/* Batch limit. */
	for (i = 0; i <= PROTO_MAX_BATCH; i++) {
		body[i * 22] = 0;
		body[i * 22 + 1] = 20;
		memset(body + i * 22 + 2, 0x45, 20);
	}
	pair(&c, &s);
	tap_is_int(seal_open_raw(c, s, PROTO_T_DATA, body,
	    22 * (PROTO_MAX_BATCH + 1)), PROTO_ERR_BATCH,
	    "PROTO_MAX_BATCH + 1 packets is BATCH");
	unpair(c, s);
	pair(&c, &s);
	tap_is_int(seal_open_raw(c, s, PROTO_T_DATA, body,
	    22 * PROTO_MAX_BATCH), PROTO_OK, "PROTO_MAX_BATCH packets open");
	off = 0;
	i = 0;
	{
		const uint8_t	*p;
		size_t		 pl;

		while (proto_data_next(rec, 1 + 22 * PROTO_MAX_BATCH, &off,
		    &p, &pl) == 1)
			i++;
	}
	tap_is_int(i, PROTO_MAX_BATCH, "data_next yields every packet");
	unpair(c, s);
	proto_data_begin(rec, &len);
	for (i = 0; i < PROTO_MAX_BATCH; i++)
		if (proto_data_add(rec, &len, BUFSZ, pool, 20) != 0)
			break;
	tap_is_int(i, PROTO_MAX_BATCH, "data_add takes PROTO_MAX_BATCH "
	    "packets");
	tap_is_int(proto_data_add(rec, &len, BUFSZ, pool, 20),
	    PROTO_ERR_BATCH, "data_add of one more is BATCH");

	/* Empty DATA record. */
	pair(&c, &s);
	proto_data_begin(rec, &len);
	tap_is_int(proto_seal(c, rec, &len, BUFSZ), PROTO_ERR_EMPTY,
	    "sealing an empty record is EMPTY");
	tap_is_int(proto_seal(c, rec, &len, 1 + 2 + PROTO_TAG_LEN), 
	    PROTO_ERR_EMPTY, "sealing an empty record is EMPTY (small cap)");
	len = 2;
	rec[1] = 0;
	tap_is_int(proto_seal(c, rec, &len, 2 + PROTO_TAG_LEN - 1),
	    PROTO_ERR_SPACE, "sealing without room for the tag is SPACE");
	unpair(c, s);

	/* Unkeyed sessions. */
	c = proto_session_new();
	len = 10;
	rec[0] = PROTO_T_DATA;
	tap_is_int(proto_seal(c, rec, &len, BUFSZ), PROTO_ERR_STATE,
	    "seal before the handshake is STATE");
	len = 40;
	tap_is_int(proto_open(c, rec, &len), PROTO_ERR_STATE,
	    "open before the handshake is STATE");
	tap_ok(!proto_rekey_due(c, mono_ns()), "no rekey due before keys");
	proto_session_free(c);
}

static void
test_control(void)
{
	struct proto_session	*c, *s;
	struct proto_control	 in, out;
	uint8_t			*rec = bufa + HEADROOM;
	size_t			 len;

	memset(&in, 0, sizeof(in));
	in.type = PROTO_CTL_CLOSE;
	in.code = PROTO_CLOSE_KICKED;
	strcpy(in.reason, "kicked by administrator");
	pair(&c, &s);
	tap_is_int(proto_control_build(&in, rec, BUFSZ, &len), PROTO_OK,
	    "build CLOSE");
	tap_ok(proto_seal(s, rec, &len, BUFSZ) == 0 &&
	    proto_open(c, rec, &len) == 0, "CLOSE seals and opens");
	tap_is_int(proto_control_parse(rec, len, &out), PROTO_OK, "parse CLOSE");
	tap_is_int(out.code, PROTO_CLOSE_KICKED, "CLOSE code");
	tap_is_str(out.reason, "kicked by administrator", "CLOSE reason");
	in.type = PROTO_CTL_PONG;
	in.ts = 0x0102030405060708ULL;
	tap_ok(proto_control_build(&in, rec, BUFSZ, &len) == 0 &&
	    proto_seal(c, rec, &len, BUFSZ) == 0 &&
	    proto_open(s, rec, &len) == 0 &&
	    proto_control_parse(rec, len, &out) == 0 &&
	    out.type == PROTO_CTL_PONG && out.ts == in.ts, "PONG round trip");
	unpair(c, s);

	memset(in.reason, 'x', sizeof(in.reason));
	in.type = PROTO_CTL_CLOSE;
	tap_is_int(proto_control_build(&in, rec, BUFSZ, &len),
	    PROTO_ERR_PAYLOAD, "CLOSE reason over PROTO_REASON_MAX is PAYLOAD");
	in.reason[PROTO_REASON_MAX] = '\0';
	tap_is_int(proto_control_build(&in, rec, BUFSZ, &len), PROTO_OK,
	    "CLOSE reason of PROTO_REASON_MAX builds");
	tap_is_int(proto_control_parse(rec, len, &out), PROTO_OK,
	    "CLOSE reason of PROTO_REASON_MAX parses");
	tap_is_int(strlen(out.reason), PROTO_REASON_MAX, "reason length");
	tap_is_int(proto_control_build(&in, rec, 20, &len), PROTO_ERR_SPACE,
	    "CLOSE into a small buffer is SPACE");
	in.type = 99;
	tap_is_int(proto_control_build(&in, rec, BUFSZ, &len), PROTO_ERR_TYPE,
	    "unknown control type builds as TYPE");
	rec[0] = PROTO_T_CONTROL;
	rec[1] = 99;
	tap_is_int(proto_control_parse(rec, 2, &out), PROTO_ERR_TYPE,
	    "unknown control type parses as TYPE");
	rec[1] = PROTO_CTL_PING;
	tap_is_int(proto_control_parse(rec, 9, &out), PROTO_ERR_PAYLOAD,
	    "short PING is PAYLOAD");
	rec[1] = PROTO_CTL_REKEY;
	tap_is_int(proto_control_parse(rec, 3, &out), PROTO_ERR_PAYLOAD,
	    "REKEY with a body is PAYLOAD");
	tap_is_int(proto_control_parse(rec, 1, &out), PROTO_ERR_EMPTY,
	    "empty CONTROL is EMPTY");
	rec[0] = PROTO_T_DATA;
	tap_is_int(proto_control_parse(rec, 2, &out), PROTO_ERR_TYPE,
	    "parsing a DATA record as CONTROL is TYPE");

	/* A sealed unknown control type is fatal on open. */
	pair(&c, &s);
	tap_is_int(seal_open_raw(c, s, PROTO_T_CONTROL, (const uint8_t *)"c", 1),
	    PROTO_ERR_TYPE, "open of an unknown control type is TYPE");
	unpair(c, s);
}

/* Send one REKEY from tx; deliver it to rx unless drop. */
static int
send_rekey(struct proto_session *tx, struct proto_session *rx, bool drop)
{
	struct proto_control	ctl = { .type = PROTO_CTL_REKEY };
	uint8_t			*rec = bufb + HEADROOM;
	size_t			 len;
	int			 rc;

	if ((rc = proto_control_build(&ctl, rec, BUFSZ, &len)) != 0 ||
	    (rc = proto_seal(tx, rec, &len, BUFSZ)) != 0)
		return (1000 + rc);
	if (drop)
		return (0);
	return (proto_open(rx, rec, &len));
}

/* Ping n times from tx to rx; returns the number that failed. */
static unsigned
pings(struct proto_session *tx, struct proto_session *rx, unsigned n)
{
	uint8_t		*rec = bufa + HEADROOM;
	unsigned	 i, bad = 0;
	size_t		 len;

	for (i = 0; i < n; i++) {
		len = sealed_ping(tx, rec, i);
		if (len == 0 || proto_open(rx, rec, &len) != 0)
			bad++;
	}
	return (bad);
}

static void
test_rekey(void)
{
	struct proto_session	*c, *s;
	struct proto_counters	 cc, sc;
	uint8_t			*rec = bufa + HEADROOM;
	uint64_t		 now;
	size_t			 len;
	unsigned		 bad;

	pair(&c, &s);
	now = mono_ns();
	tap_ok(!proto_rekey_due(c, now), "fresh key: no rekey due");
	tap_ok(proto_rekey_due(c, now + (uint64_t)(PROTO_REKEY_SECONDS + 1) *
	    1000000000ULL), "rekey due after PROTO_REKEY_SECONDS");
	tap_ok(pings(c, s, 10) == 0 && pings(s, c, 10) == 0, "before rekey");
	tap_is_int(send_rekey(c, s, false), PROTO_OK, "client REKEY opens");
	tap_ok(pings(c, s, 10) == 0 && pings(s, c, 10) == 0,
	    "records flow after the client rekeyed");
	tap_is_int(send_rekey(s, c, false), PROTO_OK, "server REKEY opens");
	tap_ok(pings(c, s, 10) == 0 && pings(s, c, 10) == 0,
	    "records flow after both rekeyed");
	tap_ok(!proto_rekey_due(c, mono_ns()), "rekey resets the clock");
	proto_session_counters(c, &cc);
	proto_session_counters(s, &sc);
	tap_ok(cc.rekeys_tx == 1 && cc.rekeys_rx == 1 && sc.rekeys_tx == 1 &&
	    sc.rekeys_rx == 1, "rekey counters");
	unpair(c, s);

	pair(&c, &s);
	tap_is_int(send_rekey(c, s, true), PROTO_OK, "REKEY sealed, dropped");
	len = sealed_ping(c, rec, 1);
	tap_is_int(proto_open(s, rec, &len), PROTO_ERR_AUTH,
	    "a receiver that missed REKEY fails with AUTH");
	unpair(c, s);

	/* The hard limit: PROTO_REKEY_RECORDS - 1 records, then only REKEY. */
	pair(&c, &s);
	bad = pings(c, s, PROTO_REKEY_SOFT - 1);
	tap_is_int(bad, 0, "records up to the soft limit");
	tap_ok(!proto_rekey_due(c, mono_ns()), "no rekey due below the soft "
	    "limit");
	bad = pings(c, s, 1);
	tap_ok(bad == 0 && proto_rekey_due(c, mono_ns()),
	    "rekey due at PROTO_REKEY_SOFT records");
	bad = pings(c, s, PROTO_REKEY_RECORDS - PROTO_REKEY_SOFT - 1);
	tap_is_int(bad, 0, "records up to the hard limit");
	len = sealed_ping(c, rec, 1);
	tap_is_int(len, 0, "no record past the hard limit");
	rec[0] = PROTO_T_CONTROL;
	rec[1] = PROTO_CTL_PING;
	len = 10;
	tap_is_int(proto_seal(c, rec, &len, BUFSZ), PROTO_ERR_REKEY,
	    "seal past PROTO_REKEY_RECORDS is REKEY");
	tap_is_int(send_rekey(c, s, false), PROTO_OK,
	    "REKEY still fits in the last slot and opens");
	tap_ok(pings(c, s, 10) == 0, "records flow with the next key");
	unpair(c, s);
}

/*
 * Known answers for REKEY(k) = ENCRYPT(k, 2^64-1, empty, 32 zeros)[0:32]
 * (Noise section 4.2) with ChaCha20-Poly1305 and the Noise nonce.  The
 * expected values were computed outside the project, twice: with a
 * pure-Python ChaCha20 block function (RFC 8439 2.3, checked against its
 * test vector; the AEAD's payload keystream starts at block 1) and with
 * Python cryptography's ChaCha20Poly1305; both agreed.  "sealed" is
 * ENCRYPT(REKEY(k), 0, "rvpn", "rekeyed") (ciphertext then tag), "twice"
 * is REKEY(REKEY(k)).  A REKEY that used another nonce, took the tag, or
 * left the context on the old key fails here.
 */
static const struct {
	const char	*key, *next, *sealed, *twice;
} rekey_kat[] = {
	{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "50835543a205b22c9323f2022bc4f67d838f90e61d5ccf33c4513e01f85b5042",
	  "997ec745cce1d1ee57d0108731017b27b57ee07e3a530c",
	  "30fe3726fa0f864af01d15663c77f95e490e30143788af57e90d56fb9aa71609" },
	{ "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	  "5bac2acd86a836c5dc98c116c1217ec31d3a63a9451319f097f3b4d6dab07787",
	  "29629dd68408792135f7a4ae6db68564ee4b7dfdf0a20b",
	  "3bc92e63c05a0c6ededf3ee0ee19a28f784a750754cc20a7d1e270c312f9fd10" },
	{ "e68f69b7f413cd39b7d9e7d8a82e2e00ef2f9cdf8e0c56f6b8c1b5b1e1c6a2d7",
	  "714c5455ad48be25202c8347ff4e277892cd8e47a90835a6ae6fac0c34ad95ff",
	  "9938c7603287130149bc51256662a8f2191983f7934b3b",
	  "eade850bd1edfc140c593f36989d0171fcdfe1364efaba5fb7b05b77a8c95f20" },
};

static size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t		n;
	unsigned	b;

	for (n = 0; s[0] != '\0' && s[1] != '\0' && n < max; s += 2, n++) {
		if (sscanf(s, "%2x", &b) != 1)
			return (0);
		out[n] = (uint8_t)b;
	}
	return (n);
}

static void
test_rekey_kat(void)
{
	EVP_CIPHER_CTX	*enc, *dec;
	uint8_t		 key[NOISE_KEY_LEN], dkey[NOISE_KEY_LEN];
	uint8_t		 want[64], buf[64], tag[NOISE_TAG_LEN];
	const uint8_t	 ad[] = "rvpn", msg[] = "rekeyed";
	const size_t	 adlen = 4, mlen = 7;
	size_t		 i, n;
	int		 ok;

	enc = noise_cipher_new(1);
	dec = noise_cipher_new(0);
	for (i = 0; i < sizeof(rekey_kat) / sizeof(rekey_kat[0]); i++) {
		unhex(rekey_kat[i].key, key, sizeof(key));
		memcpy(dkey, key, sizeof(dkey));
		/* Used first under the old key, as a session's context is. */
		memcpy(buf, msg, mlen);
		ok = enc != NULL && dec != NULL &&
		    noise_cipher_key(enc, key, 1) == 0 &&
		    noise_cipher_key(dec, dkey, 0) == 0 &&
		    noise_cipher_seal(enc, 7, ad, adlen, buf, mlen, tag) == 0 &&
		    noise_cipher_rekey(enc, key, 1) == 0 &&
		    noise_cipher_rekey(dec, dkey, 0) == 0;
		n = unhex(rekey_kat[i].next, want, sizeof(want));
		tap_ok(ok && n == NOISE_KEY_LEN &&
		    memcmp(key, want, n) == 0 && memcmp(dkey, want, n) == 0,
		    "REKEY known answer %zu (sealing and opening side)", i);
		memcpy(buf, msg, mlen);
		n = unhex(rekey_kat[i].sealed, want, sizeof(want));
		ok = noise_cipher_seal(enc, 0, ad, adlen, buf, mlen, tag) == 0;
		tap_ok(ok && n == mlen + NOISE_TAG_LEN &&
		    memcmp(buf, want, mlen) == 0 &&
		    memcmp(tag, want + mlen, NOISE_TAG_LEN) == 0,
		    "the rekeyed context seals with REKEY(k) %zu", i);
		tap_ok(noise_cipher_open(dec, 0, ad, adlen, buf, mlen,
		    tag) == 0 && memcmp(buf, msg, mlen) == 0,
		    "the rekeyed opening context opens it %zu", i);
		n = unhex(rekey_kat[i].twice, want, sizeof(want));
		tap_ok(noise_cipher_rekey(enc, key, 1) == 0 &&
		    n == NOISE_KEY_LEN && memcmp(key, want, n) == 0,
		    "REKEY(REKEY(k)) known answer %zu", i);
	}
	EVP_CIPHER_CTX_free(enc);
	EVP_CIPHER_CTX_free(dec);
}

static void
test_handshake_errors(void)
{
	struct proto_hs		*ch, *sh, *sh2;
	struct proto_session	*c, *s;
	struct proto_hello	 hello, got;
	struct proto_assign	 a, ga;
	struct replay	*rp;
	struct noise_hs		 nhs;
	uint8_t			 rec[2048], rec1[2048], pub[32], other[32];
	uint8_t			 opriv[32], pl[1024], ts[12], ts2[12];
	size_t			 len, len1, plen;

	memset(&hello, 0, sizeof(hello));
	hello.version = PROTO_VERSION;
	proto_tai64n_now(hello.timestamp);
	sample_assign(&a);

	/* Wrong server key pinned by the client. */
	noise_x25519_generate(opriv, other);
	ch = proto_hs_new();
	sh = proto_hs_new();
	proto_hs_initiate(ch, cpriv, other, &hello, rec, sizeof(rec), &len);
	tap_is_int(proto_hs_respond_read(sh, spriv, rec, len, &got, pub),
	    PROTO_ERR_AUTH, "client pinned another server key: AUTH");
	tap_is_int(proto_hs_respond_write(sh, &a, rec, sizeof(rec), &len1,
	    NULL), PROTO_ERR_STATE, "respond_write after a failure is STATE");
	proto_hs_free(ch);
	proto_hs_free(sh);

	/* Replayed message 1: the record is fine, the timestamp is not. */
	rp = replay_new(16);
	ch = proto_hs_new();
	sh = proto_hs_new();
	sh2 = proto_hs_new();
	proto_hs_initiate(ch, cpriv, spub, &hello, rec1, sizeof(rec1), &len1);
	tap_is_int(proto_hs_respond_read(sh, spriv, rec1, len1, &got, pub),
	    PROTO_OK, "message 1 reads");
	tap_ok(replay_check_update(rp, pub, got.timestamp),
	    "first timestamp accepted");
	tap_is_int(proto_hs_respond_read(sh2, spriv, rec1, len1, &got, pub),
	    PROTO_OK, "replayed message 1 still decrypts");
	tap_ok(!replay_check_update(rp, pub, got.timestamp),
	    "replayed message 1 is a replay");
	proto_hs_free(ch);
	proto_hs_free(sh);
	proto_hs_free(sh2);
	replay_free(rp);

	/* Unsupported version. */
	ch = proto_hs_new();
	sh = proto_hs_new();
	s = proto_session_new();
	hello.version = 2;
	proto_hs_initiate(ch, cpriv, spub, &hello, rec, sizeof(rec), &len);
	tap_is_int(proto_hs_respond_read(sh, spriv, rec, len, &got, pub),
	    PROTO_OK, "version 2 message 1 reads");
	tap_is_int(got.version, 2, "the server sees version 2");
	tap_is_int(proto_hs_respond_write(sh, &a, rec, sizeof(rec), &len, s),
	    PROTO_ERR_VERSION, "respond_write refuses version 2: VERSION");
	hello.version = PROTO_VERSION;
	proto_hs_free(ch);
	proto_hs_free(sh);
	proto_session_free(s);

	/* Tampered message 1 and 2; wrong record types; bad sizes. */
	ch = proto_hs_new();
	sh = proto_hs_new();
	c = proto_session_new();
	s = proto_session_new();
	proto_hs_initiate(ch, cpriv, spub, &hello, rec, sizeof(rec), &len);
	rec[len - 1] ^= 1;
	tap_is_int(proto_hs_respond_read(sh, spriv, rec, len, &got, pub),
	    PROTO_ERR_AUTH, "tampered message 1 is AUTH");
	proto_hs_free(sh);
	sh = proto_hs_new();
	rec[len - 1] ^= 1;
	rec[0] = PROTO_T_HANDSHAKE_RESP;
	tap_is_int(proto_hs_respond_read(sh, spriv, rec, len, &got, pub),
	    PROTO_ERR_TYPE, "message 1 with the wrong type byte is TYPE");
	proto_hs_free(sh);
	sh = proto_hs_new();
	rec[0] = PROTO_T_HANDSHAKE_INIT;
	tap_is_int(proto_hs_respond_read(sh, spriv, rec, 60, &got, pub),
	    PROTO_ERR_SHORT, "truncated message 1 is SHORT");
	proto_hs_free(sh);
	sh = proto_hs_new();
	tap_is_int(proto_hs_respond_read(sh, spriv, rec, 4096, &got, pub),
	    PROTO_ERR_TOOBIG, "oversized message 1 is TOOBIG");
	proto_hs_free(sh);
	sh = proto_hs_new();
	tap_is_int(proto_hs_respond_read(sh, spriv, rec, len, &got, pub),
	    PROTO_OK, "restored message 1 reads");
	a.mtu = 100;
	tap_is_int(proto_hs_respond_write(sh, &a, rec, sizeof(rec), &len, s),
	    PROTO_ERR_PAYLOAD, "assignment with MTU 100 is PAYLOAD");
	sample_assign(&a);
	tap_is_int(proto_hs_respond_write(sh, &a, rec, 40, &len, s),
	    PROTO_ERR_SPACE, "message 2 into a small buffer is SPACE");
	tap_is_int(proto_hs_respond_write(sh, &a, rec, sizeof(rec), &len, s),
	    PROTO_OK, "message 2 after fixing the assignment");
	rec[40] ^= 1;
	tap_is_int(proto_hs_finish(ch, rec, len, &ga, c), PROTO_ERR_AUTH,
	    "tampered message 2 is AUTH");
	proto_hs_free(ch);
	proto_hs_free(sh);
	unpair(c, s);

	/*
	 * Message 2 payloads built by hand (a Noise responder with the rvpn
	 * prologue): a missing required TLV, then an unknown TLV.
	 */
	{
		static const struct {
			const char	*name;
			uint8_t		 tlv[64];
			size_t		 len;
			int		 want;
		} cases[] = {
			{ "assignment without MTU is PAYLOAD",
			    { 1, 5, 10, 200, 0, 2, 24, 2, 4, 10, 200, 0, 1 },
			    13, PROTO_ERR_PAYLOAD },
			{ "assignment without address is PAYLOAD",
			    { 2, 4, 10, 200, 0, 1, 4, 2, 0x05, 0x8c },
			    10, PROTO_ERR_PAYLOAD },
			{ "assignment with a bad TLV length is PAYLOAD",
			    { 1, 5, 10, 200, 0, 2, 24, 2, 4, 10, 200, 0, 1,
			    4, 3, 0x05, 0x8c, 0 }, 18, PROTO_ERR_PAYLOAD },
			{ "assignment with a TLV past the end is PAYLOAD",
			    { 1, 5, 10, 200, 0, 2, 24, 2, 4, 10, 200, 0, 1,
			    4, 2, 0x05, 0x8c, 9, 20, 1 }, 20,
			    PROTO_ERR_PAYLOAD },
			{ "IPv6 DNS server of 4 bytes is PAYLOAD",
			    { 1, 5, 10, 200, 0, 2, 24, 2, 4, 10, 200, 0, 1,
			    4, 2, 0x05, 0x8c, 9, 4, 1, 2, 3, 4 }, 23,
			    PROTO_ERR_PAYLOAD },
			{ "unknown TLV types are ignored",
			    { 1, 5, 10, 200, 0, 2, 24, 200, 3, 1, 2, 3,
			    2, 4, 10, 200, 0, 1, 4, 2, 0x05, 0x8c, 201, 0 },
			    24, PROTO_OK },
		};
		uint8_t		 send[32], recv[32], re[32];
		unsigned	 i;
		size_t		 l;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			ch = proto_hs_new();
			c = proto_session_new();
			proto_hs_initiate(ch, cpriv, spub, &hello, rec,
			    sizeof(rec), &len);
			noise_hs_init(&nhs, NOISE_HASH_BLAKE2S, false,
			    "rvpn v1", 7, spriv, NULL);
			if (noise_hs_read_msg1(&nhs, rec + 1, len - 1, pl,
			    sizeof(pl), &plen) != 0 ||
			    noise_hs_write_msg2(&nhs, cases[i].tlv,
			    cases[i].len, rec + 1, sizeof(rec) - 1, &l) != 0)
				tap_ok(0, "hand-made message 2");
			rec[0] = PROTO_T_HANDSHAKE_RESP;
			tap_is_int(proto_hs_finish(ch, rec, 1 + l, &ga, c),
			    cases[i].want, cases[i].name);
			if (cases[i].want == PROTO_OK)
				tap_ok(ga.mtu == 1420 && ga.prefix4 == 24 &&
				    ga.ndns4 == 0 && !ga.has_addr6 &&
				    noise_hs_split(&nhs, send, recv, re) == 0,
				    "the known TLVs of that payload");
			noise_hs_wipe(&nhs);
			proto_hs_free(ch);
			proto_session_free(c);
		}
	}

	proto_tai64n_now(ts);
	proto_tai64n_now(ts2);
	tap_ok(proto_tai64n_cmp(ts, ts2) < 0 && proto_tai64n_cmp(ts2, ts) > 0 &&
	    proto_tai64n_cmp(ts, ts) == 0, "TAI64N is strictly increasing");
	tap_ok(ts[0] == 0x40, "TAI64N label starts at 2^62");
}

static void
test_texts(void)
{
	const char	*t[16];
	int		 i, j, dup = 0, unk = 0;

	for (i = 0; i < 16; i++) {
		t[i] = proto_strerror(-i);
		if (strcmp(t[i], "unknown error") == 0)
			unk++;
		for (j = 0; j < i; j++)
			if (strcmp(t[i], t[j]) == 0)
				dup++;
	}
	tap_ok(unk == 0 && dup == 0, "proto_strerror: 16 distinct texts");
	tap_is_str(proto_strerror(PROTO_ERR_AUTH), "authentication failed",
	    "proto_strerror(AUTH)");
	tap_is_str(proto_strerror(PROTO_ERR_STATE), "call out of order",
	    "proto_strerror(STATE)");
	tap_is_str(proto_strerror(-16), "unknown error", "proto_strerror(-16)");
	tap_is_str(proto_strerror(1), "unknown error", "proto_strerror(1)");
	tap_is_str(proto_strerror(INT_MIN), "unknown error",
	    "proto_strerror(INT_MIN): no -INT_MIN overflow");
	for (i = PROTO_CLOSE_BAD_HANDSHAKE, unk = 0; i <= PROTO_CLOSE_LAST;
	    i++)
		if (proto_close_reason(i) == NULL ||
		    strlen(proto_close_reason(i)) > PROTO_REASON_MAX)
			unk++;
	tap_is_int(unk, 0, "proto_close_reason: a text for 4000..4014");
	tap_is_str(proto_close_reason(PROTO_CLOSE_VERSION),
	    "unsupported protocol version", "close reason 4002");
	tap_is_str(proto_close_reason(PROTO_CLOSE_REPLACED),
	    "replaced by a newer connection", "close reason 4011");
	tap_ok(proto_close_reason(3999) == NULL &&
	    proto_close_reason(4015) == NULL && proto_close_reason(1000) == NULL,
	    "proto_close_reason: NULL outside our codes");
}

/* A peer's CLOSE reason goes to the log: no terminal controls get there. */
static void
test_log_reason(void)
{
	struct proto_control	 c, got;
	uint8_t			 rec[256];
	size_t			 len;
	char			 line[256];
	FILE			*f;
	int			 saved;

	memset(&c, 0, sizeof(c));
	c.type = PROTO_CTL_CLOSE;
	c.code = PROTO_CLOSE_KICKED;
	snprintf(c.reason, sizeof(c.reason), "bye\x1b[2J\rINFO forged\x7f");
	if (proto_control_build(&c, rec, sizeof(rec), &len) != PROTO_OK ||
	    proto_control_parse(rec, len, &got) != PROTO_OK) {
		tap_ok(0, "close with control characters parses");
		return;
	}
	if ((f = tmpfile()) == NULL || (saved = dup(2)) == -1) {
		tap_ok(0, "tmpfile");
		return;
	}
	fflush(stderr);
	dup2(fileno(f), 2);
	log_warnx("peer closed: %s", got.reason);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	tap_is_str(line, "WARN rvpn: peer closed: bye\\x1b[2J\\rINFO "
	    "forged\\x7f\n", "log: control characters of a peer's reason "
	    "are escaped");
}

/* proto_session_clone: a kept pair restores a broken one (the fuzzers). */
static void
test_clone(void)
{
	struct proto_session	*c0, *s0, *c, *s, *u;
	uint8_t			*rec = bufa + HEADROOM;
	size_t			 len;

	if (pair(&c0, &s0) != 0) {
		tap_ok(0, "clone: handshake");
		return;
	}
	c = proto_session_new();
	s = proto_session_new();
	u = proto_session_new();
	tap_is_int(proto_session_clone(c, u), PROTO_ERR_STATE,
	    "clone of an unkeyed session is STATE");
	proto_session_free(u);
	tap_ok(proto_session_clone(c, c0) == PROTO_OK &&
	    proto_session_clone(s, s0) == PROTO_OK, "clone a keyed pair");
	len = sealed_ping(c, rec, 41);
	rec[len - 1] ^= 1;
	tap_is_int(proto_open(s, rec, &len), PROTO_ERR_AUTH,
	    "a tampered record fails on the clone");
	len = sealed_ping(c, rec, 42);
	tap_is_int(proto_open(s, rec, &len), PROTO_ERR_STATE,
	    "... and the broken clone refuses what follows");
	tap_ok(proto_session_clone(c, c0) == PROTO_OK &&
	    proto_session_clone(s, s0) == PROTO_OK, "clone again");
	len = sealed_ping(c, rec, 43);
	tap_ok(len > 0 && proto_open(s, rec, &len) == PROTO_OK,
	    "the restored clones seal and open");
	len = sealed_ping(c0, rec, 44);
	tap_ok(len > 0 && proto_open(s0, rec, &len) == PROTO_OK,
	    "the originals were not touched");
	unpair(c, s);
	unpair(c0, s0);
}

int
main(void)
{
	size_t	i;

	CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free);
	if (noise_x25519_generate(cpriv, cpub) != 0 ||
	    noise_x25519_generate(spriv, spub) != 0) {
		tap_ok(0, "key generation");
		return (tap_done());
	}
	for (i = 0; i < sizeof(pool); i++)
		pool[i] = (uint8_t)rng();
	test_handshake();
	test_bulk();
	test_record_errors();
	test_control();
	test_rekey();
	test_rekey_kat();
	test_handshake_errors();
	test_texts();
	test_log_reason();
	test_clone();
	return (tap_done());
}
