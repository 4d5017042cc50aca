/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlmsg.h"
#include "tap.h"

static uint8_t buf[CTLMSG_MAX + 64];

/* A message header with any length and type. */
static void
put_hdr(uint8_t *p, uint32_t len, uint8_t type)
{
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[4] = type;
}

/*
 * How many proper prefixes of the LEN-byte message MSG decode as OK.
 * Each is copied into a heap buffer of exactly its length, so that a
 * read past it is a sanitizer report, not a read of the next bytes.
 */
static unsigned
prefixes_accepted(const uint8_t *msg, size_t len)
{
	struct ctlmsg d;
	uint8_t *p;
	size_t cut;
	unsigned bad = 0;

	for (cut = 0; cut < len; cut++) {
		if ((p = malloc(cut > 0 ? cut : 1)) == NULL)
			abort();
		memcpy(p, msg, cut);
		if (ctlmsg_decode(p, cut, &d) == CTLMSG_OK)
			bad++;
		free(p);
	}
	return bad;
}

static void
fill_session(struct ctlmsg *m)
{
	struct ctlmsg_session *s = &m->u.session;
	unsigned i;

	memset(m, 0, sizeof(*m));
	m->type = CTLMSG_T_SESSION;
	snprintf(s->name, sizeof(s->name), "laptop");
	for (i = 0; i < sizeof(s->pub); i++)
		s->pub[i] = (uint8_t)(i * 7 + 1);
	inet_pton(AF_INET, "10.200.0.2", &s->addr);
	snprintf(s->remote, sizeof(s->remote), "198.18.1.2");
	snprintf(s->forwarded, sizeof(s->forwarded), "203.0.113.9");
	s->since = 1700000000;
	s->duration = 3661;
	s->c.rx_bytes = 0x0102030405060708ULL;
	s->c.rx_pkts = 2;
	s->c.tx_bytes = UINT64_MAX;
	s->c.tx_pkts = 4;
	s->c.drop_source = 5;
	s->c.drop_header = 6;
	s->c.drop_c2c = 7;
	s->c.drop_tun = 8;
	s->c.drop_queue = 9;
	s->c.drop_noroute = 10;
	s->c.ipv6 = 11;
	s->has_rtt = 1;
	s->rtt_us = 1234;
}

static void
test_empty_and_text(void)
{
	struct ctlmsg m;
	size_t len, total;

	tap_is_int(ctlmsg_encode_text(CTLMSG_T_STATUS_REQ, NULL, buf,
	    sizeof(buf), &len), CTLMSG_OK, "encode STATUS_REQ");
	tap_is_int(len, CTLMSG_HDR_LEN, "STATUS_REQ is a bare header");
	tap_is_int(ctlmsg_peek(buf, len, &total), CTLMSG_OK, "peek");
	tap_is_int(total, CTLMSG_HDR_LEN, "peek: total length");
	tap_is_int(ctlmsg_decode(buf, len, &m), CTLMSG_OK, "decode STATUS_REQ");
	tap_is_int(m.type, CTLMSG_T_STATUS_REQ, "type STATUS_REQ");
	tap_ok(ctlmsg_is_request(m.type), "STATUS_REQ is a request");

	tap_is_int(ctlmsg_encode_text(CTLMSG_T_KICK_REQ, "10.200.0.7", buf,
	    sizeof(buf), &len), CTLMSG_OK, "encode KICK_REQ");
	tap_is_int(ctlmsg_decode(buf, len, &m), CTLMSG_OK, "decode KICK_REQ");
	tap_is_str(m.u.text, "10.200.0.7", "KICK_REQ target");

	tap_is_int(ctlmsg_encode_text(CTLMSG_T_OK, "", buf, sizeof(buf),
	    &len), CTLMSG_OK, "encode an empty OK");
	tap_is_int(ctlmsg_decode(buf, len, &m), CTLMSG_OK, "decode empty OK");
	tap_is_str(m.u.text, "", "empty OK text");
	tap_ok(!ctlmsg_is_request(CTLMSG_T_OK), "OK is not a request");
}

static void
test_status(void)
{
	struct ctlmsg m, d;
	size_t len;

	memset(&m, 0, sizeof(m));
	m.type = CTLMSG_T_STATUS;
	snprintf(m.u.status.version, sizeof(m.u.status.version), "0.1.0");
	m.u.status.now = 1700000000;
	m.u.status.uptime = 86400 * 3;
	m.u.status.pool_used = 2;
	m.u.status.pool_capacity = 253;
	m.u.status.nsessions = 2;
	tap_is_int(ctlmsg_encode(&m, buf, sizeof(buf), &len), CTLMSG_OK,
	    "encode STATUS");
	tap_is_int(ctlmsg_decode(buf, len, &d), CTLMSG_OK, "decode STATUS");
	tap_is_str(d.u.status.version, "0.1.0", "STATUS version");
	tap_is_int(d.u.status.uptime, 86400 * 3, "STATUS uptime");
	tap_is_int(d.u.status.pool_used, 2, "STATUS pool used");
	tap_is_int(d.u.status.pool_capacity, 253, "STATUS pool capacity");
	tap_is_int(d.u.status.nsessions, 2, "STATUS nsessions");

	tap_is_int(len, CTLMSG_HDR_LEN + 4 + sizeof(struct ctlmsg_status),
	    "STATUS: header, build id, struct");

	/* used > capacity is not a status, sent or received */
	m.u.status.pool_used = 254;
	tap_is_int(ctlmsg_encode(&m, buf, sizeof(buf), &len),
	    CTLMSG_ERR_FORMAT, "encode STATUS with used > capacity: refused");
	m.u.status.pool_used = 2;
	ctlmsg_encode(&m, buf, sizeof(buf), &len);
	memcpy(buf + CTLMSG_HDR_LEN + 4 + offsetof(struct ctlmsg_status,
	    pool_used), &(uint32_t){ 254 }, 4);
	tap_is_int(ctlmsg_decode(buf, len, &d), CTLMSG_ERR_FORMAT,
	    "STATUS with used > capacity: format error");
	tap_is_int(d.u.status.pool_used, 0, "a refused STATUS is not kept");
	/* A version without its NUL. */
	ctlmsg_encode(&m, buf, sizeof(buf), &len);
	memset(buf + CTLMSG_HDR_LEN + 4, 'v', sizeof(m.u.status.version));
	tap_is_int(ctlmsg_decode(buf, len, &d), CTLMSG_ERR_FORMAT,
	    "STATUS version without a NUL: format error");
}

static void
test_session(void)
{
	struct ctlmsg m, d;
	size_t len;
	uint32_t other;

	fill_session(&m);
	tap_is_int(ctlmsg_encode(&m, buf, sizeof(buf), &len), CTLMSG_OK,
	    "encode SESSION");
	tap_is_int(ctlmsg_decode(buf, len, &d), CTLMSG_OK, "decode SESSION");
	tap_ok(memcmp(&m.u.session, &d.u.session, sizeof(m.u.session)) == 0,
	    "SESSION round trip is exact");
	tap_is_int(d.u.session.c.tx_bytes == UINT64_MAX, 1,
	    "u64 max survives");
	tap_is_int(d.u.session.c.ipv6, 11, "SESSION ipv6 ignored");
	tap_is_int(len, CTLMSG_HDR_LEN + 4 + sizeof(struct ctlmsg_session),
	    "SESSION: header, build id, struct");

	/* Another build: same size, other id. */
	memcpy(&other, buf + CTLMSG_HDR_LEN, 4);
	other ^= 1;
	memcpy(buf + CTLMSG_HDR_LEN, &other, 4);
	tap_is_int(ctlmsg_decode(buf, len, &d), CTLMSG_ERR_BUILD,
	    "SESSION of another build: refused");
	tap_ok(d.u.session.name[0] == '\0', "nothing of it is kept");
	/* A layout with one more counter. */
	ctlmsg_encode(&m, buf, sizeof(buf), &len);
	memset(buf + len, 0, 8);
	put_hdr(buf, (uint32_t)(len + 8 - CTLMSG_HDR_LEN), CTLMSG_T_SESSION);
	tap_is_int(ctlmsg_decode(buf, len + 8, &d), CTLMSG_ERR_SIZE,
	    "SESSION with 8 more bytes: size error");
	ctlmsg_encode(&m, buf, sizeof(buf), &len);

	/* Every shorter length is refused, never read past. */
	tap_is_int(prefixes_accepted(buf, len), 0,
	    "every truncated SESSION is refused");
	tap_is_int(ctlmsg_decode(buf, len - 1, &d), CTLMSG_ERR_SHORT,
	    "one byte short: CTLMSG_ERR_SHORT");
	/* A body that claims one byte less (last byte cut, header fixed). */
	put_hdr(buf, (uint32_t)(len - CTLMSG_HDR_LEN - 1), CTLMSG_T_SESSION);
	tap_is_int(ctlmsg_decode(buf, len - 1, &d), CTLMSG_ERR_SIZE,
	    "SESSION body one byte short: size error");
	/* A trailing byte. */
	ctlmsg_encode(&m, buf, sizeof(buf), &len);
	buf[len] = 0;
	put_hdr(buf, (uint32_t)(len - CTLMSG_HDR_LEN + 1), CTLMSG_T_SESSION);
	tap_is_int(ctlmsg_decode(buf, len + 1, &d), CTLMSG_ERR_SIZE,
	    "SESSION with a trailing byte: size error");
	/* Strings without their NUL, an empty name, a bad flag. */
	ctlmsg_encode(&m, buf, sizeof(buf), &len);
	memset(buf + CTLMSG_HDR_LEN + 4 + offsetof(struct ctlmsg_session,
	    remote), 'r', sizeof(m.u.session.remote));
	tap_is_int(ctlmsg_decode(buf, len, &d), CTLMSG_ERR_FORMAT,
	    "SESSION remote without a NUL: refused");
	ctlmsg_encode(&m, buf, sizeof(buf), &len);
	buf[CTLMSG_HDR_LEN + 4] = '\0';
	tap_is_int(ctlmsg_decode(buf, len, &d), CTLMSG_ERR_FORMAT,
	    "SESSION with an empty name: refused");
	ctlmsg_encode(&m, buf, sizeof(buf), &len);
	buf[CTLMSG_HDR_LEN + 4 + offsetof(struct ctlmsg_session, has_rtt)] = 2;
	tap_is_int(ctlmsg_decode(buf, len, &d), CTLMSG_ERR_FORMAT,
	    "SESSION with has_rtt 2: refused");
	/* No room: an error, not a cut. */
	tap_is_int(ctlmsg_encode(&m, buf, 40, &len), CTLMSG_ERR_SPACE,
	    "SESSION into a small buffer: CTLMSG_ERR_SPACE");
}

static void
test_stats(void)
{
	struct ctlmsg m, d;
	size_t len, off;
	unsigned i;

	memset(&m, 0, sizeof(m));
	m.type = CTLMSG_T_STATS;
	m.u.stats.sessions_total = 3;
	m.u.stats.sessions_current = 2;
	m.u.stats.c.drop_queue = 77;
	m.u.stats.tun.tun_short = 5;
	m.u.stats.c.ipv6 = 0x1122334455667788ULL;
	m.u.stats.tun.tun_ipv6 = 9;
	m.u.stats.nrefused = 14;
	for (i = 0; i < 14; i++) {
		m.u.stats.refused[i].code = (uint16_t)(4000 + i);
		m.u.stats.refused[i].count = i;
	}
	tap_is_int(ctlmsg_encode(&m, buf, sizeof(buf), &len), CTLMSG_OK,
	    "encode STATS");
	tap_is_int(ctlmsg_decode(buf, len, &d), CTLMSG_OK, "decode STATS");
	tap_ok(memcmp(&m.u.stats, &d.u.stats, sizeof(m.u.stats)) == 0,
	    "STATS round trip is exact");
	tap_is_int(d.u.stats.refused[1].code, 4001, "STATS code 4001");
	tap_ok(d.u.stats.c.ipv6 == 0x1122334455667788ULL, "STATS ipv6");
	tap_is_int(d.u.stats.tun.tun_ipv6, 9, "STATS tun_ipv6");
	tap_is_int(d.u.stats.tun.tun_short, 5, "STATS tun_short");
	tap_is_int(len, CTLMSG_HDR_LEN + 4 + sizeof(struct ctlmsg_stats),
	    "STATS: header, build id, struct");
	tap_is_int(prefixes_accepted(buf, len), 0,
	    "every truncated STATS is refused");

	/* More refusal codes than the array holds. */
	off = CTLMSG_HDR_LEN + 4 + offsetof(struct ctlmsg_stats, nrefused);
	memcpy(buf + off, &(unsigned){ CTLMSG_MAX_CODES + 1 },
	    sizeof(unsigned));
	tap_is_int(ctlmsg_decode(buf, len, &d), CTLMSG_ERR_FORMAT,
	    "STATS count over CTLMSG_MAX_CODES: format error");
	m.u.stats.nrefused = CTLMSG_MAX_CODES + 1;
	tap_is_int(ctlmsg_encode(&m, buf, sizeof(buf), &len),
	    CTLMSG_ERR_FORMAT, "encoding it: format error");
	put_hdr(buf, 10, CTLMSG_T_STATS);
	tap_is_int(ctlmsg_decode(buf, 15, &d), CTLMSG_ERR_SIZE,
	    "STATS of 10 bytes: size error");
	put_hdr(buf, 8 * 17 + 1, CTLMSG_T_STATS);
	tap_is_int(ctlmsg_decode(buf, CTLMSG_HDR_LEN + 8 * 17 + 1, &d),
	    CTLMSG_ERR_SIZE, "STATS of the old encoded layout: size error");
}

static void
test_negative(void)
{
	struct ctlmsg m;
	size_t len, total;

	/* Truncated headers. */
	put_hdr(buf, 0, CTLMSG_T_STATS_REQ);
	tap_is_int(ctlmsg_peek(buf, 4, &total), CTLMSG_ERR_SHORT,
	    "4-byte header: CTLMSG_ERR_SHORT");
	tap_is_int(ctlmsg_decode(buf, 0, &m), CTLMSG_ERR_SHORT,
	    "empty buffer: CTLMSG_ERR_SHORT");

	/* Oversized. */
	put_hdr(buf, CTLMSG_MAX - CTLMSG_HDR_LEN + 1, CTLMSG_T_OK);
	tap_is_int(ctlmsg_peek(buf, CTLMSG_HDR_LEN, &total), CTLMSG_ERR_TOOBIG,
	    "length over CTLMSG_MAX: CTLMSG_ERR_TOOBIG");
	put_hdr(buf, 0xffffffff, CTLMSG_T_OK);
	tap_is_int(ctlmsg_peek(buf, CTLMSG_HDR_LEN, &total), CTLMSG_ERR_TOOBIG,
	    "length 2^32-1: CTLMSG_ERR_TOOBIG");
	put_hdr(buf, CTLMSG_MAX - CTLMSG_HDR_LEN, CTLMSG_T_OK);
	tap_is_int(ctlmsg_peek(buf, CTLMSG_HDR_LEN, &total), CTLMSG_OK,
	    "length exactly CTLMSG_MAX: accepted by peek");
	memset(buf + CTLMSG_HDR_LEN, 'a', CTLMSG_MAX - CTLMSG_HDR_LEN);
	tap_is_int(ctlmsg_decode(buf, CTLMSG_MAX, &m), CTLMSG_ERR_SIZE,
	    "OK text over CTLMSG_TEXT_MAX: size error");

	/* Unknown types, in step. */
	put_hdr(buf, 3, 99);
	memcpy(buf + CTLMSG_HDR_LEN, "abc", 3);
	tap_is_int(ctlmsg_decode(buf, 8, &m), CTLMSG_ERR_TYPE,
	    "type 99: CTLMSG_ERR_TYPE");
	tap_is_int(m.type, 99, "type 99 reported");
	put_hdr(buf, 0, 0);
	tap_is_int(ctlmsg_decode(buf, 5, &m), CTLMSG_ERR_TYPE,
	    "type 0: CTLMSG_ERR_TYPE");
	memset(&m, 0, sizeof(m));
	m.type = 200;
	tap_is_int(ctlmsg_encode(&m, buf, sizeof(buf), &len), CTLMSG_ERR_TYPE,
	    "encoding type 200: CTLMSG_ERR_TYPE");

	/* Size checks per type. */
	put_hdr(buf, 1, CTLMSG_T_RELOAD_REQ);
	tap_is_int(ctlmsg_decode(buf, 6, &m), CTLMSG_ERR_SIZE,
	    "RELOAD_REQ with a body: size error");
	put_hdr(buf, 0, CTLMSG_T_DRAIN_REQ);
	tap_is_int(ctlmsg_decode(buf, 5, &m), CTLMSG_OK, "DRAIN_REQ empty: ok");
	tap_ok(ctlmsg_is_request(m.type), "DRAIN_REQ is a request");
	put_hdr(buf, 4, CTLMSG_T_DRAIN_REQ);
	memcpy(buf + CTLMSG_HDR_LEN, "kick", 4);
	tap_is_int(ctlmsg_decode(buf, 9, &m), CTLMSG_OK, "DRAIN_REQ kick: ok");
	tap_is_str(m.u.text, "kick", "DRAIN_REQ kick: the word");
	put_hdr(buf, 4, CTLMSG_T_DRAIN_REQ);
	memcpy(buf + CTLMSG_HDR_LEN, "kiss", 4);
	tap_is_int(ctlmsg_decode(buf, 9, &m), CTLMSG_ERR_FORMAT,
	    "DRAIN_REQ with another word: format error");
	put_hdr(buf, 1, CTLMSG_T_UNDRAIN_REQ);
	tap_is_int(ctlmsg_decode(buf, 6, &m), CTLMSG_ERR_SIZE,
	    "UNDRAIN_REQ with a body: size error");
	put_hdr(buf, 0, CTLMSG_T_KICK_REQ);
	tap_is_int(ctlmsg_decode(buf, 5, &m), CTLMSG_ERR_SIZE,
	    "KICK_REQ without a target: size error");
	put_hdr(buf, 3, CTLMSG_T_KICK_REQ);
	memcpy(buf + CTLMSG_HDR_LEN, "a\0b", 3);
	tap_is_int(ctlmsg_decode(buf, 8, &m), CTLMSG_ERR_FORMAT,
	    "KICK_REQ with a NUL: format error");
	put_hdr(buf, 4, CTLMSG_T_STATUS);
	tap_is_int(ctlmsg_decode(buf, 9, &m), CTLMSG_ERR_SIZE,
	    "STATUS of 4 bytes: size error");
	/* Extra bytes after the message given to decode. */
	ctlmsg_encode_text(CTLMSG_T_OK, "x", buf, sizeof(buf), &len);
	tap_is_int(ctlmsg_decode(buf, len + 1, &m), CTLMSG_ERR_SIZE,
	    "decode of more than one message: size error");
	/* Text too long to send. */
	{
		static char big[CTLMSG_TEXT_MAX + 2];

		memset(big, 'k', sizeof(big) - 1);
		tap_is_int(ctlmsg_encode_text(CTLMSG_T_KICK_REQ, big, buf,
		    sizeof(buf), &len), CTLMSG_ERR_TOOBIG,
		    "KICK target over CTLMSG_TEXT_MAX: CTLMSG_ERR_TOOBIG");
	}
	tap_is_str(ctlmsg_strerror(CTLMSG_ERR_TYPE), "unknown message type",
	    "strerror");
	tap_is_str(ctlmsg_strerror(-100), "unknown error", "strerror of junk");
}

/*
 * test-ctlmsg status-hex N: a STATUS of this build promising N sessions,
 * in hex, for tests/ctl-errors.sh's fake servers.
 */
static int
status_hex(const char *n)
{
	struct ctlmsg m;
	size_t len, i;

	memset(&m, 0, sizeof(m));
	m.type = CTLMSG_T_STATUS;
	snprintf(m.u.status.version, sizeof(m.u.status.version), "0.1.0");
	m.u.status.now = 1700000000;
	m.u.status.uptime = 5;
	m.u.status.pool_used = 1;
	m.u.status.pool_capacity = 10;
	m.u.status.nsessions = (uint32_t)strtoul(n, NULL, 10);
	if (ctlmsg_encode(&m, buf, sizeof(buf), &len) != CTLMSG_OK)
		return 1;
	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "status-hex") == 0)
		return status_hex(argv[2]);
	test_empty_and_text();
	test_status();
	test_session();
	test_stats();
	test_negative();
	return tap_done();
}
