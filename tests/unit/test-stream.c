/* SPDX-License-Identifier: ISC */
/*
 * Relay mode: the stream messages (lib/stream.c), the session TLVs of the
 * handshake and STREAM records through seal/open (lib/proto.c).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "noise.h"
#include "proto.h"
#include "stream.h"
#include "tap.h"

static void
roundtrip(const struct stream_msg *m, const char *name)
{
	uint8_t buf[STREAM_MSG_MAX];
	struct stream_msg got;
	size_t len;

	tap_is_int(stream_encode(m, buf, sizeof(buf), &len), STREAM_OK, name);
	tap_is_int(stream_parse(buf, len, &got), STREAM_OK, name);
	tap_ok(got.type == m->type && got.id == m->id && got.port == m->port &&
	    got.atyp == m->atyp && strcmp(got.name, m->name) == 0 &&
	    memcmp(got.addr, m->addr, 16) == 0 && got.credit == m->credit &&
	    got.reason == m->reason && got.len == m->len &&
	    (m->len == 0 || memcmp(got.data, m->data, m->len) == 0),
	    "%s: fields intact", name);
}

static void
test_roundtrip(void)
{
	struct stream_msg m;
	static uint8_t data[STREAM_MAX_DATA];

	memset(&m, 0, sizeof(m));
	m.type = STREAM_OPEN;
	m.id = 7;
	m.port = 443;
	m.atyp = STREAM_A_NAME;
	strcpy(m.name, "lab.rvpn.test");
	roundtrip(&m, "OPEN name");
	memset(m.name, 'a', STREAM_NAME_MAX);
	m.name[STREAM_NAME_MAX] = '\0';
	roundtrip(&m, "OPEN 255-byte name");
	memset(&m, 0, sizeof(m));
	m.type = STREAM_OPEN;
	m.id = 0xffffffff;
	m.port = 80;
	m.atyp = STREAM_A_IPV4;
	memcpy(m.addr, "\xc6\x12\x00\x01", 4);
	roundtrip(&m, "OPEN IPv4");
	m.atyp = STREAM_A_IPV6;
	memcpy(m.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	roundtrip(&m, "OPEN IPv6");
	memset(&m, 0, sizeof(m));
	m.id = 1;
	m.type = STREAM_OPEN_OK;
	roundtrip(&m, "OPEN_OK");
	m.type = STREAM_FIN;
	roundtrip(&m, "FIN");
	m.type = STREAM_WINDOW_UPDATE;
	m.credit = STREAM_WINDOW;
	roundtrip(&m, "WINDOW_UPDATE");
	m.credit = 0;
	m.type = STREAM_RESET;
	m.reason = STREAM_R_NOT_ALLOWED;
	roundtrip(&m, "RESET");
	m.reason = 0;
	m.type = STREAM_DATA;
	memset(data, 0x5a, sizeof(data));
	m.data = data;
	m.len = sizeof(data);
	roundtrip(&m, "DATA, largest");
	m.len = 1;
	roundtrip(&m, "DATA, one byte");
}

struct bad {
	const char	*name;
	const char	*bytes;
	size_t		 len;
	int		 want;
};

static void
test_bad(void)
{
	static const struct bad bad[] = {
		{ "empty", "", 0, STREAM_ERR_SHORT },
		{ "header cut", "\x03\0\0\0", 4, STREAM_ERR_SHORT },
		{ "type 0", "\x00\0\0\0\x01", 5, STREAM_ERR_TYPE },
		{ "type 7", "\x07\0\0\0\x01", 5, STREAM_ERR_TYPE },
		{ "stream id 0", "\x05\0\0\0\0", 5, STREAM_ERR_VALUE },
		{ "OPEN cut", "\x01\0\0\0\x01\0\x50\x01", 8, STREAM_ERR_SHORT },
		{ "OPEN port 0", "\x01\0\0\0\x01\0\0\x01\x01\x02\x03\x04", 12,
		    STREAM_ERR_VALUE },
		{ "OPEN IPv4 too long",
		    "\x01\0\0\0\x01\0\x50\x01\x01\x02\x03\x04\x05", 13,
		    STREAM_ERR_LENGTH },
		{ "OPEN IPv6 cut", "\x01\0\0\0\x01\0\x50\x04\x01\x02\x03\x04",
		    12, STREAM_ERR_LENGTH },
		{ "OPEN atyp 2", "\x01\0\0\0\x01\0\x50\x02\x01\x02\x03\x04", 12,
		    STREAM_ERR_VALUE },
		{ "OPEN name length 0", "\x01\0\0\0\x01\0\x50\x03\x00", 9,
		    STREAM_ERR_VALUE },
		{ "OPEN name past end", "\x01\0\0\0\x01\0\x50\x03\x05" "ab", 11,
		    STREAM_ERR_LENGTH },
		{ "OPEN name with NUL", "\x01\0\0\0\x01\0\x50\x03\x03" "a\0b",
		    12, STREAM_ERR_VALUE },
		{ "OPEN_OK with body", "\x02\0\0\0\x01\x00", 6,
		    STREAM_ERR_LENGTH },
		{ "DATA empty", "\x03\0\0\0\x01", 5, STREAM_ERR_LENGTH },
		{ "WINDOW short", "\x04\0\0\0\x01\0\0\x01", 8,
		    STREAM_ERR_LENGTH },
		{ "WINDOW 0", "\x04\0\0\0\x01\0\0\0\0", 9, STREAM_ERR_VALUE },
		{ "WINDOW over max", "\x04\0\0\0\x01\x01\0\0\x01", 9,
		    STREAM_ERR_VALUE },
		{ "FIN with body", "\x05\0\0\0\x01\x01", 6, STREAM_ERR_LENGTH },
		{ "RESET no reason", "\x06\0\0\0\x01", 5, STREAM_ERR_LENGTH },
		{ "RESET reason 0", "\x06\0\0\0\x01\x00", 6, STREAM_ERR_VALUE },
		{ "RESET reason 7", "\x06\0\0\0\x01\x07", 6, STREAM_ERR_VALUE },
		{ "RESET reason 10", "\x06\0\0\0\x01\x0a", 6,
		    STREAM_ERR_VALUE },
	};
	static uint8_t big[5 + STREAM_MAX_DATA + 1];
	struct stream_msg m;
	size_t blen;
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_is_int(stream_parse((const uint8_t *)bad[i].bytes,
		    bad[i].len, &m), bad[i].want, bad[i].name);
	big[0] = STREAM_DATA;
	big[4] = 1;
	tap_is_int(stream_parse(big, sizeof(big), &m), STREAM_ERR_LENGTH,
	    "DATA over STREAM_MAX_DATA");
	tap_is_int(stream_parse(big, sizeof(big) - 1, &m), STREAM_OK,
	    "DATA of STREAM_MAX_DATA");

	memset(&m, 0, sizeof(m));
	m.type = STREAM_OPEN;
	m.id = 1;
	m.port = 80;
	m.atyp = STREAM_A_NAME;
	memset(m.name, 'a', STREAM_NAME_MAX + 1);
	tap_is_int(stream_encode(&m, big, sizeof(big), &blen),
	    STREAM_ERR_VALUE, "encode: name over 255 bytes");
	tap_is_int(stream_reason_socks(STREAM_R_NOT_ALLOWED), 2,
	    "policy refusal is SOCKS5 reply 2");
	tap_is_int(stream_reason_socks(STREAM_R_LIMIT), 1,
	    "stream limit is SOCKS5 reply 1");
	tap_is_int(stream_reason_socks(STREAM_R_REFUSED), 5,
	    "refused is SOCKS5 reply 5");
}

/* The session TLVs: a relay hello, a relay assignment, STREAM records. */
static void
test_handshake(void)
{
	struct proto_hs *ch = proto_hs_new(), *sh = proto_hs_new();
	struct proto_session *c = proto_session_new(), *s = proto_session_new();
	struct proto_hello hello, got;
	struct proto_assign a, ga;
	uint8_t cpriv[32], spriv[32], spub[32], pub[32], rec[2048];
	size_t len;

	memset(cpriv, 0x11, sizeof(cpriv));
	memset(spriv, 0x22, sizeof(spriv));
	if (noise_x25519_public(spriv, spub) != 0)
		abort();
	memset(&hello, 0, sizeof(hello));
	hello.version = PROTO_VERSION;
	hello.session = PROTO_SESSION_RELAY;
	hello.stream_version = STREAM_VERSION;
	proto_tai64n_now(hello.timestamp);
	tap_is_int(proto_hs_initiate(ch, cpriv, spub, &hello, rec,
	    sizeof(rec), &len), PROTO_OK, "relay hello: initiate");
	tap_is_int(proto_hs_respond_read(sh, spriv, rec, len, &got, pub),
	    PROTO_OK, "relay hello: read");
	tap_is_int(got.session, PROTO_SESSION_RELAY, "relay hello: kind");
	tap_is_int(got.stream_version, STREAM_VERSION,
	    "relay hello: stream version");
	memset(&a, 0, sizeof(a));
	a.relay = true;
	a.stream_version = STREAM_VERSION;
	a.keepalive = 25;
	tap_is_int(proto_hs_respond_write(sh, &a, rec, sizeof(rec), &len, s),
	    PROTO_OK, "relay assignment: write");
	tap_is_int(proto_hs_finish(ch, rec, len, &ga, c), PROTO_OK,
	    "relay assignment: finish");
	tap_ok(ga.relay && ga.stream_version == STREAM_VERSION &&
	    ga.keepalive == 25 && ga.addr4.s_addr == 0,
	    "relay assignment arrives intact");

	/* A STREAM record both ways. */
	rec[0] = PROTO_T_STREAM;
	memcpy(rec + 1, "\x05\0\0\0\x09", 5);
	len = 6;
	tap_is_int(proto_seal(c, rec, &len, sizeof(rec)), PROTO_OK,
	    "STREAM record: seal");
	tap_is_int(proto_open(s, rec, &len), PROTO_OK, "STREAM record: open");
	tap_ok(len == 6 && memcmp(rec + 1, "\x05\0\0\0\x09", 5) == 0,
	    "STREAM record: body intact");
	rec[0] = PROTO_T_STREAM;
	len = 1;
	tap_is_int(proto_seal(s, rec, &len, sizeof(rec)), PROTO_ERR_EMPTY,
	    "STREAM record: empty body refused");
	proto_hs_free(ch);
	proto_hs_free(sh);
	proto_session_free(c);
	proto_session_free(s);
}

/* A TUN assignment must not carry TLV 10 with the tunnel fields. */
static void
test_tlv_errors(void)
{
	struct proto_hs *ch = proto_hs_new(), *sh = proto_hs_new();
	struct proto_hello hello, got;
	uint8_t cpriv[32], spriv[32], spub[32], pub[32], rec[2048];
	size_t len;

	memset(cpriv, 0x11, sizeof(cpriv));
	memset(spriv, 0x22, sizeof(spriv));
	if (noise_x25519_public(spriv, spub) != 0)
		abort();
	memset(&hello, 0, sizeof(hello));
	hello.version = PROTO_VERSION;
	hello.session = 7;	/* not a kind v1 knows */
	hello.stream_version = 1;
	proto_tai64n_now(hello.timestamp);
	tap_is_int(proto_hs_initiate(ch, cpriv, spub, &hello, rec,
	    sizeof(rec), &len), PROTO_OK, "unknown kind: initiate");
	tap_is_int(proto_hs_respond_read(sh, spriv, rec, len, &got, pub),
	    PROTO_ERR_PAYLOAD, "unknown session kind is PAYLOAD");
	proto_hs_free(ch);
	proto_hs_free(sh);
}

int
main(void)
{
	test_roundtrip();
	test_bad();
	test_handshake();
	test_tlv_errors();
	return tap_done();
}
