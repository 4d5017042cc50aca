/* SPDX-License-Identifier: ISC */
/*
 * Admission before authentication: how many connections have not
 * finished the Noise handshake, in all and per source address, and a
 * token bucket of new connections per source.  The server asks at
 * accept (or, behind a trusted proxy, once X-Forwarded-For names the
 * client) and gives the slot back when the handshake succeeds or the
 * connection closes.  No I/O, no logging: the caller counts and logs.
 */
#ifndef RVPN_ADMIT_H
#define RVPN_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADMIT_ADDR_LEN		16	/* IPv6, or IPv4-mapped */
#define ADMIT_MAX_SOURCES	65536	/* sources tracked at once */

/* Each 0 = unlimited. */
struct admit_limits {
	unsigned	max_pending;	/* connections not authenticated */
	unsigned	max_per_source;	/* of them, from one source */
	unsigned	rate;		/* new connections/s per source */
};

enum admit_result {
	ADMIT_OK = 0,
	ADMIT_GLOBAL,		/* max_pending reached (or table full) */
	ADMIT_SOURCE,		/* max_per_source reached */
	ADMIT_RATE,		/* the source's bucket is empty */
};

struct admit;
struct admit_src;

struct admit	*admit_new(void);
void		 admit_free(struct admit *);
/*
 * A new connection: counted in the global total and, when addr is not
 * NULL, against its source (*srcp set; else *srcp = NULL).  Anything
 * but ADMIT_OK leaves every count as it was.
 */
enum admit_result admit_enter(struct admit *, const struct admit_limits *,
		    const uint8_t addr[ADMIT_ADDR_LEN], uint64_t now_ms,
		    struct admit_src **srcp);
/*
 * A connection already counted globally (from a trusted proxy) whose
 * source is now known: per-source cap and rate.  Not ADMIT_OK: nothing
 * changed, the connection is still counted globally.
 */
enum admit_result admit_source(struct admit *, const struct admit_limits *,
		    const uint8_t addr[ADMIT_ADDR_LEN], uint64_t now_ms,
		    struct admit_src **srcp);
/* The connection authenticated or closed: give its counts back. */
void		 admit_leave(struct admit *, struct admit_src *);
/* Forget sources with nothing pending and a full bucket. */
void		 admit_sweep(struct admit *, const struct admit_limits *,
		    uint64_t now_ms);
unsigned	 admit_pending(const struct admit *);
unsigned	 admit_nsources(const struct admit *);
unsigned	 admit_src_pending(const struct admit_src *);
/* The source key of a socket address (IPv4 mapped; IPv6 to its /64). */
void		 admit_addr(const void *sockaddr, uint8_t out[ADMIT_ADDR_LEN]);
/* The source key of an IPv4 address (network byte order). */
void		 admit_addr4(uint32_t, uint8_t out[ADMIT_ADDR_LEN]);

#endif
