/* SPDX-License-Identifier: ISC */
/* The PROXY protocol version 2 header (haproxy's proxy-protocol.txt 2.2). */
#include "autoconf.h"

#include <string.h>

#include "proxyv2.h"

static const uint8_t proxyv2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/*
 * Parse a PROXY v2 header at buf (len bytes so far).  Returns 1 with
 * *total (the header's length) and *src (the client; AF_UNSPEC for LOCAL
 * or an unknown family: use the connection's own peer) when whole, 0
 * when more bytes are needed (*total says how many in all, once known),
 * -1 when it is not a valid v2 header.
 */
int
proxyv2_parse(const uint8_t *buf, size_t len, size_t *total,
    struct sockaddr_storage *src)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)src;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)src;
	size_t alen;
	uint8_t cmd, fam;

	*total = PROXYV2_HDR;
	if (memcmp(buf, proxyv2_sig, len < sizeof(proxyv2_sig) ? len :
	    sizeof(proxyv2_sig)) != 0)
		return -1;
	if (len < PROXYV2_HDR)
		return 0;
	if ((buf[12] >> 4) != 2)
		return -1;
	cmd = buf[12] & 0x0f;
	fam = buf[13];
	alen = (size_t)buf[14] << 8 | buf[15];
	if (cmd > 1 || PROXYV2_HDR + alen > PROXYV2_MAX)
		return -1;
	*total = PROXYV2_HDR + alen;
	if (len < *total)
		return 0;
	memset(src, 0, sizeof(*src));
	src->ss_family = AF_UNSPEC;
	if (cmd == 0)		/* LOCAL: the proxy's own (health check) */
		return 1;
	switch (fam) {
	case 0x11:		/* TCP over IPv4 */
		if (alen < 12)
			return -1;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, buf + PROXYV2_HDR, 4);
		memcpy(&sin->sin_port, buf + PROXYV2_HDR + 8, 2);
		break;
	case 0x21:		/* TCP over IPv6 */
		if (alen < 36)
			return -1;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, buf + PROXYV2_HDR, 16);
		memcpy(&sin6->sin6_port, buf + PROXYV2_HDR + 32, 2);
		break;
	default:		/* UNSPEC, UDP, UNIX: the connection's own */
		break;
	}
	return 1;
}
