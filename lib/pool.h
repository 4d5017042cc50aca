/* SPDX-License-Identifier: ISC */
/*
 * The address pool of dhcp_range: every host address but the network,
 * the gateway (first host, the server's) and the broadcast address.
 * Static addresses (authorized-clients file) are reserved for their key;
 * a key gets its previous address again while that is free (sticky).
 */
#ifndef RVPN_POOL_H
#define RVPN_POOL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

enum pool_err {
	POOL_OK = 0,
	POOL_ERR_EXHAUSTED = -1,	/* no free address */
	POOL_ERR_TAKEN = -2,		/* the requested/static address is in use */
	POOL_ERR_RANGE = -3,		/* address outside the pool */
	POOL_ERR_RESERVED = -4,		/* static address of another key */
};

struct pool;

/* prefix 8..30.  Dies on ENOMEM (setup). */
struct pool	*pool_new(struct in_addr net, uint8_t prefix);
void		 pool_free(struct pool *);
/* Reserve addr for key only (statics).  Replaces earlier reservations on reload via pool_clear_static. */
int		 pool_reserve_static(struct pool *, struct in_addr,
		    const uint8_t key[PROTO_KEY_LEN]);
void		 pool_clear_static(struct pool *);
/*
 * Lease an address for key: its static address if it has one; else the
 * requested one when given and free; else its previous one if free; else
 * the lowest free.  Errors: EXHAUSTED, TAKEN (static or requested address
 * leased to a live session), RESERVED/RANGE (requested address unusable).
 */
int		 pool_alloc(struct pool *, const uint8_t key[PROTO_KEY_LEN],
		    const struct in_addr *requested, struct in_addr *out);
/* Return a lease; releasing an address not leased is a no-op. */
void		 pool_release(struct pool *, struct in_addr);
bool		 pool_is_leased(const struct pool *, struct in_addr);
struct in_addr	 pool_gateway(const struct pool *);
unsigned	 pool_capacity(const struct pool *);	/* usable addresses */
unsigned	 pool_used(const struct pool *);

/*
 * The IPv6 pool of dhcp_range6 (prefix 64..126): host 0 (the
 * Subnet-Router anycast address) and host 1 (the server's) are never
 * handed out.  A key gets its static address6 if it has one; else the
 * host number of its IPv4 lease when that is free (so the pair reads
 * 10.200.0.5 / fd10:200::5, and a key's IPv4 stickiness carries over);
 * else the lowest free host.  Same error codes as above.
 */
struct pool6;

struct pool6	*pool6_new(const struct in6_addr *net, uint8_t prefix);
void		 pool6_free(struct pool6 *);
int		 pool6_reserve_static(struct pool6 *, const struct in6_addr *,
		    const uint8_t key[PROTO_KEY_LEN]);
void		 pool6_clear_static(struct pool6 *);
/* want_host: the preferred host number (0: none). */
int		 pool6_alloc(struct pool6 *, const uint8_t key[PROTO_KEY_LEN],
		    uint64_t want_host, struct in6_addr *out);
void		 pool6_release(struct pool6 *, const struct in6_addr *);
bool		 pool6_is_leased(const struct pool6 *, const struct in6_addr *);
void		 pool6_gateway(const struct pool6 *, struct in6_addr *);
unsigned	 pool6_used(const struct pool6 *);
uint64_t	 pool6_capacity(const struct pool6 *);	/* usable addresses */

#endif
