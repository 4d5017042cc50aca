/* SPDX-License-Identifier: ISC */
/* The PROXY protocol version 2 header: parsing only (pure). */
#ifndef RVPN_PROXYV2_H
#define RVPN_PROXYV2_H

#include <sys/socket.h>

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define PROXYV2_HDR	16		/* signature, ver/cmd, family, len */
#define PROXYV2_MAX	(PROXYV2_HDR + 512)	/* addresses and TLVs taken */

/*
 * Parse the header at buf (len bytes so far).  1 when whole: *total is
 * its length and *src the client (AF_UNSPEC for LOCAL or a family other
 * than TCP over IPv4/IPv6: the connection's own peer counts).  0 when
 * more bytes are needed: *total is how many in all, as far as known.
 * -1 when it is not a version 2 header (or longer than PROXYV2_MAX).
 */
int	proxyv2_parse(const uint8_t *buf, size_t len, size_t *total,
	    struct sockaddr_storage *src);

#endif
