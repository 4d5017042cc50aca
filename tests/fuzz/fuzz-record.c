/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: proto_open + proto_data_next + proto_control_parse.  Input
 * byte 0 selects the mode, the rest is a record (type byte + body):
 *   even: opened as received (size, type and tag checks; mostly AUTH),
 *   odd:  sealed as plaintext by the peer first, so every length,
 *         batch and control check behind the AEAD is reached.
 * Every packet of an opened DATA record then goes through the server's
 * per-packet checks, IPv4 or IPv6 (ipaddr_check_packet4/6, the IPv6
 * route table's lookup), as session_forward and the TUN reader use them.
 * The session pair is kept across inputs while they open cleanly and
 * copied afresh from the pair the one handshake made after any error (a
 * failed open ends a session), so an input's outcome does not depend on
 * the ones before it, and no input pays for a handshake.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "ipaddr.h"
#include "noise.h"
#include "proto.h"
#include "route.h"

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
/* The pair as its handshake left it, copied after a failed open. */
static struct proto_session	*c0, *s0;
static struct route6_table	*rt6;
static int			 owner;

/* The server's checks on one packet from a client (fd10:200::2 /
 * 10.200.0.2), and the IPv6 table lookup of its destination. */
static void
fuzz_packet(const uint8_t *pkt, size_t plen)
{
	static const uint8_t src6[16] = { 0xfd, 0x10, 0x02, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 2 };
	struct in6_addr a;
	enum ip_check r;

	if (rt6 == NULL) {
		memset(&a, 0, sizeof(a));
		memcpy(a.s6_addr, src6, 8);
		rt6 = route6_new(&a, 64);
		memcpy(a.s6_addr, src6, 16);
		if (route6_add(rt6, &a, &owner) != 0)
			abort();
	}
	if ((pkt[0] >> 4) == 6) {
		r = ipaddr_check_packet6(pkt, plen, src6);
		if (r == IP_CHECK_OK && (plen < IPADDR_IP6_HLEN ||
		    memcmp(pkt + 8, src6, 16) != 0))
			abort();	/* accepted a short or forged packet */
		if (plen >= IPADDR_IP6_HLEN) {
			if (route6_lookup(rt6, pkt + IPADDR_IP6_DST) != NULL &&
			    memcmp(pkt + IPADDR_IP6_DST, src6, 16) != 0)
				abort();	/* routed to the wrong session */
			(void)route6_in_range(rt6, pkt + IPADDR_IP6_DST);
		}
	} else
		(void)ipaddr_check_packet4(pkt, plen, htonl(0x0ac80002));
}

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
	if (c0 == NULL) {
		fuzz_pair(&c0, &s0);
		c = proto_session_new();
		s = proto_session_new();
		if (proto_session_clone(c, c0) != PROTO_OK ||
		    proto_session_clone(s, s0) != PROTO_OK)
			abort();
	}
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
			fuzz_packet(pkt, plen);
			n++;
		}
		if (n == 0 || n > PROTO_MAX_BATCH || 1 + off != len)
			abort();	/* open accepted what next cannot walk */
	} else if (rc == PROTO_OK && rec[0] == PROTO_T_CONTROL) {
		if (proto_control_parse(rec, len, &ctl) != PROTO_OK)
			abort();	/* open and parse disagree */
	}
	if (rc != PROTO_OK && (proto_session_clone(c, c0) != PROTO_OK ||
	    proto_session_clone(s, s0) != PROTO_OK))
		abort();
	free(rec);
	return (0);
}
