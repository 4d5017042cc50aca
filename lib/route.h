/* SPDX-License-Identifier: ISC */
/*
 * Inner destination IP -> session, O(1): a flat array over dhcp_range
 * indexed by host number.  The value is opaque (the server's session).
 */
#ifndef RVPN_ROUTE_H
#define RVPN_ROUTE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct route_table;

struct route_table	*route_new(struct in_addr net, uint8_t prefix);
void			 route_free(struct route_table *);
/* 0, or -1 if outside the range or already taken by another value. */
int			 route_add(struct route_table *, struct in_addr, void *);
/* Remove addr only if it still maps to value (a newer session keeps it). */
void			 route_del(struct route_table *, struct in_addr, void *);
/* The value for a destination (network byte order), or NULL. */
void			*route_lookup(const struct route_table *, uint32_t dst_be);

/*
 * The IPv6 table of dhcp_range6 (prefix 64..126): an open-addressing
 * hash on the host bits (the low 128 - prefix bits of the interface
 * identifier), linear probing, kept at most half full.  Lookup is O(1)
 * and never allocates; add may grow the table (a handshake, not a
 * packet).  Values are opaque, as above.
 */
struct route6_table;

struct route6_table	*route6_new(const struct in6_addr *net, uint8_t prefix);
void			 route6_free(struct route6_table *);
/*
 * 0, or -1 with EINVAL outside the range or for the network address
 * (the Subnet-Router anycast), EEXIST if another value has it.
 */
int			 route6_add(struct route6_table *,
			    const struct in6_addr *, void *);
/* Remove addr only if it still maps to value. */
void			 route6_del(struct route6_table *,
			    const struct in6_addr *, void *);
/* Set addr to value, replacing any (NULL removes); -1 EINVAL as add. */
int			 route6_set(struct route6_table *,
			    const struct in6_addr *, void *);
/* The value for the 16 address bytes at dst (a packet's), or NULL. */
void			*route6_lookup(const struct route6_table *,
			    const uint8_t *dst);
unsigned		 route6_count(const struct route6_table *);
/* Whether the 16 address bytes at dst lie in the table's range. */
bool			 route6_in_range(const struct route6_table *,
			    const uint8_t *dst);

#endif
