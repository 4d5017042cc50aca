/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: proto_open + proto_data_next + proto_control_parse.  Input
 * byte 0 selects the mode, the rest is a record (type byte + body):
 *   even: opened as received (size, type and tag checks; mostly AUTH),
 *   odd:  sealed as plaintext by the peer first, so every length,
 *         batch and control check behind the AEAD is reached.
 * The session pair is kept across inputs while they open cleanly and made
 * afresh after any error (a failed open ends a session), so an input's
 * outcome does not depend on the ones before it.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "noise.h"
#include "proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t	cpriv[32], spriv[32], spub[32];

/* Fixed static keys; the ephemerals come from the handshake. */
static void
fuzz_pair(struct proto_session **pc, struct proto_session **ps)
{
	struct proto_hs		*ch = proto_hs_new(), *sh = proto_hs_new();
	struct proto_hello	 hello, got;
	struct proto_assign	 a;
	uint8_t			 rec[2048], pub[32];
	size_t			 len;

	if (spub[0] == 0 && spub[1] == 0) {
		memset(cpriv, 0x11, sizeof(cpriv));
		memset(spriv, 0x22, sizeof(spriv));
		if (noise_x25519_public(spriv, spub) != 0)
			abort();
	}
	*pc = proto_session_new();
	*ps = proto_session_new();
	memset(&hello, 0, sizeof(hello));
	hello.version = PROTO_VERSION;
	proto_tai64n_now(hello.timestamp);
	memset(&a, 0, sizeof(a));
	a.prefix4 = 24;
	a.mtu = 1420;
	if (proto_hs_initiate(ch, cpriv, spub, &hello, rec, sizeof(rec),
	    &len) != 0 ||
	    proto_hs_respond_read(sh, spriv, rec, len, &got, pub) != 0 ||
	    proto_hs_respond_write(sh, &a, rec, sizeof(rec), &len, *ps) != 0 ||
	    proto_hs_finish(ch, rec, len, &a, *pc) != 0)
		abort();
	proto_hs_free(ch);
	proto_hs_free(sh);
}

static struct proto_session	*c, *s;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_control	 ctl;
	const uint8_t		*pkt;
	uint8_t			*rec;
	size_t			 len, off, plen, cap;
	int			 rc;
	unsigned		 n = 0;

	if (size < 1 || size > PROTO_MAX_RECORD + 2)
		return (0);
	cap = size - 1 + PROTO_TAG_LEN;
	/* Exactly sized, so ASan sees any overrun. */
	if ((rec = malloc(cap)) == NULL)
		return (0);
	memcpy(rec, data + 1, size - 1);
	len = size - 1;
	/* The unopened parsers must be safe on anything too. */
	(void)proto_data_count(rec, len);
	(void)proto_control_parse(rec, len, &ctl);
	if (c == NULL)
		fuzz_pair(&c, &s);
	if (data[0] & 1) {
		rc = proto_seal(c, rec, &len, cap);
		if (rc == PROTO_OK)
			rc = proto_open(s, rec, &len);
	} else
		rc = proto_open(s, rec, &len);
	if (rc == PROTO_OK && rec[0] == PROTO_T_DATA) {
		off = 0;
		while (proto_data_next(rec, len, &off, &pkt, &plen) == 1) {
			if (plen < PROTO_MIN_PACKET || plen > PROTO_MAX_PACKET ||
			    pkt < rec || pkt + plen > rec + len)
				abort();
			n++;
		}
		if (n == 0 || n > PROTO_MAX_BATCH || 1 + off != len)
			abort();	/* open accepted what next cannot walk */
	} else if (rc == PROTO_OK && rec[0] == PROTO_T_CONTROL) {
		if (proto_control_parse(rec, len, &ctl) != PROTO_OK)
			abort();	/* open and parse disagree */
	}
	if (rc != PROTO_OK) {
		proto_session_free(c);
		proto_session_free(s);
		c = s = NULL;
	}
	free(rec);
	return (0);
}
