/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>

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
