/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "route.h"
#include "xmalloc.h"

/*
 * One slot per address of the range.  A /8 is 16M slots, but calloc'd
 * memory is only touched (and so only resident) where sessions live.
 */
struct route_table {
	uint32_t	  net;		/* host byte order */
	uint32_t	  size;
	void		**slot;
};

/* Create the table of net/prefix (prefix 8..30).  Dies on ENOMEM. */
struct route_table *
route_new(struct in_addr net, uint8_t prefix)
{
	struct route_table *rt;

	if (prefix < 8 || prefix > 30)
		fatalx("%s: prefix /%u outside 8..30", __func__, prefix);
	rt = xcalloc(1, sizeof(*rt));
	rt->net = ntohl(net.s_addr) & (UINT32_MAX << (32 - prefix));
	rt->size = (uint32_t)1 << (32 - prefix);
	rt->slot = xcalloc(rt->size, sizeof(*rt->slot));
	return rt;
}

/* Free the table (not the values); NULL is a no-op. */
void
route_free(struct route_table *rt)
{
	if (rt == NULL)
		return;
	free(rt->slot);
	free(rt);
}

/* Host number of a host address (not network or broadcast), or 0. */
static uint32_t
route_host(const struct route_table *rt, uint32_t dst_be)
{
	uint32_t host;

	host = ntohl(dst_be) - rt->net;		/* wraps below net */
	if (host == 0 || host >= rt->size - 1)
		return 0;
	return host;
}

/*
 * Map addr to value; adding the same value twice is fine.  -1 with EINVAL
 * outside the range, EEXIST if another value has it.
 */
int
route_add(struct route_table *rt, struct in_addr addr, void *value)
{
	uint32_t host;

	if (value == NULL || (host = route_host(rt, addr.s_addr)) == 0) {
		errno = EINVAL;
		return -1;
	}
	if (rt->slot[host] != NULL && rt->slot[host] != value) {
		errno = EEXIST;
		return -1;
	}
	rt->slot[host] = value;
	return 0;
}

/* Unmap addr if it still maps to value. */
void
route_del(struct route_table *rt, struct in_addr addr, void *value)
{
	uint32_t host;

	if ((host = route_host(rt, addr.s_addr)) == 0)
		return;
	if (rt->slot[host] == value)
		rt->slot[host] = NULL;
}

/* The value for dst (network byte order), or NULL.  Per packet: O(1). */
void *
route_lookup(const struct route_table *rt, uint32_t dst_be)
{
	uint32_t host;

	host = ntohl(dst_be) - rt->net;
	if (host >= rt->size)
		return NULL;
	return rt->slot[host];	/* network and broadcast slots stay NULL */
}

/* ---- IPv6 ---------------------------------------------------------------- */

#define ROUTE6_MIN_SLOTS	16	/* power of two */

struct route6_slot {
	uint64_t	 host;
	void		*value;		/* NULL: empty */
};

struct route6_table {
	uint64_t		 net_hi;	/* first 64 bits of the range */
	uint64_t		 net_lo;	/* interface identifier, host bits 0 */
	uint64_t		 hostmask;	/* the host bits of the IID */
	unsigned		 bits;		/* log2(nslots) */
	uint64_t		 nslots;
	unsigned		 count;
	struct route6_slot	*slot;
};

static inline uint64_t
route6_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

/* Slot of a host: multiplicative (Fibonacci) hash, top bits. */
static inline uint64_t
route6_hash(const struct route6_table *rt, uint64_t host)
{
	return (host * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - rt->bits);
}

/* Create the table of net/prefix (prefix 64..126).  Dies on ENOMEM. */
struct route6_table *
route6_new(const struct in6_addr *net, uint8_t prefix)
{
	struct route6_table *rt;

	if (prefix < 64 || prefix > 126)
		fatalx("%s: prefix /%u outside 64..126", __func__, prefix);
	rt = xcalloc(1, sizeof(*rt));
	rt->hostmask = prefix == 64 ? UINT64_MAX :
	    (UINT64_C(1) << (128 - prefix)) - 1;
	rt->net_hi = route6_load64(net->s6_addr);
	rt->net_lo = route6_load64(net->s6_addr + 8) & ~rt->hostmask;
	rt->bits = 4;
	rt->nslots = ROUTE6_MIN_SLOTS;
	rt->slot = xcalloc(rt->nslots, sizeof(*rt->slot));
	return rt;
}

void
route6_free(struct route6_table *rt)
{
	if (rt == NULL)
		return;
	free(rt->slot);
	free(rt);
}

/* Host bits of 16 address bytes, or false if outside the range. */
static inline bool
route6_host(const struct route6_table *rt, const uint8_t *a, uint64_t *host)
{
	uint64_t lo;

	if (route6_load64(a) != rt->net_hi)
		return false;
	lo = route6_load64(a + 8);
	if ((lo & ~rt->hostmask) != rt->net_lo)
		return false;
	*host = lo & rt->hostmask;
	return true;
}

/* The slot holding host, or the empty slot where it would go. */
static uint64_t
route6_find(const struct route6_table *rt, uint64_t host)
{
	uint64_t i, mask = rt->nslots - 1;

	for (i = route6_hash(rt, host);
	    rt->slot[i].value != NULL && rt->slot[i].host != host;
	    i = (i + 1) & mask)
		;
	return i;
}

/* Double the slots and re-insert (setup path: may allocate). */
static void
route6_grow(struct route6_table *rt)
{
	struct route6_slot *old = rt->slot;
	uint64_t i, n = rt->nslots, j;

	rt->bits++;
	rt->nslots = n * 2;
	rt->slot = xcalloc(rt->nslots, sizeof(*rt->slot));
	for (i = 0; i < n; i++) {
		if (old[i].value == NULL)
			continue;
		j = route6_find(rt, old[i].host);
		rt->slot[j] = old[i];
	}
	free(old);
}

/* Remove the entry in slot i, shifting later entries of its run back. */
static void
route6_remove_slot(struct route6_table *rt, uint64_t i)
{
	uint64_t j, k, mask = rt->nslots - 1;

	rt->slot[i].value = NULL;
	rt->count--;
	for (j = (i + 1) & mask; rt->slot[j].value != NULL;
	    j = (j + 1) & mask) {
		k = route6_hash(rt, rt->slot[j].host);
		/* Move j to the hole at i unless its home lies in (i, j]. */
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && (k <= i && k > j))) {
			rt->slot[i] = rt->slot[j];
			rt->slot[j].value = NULL;
			i = j;
		}
	}
}

int
route6_set(struct route6_table *rt, const struct in6_addr *addr, void *value)
{
	uint64_t host, i;

	if (!route6_host(rt, addr->s6_addr, &host) || host == 0) {
		errno = EINVAL;
		return -1;
	}
	i = route6_find(rt, host);
	if (value == NULL) {
		if (rt->slot[i].value != NULL)
			route6_remove_slot(rt, i);
		return 0;
	}
	if (rt->slot[i].value == NULL) {
		if ((uint64_t)(rt->count + 1) * 2 > rt->nslots) {
			route6_grow(rt);
			i = route6_find(rt, host);
		}
		rt->slot[i].host = host;
		rt->count++;
	}
	rt->slot[i].value = value;
	return 0;
}

int
route6_add(struct route6_table *rt, const struct in6_addr *addr, void *value)
{
	void *cur;

	if (value == NULL) {
		errno = EINVAL;
		return -1;
	}
	cur = route6_lookup(rt, addr->s6_addr);
	if (cur != NULL && cur != value) {
		errno = EEXIST;
		return -1;
	}
	return route6_set(rt, addr, value);
}

void
route6_del(struct route6_table *rt, const struct in6_addr *addr, void *value)
{
	if (value != NULL && route6_lookup(rt, addr->s6_addr) == value)
		route6_set(rt, addr, NULL);
}

/* Per packet: O(1) expected, no allocation. */
void *
route6_lookup(const struct route6_table *rt, const uint8_t *dst)
{
	uint64_t host;

	if (!route6_host(rt, dst, &host))
		return NULL;
	return rt->slot[route6_find(rt, host)].value;
}

unsigned
route6_count(const struct route6_table *rt)
{
	return rt->count;
}

bool
route6_in_range(const struct route6_table *rt, const uint8_t *dst)
{
	uint64_t host;

	return route6_host(rt, dst, &host);
}
