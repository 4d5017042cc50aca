/* SPDX-License-Identifier: ISC */
/*
 * Inner destination IP -> session, O(1): a flat array over dhcp_range
 * indexed by host number.  The value is opaque (the server's session).
 */
#ifndef RVPN_ROUTE_H
#define RVPN_ROUTE_H

#include <netinet/in.h>
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

#endif
