/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "log.h"
#include "xmalloc.h"

#define ADMIT_BUCKETS	4096	/* hash chains (a power of two) */
#define ADMIT_TOKEN	1000	/* one connection, in milli-tokens */

/*
 * A source with connections pending or tokens spent.  Its bucket holds
 * up to `rate` connections (one second's worth, at least one) and
 * refills continuously.
 */
struct admit_src {
	uint8_t			 addr[ADMIT_ADDR_LEN];
	unsigned		 pending;
	uint64_t		 tokens;	/* milli-tokens */
	uint64_t		 t_ms;		/* last refill */
	struct admit_src	*next;
};

struct admit {
	struct admit_src	*tab[ADMIT_BUCKETS];
	unsigned		 nsrc;
	unsigned		 pending;
	uint64_t		 key[2];	/* hash key: random per process */
};

struct admit *
admit_new(void)
{
	struct admit *a;

	a = xcalloc(1, sizeof(*a));
	if (RAND_bytes((unsigned char *)a->key, sizeof(a->key)) != 1)
		fatalx("%s: RAND_bytes", __func__);
	return a;
}

void
admit_free(struct admit *a)
{
	struct admit_src *s, *next;
	unsigned i;

	if (a == NULL)
		return;
	for (i = 0; i < ADMIT_BUCKETS; i++) {
		for (s = a->tab[i]; s != NULL; s = next) {
			next = s->next;
			free(s);
		}
	}
	free(a);
}

static uint64_t
admit_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* A keyed hash of the address: chains an attacker cannot aim at. */
static unsigned
admit_hash(const struct admit *a, const uint8_t *addr)
{
	uint64_t w[2];

	memcpy(w, addr, sizeof(w));
	return (unsigned)(admit_mix(admit_mix(w[0] ^ a->key[0]) ^ w[1] ^
	    a->key[1]) & (ADMIT_BUCKETS - 1));
}

static uint64_t
admit_cap(const struct admit_limits *lim)
{
	return (uint64_t)(lim->rate > 0 ? lim->rate : 1) * ADMIT_TOKEN;
}

/* Refill a bucket up to its capacity. */
static void
admit_refill(struct admit_src *s, const struct admit_limits *lim,
    uint64_t now_ms)
{
	uint64_t cap = admit_cap(lim);

	if (now_ms > s->t_ms) {
		s->tokens += (now_ms - s->t_ms) * lim->rate;
		s->t_ms = now_ms;
	}
	if (s->tokens > cap)
		s->tokens = cap;
}

/* The source of addr, created with a full bucket; NULL if table full. */
static struct admit_src *
admit_lookup(struct admit *a, const struct admit_limits *lim,
    const uint8_t *addr, uint64_t now_ms)
{
	struct admit_src *s;
	unsigned h = admit_hash(a, addr);

	for (s = a->tab[h]; s != NULL; s = s->next) {
		if (memcmp(s->addr, addr, ADMIT_ADDR_LEN) == 0)
			return s;
	}
	if (a->nsrc >= ADMIT_MAX_SOURCES) {
		admit_sweep(a, lim, now_ms);
		if (a->nsrc >= ADMIT_MAX_SOURCES)
			return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	memcpy(s->addr, addr, ADMIT_ADDR_LEN);
	s->tokens = admit_cap(lim);
	s->t_ms = now_ms;
	s->next = a->tab[h];
	a->tab[h] = s;
	a->nsrc++;
	return s;
}

/* Per-source checks; on ADMIT_OK the connection is charged to it. */
static enum admit_result
admit_charge(struct admit *a, const struct admit_limits *lim,
    const uint8_t *addr, uint64_t now_ms, struct admit_src **srcp)
{
	struct admit_src *s;

	if ((s = admit_lookup(a, lim, addr, now_ms)) == NULL)
		return ADMIT_GLOBAL;
	if (lim->max_per_source > 0 && s->pending >= lim->max_per_source)
		return ADMIT_SOURCE;
	if (lim->rate > 0) {
		admit_refill(s, lim, now_ms);
		if (s->tokens < ADMIT_TOKEN)
			return ADMIT_RATE;
		s->tokens -= ADMIT_TOKEN;
	}
	s->pending++;
	*srcp = s;
	return ADMIT_OK;
}

enum admit_result
admit_enter(struct admit *a, const struct admit_limits *lim,
    const uint8_t addr[ADMIT_ADDR_LEN], uint64_t now_ms,
    struct admit_src **srcp)
{
	enum admit_result r;

	*srcp = NULL;
	if (lim->max_pending > 0 && a->pending >= lim->max_pending)
		return ADMIT_GLOBAL;
	if (addr != NULL &&
	    (r = admit_charge(a, lim, addr, now_ms, srcp)) != ADMIT_OK)
		return r;
	a->pending++;
	return ADMIT_OK;
}

enum admit_result
admit_source(struct admit *a, const struct admit_limits *lim,
    const uint8_t addr[ADMIT_ADDR_LEN], uint64_t now_ms,
    struct admit_src **srcp)
{
	*srcp = NULL;
	return admit_charge(a, lim, addr, now_ms, srcp);
}

void
admit_leave(struct admit *a, struct admit_src *s)
{
	if (a->pending == 0)
		fatalx("%s: nothing pending", __func__);
	a->pending--;
	if (s != NULL) {
		if (s->pending == 0)
			fatalx("%s: source has nothing pending", __func__);
		s->pending--;
	}
}

void
admit_sweep(struct admit *a, const struct admit_limits *lim, uint64_t now_ms)
{
	struct admit_src **sp, *s;
	unsigned i;

	for (i = 0; i < ADMIT_BUCKETS; i++) {
		sp = &a->tab[i];
		while ((s = *sp) != NULL) {
			admit_refill(s, lim, now_ms);
			if (s->pending == 0 && (lim->rate == 0 ||
			    s->tokens >= admit_cap(lim))) {
				*sp = s->next;
				free(s);
				a->nsrc--;
				continue;
			}
			sp = &s->next;
		}
	}
}

unsigned
admit_pending(const struct admit *a)
{
	return a->pending;
}

unsigned
admit_nsources(const struct admit *a)
{
	return a->nsrc;
}

unsigned
admit_src_pending(const struct admit_src *s)
{
	return s->pending;
}

void
admit_addr4(uint32_t v4, uint8_t out[ADMIT_ADDR_LEN])
{
	memset(out, 0, ADMIT_ADDR_LEN);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, &v4, 4);
}

void
admit_addr(const void *sa, uint8_t out[ADMIT_ADDR_LEN])
{
	const struct sockaddr_in *sin = sa;
	const struct sockaddr_in6 *sin6 = sa;

	memset(out, 0, ADMIT_ADDR_LEN);
	if (sin->sin_family == AF_INET) {
		admit_addr4(sin->sin_addr.s_addr, out);
		return;
	}
	if (sin6->sin6_family != AF_INET6)
		return;
	memcpy(out, &sin6->sin6_addr, ADMIT_ADDR_LEN);
	/* IPv4-mapped stays whole; a native IPv6 client owns its /64. */
	if (!IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		memset(out + 8, 0, 8);
}
