/* SPDX-License-Identifier: ISC */
/*
 * SOCKS5 (RFC 1928): the greeting, RFC 1929's username/password and the
 * CONNECT request (pure).
 */
#include "autoconf.h"

#include <string.h>

#include "socks5.h"

int
socks5_greeting(const uint8_t *p, size_t n, size_t *len)
{
	if (n < 2)
		return SOCKS5_MORE;
	if (p[0] != 5)
		return SOCKS5_BAD;
	*len = 2 + (size_t)p[1];
	return n < *len ? SOCKS5_MORE : SOCKS5_WHOLE;
}

bool
socks5_offers(const uint8_t *p, uint8_t method)
{
	return memchr(p + 2, method, p[1]) != NULL;
}

int
socks5_userpass(const uint8_t *p, size_t n, size_t *len, size_t *ulen,
    size_t *plen)
{
	if (n < 2)
		return SOCKS5_MORE;
	if (p[0] != 1 || p[1] == 0)
		return SOCKS5_REFUSE;
	*ulen = p[1];
	*len = 2 + *ulen + 1;
	if (n < *len)
		return SOCKS5_MORE;
	*plen = p[*len - 1];
	*len += *plen;
	return n < *len ? SOCKS5_MORE : SOCKS5_WHOLE;
}

int
socks5_request(const uint8_t *p, size_t n, size_t *len,
    struct stream_msg *m, uint8_t *rep)
{
	size_t alen, at;

	if (n < 5)
		return SOCKS5_MORE;
	if (p[0] != 5)
		return SOCKS5_BAD;
	if (p[1] != 1) {		/* CONNECT only */
		*rep = 7;
		return SOCKS5_REFUSE;
	}
	switch (p[3]) {
	case STREAM_A_IPV4:
		alen = 4;
		at = 4;
		break;
	case STREAM_A_IPV6:
		alen = 16;
		at = 4;
		break;
	case STREAM_A_NAME:
		alen = p[4];
		at = 5;
		if (alen == 0) {
			*rep = 1;
			return SOCKS5_REFUSE;
		}
		break;
	default:
		*rep = 8;
		return SOCKS5_REFUSE;
	}
	*len = at + alen + 2;
	if (n < *len)
		return SOCKS5_MORE;
	memset(m, 0, sizeof(*m));
	m->type = STREAM_OPEN;
	m->atyp = p[3];
	if (m->atyp == STREAM_A_NAME) {
		memcpy(m->name, p + at, alen);
		m->name[alen] = '\0';
	} else
		memcpy(m->addr, p + at, alen);
	m->port = (uint16_t)(p[at + alen] << 8 | p[at + alen + 1]);
	if (m->port == 0 || (m->atyp == STREAM_A_NAME &&
	    strlen(m->name) != alen)) {
		*rep = 1;
		return SOCKS5_REFUSE;
	}
	return SOCKS5_WHOLE;
}
