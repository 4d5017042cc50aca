/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <endian.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "log.h"
#include "pool.h"
#include "route.h"
#include "xmalloc.h"

/*
 * Hosts are numbered from the network address: host 0 is the network,
 * host 1 the gateway, host size - 1 the broadcast.  Two bitmaps over the
 * hosts: leased, and busy (leased or reserved for a static key or not
 * usable), which the lowest-free search scans from a hint.
 *
 * Statics are few (one per authorized client with a fixed address): an
 * array searched linearly on alloc, plus the reserved bitmap for the
 * per-address checks.  Sticky addresses live in a bounded hash of the
 * most recent keys; the oldest entry is evicted when it is full.
 */

#define POOL_STICKY_MAX		4096	/* remembered keys */
#define POOL_STICKY_BUCKETS	1024	/* power of two */
#define POOL_NONE		UINT32_MAX

struct pool_static {
	uint8_t		 key[PROTO_KEY_LEN];
	uint32_t	 host;
};

struct pool_sticky {
	uint8_t		 key[PROTO_KEY_LEN];
	uint32_t	 host;
	uint32_t	 hnext;		/* hash chain */
	uint32_t	 older;		/* age list */
	uint32_t	 newer;
};

struct pool {
	uint32_t		 net;		/* host byte order */
	uint8_t			 prefix;
	uint32_t		 size;		/* addresses in the range */
	uint32_t		 nwords;
	uint64_t		*leased;
	uint64_t		*busy;
	uint64_t		*reserved;
	uint32_t		 hint;		/* no busy-free host below it */
	unsigned		 used;

	struct pool_static	*statics;
	size_t			 nstatics;
	size_t			 statics_cap;

	struct pool_sticky	*sticky;	/* POOL_STICKY_MAX entries */
	uint32_t		 nsticky;
	uint32_t		 buckets[POOL_STICKY_BUCKETS];
	uint32_t		 oldest;
	uint32_t		 newest;
};

static inline bool
bit_get(const uint64_t *map, uint32_t i)
{
	return (map[i / 64] >> (i % 64)) & 1;
}

static inline void
bit_set(uint64_t *map, uint32_t i)
{
	map[i / 64] |= (uint64_t)1 << (i % 64);
}

static inline void
bit_clear(uint64_t *map, uint32_t i)
{
	map[i / 64] &= ~((uint64_t)1 << (i % 64));
}

/* Host number of addr, or POOL_NONE if it is not a usable host address. */
static uint32_t
pool_host(const struct pool *p, struct in_addr addr)
{
	uint32_t host;

	host = ntohl(addr.s_addr) - p->net;	/* wraps below net */
	if (host < 2 || host >= p->size - 1)
		return POOL_NONE;
	return host;
}

static struct in_addr
pool_addr(const struct pool *p, uint32_t host)
{
	struct in_addr a;

	a.s_addr = htonl(p->net + host);
	return a;
}

/* Create the pool of net/prefix (prefix 8..30). */
struct pool *
pool_new(struct in_addr net, uint8_t prefix)
{
	struct pool *p;
	uint32_t i, mask;

	if (prefix < 8 || prefix > 30)
		fatalx("%s: prefix /%u outside 8..30", __func__, prefix);
	mask = UINT32_MAX << (32 - prefix);

	p = xcalloc(1, sizeof(*p));
	p->net = ntohl(net.s_addr) & mask;
	p->prefix = prefix;
	p->size = (uint32_t)1 << (32 - prefix);
	p->nwords = (p->size + 63) / 64;
	p->leased = xcalloc(p->nwords, sizeof(*p->leased));
	p->busy = xcalloc(p->nwords, sizeof(*p->busy));
	p->reserved = xcalloc(p->nwords, sizeof(*p->reserved));
	/* Network, gateway and broadcast are never free. */
	bit_set(p->busy, 0);
	bit_set(p->busy, 1);
	bit_set(p->busy, p->size - 1);
	p->hint = 2;

	p->sticky = xcalloc(POOL_STICKY_MAX, sizeof(*p->sticky));
	for (i = 0; i < POOL_STICKY_BUCKETS; i++)
		p->buckets[i] = POOL_NONE;
	p->oldest = p->newest = POOL_NONE;
	return p;
}

/* Free the pool; NULL is a no-op. */
void
pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	free(p->leased);
	free(p->busy);
	free(p->reserved);
	free(p->statics);
	free(p->sticky);
	free(p);
}

static uint32_t
sticky_bucket(const uint8_t key[PROTO_KEY_LEN])
{
	uint32_t h;

	/* Keys are public keys: uniformly random already. */
	memcpy(&h, key, sizeof(h));
	return h & (POOL_STICKY_BUCKETS - 1);
}

static uint32_t
sticky_find(const struct pool *p, const uint8_t key[PROTO_KEY_LEN])
{
	uint32_t i;

	for (i = p->buckets[sticky_bucket(key)]; i != POOL_NONE;
	    i = p->sticky[i].hnext) {
		if (memcmp(p->sticky[i].key, key, PROTO_KEY_LEN) == 0)
			return i;
	}
	return POOL_NONE;
}

static void
sticky_unlink_age(struct pool *p, uint32_t i)
{
	struct pool_sticky *e = &p->sticky[i];

	if (e->older != POOL_NONE)
		p->sticky[e->older].newer = e->newer;
	else
		p->oldest = e->newer;
	if (e->newer != POOL_NONE)
		p->sticky[e->newer].older = e->older;
	else
		p->newest = e->older;
}

static void
sticky_link_newest(struct pool *p, uint32_t i)
{
	struct pool_sticky *e = &p->sticky[i];

	e->newer = POOL_NONE;
	e->older = p->newest;
	if (p->newest != POOL_NONE)
		p->sticky[p->newest].newer = i;
	else
		p->oldest = i;
	p->newest = i;
}

static void
sticky_unlink_hash(struct pool *p, uint32_t i)
{
	uint32_t *pp;

	for (pp = &p->buckets[sticky_bucket(p->sticky[i].key)];
	    *pp != POOL_NONE; pp = &p->sticky[*pp].hnext) {
		if (*pp == i) {
			*pp = p->sticky[i].hnext;
			return;
		}
	}
}

/* Remember host as key's address, evicting the oldest key when full. */
static void
sticky_put(struct pool *p, const uint8_t key[PROTO_KEY_LEN], uint32_t host)
{
	uint32_t i, b;

	if ((i = sticky_find(p, key)) != POOL_NONE) {
		p->sticky[i].host = host;
		sticky_unlink_age(p, i);
		sticky_link_newest(p, i);
		return;
	}
	if (p->nsticky < POOL_STICKY_MAX)
		i = p->nsticky++;
	else {
		i = p->oldest;
		sticky_unlink_age(p, i);
		sticky_unlink_hash(p, i);
	}
	memcpy(p->sticky[i].key, key, PROTO_KEY_LEN);
	p->sticky[i].host = host;
	b = sticky_bucket(key);
	p->sticky[i].hnext = p->buckets[b];
	p->buckets[b] = i;
	sticky_link_newest(p, i);
}

static struct pool_static *
static_find_key(struct pool *p, const uint8_t key[PROTO_KEY_LEN])
{
	size_t i;

	for (i = 0; i < p->nstatics; i++) {
		if (memcmp(p->statics[i].key, key, PROTO_KEY_LEN) == 0)
			return &p->statics[i];
	}
	return NULL;
}

/*
 * Reserve addr for key.  A key has one static address: a second
 * reservation for the same key moves it.  An address leased to another
 * key stays leased; the static key gets POOL_ERR_TAKEN until it is
 * released.  Returns POOL_OK, POOL_ERR_RANGE or POOL_ERR_RESERVED.
 */
int
pool_reserve_static(struct pool *p, struct in_addr addr,
    const uint8_t key[PROTO_KEY_LEN])
{
	struct pool_static *s;
	uint32_t host;
	size_t i;

	if ((host = pool_host(p, addr)) == POOL_NONE)
		return POOL_ERR_RANGE;
	for (i = 0; i < p->nstatics; i++) {
		if (p->statics[i].host == host) {
			if (memcmp(p->statics[i].key, key, PROTO_KEY_LEN) != 0)
				return POOL_ERR_RESERVED;
			return POOL_OK;
		}
	}
	if ((s = static_find_key(p, key)) != NULL) {
		bit_clear(p->reserved, s->host);
		if (!bit_get(p->leased, s->host)) {
			bit_clear(p->busy, s->host);
			if (s->host < p->hint)
				p->hint = s->host;
		}
		s->host = host;
	} else {
		if (p->nstatics == p->statics_cap) {
			p->statics_cap = p->statics_cap ?
			    p->statics_cap * 2 : 16;
			p->statics = xreallocarray(p->statics, p->statics_cap,
			    sizeof(*p->statics));
		}
		s = &p->statics[p->nstatics++];
		memcpy(s->key, key, PROTO_KEY_LEN);
		s->host = host;
	}
	bit_set(p->reserved, host);
	bit_set(p->busy, host);
	return POOL_OK;
}

/* Drop every static reservation (before loading them again on reload). */
void
pool_clear_static(struct pool *p)
{
	size_t i;
	uint32_t host;

	for (i = 0; i < p->nstatics; i++) {
		host = p->statics[i].host;
		bit_clear(p->reserved, host);
		if (!bit_get(p->leased, host)) {
			bit_clear(p->busy, host);
			if (host < p->hint)
				p->hint = host;
		}
	}
	if (p->statics != NULL)
		explicit_bzero(p->statics, p->nstatics * sizeof(*p->statics));
	p->nstatics = 0;
}

/* The lowest host that is neither leased nor reserved, or POOL_NONE. */
static uint32_t
pool_lowest_free(struct pool *p)
{
	uint32_t w, host;
	uint64_t free_bits;

	for (w = p->hint / 64; w < p->nwords; w++) {
		free_bits = ~p->busy[w];
		if (w == p->hint / 64)
			free_bits &= UINT64_MAX << (p->hint % 64);
		if (free_bits == 0)
			continue;
		host = w * 64 + (uint32_t)__builtin_ctzll(free_bits);
		if (host >= p->size)
			break;
		p->hint = host;
		return host;
	}
	p->hint = p->size;
	return POOL_NONE;
}

static void
pool_take(struct pool *p, const uint8_t key[PROTO_KEY_LEN], uint32_t host,
    struct in_addr *out)
{
	bit_set(p->leased, host);
	bit_set(p->busy, host);
	p->used++;
	sticky_put(p, key, host);
	*out = pool_addr(p, host);
}

/* Lease an address for key (see pool.h for the order of preference). */
int
pool_alloc(struct pool *p, const uint8_t key[PROTO_KEY_LEN],
    const struct in_addr *requested, struct in_addr *out)
{
	struct pool_static *s;
	uint32_t host, i;

	if ((s = static_find_key(p, key)) != NULL) {
		if (bit_get(p->leased, s->host))
			return POOL_ERR_TAKEN;
		pool_take(p, key, s->host, out);
		return POOL_OK;
	}
	if (requested != NULL) {
		if ((host = pool_host(p, *requested)) == POOL_NONE)
			return POOL_ERR_RANGE;
		if (bit_get(p->reserved, host))
			return POOL_ERR_RESERVED;
		if (bit_get(p->leased, host))
			return POOL_ERR_TAKEN;
		pool_take(p, key, host, out);
		return POOL_OK;
	}
	if ((i = sticky_find(p, key)) != POOL_NONE) {
		host = p->sticky[i].host;
		if (!bit_get(p->busy, host)) {
			pool_take(p, key, host, out);
			return POOL_OK;
		}
	}
	if ((host = pool_lowest_free(p)) == POOL_NONE)
		return POOL_ERR_EXHAUSTED;
	pool_take(p, key, host, out);
	return POOL_OK;
}

/* Return a lease; a no-op for an address that is not leased. */
void
pool_release(struct pool *p, struct in_addr addr)
{
	uint32_t host;

	if ((host = pool_host(p, addr)) == POOL_NONE ||
	    !bit_get(p->leased, host))
		return;
	bit_clear(p->leased, host);
	p->used--;
	if (!bit_get(p->reserved, host)) {
		bit_clear(p->busy, host);
		if (host < p->hint)
			p->hint = host;
	}
}

bool
pool_is_leased(const struct pool *p, struct in_addr addr)
{
	uint32_t host;

	if ((host = pool_host(p, addr)) == POOL_NONE)
		return false;
	return bit_get(p->leased, host);
}

/* The server's own address: the first host. */
struct in_addr
pool_gateway(const struct pool *p)
{
	return pool_addr(p, 1);
}

/* Usable addresses: all hosts but network, gateway and broadcast. */
unsigned
pool_capacity(const struct pool *p)
{
	return p->size - 3;
}

unsigned
pool_used(const struct pool *p)
{
	return p->used;
}

/* ---- IPv6 ---------------------------------------------------------------- */

/*
 * Leased and reserved hosts live in a route6_table whose values are the
 * flags below (never NULL while set): no bitmap over 2^64 hosts.
 */
#define POOL6_LEASED	1
#define POOL6_RESERVED	2

struct pool6_static {
	uint8_t		 key[PROTO_KEY_LEN];
	uint64_t	 host;
};

struct pool6 {
	uint8_t			 net[16];	/* host bits zero */
	uint64_t		 hostmask;
	struct route6_table	*state;
	uint64_t		 hint;		/* no free host below it */
	unsigned		 used;
	struct pool6_static	*statics;
	size_t			 nstatics;
	size_t			 statics_cap;
};

static void
pool6_addr(const struct pool6 *p, uint64_t host, uint8_t out[16])
{
	uint64_t lo;

	memcpy(out, p->net, 16);
	memcpy(&lo, out + 8, sizeof(lo));
	lo = htobe64(be64toh(lo) | host);
	memcpy(out + 8, &lo, sizeof(lo));
}

/* Host number of a usable address (not host 0 or 1), or false. */
static bool
pool6_host(const struct pool6 *p, const uint8_t a[16], uint64_t *host)
{
	uint64_t lo, nlo;

	if (memcmp(a, p->net, 8) != 0)
		return false;
	memcpy(&lo, a + 8, sizeof(lo));
	memcpy(&nlo, p->net + 8, sizeof(nlo));
	lo = be64toh(lo);
	nlo = be64toh(nlo);
	if ((lo & ~p->hostmask) != nlo || (lo & p->hostmask) < 2)
		return false;
	*host = lo & p->hostmask;
	return true;
}

static unsigned
pool6_flags(const struct pool6 *p, uint64_t host)
{
	uint8_t a[16];

	pool6_addr(p, host, a);
	return (unsigned)(uintptr_t)route6_lookup(p->state, a);
}

static void
pool6_set_flags(struct pool6 *p, uint64_t host, unsigned flags)
{
	struct in6_addr a;

	pool6_addr(p, host, a.s6_addr);
	if (route6_set(p->state, &a, (void *)(uintptr_t)flags) == -1)
		fatalx("%s: host outside the pool", __func__);
}

struct pool6 *
pool6_new(const struct in6_addr *net, uint8_t prefix)
{
	struct pool6 *p;
	uint64_t lo;

	if (prefix < 64 || prefix > 126)
		fatalx("%s: prefix /%u outside 64..126", __func__, prefix);
	p = xcalloc(1, sizeof(*p));
	p->hostmask = prefix == 64 ? UINT64_MAX :
	    (UINT64_C(1) << (128 - prefix)) - 1;
	memcpy(p->net, net->s6_addr, 16);
	memcpy(&lo, p->net + 8, sizeof(lo));
	lo = htobe64(be64toh(lo) & ~p->hostmask);
	memcpy(p->net + 8, &lo, sizeof(lo));
	p->state = route6_new(net, prefix);
	p->hint = 2;
	return p;
}

/* Hosts 2 .. all ones: the network and the gateway are not handed out. */
uint64_t
pool6_capacity(const struct pool6 *p)
{
	return p->hostmask - 1;
}

void
pool6_free(struct pool6 *p)
{
	if (p == NULL)
		return;
	route6_free(p->state);
	free(p->statics);
	free(p);
}

static struct pool6_static *
pool6_static_key(struct pool6 *p, const uint8_t key[PROTO_KEY_LEN])
{
	size_t i;

	for (i = 0; i < p->nstatics; i++) {
		if (memcmp(p->statics[i].key, key, PROTO_KEY_LEN) == 0)
			return &p->statics[i];
	}
	return NULL;
}

/* Clear RESERVED on host; a host neither leased nor reserved is free. */
static void
pool6_unreserve(struct pool6 *p, uint64_t host)
{
	pool6_set_flags(p, host, pool6_flags(p, host) & ~POOL6_RESERVED);
	if (host < p->hint)
		p->hint = host;
}

int
pool6_reserve_static(struct pool6 *p, const struct in6_addr *addr,
    const uint8_t key[PROTO_KEY_LEN])
{
	struct pool6_static *s;
	uint64_t host;
	size_t i;

	if (!pool6_host(p, addr->s6_addr, &host))
		return POOL_ERR_RANGE;
	for (i = 0; i < p->nstatics; i++) {
		if (p->statics[i].host == host) {
			if (memcmp(p->statics[i].key, key, PROTO_KEY_LEN) != 0)
				return POOL_ERR_RESERVED;
			return POOL_OK;
		}
	}
	if ((s = pool6_static_key(p, key)) != NULL) {
		pool6_unreserve(p, s->host);
		s->host = host;
	} else {
		if (p->nstatics == p->statics_cap) {
			p->statics_cap = p->statics_cap ?
			    p->statics_cap * 2 : 16;
			p->statics = xreallocarray(p->statics, p->statics_cap,
			    sizeof(*p->statics));
		}
		s = &p->statics[p->nstatics++];
		memcpy(s->key, key, PROTO_KEY_LEN);
		s->host = host;
	}
	pool6_set_flags(p, host, pool6_flags(p, host) | POOL6_RESERVED);
	return POOL_OK;
}

void
pool6_clear_static(struct pool6 *p)
{
	size_t i;

	for (i = 0; i < p->nstatics; i++)
		pool6_unreserve(p, p->statics[i].host);
	if (p->statics != NULL)
		explicit_bzero(p->statics, p->nstatics * sizeof(*p->statics));
	p->nstatics = 0;
}

static void
pool6_take(struct pool6 *p, uint64_t host, struct in6_addr *out)
{
	pool6_set_flags(p, host, pool6_flags(p, host) | POOL6_LEASED);
	p->used++;
	pool6_addr(p, host, out->s6_addr);
}

int
pool6_alloc(struct pool6 *p, const uint8_t key[PROTO_KEY_LEN],
    uint64_t want_host, struct in6_addr *out)
{
	struct pool6_static *s;
	uint64_t host, n;

	if ((s = pool6_static_key(p, key)) != NULL) {
		if (pool6_flags(p, s->host) & POOL6_LEASED)
			return POOL_ERR_TAKEN;
		pool6_take(p, s->host, out);
		return POOL_OK;
	}
	if (want_host >= 2 && want_host <= p->hostmask &&
	    pool6_flags(p, want_host) == 0) {
		pool6_take(p, want_host, out);
		return POOL_OK;
	}
	/* Every busy host has an entry: a free one within count + 1 steps. */
	n = (uint64_t)route6_count(p->state) + 1;
	for (host = p->hint; n > 0 && host >= 2 && host <= p->hostmask;
	    host++, n--) {
		if (pool6_flags(p, host) == 0) {
			p->hint = host + 1;
			pool6_take(p, host, out);
			return POOL_OK;
		}
	}
	return POOL_ERR_EXHAUSTED;
}

void
pool6_release(struct pool6 *p, const struct in6_addr *addr)
{
	uint64_t host;
	unsigned flags;

	if (!pool6_host(p, addr->s6_addr, &host) ||
	    !((flags = pool6_flags(p, host)) & POOL6_LEASED))
		return;
	pool6_set_flags(p, host, flags & ~POOL6_LEASED);
	p->used--;
	if (host < p->hint)
		p->hint = host;
}

bool
pool6_is_leased(const struct pool6 *p, const struct in6_addr *addr)
{
	uint64_t host;

	if (!pool6_host(p, addr->s6_addr, &host))
		return false;
	return (pool6_flags(p, host) & POOL6_LEASED) != 0;
}

void
pool6_gateway(const struct pool6 *p, struct in6_addr *out)
{
	pool6_addr(p, 1, out->s6_addr);
}

unsigned
pool6_used(const struct pool6 *p)
{
	return p->used;
}
