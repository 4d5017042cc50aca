/* SPDX-License-Identifier: ISC */
/*
 * Inside lib/proto*.c only: the handshake payloads' TLVs (proto-tlv.c)
 * and the byte order helpers proto.c shares with them.
 */
#ifndef RVPN_PROTO_INT_H
#define RVPN_PROTO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define PROTO_MIN_MTU		576
#define PROTO_MAX_MTU		9000

/* Hello TLVs (message 1). */
#define HELLO_T_ADDR4		1	/* 4: requested IPv4 address */
#define HELLO_T_SESSION		2	/* 2: session kind, stream version */

/* Assignment TLVs (message 2). */
#define ASSIGN_T_ADDR4		1	/* 5: address + prefix (required) */
#define ASSIGN_T_GATEWAY4	2	/* 4: gateway (required) */
#define ASSIGN_T_DNS4		3	/* 4: DNS server, repeatable */
#define ASSIGN_T_MTU		4	/* 2: tunnel MTU (required) */
#define ASSIGN_T_KEEPALIVE	5	/* 2: keepalive seconds */
#define ASSIGN_T_ADDR6		6	/* 17: IPv6 address + prefix */
#define ASSIGN_T_ROUTE4		7	/* 5: pushed IPv4 route, repeatable */
#define ASSIGN_T_ROUTE6		8	/* 17: pushed IPv6 route, repeatable */
#define ASSIGN_T_DNS6		9	/* 16: IPv6 DNS server, repeatable */
#define ASSIGN_T_RELAY		10	/* 1: relay session, stream version */

/* Big-endian stores and loads. */
static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline uint16_t
get16(const uint8_t *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

static inline void
put64(uint8_t *p, uint64_t v)
{
	int	i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static inline uint64_t
get64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (v);
}


/* proto-tlv.c: the message 1 (hello) and message 2 (assignment) payloads. */
int	proto_hello_encode(const struct proto_hello *, uint8_t *, size_t *);
int	proto_hello_tlvs(const uint8_t *, size_t, struct proto_hello *);
int	proto_assign_encode(const struct proto_assign *, uint8_t *, size_t,
	    size_t *);
int	proto_assign_decode(const uint8_t *, size_t, struct proto_assign *);

#endif
